"""Places out, in the national data standard: a v1.0.2 CSV, and GeoJSON for maps.

``write_standard_csv`` writes every column of the schema ("schéma des lieux de médiation
numérique", v1.0.2) in its order, one row per place, so that a hub's places can flow into the
national map; ``write_geojson`` writes one Point feature per place with coordinates, with the
same fields as properties. Our codes go back to the standard's enumerations through
``index.national_vocabulary``; what the standard requires and we do not know is written as the
hubs write it: ``pivot`` "00000000000000" (no SIRET known), ``date_maj`` "1970-01-01" (no
date known; our reader reads both back as unknown). ``validate_standard_csv`` checks a file
against the schema with frictionless, an optional dependency imported only there.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from index import national_vocabulary as nv
from index.normalise import fold
from index.opening_hours import to_osm
from index.places import Place

log = logging.getLogger(__name__)

COLUMNS = (
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse",
    "latitude", "longitude", "typologie", "telephone", "courriels", "site_web", "horaires",
    "presentation_resume", "presentation_detail", "source", "itinerance", "structure_parente", "date_maj",
    "services", "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
    "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels", "modalites_acces",
    "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
)  # fmt: skip
"""The v1.0.2 schema's fields, in its order."""

NO_SIRET = "00000000000000"
"""The ``pivot`` the hubs write where no SIRET (or RNA) is known."""
NO_DATE = "1970-01-01"
"""The ``date_maj`` the hubs write where the date of the data is not known."""
SEPARATOR = "|"
RESUME_MAX = 280  # presentation_resume's maxLength

_PIVOT = re.compile(r"[a-zA-Z0-9]{9,14}")
_INSEE = re.compile(r"([013-9]\d|2[AB1-9])\d{3}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# French numbers by their first four digits -> country code of the overseas territory.
_OVERSEAS_PHONES = {
    "0590": "+590", "0690": "+590", "0691": "+590",
    "0594": "+594", "0694": "+594",
    "0596": "+596", "0696": "+596", "0697": "+596",
    "0262": "+262", "0263": "+262", "0692": "+262", "0693": "+262", "0269": "+262", "0639": "+262",
}  # fmt: skip


@dataclass
class ExportReport:
    """What was written, and what had to be filled in or left out."""

    rows: int = 0
    notes: list[str] = field(default_factory=list)
    """One line per fallback used (``"Ref_0002: no update date, date_maj 1970-01-01"``)."""


def write_standard_csv(places: Iterable[Place], stream: IO[str]) -> ExportReport:
    """Write ``places`` as a v1.0.2 CSV (header, then one row per place) to a text stream."""
    report = ExportReport()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for place in places:
        row = standard_record(place, report.notes)
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
        report.rows += 1
    return report


def write_geojson(places: Iterable[Place], stream: IO[str]) -> ExportReport:
    """Write a GeoJSON FeatureCollection: one Point per place with coordinates, the standard's fields as properties."""
    report = ExportReport()
    features = []
    for place in places:
        if not place.has_point:
            report.notes.append(f"{place.id}: no coordinates, left out of the map")
            continue
        properties = standard_record(place, report.notes)
        features.append({
            "type": "Feature",
            "id": place.id,
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "properties": {k: v for k, v in properties.items() if v not in ("", None)},
        })
        report.rows += 1
    json.dump({"type": "FeatureCollection", "features": features}, stream, ensure_ascii=False)
    return report


def standard_record(place: Place, notes: list[str] | None = None) -> dict[str, Any]:
    """The standard's fields for one place: text, except ``latitude``/``longitude`` (numbers or None)."""
    notes = notes if notes is not None else []
    address = place.address
    street = address.street or address.complement or address.commune
    if not address.street:
        notes.append(f"{place.id}: no street, adresse '{street}'")
    resume, detail = _presentation(place.description)
    support, ways = nv.support_to_standard((*place.support, *place.access))
    labels = place.labels
    return {
        "id": place.id,
        "pivot": _pivot(place, notes),
        "nom": place.name,
        "commune": address.commune,
        "code_postal": address.postcode,
        "code_insee": address.insee if _INSEE.fullmatch(address.insee or "") else "",
        "adresse": street,
        "complement_adresse": address.complement if address.street else "",
        "latitude": place.lat if place.has_point else None,
        "longitude": place.lon if place.has_point else None,
        "typologie": SEPARATOR.join(nv.typology_codes(place.place_type)),
        "telephone": international_phone(place.contact.phone),
        "courriels": place.contact.email,
        "site_web": place.contact.website,
        "horaires": to_osm(place.hours),
        "presentation_resume": resume,
        "presentation_detail": detail,
        "source": place.source,
        "itinerance": "Itinérant" if "itinerant" in fold(place.place_type) else "",
        "structure_parente": place.organisation,
        "date_maj": _date(place, notes),
        "services": SEPARATOR.join(nv.services_to_standard(place.services)),
        "publics_specifiquement_adresses": SEPARATOR.join(nv.publics_to_standard(place.publics)),
        "prise_en_charge_specifique": "",
        "frais_a_charge": SEPARATOR.join(nv.fees_to_standard(place.access)),
        "dispositif_programmes_nationaux": SEPARATOR.join(nv.programmes_to_standard(labels)),
        "formations_labels": "",
        "autres_formations_labels": SEPARATOR.join(nv.other_labels_to_standard(labels)),
        "modalites_acces": SEPARATOR.join(ways),
        "modalites_accompagnement": SEPARATOR.join(support),
        "fiche_acces_libre": place.accessibility if place.accessibility.startswith("http") else "",
        "prise_rdv": "",
    }


def international_phone(phone: str) -> str:
    """``"04 91 00 00 00"`` -> ``"+33491000000"``; overseas numbers get their own code; else ``""``.

    Short service numbers ("3949") have no international form and are left out.
    """
    digits = re.sub(r"\D", "", phone or "")
    if phone.strip().startswith("+"):
        return "+" + digits if 8 <= len(digits) <= 13 else ""
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        return ""
    code = _OVERSEAS_PHONES.get(digits[:4], "+33")
    return code + digits[1:]


def _pivot(place: Place, notes: list[str]) -> str:
    siret = re.sub(r"\s+", "", place.siret or "")
    if _PIVOT.fullmatch(siret):
        return siret
    if siret:
        notes.append(f"{place.id}: pivot '{place.siret}' is no SIRET, RNA or RIDET, written {NO_SIRET}")
    return NO_SIRET


def _date(place: Place, notes: list[str]) -> str:
    if _DATE.fullmatch(place.updated or ""):
        return place.updated
    notes.append(f"{place.id}: no update date, date_maj {NO_DATE}")
    return NO_DATE


def _presentation(description: str) -> tuple[str, str]:
    """(presentation_resume of at most 280 characters, presentation_detail with the rest or all)."""
    text = (description or "").strip()
    if not text:
        return "", ""
    first, _, rest = text.partition("\n")
    first = " ".join(first.split())
    if len(first) <= RESUME_MAX:
        return first, " ".join(rest.split()) if rest.strip() else ""
    cut = first[: RESUME_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…", " ".join(text.split())


def validate_standard_csv(path: str | Path, schema: str | Path) -> list[str]:
    """The errors frictionless finds in a CSV against the schema file (Table Schema JSON); empty: valid.

    Needs ``frictionless`` (``pip install orienteur[export]``), imported here only.
    """
    try:
        from frictionless import Resource, Schema
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("validating needs frictionless: pip install 'orienteur[export]'") from exc
    path, schema = Path(path), Path(schema)
    descriptor = json.loads(schema.read_text(encoding="utf-8"))
    resource = Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(descriptor))
    report = resource.validate()
    errors = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field_name = getattr(error, "field_name", None)
            where = f"row {row}" + (f", {field_name}" if field_name else "") if row else "file"
            errors.append(f"{where}: {error.message}")
    errors.extend(e.message for e in report.errors)
    return errors
