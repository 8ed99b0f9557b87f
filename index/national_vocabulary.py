"""The national data standard's values <-> Orienteur's codes (``index.vocabulary``).

The standard ("schéma des lieux de médiation numérique") exists in two generations in the
wild: version 1.0.x (``services`` such as "Aide aux démarches administratives", joined with
``|``) and the earlier one of the hubs' 2023 exports ("Devenir autonome dans les démarches
administratives", "Prendre en main un ordinateur", joined with ``;``). Reading maps an earlier
value onto its 1.0.x value, and that onto our codes; writing maps our codes onto the 1.0.2
enumerations, so that for every 1.0.2 value ``v``,
``services_to_standard(services_from_standard([v])) == (v,)``: a place read from the standard
keeps its codes through an export and back. RhinOcc's codes are finer in places (ACCDS/ACCDA,
ORD/ORDM, COMP/ENT/ACCN): those come back as the standard can say them.

Tables are keyed by ``fold``ed text, so case, accents and punctuation do not matter.
"""

from __future__ import annotations

from collections.abc import Iterable

from index.normalise import fold

# --- services -----------------------------------------------------------------------------

STANDARD_SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)
"""The 1.0.2 enumeration of ``services``, in the schema's order."""

_SERVICES_IN: dict[str, tuple[str, ...]] = {
    # version 1.0.x
    "Aide aux démarches administratives": ("ACCDS", "ACCDA"),
    "Maîtrise des outils numériques du quotidien": ("ACCN",),
    "Insertion professionnelle via le numérique": ("PRO",),
    "Utilisation sécurisée du numérique": ("SECU",),
    "Parentalité et éducation avec le numérique": ("PAR",),
    "Loisirs et créations numériques": ("CREA",),
    "Compréhension du monde numérique": ("SENS",),
    "Accès internet et matériel informatique": ("ORD",),
    "Acquisition de matériel informatique à prix solidaire": ("EQUIP",),
}

OLDER_SERVICES: dict[str, str] = {
    # The earlier generation's services (hubs' exports, 2022-2023) -> their 1.0.x value, so that
    # a place reads the same whichever generation described it.
    "Devenir autonome dans les démarches administratives": "Aide aux démarches administratives",
    "Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
    "Accompagner les démarches de santé": "Aide aux démarches administratives",
    "Prendre en main un ordinateur": "Maîtrise des outils numériques du quotidien",
    "Prendre en main un smartphone ou une tablette": "Maîtrise des outils numériques du quotidien",
    "Utiliser le numérique au quotidien": "Maîtrise des outils numériques du quotidien",
    "Utiliser la messagerie électronique": "Maîtrise des outils numériques du quotidien",
    "Approfondir ma culture numérique": "Compréhension du monde numérique",
    "Promouvoir la citoyenneté numérique": "Compréhension du monde numérique",
    "Comprehension du monde numérique": "Compréhension du monde numérique",  # the 1.0.2 description's spelling
    "Soutenir la parentalité et l'éducation avec le numérique": "Parentalité et éducation avec le numérique",
    "Favoriser mon insertion professionnelle": "Insertion professionnelle via le numérique",
    "Créer et développer mon entreprise": "Insertion professionnelle via le numérique",
    "Créer avec le numérique": "Loisirs et créations numériques",
    "Accéder à du matériel": "Accès internet et matériel informatique",
    "Accéder à une connexion internet": "Accès internet et matériel informatique",
    "S'équiper en matériel informatique": "Acquisition de matériel informatique à prix solidaire",
}

_SERVICES_OUT: dict[str, tuple[str, ...]] = {
    # Our code -> 1.0.2 values. RhinOcc's twelve codes are finer than the standard's nine
    # values in places (ACCDS/ACCDA, ORD/ORDM), coarser in none.
    "ORD": ("Accès internet et matériel informatique",),
    "ORDM": ("Accès internet et matériel informatique", "Maîtrise des outils numériques du quotidien"),
    "REP": ("Acquisition de matériel informatique à prix solidaire",),  # repair and refurbishing
    "FL": ("Loisirs et créations numériques",),
    "W": ("Accès internet et matériel informatique",),
    "ACCDS": ("Aide aux démarches administratives",),
    "ACCDA": ("Aide aux démarches administratives",),
    "SENS": ("Compréhension du monde numérique",),
    "ACCN": ("Maîtrise des outils numériques du quotidien",),
    "COMP": ("Maîtrise des outils numériques du quotidien",),
    "PRO": ("Insertion professionnelle via le numérique",),
    "ENT": ("Maîtrise des outils numériques du quotidien",),
    "SECU": ("Utilisation sécurisée du numérique",),
    "PAR": ("Parentalité et éducation avec le numérique",),
    "CREA": ("Loisirs et créations numériques",),
    "EQUIP": ("Acquisition de matériel informatique à prix solidaire",),
}

_SERVICE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (folded word, codes): a last resort for values neither generation lists.
    ("demarche", ("ACCDS",)),
    ("administrati", ("ACCDS",)),
    ("sante", ("ACCDS",)),
    ("insertion", ("PRO",)),
    ("emploi", ("PRO",)),
    ("entreprise", ("PRO",)),
    ("securi", ("SECU",)),
    ("parentalite", ("PAR",)),
    ("creat", ("CREA",)),
    ("loisir", ("CREA",)),
    ("materiel", ("ORD",)),
    ("connexion", ("ORD",)),
    ("internet", ("ORD",)),
    ("smartphone", ("ACCN",)),
    ("ordinateur", ("ACCN",)),
    ("quotidien", ("ACCN",)),
    ("culture", ("SENS",)),
    ("citoyennete", ("SENS",)),
)

# --- publics ------------------------------------------------------------------------------

STANDARD_PUBLICS = ("Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes")
"""The 1.0.2 enumeration of ``publics_specifiquement_adresses``."""

_PUBLICS_IN: dict[str, tuple[str, ...]] = {
    "Jeunes": ("J",),
    "Étudiants": ("J",),
    "Familles et/ou enfants": ("FAM",),
    "Seniors": ("SEN",),
    "Femmes": ("F",),
    # earlier generation: publics_accueillis
    "Jeunes (16-26 ans)": ("J",),
    "Adultes": ("AD",),
    "Familles/enfants": ("FAM",),
    "Seniors (+ 65 ans)": ("SEN",),
    "Tout public": ("TP",),
    "Uniquement femmes": ("F",),
    "Personnes en situation de handicap": ("H",),
    "Personnes réfugiées ou migrantes": ("ETR",),
    # prise_en_charge_specifique (1.0.x)
    "Surdité": ("H",),
    "Handicaps moteurs": ("H",),
    "Handicaps mentaux": ("H",),
    "Déficience visuelle": ("H",),
    "Langues étrangères (anglais)": ("ETR",),
    "Langues étrangères (autres)": ("ETR",),
    "Illettrisme": (),
}

_PUBLICS_OUT: dict[str, str] = {"J": "Jeunes", "SEN": "Seniors", "F": "Femmes", "FAM": "Familles et/ou enfants"}

# --- labels and national programmes -------------------------------------------------------

STANDARD_PROGRAMMES = (
    "Aidants Connect", "Bibliothèques numérique de référence", "Certification PIX", "Conseillers numériques",
    "Emmaüs Connect", "France Services", "Grande école du numérique", "La Croix Rouge",
    "Point d'accès numérique CAF", "Promeneurs du net", "Relais numérique (Emmaüs Connect)",
)  # fmt: skip
"""The 1.0.2 enumeration of ``dispositif_programmes_nationaux``."""

_LABELS_IN: dict[str, tuple[str, ...]] = {
    "France Services": ("MFS",),
    "France Service": ("MFS",),
    "MFS": ("MFS",),
    "RFS": ("MFS",),
    "MSAP": ("MSAP",),
    "Maison de services au public": ("MSAP",),
    "Aidants Connect": ("AC",),
    "Conseillers numériques": ("CNFS",),
    "Conseiller numérique": ("CNFS",),
    "CNFS": ("CNFS",),
    "Conseiller Numérique France Services": ("CNFS",),
    "APTIC": ("APTIC",),
    "Pass numérique": ("APTIC",),
    "Grande école du numérique": ("GN",),
    "Grandes écoles du numérique": ("GN",),
    "Fabriques de Territoire": ("TL",),
    "Fabrique de territoire": ("TL",),
    "Tiers-lieu": ("TL",),
    "Espace public numérique": ("EPN",),
    "EPN": ("EPN",),
    "PIMMS": ("PIMMS",),
    "PIMMS médiation": ("PIMMS",),
    "Structure relais RhinOcc": ("REL",),
    # Programmes with no code of ours: known, so not reported as unknown.
    "Bibliothèques numérique de référence": (),
    "Certification PIX": (),
    "Emmaüs Connect": (),
    "La Croix Rouge": (),
    "Point d'accès numérique CAF": (),
    "Point numérique CAF": (),
    "Promeneurs du net": (),
    "Relais numérique (Emmaüs Connect)": (),
    "Campus connecté": (),
    "French Tech": (),
    "SOS Numérique": (),
    # formations_labels (1.0.x)
    "Formé à « Mon Espace Santé »": (),
    "Formé à « DUPLEX » (illettrisme)": (),
    "Arnia/MedNum BFC (Bourgogne-Franche-Comté)": (),
    "Collectif ressources et acteurs réemploi (Normandie)": (),
    "Étapes numériques (La Poste)": (),
    "Les Éclaireurs du numérique (Drôme)": (),
    "Mes Papiers (Métropole de Lyon)": (),
    "ORDI 3.0": (),
    "SUD LABS (PACA)": (),
}

_PROGRAMMES_OUT: dict[str, str] = {
    "MFS": "France Services",
    "AC": "Aidants Connect",
    "CNFS": "Conseillers numériques",
    "GN": "Grande école du numérique",
}

_OTHER_LABELS_OUT: dict[str, str] = {
    # Our labels that neither enumeration lists go to the free-text autres_formations_labels.
    "APTIC": "APTIC",
    "MSAP": "Maison de services au public",
    "EPN": "Espace public numérique",
    "TL": "Tiers-lieu",
    "REL": "Structure relais RhinOcc",
    "PIMMS": "PIMMS médiation",
}

# --- fees, access and support -------------------------------------------------------------

STANDARD_FEES = ("Gratuit", "Gratuit sous condition", "Payant")

_FEES_IN: dict[str, str] = {
    # frais_a_charge (1.0.x) and the head of conditions_acces ("Gratuit : Je peux accéder…").
    "Gratuit": "Gratuit",
    "Gratuit sous condition": "Gratuit sous condition",
    "Payant": "Payant",
    "Adhésion": "Adhésion",
    "Accepte le Pass numérique": "Pass numérique",
    "Pass numérique": "Pass numérique",
}

STANDARD_SUPPORT = ("En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance")
STANDARD_ACCESS = (
    "Se présenter", "Téléphoner", "Contacter par mail", "Prendre un RDV en ligne",
    "Ce lieu n'accueille pas de public", "Envoyer un mail avec une fiche de prescription",
)  # fmt: skip

_SUPPORT_IN: dict[str, str] = {
    **{v: v for v in STANDARD_SUPPORT + STANDARD_ACCESS},
    # earlier generation, keyed by the head before " : "
    "Seul": "En autonomie",
    "Avec de l'aide": "Accompagnement individuel",
    "Dans un atelier": "Dans un atelier collectif",
    "A ma place": "Démarches faites à ma place",
    "À ma place": "Démarches faites à ma place",
    "À distance (par téléphone ou en visioconférence)": "À distance",
}

# --- typologie ----------------------------------------------------------------------------

TYPOLOGIES: dict[str, str] = {
    # data.inclusion's structure types (the standard's ``typologie``) -> French words.
    "ACI": "Atelier chantier d'insertion",
    "ACIPHC": "Atelier chantier d'insertion",
    "AFPA": "AFPA",
    "AI": "Association intermédiaire",
    "ASE": "Aide sociale à l'enfance",
    "ASSO": "Association",
    "ASSO_CHOMEUR": "Association de chômeurs",
    "AVIP": "Crèche à vocation d'insertion professionnelle",
    "BIB": "Bibliothèque, médiathèque",
    "CAARUD": "CAARUD",
    "CADA": "Centre d'accueil de demandeurs d'asile",
    "CAF": "Caisse d'allocations familiales",
    "CAP_EMPLOI": "Cap emploi",
    "CAVA": "Centre d'adaptation à la vie active",
    "CC": "Communauté de communes",
    "CCAS": "Centre communal d'action sociale",
    "CCONS": "Chambre consulaire",
    "CD": "Conseil départemental",
    "CDAS": "Centre départemental d'action sociale",
    "CFP": "Centre des finances publiques",
    "CHRS": "Centre d'hébergement et de réinsertion sociale",
    "CHU": "Centre d'hébergement d'urgence",
    "CIAS": "Centre intercommunal d'action sociale",
    "CIDFF": "Centre d'information sur les droits des femmes et des familles",
    "CITMET": "Cité des métiers",
    "CMP": "Centre médico-psychologique",
    "CMS": "Centre médico-social",
    "CPH": "Centre provisoire d'hébergement",
    "CS": "Centre social",
    "CSAPA": "CSAPA",
    "DEETS": "DEETS",
    "DEPT": "Services sociaux du département",
    "DIPLP": "Délégation interministérielle à la prévention et à la lutte contre la pauvreté",
    "E2C": "École de la deuxième chance",
    "EA": "Entreprise adaptée",
    "EATT": "Entreprise adaptée de travail temporaire",
    "EI": "Entreprise d'insertion",
    "EITI": "Entreprise d'insertion par le travail indépendant",
    "ENM": "Espace numérique mobile",
    "EPCI": "Intercommunalité",
    "EPI": "Espace public internet",
    "EPIDE": "EPIDE",
    "EPN": "Espace public numérique",
    "ESS": "Structure de l'économie sociale et solidaire",
    "ETTI": "Entreprise de travail temporaire d'insertion",
    "FAIS": "Fédération d'acteurs de l'insertion",
    "GEIQ": "GEIQ",
    "HUDA": "Hébergement d'urgence pour demandeurs d'asile",
    "LA_POSTE": "La Poste",
    "MDE": "Maison de l'emploi",
    "MDEF": "Maison de l'emploi et de la formation",
    "MDPH": "Maison départementale des personnes handicapées",
    "MDS": "Maison des solidarités",
    "MJC": "Maison des jeunes et de la culture",
    "ML": "Mission locale",
    "MQ": "Maison de quartier",
    "MSA": "Mutualité sociale agricole",
    "MSAP": "Maison de services au public",
    "MUNI": "Mairie",
    "OACAS": "Organisme d'accueil communautaire et d'activités solidaires",
    "ODC": "Organisation délégataire d'un CD",
    "OF": "Organisme de formation",
    "OIL": "Opérateur d'intermédiation locative",
    "OPCS": "Organisation porteuse de la clause sociale",
    "PAD": "Point d'accès au droit",
    "PE": "Pôle emploi",
    "PENSION": "Pension de famille",
    "PIJ_BIJ": "Point information jeunesse",
    "PIMMS": "PIMMS",
    "PJJ": "Protection judiciaire de la jeunesse",
    "PLIE": "Plan local pour l'insertion et l'emploi",
    "PREF": "Préfecture",
    "PREVENTION": "Service de prévention",
    "REG": "Région",
    "RFS": "France Services",
    "RS_FJT": "Résidence sociale, foyer de jeunes travailleurs",
    "SCP": "Service de prévention spécialisée",
    "SPIP": "Service pénitentiaire d'insertion et de probation",
    "TIERS_LIEUX": "Tiers-lieu",
    "UDAF": "Union départementale des affaires familiales",
    "MAIRIE": "Mairie",
    "Autre": "Autre",
}

TYPOLOGY_IMPLIES: dict[str, tuple[str, str]] = {
    # typologie code -> (facet, code) it says plainly.
    "RFS": ("labels", "MFS"),
    "MSAP": ("labels", "MSAP"),
    "TIERS_LIEUX": ("labels", "TL"),
    "EPN": ("labels", "EPN"),
    "PIMMS": ("labels", "PIMMS"),
    "ML": ("publics", "J"),
    "PIJ_BIJ": ("publics", "J"),
}

_TYPOLOGY_WORDS: dict[str, str] = {
    # Folded words a RhinOcc ``type_lieu`` uses -> typologie code (for the export).
    "mediatheque": "BIB",
    "bibliotheque": "BIB",
    "centre social": "CS",
    "agence pole emploi": "PE",
    "pole emploi": "PE",
    "la poste": "LA_POSTE",
    "association": "ASSO",
    "mjc": "MJC",
    "mission locale": "ML",
    "mairie": "MUNI",
    "tiers lieu": "TIERS_LIEUX",
    "ccas": "CCAS",
    "france services": "RFS",
}


def _index(table: dict[str, object]) -> dict[str, object]:
    return {fold(k): v for k, v in table.items()}


_SERVICES_BY_FOLD = _index(_SERVICES_IN) | {fold(k): _SERVICES_IN[v] for k, v in OLDER_SERVICES.items()}
_PUBLICS_BY_FOLD = _index(_PUBLICS_IN)
_LABELS_BY_FOLD = _index(_LABELS_IN)
_FEES_BY_FOLD = _index(_FEES_IN)
_SUPPORT_BY_FOLD = _index(_SUPPORT_IN)
_TYPOLOGY_BY_FOLD = {fold(k): k for k in TYPOLOGIES} | {fold(v): k for k, v in TYPOLOGIES.items()} | _TYPOLOGY_WORDS


def _head(value: str) -> str:
    """The earlier generation explains its values: ``"Gratuit : Je peux accéder…"`` -> ``"Gratuit"``."""
    return value.split(" : ", 1)[0].split(" :", 1)[0].strip()


def _lookup(values: Iterable[str], table: dict[str, object]) -> tuple[tuple[object, ...], tuple[str, ...]]:
    found: list[object] = []
    unknown: list[str] = []
    for value in values:
        key = fold(value)
        hit = table.get(key, table.get(fold(_head(value))))
        if hit is None:
            unknown.append(value)
        else:
            found.append(hit)
    return tuple(found), tuple(unknown)


def _flat(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code for group in groups for code in group))


def services_from_standard(values: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Our service codes for the standard's values (either generation); and the values not understood.

    A value neither generation lists is matched by its words ("démarche" -> ACCDS) before it
    is given up as unknown.
    """
    found, unknown = _lookup(values, _SERVICES_BY_FOLD)
    codes = list(_flat(found))
    still_unknown = []
    for value in unknown:
        words = fold(value)
        guessed = [c for word, group in _SERVICE_KEYWORDS if word in words for c in group]
        if guessed:
            codes.extend(guessed)
        else:
            still_unknown.append(value)
    return tuple(dict.fromkeys(codes)), tuple(still_unknown)


def services_to_standard(codes: Iterable[str]) -> tuple[str, ...]:
    """The 1.0.2 ``services`` values for our codes, in the schema's order."""
    wanted = {v for c in codes for v in _SERVICES_OUT.get(c, ())}
    return tuple(v for v in STANDARD_SERVICES if v in wanted)


def publics_from_standard(values: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Our public codes for ``publics_*`` and ``prise_en_charge_specifique`` values; and the unknown ones."""
    found, unknown = _lookup(values, _PUBLICS_BY_FOLD)
    return _flat(found), unknown


def publics_to_standard(codes: Iterable[str]) -> tuple[str, ...]:
    wanted = {_PUBLICS_OUT[c] for c in codes if c in _PUBLICS_OUT}
    return tuple(v for v in STANDARD_PUBLICS if v in wanted)


def labels_from_standard(values: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Our label codes for labels, programmes and formations; and the values not known at all."""
    found, unknown = _lookup(values, _LABELS_BY_FOLD)
    return _flat(found), unknown


def programmes_to_standard(codes: Iterable[str]) -> tuple[str, ...]:
    """``dispositif_programmes_nationaux`` values for our labels, in the schema's order."""
    wanted = {_PROGRAMMES_OUT[c] for c in codes if c in _PROGRAMMES_OUT}
    return tuple(v for v in STANDARD_PROGRAMMES if v in wanted)


def other_labels_to_standard(codes: Iterable[str]) -> tuple[str, ...]:
    """Free-text ``autres_formations_labels`` for our labels that the enumerations lack."""
    return tuple(_OTHER_LABELS_OUT[c] for c in codes if c in _OTHER_LABELS_OUT)


def fees_from_standard(values: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``frais_a_charge`` / ``conditions_acces`` -> access words ("Gratuit", "Adhésion"…); and unknown ones."""
    found, unknown = _lookup(values, _FEES_BY_FOLD)
    return tuple(dict.fromkeys(found)), unknown


def fees_to_standard(access: Iterable[str]) -> tuple[str, ...]:
    """``frais_a_charge`` values said by our access words (RhinOcc's included: "Gratuit", "Payant")."""
    wanted = set()
    for word in access:
        folded = fold(word)
        if "gratuit sous condition" in folded or folded == "pass numerique":
            wanted.add("Gratuit sous condition")
        elif folded.startswith("gratuit"):
            wanted.add("Gratuit")
        elif folded.startswith(("payant", "adhesion")):
            wanted.add("Payant")
    return tuple(v for v in STANDARD_FEES if v in wanted)


def support_from_standard(values: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``modalites_accompagnement`` / ``modalites_acces`` -> 1.0.2 wording; and unknown values."""
    found, unknown = _lookup(values, _SUPPORT_BY_FOLD)
    return tuple(dict.fromkeys(found)), unknown


def support_to_standard(words: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(``modalites_accompagnement``, ``modalites_acces``) values found among our support/access words."""
    folded = {fold(w) for w in words}
    support = tuple(v for v in STANDARD_SUPPORT if fold(v) in folded)
    access = [v for v in STANDARD_ACCESS if fold(v) in folded]
    if "sans rendez vous" in folded and "Se présenter" not in access:
        access.insert(0, "Se présenter")
    return support, tuple(v for v in STANDARD_ACCESS if v in access)


def typology_words(codes: Iterable[str]) -> tuple[str, ...]:
    """French words for ``typologie`` codes; an unknown code is kept as written."""
    return tuple(dict.fromkeys(TYPOLOGIES.get(c.strip().upper(), TYPOLOGIES.get(c.strip(), c.strip()))
                               for c in codes if c.strip()))


def typology_codes(place_type: str) -> tuple[str, ...]:
    """``typologie`` codes for a place type in words ("Médiathèque, Centre social" -> BIB, CS)."""
    codes: list[str] = []
    for part in place_type.replace("·", ",").split(","):
        folded = fold(part)
        if not folded:
            continue
        code = _TYPOLOGY_BY_FOLD.get(folded)
        if code is None:
            code = next((c for words, c in _TYPOLOGY_WORDS.items() if words in folded), None)
        if code is not None:
            codes.append(code)
    return tuple(dict.fromkeys(codes))
