"""Every sentence Orienteur says, in French, in one place.

What only one front end shows lives in that front end (``bot/words.py``, ``webchat/words.py``);
the conversation's own words, and those both front ends show, are here.
Values from users or data are interpolated here as plain text and escaped by the
front end that displays them.
"""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace

from index.cards import Card, directions_url, hub_name, map_url
from index.gazetteer import load_gazetteer
from index.hours import day_text, format_time, week_of
from index.normalise import fold
from index.open_now import CLOSED, OPEN, PARIS, OpenState, open_state
from index.places import DAYS
from index.rank import CLOSED_ALL_DAY, WHOLE_DAY, Assessment
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
ERROR = "Désolé, un problème m'empêche de répondre. Réessayez dans un instant."
UNAVAILABLE = "L'annuaire est en cours de préparation. Réessayez dans quelques minutes."


def in_area(area) -> str:
    """Where, after a count: « à Toulouse », « dans l'Ariège », « autour de vous »."""
    if area is None:
        return ""
    if area.kind == "commune":
        return f"à {area.label}"
    if area.kind == "departement":
        return " ou ".join(_departement(code, "dans") for code in area.departements) or area.label
    if area.user_location:  # « autour de vous (Toulouse) »: the town said after, not in brackets
        return re.sub(r" \((.+)\)$", r", vers \1", area.label)
    return area.label if area.label.startswith("autour") else f"autour de {area.label}"


def of_area(area) -> str:
    """From where a distance counts: « de vous », « de Muret », « de l'Ariège », « du Gers »."""
    if area is None:
        return ""
    if area.user_location:
        return "de vous"
    if area.kind == "departement":
        return " ou ".join(_departement(code, "de") for code in area.departements) or f"de {area.label}"
    return de(area.label.removeprefix("autour de "))


_ARTICLES = {"dans": {"L'": "dans l'", "La": "dans la ", "Le": "dans le ", "Les": "dans les "},
             "de": {"L'": "de l'", "La": "de la ", "Le": "du ", "Les": "des "}}


def _departement(code: str, preposition: str) -> str:
    """« dans l'Ariège », « du Gers », « des Hautes-Pyrénées »: the département's own article, elided."""
    gazetteer = load_gazetteer()
    dep = gazetteer.departement(code)
    if dep is None:
        return ""
    article = gazetteer.departement_articles.get(dep.code, "")
    lead = _ARTICLES[preposition].get(article)
    if lead is None:
        return f"à {dep.name}" if preposition == "dans" else de(dep.name)
    return f"{lead}{dep.name}"


def needs_phrase(query: Query, plural: bool) -> str:
    """What is asked beside the area: « ouverts le samedi », « pour « atelier informatique » »."""
    area_label = query.area.label if query.area else None
    parts = [p for p in query.describe().split(" · ") if p and p != area_label]
    if not parts:
        return ""
    if len(parts) == 1 and parts[0].startswith("ouvert "):
        return ("ouverts" if plural else "ouvert") + parts[0][len("ouvert"):]
    return f"pour « {' · '.join(parts)} »"


def header(query: Query, matching: int, first: int = 0, last: int = 0) -> str:
    """Only the places that meet the whole request are counted: « 8 lieux ouverts le samedi à
    Toulouse (1 à 3) : »; the span is left out on a page that shows none of them."""
    phrase = " ".join(p for p in (places_count(matching), needs_phrase(query, matching > 1),
                                  in_area(query.area)) if p)
    if not first:
        return f"{phrase} :"
    span = f"{first}" if last == first else f"{first} et {last}" if last == first + 1 else f"{first} à {last}"
    return f"{phrase} ({span}) :"


def closed_then(query: Query) -> str:
    """« fermés à ce moment », « fermés ce jour-là »: what places shown though closed when asked are."""
    window = tuple(query.when[1:]) if query.when else WHOLE_DAY
    return "fermés ce jour-là" if window == WHOLE_DAY else "fermés (jour férié)" if window == CLOSED_ALL_DAY \
        else "fermés à ce moment"


def padded_label(query: Query, closed: bool = False) -> str:
    """The heading of the places shown to fill a page: « Autres lieux à Toulouse, horaires non précisés »,
    « …, fermés à ce moment ou horaires non précisés » when some of them say they are (``closed``)."""
    if query.days or query.when:
        what = f"{closed_then(query)} ou horaires non précisés" if closed else "horaires non précisés"
    elif any(c.facet == "publics" for c in query.concepts):
        what = "publics non précisés"
    else:
        what = "services non précisés"
    return " ".join(p for p in ("Autres lieux", in_area(query.area)) if p) + f", {what}"


def widened(query: Query, area_empty: bool, inside: bool = False, closed: bool = False) -> str:
    """Nothing inside the stated area meets the needs: say so before what is shown instead —
    places that do not say (``inside``), some of them closed when asked (``closed``), or the
    nearest alternatives."""
    area = query.area
    needs = " · ".join(p for p in query.describe().split(" · ") if not area or p != area.label)
    where = "tout près de vous" if area is not None and area.user_location else in_area(area)
    if area_empty and not needs:
        return f"Aucun lieu référencé {where} ; les plus proches :"
    if inside:
        these = f"ces lieux sont {closed_then(query)} ou n'en disent rien" if closed else "ces lieux n'en disent rien"
        return f"Rien de confirmé {where} pour « {needs} » ; {these} :".replace("  ", " ")
    return f"Rien {where} pour « {needs} » ; les plus proches :".replace("Rien  ", "Rien ")


REFINEMENTS = (
    ("Ouvert samedi", "et le samedi ?", False),
    ("Pour les jeunes", "seulement pour les jeunes", False),
    ("Autour de moi", "et autour de moi", True),
)
"""Follow-ups offered as buttons under an answer: (caption, what it says, needs the user's position)."""


def refinements(query: Query) -> tuple[int, ...]:
    """The follow-ups of ``REFINEMENTS`` that would change ``query``'s answer."""
    offered = []
    if 5 not in query.days:
        offered.append(0)
    if not any(c.facet == "publics" for c in query.concepts):
        offered.append(1)
    if not (query.area and query.area.user_location):
        offered.append(2)
    return tuple(offered)


def beyond(query: Query) -> str:
    """After the last place of the area: « C'est tout à Albi. Les plus proches au-delà : »."""
    return f"C'est tout {in_area(query.area)}. Les plus proches au-delà :"


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
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
STALE_AFTER_DAYS = 365
"""Data older than this is flagged on the card: « vérifier par téléphone »."""
OPEN_UNTIL = "Ouvert · jusqu'à {time}"
CLOSED_OPENS = "Fermé · ouvre {when} à {time}"
HOLIDAY_OPENS = "Fermé (jour férié) · ouvre {when} à {time}"
HOURS_UNKNOWN = "Horaires non renseignés : appeler avant"
APPOINTMENT = "Sur rendez-vous"
RESERVED = "Réservé {whom}"


def de(word: str) -> str:
    """« de » before ``word``, elided before a vowel or an h: « d'octobre », « de mars », « d'Albi »
    (a département's own article is ``of_area``'s business: « de l'Ariège »)."""
    return f"d'{word}" if fold(word[:1]) in "aeiouyh" and word[:1] else f"de {word}"


def places_count(n: int) -> str:
    """« 1 lieu », « 2 lieux »."""
    return f"{n} lieu" if n == 1 else f"{n} lieux"


def month_year(day: str) -> str:
    """« novembre 2026 » for ``"2026-11-30"``; "" when it is not an ISO day."""
    if len(day) < 7 or not day[:4].isdigit() or not day[5:7].isdigit() or not 1 <= int(day[5:7]) <= 12:
        return ""
    return f"{MONTHS[int(day[5:7]) - 1]} {day[:4]}"


def freshness(updated: str, now: datetime) -> str:
    """« Informations de mars 2021 : vérifier par téléphone » when older than a year, else « Informations
    d'octobre 2026 »; empty when the directory gives no date."""
    when = month_year(updated)
    if not when:
        return ""
    text = f"Informations {de(when)}"
    if (now.year * 12 + now.month) - (int(updated[:4]) * 12 + int(updated[5:7])) > STALE_AFTER_DAYS // 30:
        text += " : vérifier par téléphone"
    return text


def provenance(hub: str) -> str:
    """Where a card's data comes from, by the hub's name (``cards.hub_name``): « Source : RhinOcc »."""
    return f"Source : {hub}" if hub else ""


def when_words(days_ahead: int, weekday: int) -> str:
    return "" if days_ahead == 0 else "demain" if days_ahead == 1 else DAYS[weekday]


def open_now(state: OpenState) -> str:
    """The open-now badge in words."""
    if state.state == OPEN and state.until is not None:
        return OPEN_UNTIL.format(time=format_time(state.until))
    if state.state == CLOSED and state.opens_at is not None:
        template = HOLIDAY_OPENS if state.holiday else CLOSED_OPENS
        when = when_words(state.days_ahead or 0, state.opens_on or 0)
        return template.format(when=when, time=format_time(state.opens_at)).replace("ouvre  à", "ouvre à")
    return HOURS_UNKNOWN


def restrictions(hit: Assessment, note: str) -> tuple[str, ...]:
    """Who only (a place whose publics are all specific: « Réservé aux jeunes ») and how only
    (« Sur rendez-vous »)."""
    entry = hit.entry
    out = []
    if entry.publics and entry.publics == entry.specific_publics:
        whom = " et ".join("aux " + PUBLIC_LABELS.get(c, c).lower() for c in sorted(entry.publics))
        out.append(RESERVED.format(whom=whom).replace("aux allocataires caf", "aux allocataires CAF"))
    said = fold(" ".join((note, *entry.place.support)))
    if "rendez vous" in said or "rdv" in said.split():
        out.append(APPOINTMENT)
    return tuple(out)


def distance(km: float | None, origin: str) -> str:
    """« à 850 m de vous », « à 3,2 km de Muret »."""
    if km is None:
        return ""
    amount = f"{round(km * 1000, -1):.0f} m" if km < 1 else f"{km:.1f} km".replace(".", ",") if km < 10 \
        else f"{km:.0f} km"
    return f"à {amount} {origin}".strip()


def card(hit: Assessment, now: datetime, origin: tuple[float, float] | None = None, distance_from: str = "",
         show_distance: bool = True, matches: bool = True) -> Card:
    """The card of ``hit`` at ``now`` (Europe/Paris): its fields in French words, hours normalised, the
    open-now badge. ``show_distance`` is False where a distance would mislead (from a town's centre
    to a place inside it, say); ``matches`` False for a place shown only to fill the page."""
    place = hit.entry.place
    now = now.astimezone(PARIS)
    today = now.weekday()
    hours = week_of(place.hours)
    today_hours = day_text(place.hours.days[today])[0] if place.hours.known else ""
    state = open_state(place.hours, now)
    km = hit.distance_km if show_distance else None
    hub = hub_name(place.source)
    # The texts are made from the other fields: read from a draft, so that the card is built once.
    draft = SimpleNamespace(
        id=place.id, name=place.name, source=hub, organisation=place.organisation,
        address=place.address.one_line(), commune=place.address.commune,
        phone=place.contact.phone, email=place.contact.email, website=place.contact.website,
        today=today_hours, week=hours.lines, today_index=today,
        services=tuple(SERVICE_LABELS.get(c, c) for c in sorted(hit.entry.services)),
        publics=tuple(PUBLIC_LABELS.get(c, c) for c in sorted(hit.entry.publics)),
        labels=tuple(LABEL_LABELS.get(c, c) for c in sorted(hit.entry.labels)),
        access=place.access, wifi=place.wifi, distance_km=km, distance_text=distance(km, distance_from),
        lat=place.lat, lon=place.lon, map_url=map_url(place), directions_url=directions_url(place, origin),
        why=tuple(dict.fromkeys(hit.reasons)), updated=place.updated,
        provenance=provenance(hub),
        open_state=state.state, open_now=open_now(state), hours_note=hours.remark,
        restrictions=restrictions(hit, hours.remark), freshness=freshness(place.updated, now), matches=matches,
    )
    return Card(**vars(draft), text=card_text(draft), sms=sms_text(draft))


def card_text(card: Card | SimpleNamespace) -> str:
    """The card as plain text, to paste into an e-mail for the person helped."""
    lines = [card.name, card.address, f"Tél. {card.phone}" if card.phone else "", card.email, card.website]
    if card.week:
        lines.append(f"{HOURS_LABEL} : " + " ; ".join(f"{day} {hours}" for day, hours in card.week))
    lines += [card.hours_note, *card.restrictions]
    if card.services:
        lines.append(f"{SERVICES_LABEL} : " + ", ".join(card.services))
    lines += [card.map_url, card.freshness, card.provenance]
    return "\n".join(line for line in lines if line)


SMS_LIMIT = 300


def sms_text(card: Card | SimpleNamespace) -> str:
    """Name, address, phone, today's hours and the map link in at most ``SMS_LIMIT`` characters:
    the address, then the name, are shortened when the whole would not fit."""
    link = card.map_url if len(card.map_url) <= 120 else ""
    phone = f"Tél. {card.phone}" if card.phone else ""
    today = f"{TODAY_LABEL.capitalize()} : {card.today}" if card.today else ""
    fixed = [x for x in (phone, today, link) if x]
    room = SMS_LIMIT - sum(len(x) + 1 for x in fixed)
    name, address = card.name, card.address
    if len(name) + 1 + len(address) > room:
        address = _cut(address, max(room - min(len(name), room // 2) - 1, 0))
        name = _cut(name, max(room - len(address) - 1, 0))
    return "\n".join(x for x in (name, address, *fixed) if x)[:SMS_LIMIT]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else (text[:max(limit - 1, 0)].rstrip() + "…" if limit > 1 else "")


# Captions both front ends show.
MAP_BUTTON = "Voir sur la carte"
DIRECTIONS_BUTTON = "Itinéraire"
MESSAGE_TOO_LONG = "Message trop long : quelques mots suffisent, par exemple « démarches CAF Narbonne »."

# Attribution of the served data: the web chat's footer, the bot's /aide, `orienteur status`.
SAMPLE_DATA = "exemple fictif, ces lieux n'existent pas"


def attribution(publisher: str, day: str, sample: bool = False) -> str:
    """« Données : RhinOcc, … · données de novembre 2026 » (« d'avril », « d'octobre », « d'août »)."""
    when = month_year(day)
    dated = f"données {de(when)}" if when else ""
    who = f"Données : {SAMPLE_DATA if sample else publisher}" if (sample or publisher) else ""
    return " · ".join(p for p in (who, dated) if p)
