"""Every sentence Orienteur says, in French, in one place.

Front ends add no wording of their own beyond button captions; they render a ``Reply``.
Values from users or data are interpolated here as plain text and escaped by the
front end that displays them.
"""

from __future__ import annotations

from dataclasses import replace

from index.cards import Card, directions_url, map_url
from index.places import DAYS, DayHours
from index.rank import Assessment
from index.understand import Query
from index.vocabulary import LABEL_LABELS, PUBLIC_LABELS, SERVICE_LABELS

EXAMPLES = (
    "atelier informatique Gers",
    "démarches CAF Narbonne",
    "ouvert le samedi à Tarbes",
)

WELCOME = (
    "Bonjour ! Je trouve les lieux d'aide au numérique : ordinateurs en libre accès, aide aux démarches "
    "en ligne (CAF, CPAM, impôts, France Travail), ateliers, France Services, fablabs…\n"
    "Écrivez ce que vous cherchez et où, ou partagez une position."
)

HELP = (
    "Écrivez un besoin et un lieu, comme vous le diriez :\n"
    "• « atelier informatique Gers »\n"
    "• « démarches caf narbonne »\n"
    "• « wifi gratuit 65200 »\n"
    "• « france services près de Muret »\n"
    "Ensuite : « plus » pour d'autres lieux, « et le samedi ? », « et à Auch ? », "
    "« seulement pour les jeunes ».\n"
    "Partagez votre position pour les lieux les plus proches."
)

ASK_LOCATION = "Touchez « Envoyer ma position » pour voir les lieux les plus proches de vous."
NEED_LOCATION = "Pour chercher autour de vous, partagez votre position ; ou écrivez une commune ou un code postal."
LOCATION_THANKS = "Merci, position reçue. Voici les lieux les plus proches :"
NOT_UNDERSTOOD = (
    "Je n'ai pas compris. Écrivez par exemple « démarches CAF Narbonne » ou « atelier informatique Gers », "
    "ou partagez votre position."
)
NOTHING_FOUND = (
    "Je n'ai trouvé aucun lieu pour « {what} ». Essayez une commune, un département ou un service "
    "(atelier, démarches, wifi…), ou partagez votre position."
)
NO_PREVIOUS = "Posez d'abord une question, par exemple « atelier informatique Gers »."
NO_MORE = "C'est tout pour cette recherche. Essayez une autre commune ou un autre service."
UNSUPPORTED = "Je ne lis que le texte et les positions. Écrivez votre question, par exemple « démarches CAF Narbonne »."
ERROR = "Désolé, un problème m'empêche de répondre. Réessayez dans un instant."
UNAVAILABLE = "L'annuaire est en cours de préparation. Réessayez dans quelques minutes."
MORE_BUTTON = "Plus de résultats"


def header(query: Query, shown: int, first: int, total: int) -> str:
    """"Lieux pour « atelier informatique · Gers (32) » (1 à 3 sur 16) :"."""
    what = query.describe() or "votre recherche"
    span = f"{first} à {first + shown - 1}" if shown > 1 else f"{first}"
    return f"Lieux pour « {what} » ({span} sur {total}) :"


def distance_origin(area) -> str:
    """From where a card's distance counts: « de vous », « de Muret »."""
    if area is None:
        return ""
    return "de vous" if area.user_location else f"de {area.label.removeprefix('autour de ')}"


def widened(query: Query, area_empty: bool, inside: bool = False) -> str:
    """Nothing inside the stated area meets the needs: say so before what is shown instead —
    places that do not say (``inside``), or the nearest alternatives."""
    area = query.area
    needs = " · ".join(p for p in query.describe().split(" · ") if not area or p != area.label)
    if area is None:
        where = ""
    elif area.kind == "departement":
        where = f"dans le département {area.label}"
    elif area.kind == "commune":
        where = f"à {area.label}"
    elif area.user_location:
        where = "tout près de vous"
    else:
        where = area.label
    if area_empty and not needs:
        return f"Aucun lieu référencé {where} ; les plus proches :"
    if inside:
        return f"Rien de confirmé {where} pour « {needs} » ; ces lieux n'en disent rien :".replace("  ", " ")
    return f"Rien {where} pour « {needs} » ; les plus proches :".replace("Rien  ", "Rien ")


def nothing_found(query: Query) -> str:
    return NOTHING_FOUND.format(what=query.describe() or "votre recherche")


SMALL_TALK = {
    "greeting": "Bonjour ! Que cherchez-vous, et où ? Par exemple « démarches CAF Narbonne ».",
    "thanks": "Avec plaisir ! Écrivez-moi si vous cherchez un autre lieu.",
    "yes": "D'accord. Écrivez un besoin et un lieu, par exemple « atelier informatique Gers ».",
    "no": "D'accord. Écrivez un besoin et un lieu, par exemple « atelier informatique Gers ».",
    "bye": "Au revoir, bonne journée !",
}
"""Short answers to messages that ask nothing; the conversation stays as it was."""
NOT_THAT = "D'accord. Écrivez la commune autrement, ou son code postal."
YOUR_POSITION = "Votre position"
COVERED = ("des ordinateurs en libre accès, de l'aide aux démarches en ligne (CAF, impôts, France Travail…), "
           "des ateliers numériques, des France Services, des fablabs et des espaces de coworking")


def did_you_mean(name: str) -> str:
    """Asked back when a misspelt commune has two likely readings."""
    return f"Vouliez-vous dire {name} ? Répondez « oui », ou écrivez la commune autrement."


def off_topic(labels: list[str]) -> str:
    """A need the directory does not cover: say so, and what it does cover."""
    what = " ni ".join(labels)
    return (f"Je ne connais pas {what} : je trouve seulement les lieux d'aide au numérique, avec "
            f"{COVERED}.")


def outside(label: str, covered: list[str]) -> str:
    """A place the served directory does not reach: say so, naming what it covers."""
    where = ", ".join(covered[:-1]) + f" et {covered[-1]}" if len(covered) > 1 else "".join(covered)
    return (f"{label} est en dehors de la zone de l'annuaire, qui couvre : {where}. "
            "Écrivez une commune ou un département de cette zone.")

# Card labels, shared by the bot and the web chat.
TODAY_LABEL = "aujourd'hui"
HOURS_LABEL = "Horaires"
SERVICES_LABEL = "Services"
PUBLICS_LABEL = "Publics"
WHY_LABEL = "Pourquoi ce lieu"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def provenance(source: str, updated: str) -> str:
    """Where a card's data comes from and how fresh it is: « Source : lieux-geocodes, fiche de octobre 2020 »."""
    text = f"Source : {source}" if source else ""
    if len(updated) == 10 and updated[4] == "-" and updated[5:7].isdigit() and 1 <= int(updated[5:7]) <= 12:
        year, month, day = updated[:4], int(updated[5:7]), updated[8:]
        when = f"{MONTHS[month - 1]} {year}" if day == "01" else f"{int(day)} {MONTHS[month - 1]} {year}"
        text = f"{text}, fiche de {when}" if text else f"Fiche de {when}"
    return text


CLOSED = "fermé"


def day_hours(day: DayHours) -> str:
    """A day's hours as the directory wrote them, « fermé » for a closed day."""
    return CLOSED if day.is_open is False else day.text.strip()


def distance(km: float | None, origin: str) -> str:
    """« à 850 m de vous », « à 3,2 km de Muret »."""
    if km is None:
        return ""
    amount = f"{round(km * 1000, -1):.0f} m" if km < 1 else f"{km:.1f} km".replace(".", ",")
    return f"à {amount} {origin}".strip()


def card(hit: Assessment, today: int, origin: tuple[float, float] | None = None, distance_from: str = "",
         show_distance: bool = True) -> Card:
    """The card of ``hit``: its fields in French words, ``today`` (0 = Monday) first among the hours.

    ``show_distance`` is False where a distance would mislead (from a town's centre to a
    place inside it, say).
    """
    place = hit.entry.place
    week = tuple((DAYS[i], day_hours(d)) for i, d in enumerate(place.hours.days) if day_hours(d))
    if not week and place.hours.text:
        week = ((HOURS_LABEL.lower(), place.hours.text),)
    today_hours = day_hours(place.hours.days[today]) if place.hours.known else ""
    km = hit.distance_km if show_distance else None
    made = Card(
        id=place.id, name=place.name, source=place.source, organisation=place.organisation,
        address=place.address.one_line(), commune=place.address.commune,
        phone=place.contact.phone, email=place.contact.email, website=place.contact.website,
        today=f"{DAYS[today]} : {today_hours}" if today_hours else "", week=week, today_index=today,
        services=tuple(SERVICE_LABELS.get(c, c) for c in sorted(hit.entry.services)),
        publics=tuple(PUBLIC_LABELS.get(c, c) for c in sorted(hit.entry.publics)),
        labels=tuple(LABEL_LABELS.get(c, c) for c in sorted(hit.entry.labels)),
        access=place.access, wifi=place.wifi, distance_km=km, distance_text=distance(km, distance_from),
        lat=place.lat, lon=place.lon, map_url=map_url(place), directions_url=directions_url(place, origin),
        why=tuple(dict.fromkeys(hit.reasons)), updated=place.updated,
        provenance=provenance(place.source, place.updated),
    )
    return replace(made, text=card_text(made))


def card_text(card: Card) -> str:
    """The card as plain text, to paste into an e-mail or an SMS for the person helped."""
    lines = [card.name, card.address, f"Tél. {card.phone}" if card.phone else "", card.email, card.website]
    if card.week:
        lines.append(f"{HOURS_LABEL} : " + " ; ".join(f"{day} {hours}" for day, hours in card.week))
    if card.services:
        lines.append(f"{SERVICES_LABEL} : " + ", ".join(card.services))
    lines += [card.map_url, card.provenance]
    return "\n".join(line for line in lines if line)


# Button and control captions, shared by the bot and the web chat.
MAP_BUTTON = "Voir sur la carte"
DIRECTIONS_BUTTON = "Itinéraire"
SHARE_BUTTON = "Partager"
SEND_LOCATION_BUTTON = "Envoyer ma position"
AROUND_ME_BUTTON = "Autour de moi"
COPY_BUTTON = "Copier"
PRINT_BUTTON = "Imprimer"
GEOLOCATION_REFUSED = "Position refusée : écrivez plutôt une commune ou un code postal."
GEOLOCATION_UNAVAILABLE = "Position indisponible sur cet appareil : écrivez plutôt une commune ou un code postal."
TOO_MANY_REQUESTS = "Trop de demandes à la fois. Patientez quelques secondes."
MESSAGE_TOO_LONG = "Message trop long : quelques mots suffisent, par exemple « démarches CAF Narbonne »."

# Web chat: the page's own labels and messages (served to it as JSON, never retyped in JS).
WEB_TITLE = "Orienteur — trouver un lieu d'aide au numérique"
WEB_HEADING = "Orienteur"
WEB_TAGLINE = "Lieux d'aide au numérique près de chez vous"
WEB_QUESTION_LABEL = "Votre question"
WEB_QUESTION_PLACEHOLDER = "Par exemple : démarches CAF Narbonne"
WEB_SEND_BUTTON = "Envoyer"
WEB_EXAMPLES_HEADING = "Exemples de questions"
WEB_YOU = "Vous"
WEB_ASSISTANT = "Orienteur"
WEB_NEW_CONVERSATION = "Nouvelle conversation"
WEB_WAITING = "Recherche en cours…"
WEB_LOCATING = "Recherche de votre position…"
WEB_MY_POSITION = "Ma position"
WEB_PHONE = "Téléphone"
WEB_EMAIL = "Courriel"
WEB_WEBSITE = "Site web"
WEB_TO_PRINT = "À imprimer"
WEB_COPIED = "Fiche copiée : collez-la dans un courriel ou un SMS."
WEB_COPY_FAILED = "Copie impossible ici : sélectionnez le texte ci-dessous puis copiez-le (Ctrl+C)."
WEB_PRINT_NOTHING = "Cochez « À imprimer » sur les lieux à remettre, puis touchez « Imprimer »."
WEB_PRINT_COUNT = "{n} lieu(x) à imprimer"
WEB_SHEET_TITLE = "Lieux conseillés"
WEB_SHEET_INTRO = "Fiche remise le {date}. Ces lieux peuvent vous aider pour le numérique et vos démarches."
WEB_NEW_TAB = "(nouvel onglet)"
WEB_CONNECTION_LOST = "Connexion au serveur impossible. Vérifiez le réseau puis réessayez."
WEB_BAD_REQUEST = "Demande incorrecte."
WEB_NOT_FOUND = "Page ou lieu introuvable."
WEB_METHOD_NOT_ALLOWED = "Cette adresse n'accepte pas cette méthode."
WEB_TOO_LARGE = "Demande trop volumineuse."
WEB_TOO_SLOW = "La demande est arrivée trop lentement ; renvoyez-la."
WEB_UNAUTHORIZED = "Authentification requise."
WEB_FORBIDDEN_SOURCE = ("Source non autorisée : seules celles d'ORIENTEUR_SOURCE et les fichiers du dossier "
                        "ORIENTEUR_REBUILD_FOLDER peuvent être reconstruits.")
WEB_QUESTION_MISSING = "Écrivez une question ou touchez « Autour de moi »."

# Telegram
# The bot's command menu (set_my_commands), card labels and its few channel-specific notes.
COMMAND_START = "Accueil et exemples de questions"
COMMAND_HELP = "Comment poser une question"
COMMAND_NEAR = "Les lieux les plus proches de moi"
UNKNOWN_COMMAND = "Je ne connais pas cette commande. Tapez /aide pour savoir comment me poser une question."
NEAR_PRIVATE_ONLY = "Pour les lieux les plus proches, partagez votre position en message privé avec moi."
STALE_BUTTON = "Ce bouton n'est plus à jour : posez à nouveau votre question."
INLINE_HINT = "Écrivez un besoin et un lieu, par exemple « atelier Gers »"
INLINE_NOTHING = "Aucun lieu trouvé : demandez-moi en privé"

# Web chat (continued).
WEB_SKIP_TO_QUESTION = "Aller à la question"
WEB_PRINT_HINT = "Pour remettre une fiche : cochez « À imprimer » sur les lieux choisis, puis « Imprimer »."

# Attribution of the served data: the web chat's footer, the bot's /aide, `orienteur status`.
SAMPLE_DATA = "exemple fictif, ces lieux n'existent pas"


def month_year(day: str) -> str:
    """« novembre 2026 » for ``"2026-11-30"``; "" when it is not an ISO day."""
    if len(day) < 7 or not day[:4].isdigit() or not day[5:7].isdigit() or not 1 <= int(day[5:7]) <= 12:
        return ""
    return f"{MONTHS[int(day[5:7]) - 1]} {day[:4]}"


def attribution(publisher: str, day: str, sample: bool = False) -> str:
    """« Données : RhinOcc, … · données de novembre 2026 » (« d'avril », « d'octobre », « d'août »)."""
    when = month_year(day)
    dated = (f"données d'{when}" if when[:1] in "aeiouy" else f"données de {when}") if when else ""
    who = f"Données : {SAMPLE_DATA if sample else publisher}" if (sample or publisher) else ""
    return " · ".join(p for p in (who, dated) if p)
