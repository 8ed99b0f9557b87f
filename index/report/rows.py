"""Rows to fix: each served place checked by small rules, each finding with what to do.

Every rule is a function ``(Entry, Context) -> list[Finding details]``, listed in ``RULES``;
duplicates look at all rows at once (``duplicates``). The readers' warnings kept with the
version (``store.ROW_PROBLEMS_FILE``) say what the served places no longer show: a phone,
e-mail or URL dropped as impossible, a point dropped or replaced as outside its département.
Both readers word them alike (``"phone '…' dropped"``, ``"point …"``): ``warning_problem``
reads that first word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from index.duplicates import address_phone_key
from index.facets import Entry, derive
from index.gazetteer import Commune, Gazetteer
from index.normalise import fold
from index.places import Place
from index.spatial import haversine_km
from index.store import Store, read_source_rows

FAR_FROM_COMMUNE_KM = 10.0
"""A point farther than this from its commune's town hall is most likely geocoded elsewhere."""
STALE_YEARS = 2
"""Information last updated longer ago than this is to be confirmed."""


@dataclass(frozen=True)
class Problem:
    code: str
    label: str
    """What is wrong, as the report's tables name it."""
    todo: str
    """What to do about it."""


PROBLEMS = {p.code: p for p in (
    Problem("no_hours", "aucun horaire d'ouverture", "demander les horaires au lieu et les saisir jour par jour"),
    Problem("no_service", "aucun code de service", "renseigner ce que le lieu propose (codes_types_mediations)"),
    Problem("no_contact", "ni téléphone ni courriel", "demander un téléphone ou un courriel de contact"),
    Problem("no_point", "pas de coordonnées", "géocoder l'adresse (BAN) pour qu'on le trouve autour d'un point"),
    Problem("far_from_commune", "coordonnées loin de la commune", "vérifier l'adresse et refaire le géocodage"),
    Problem("outside_departement", "coordonnées hors du département",
            "corriger les coordonnées ou le département (le point a été écarté)"),
    Problem("bad_phone", "téléphone impossible", "corriger le numéro (10 chiffres)"),
    Problem("bad_email", "courriel impossible", "corriger l'adresse de courriel"),
    Problem("bad_website", "site web impossible", "corriger l'adresse du site (ou la déplacer dans le courriel)"),
    Problem("duplicate", "doublon possible", "fusionner les fiches ou retirer celle qui est en trop"),
    Problem("stale", f"informations de plus de {STALE_YEARS} ans ou non datées",
            "faire confirmer les informations par le lieu et mettre à jour date_maj"),
)}


@dataclass(frozen=True)
class Finding:
    """One problem of one row."""

    id: str
    name: str
    commune: str
    departement: str
    problem: str
    """A ``PROBLEMS`` code."""
    detail: str
    """What exactly (the value, the distance, the other row)."""

    @property
    def label(self) -> str:
        return PROBLEMS[self.problem].label

    @property
    def todo(self) -> str:
        return PROBLEMS[self.problem].todo


@dataclass(frozen=True)
class Context:
    today: date
    gazetteer: Gazetteer
    warnings: dict[str, list[str]]
    """Row id -> the reader's warnings on it."""


def _no_hours(e: Entry, ctx: Context) -> list[str]:
    return [""] if not e.place.hours.known else []


def _no_service(e: Entry, ctx: Context) -> list[str]:
    return [""] if not e.place.services else []


def _no_contact(e: Entry, ctx: Context) -> list[str]:
    return [""] if not (e.place.contact.phone or e.place.contact.email) else []


def _no_point(e: Entry, ctx: Context) -> list[str]:
    dropped = any(warning_problem(w) == "outside_departement" for w in ctx.warnings.get(e.place.id, ()))
    return [""] if not e.place.has_point and not dropped else []


def _far_from_commune(e: Entry, ctx: Context) -> list[str]:
    place = e.place
    if not place.has_point:
        return []
    commune = commune_of(place, ctx.gazetteer)
    if commune is None:
        return []
    km = haversine_km(place.lat, place.lon, commune.lat, commune.lon)
    return [f"à {km:.0f} km de la mairie de {commune.name}"] if km > FAR_FROM_COMMUNE_KM else []


def _stale(e: Entry, ctx: Context) -> list[str]:
    updated = e.place.updated
    if not updated:
        return ["date de mise à jour absente"]
    limit = date(ctx.today.year - STALE_YEARS, ctx.today.month, min(ctx.today.day, 28))
    return [f"mise à jour le {updated}"] if updated < limit.isoformat() else []


def _from_warnings(e: Entry, ctx: Context) -> list[tuple[str, str]]:
    return [(code, reason) for reason in ctx.warnings.get(e.place.id, ()) if (code := warning_problem(reason))]


RULES = (
    ("no_hours", _no_hours), ("no_service", _no_service), ("no_contact", _no_contact), ("no_point", _no_point),
    ("far_from_commune", _far_from_commune), ("stale", _stale),
)

_WARNING_KINDS = (
    (re.compile(r"phone '"), "bad_phone"),
    (re.compile(r"email '"), "bad_email"),
    (re.compile(r"website '"), "bad_website"),
    (re.compile(r"point .*(far outside|outside France)"), "outside_departement"),
)


def warning_problem(reason: str) -> str:
    """The ``PROBLEMS`` code of a reader's warning, or "" for one the report does not list."""
    return next((code for pattern, code in _WARNING_KINDS if pattern.match(reason)), "")


def commune_of(place: Place, gazetteer: Gazetteer) -> Commune | None:
    """The place's commune: by INSEE code, else by name within its département."""
    if place.address.insee and (commune := gazetteer.commune(place.address.insee)):
        return commune
    named = gazetteer.communes_named(fold(place.address.commune))
    return next((c for c in named if c.departement == place.departement), None)


def duplicates(entries: list[Entry]) -> dict[str, list[str]]:
    """Row id -> "same address and phone as …" / "same name and commune as …" for rows that repeat others.

    The address and phone are compared as the build's merge compares them (``address_phone_key``);
    the name within the whole commune, wider than the merge's name at one address: a second address
    of one organisation is worth a look, though not merged."""
    keys: dict[tuple, list[Place]] = defaultdict(list)
    for e in entries:
        p = e.place
        if same_address_and_phone := address_phone_key(p):
            keys[("adresse et téléphone", same_address_and_phone)].append(p)
        keys[("nom et commune", fold(p.name), fold(p.address.commune))].append(p)
    found: dict[str, list[str]] = defaultdict(list)
    for key, places in keys.items():
        if len(places) < 2:
            continue
        for p in places:
            others = ", ".join(o.id for o in places if o is not p)
            found[p.id].append(f"même {key[0]} que {others}")
    return found


def rows_of(store: Store, entries: list[Entry]) -> list[Entry]:
    """The served directory's rows as its sources list them (duplicates not merged: two rows to
    fix, though one place to the people asking), with their facets; ``entries`` (the store's,
    decoded) when nothing was merged."""
    listed = read_source_rows(store)
    return [derive(pos, place) for pos, place in enumerate(listed)] if listed else entries


def check(entries: list[Entry], today: date, gazetteer: Gazetteer, row_problems: list[dict]) -> list[Finding]:
    """Every finding on the rows of the served directory (``store.read_source_rows``: as listed,
    duplicates not merged), row by row in the directory's order."""
    warnings: dict[str, list[str]] = defaultdict(list)
    for problem in row_problems:
        warnings[str(problem.get("id", ""))].append(str(problem.get("reason", "")))
    ctx = Context(today, gazetteer, warnings)
    repeated = duplicates(entries)
    findings = []
    for e in entries:
        p = e.place

        def found(code: str, detail: str, p: Place = p) -> Finding:
            return Finding(p.id, p.name, p.address.commune, p.departement, code, detail)

        for code, rule in RULES:
            findings += [found(code, detail) for detail in rule(e, ctx)]
        findings += [found(code, detail) for code, detail in _from_warnings(e, ctx)]
        findings += [found("duplicate", detail) for detail in repeated.get(p.id, ())]
    return findings
