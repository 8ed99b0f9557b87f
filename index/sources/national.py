"""The national data standard ("schéma des lieux de médiation numérique") to ``Place`` records.

Reads either generation found in the wild, from CSV or JSON, and tells them apart by content:

* version 1.0.x (``courriels``, ``publics_specifiquement_adresses``,
  ``dispositif_programmes_nationaux``; multiple values joined with ``|``);
* the earlier one of the hubs' exports (``courriel``, ``labels_nationaux``,
  ``publics_accueillis``, ``conditions_acces``, ``localisation``; ``services`` joined with
  ``;``), and the files between the two (``typologie``, ``frais_a_charge``, ``accessibilite``).

JSON is an array of objects, or an object holding one under ``data``, ``lieux``,
``structures`` or ``features`` (GeoJSON: ``properties`` and a Point ``geometry``). Values are
mapped onto ``index.vocabulary`` codes by ``index.national_vocabulary``; ``horaires`` is read by
``index.opening_hours``. A record without id or name, or repeating an id, is skipped; a fixable
fault (bad coordinates, a phone not understood, a value of no known enumeration, hours partly
unreadable) keeps the record and is reported as a warning.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from index import cleaning
from index import national_vocabulary as nv
from index.errors import SourceError
from index.opening_hours import parse_reporting
from index.places import Address, Contact, Hours, Place
from index.sources import RawSource, Reader, ReadResult, RowProblem, csvfile, rows

FORMAT_CSV = "standard-csv"
FORMAT_JSON = "standard-json"

# Columns that only the standard has (RhinOcc's CSV has nom, adresse, code_postal too, but n_ref).
_STANDARD_MARKS = frozenset({"pivot", "services", "date_maj", "horaires", "labels_nationaux",
                             "dispositif_programmes_nationaux", "code_insee", "typologie"})
_RHINOCC_IDS = frozenset({"n_ref", "rh_id"})
# Keys under which a JSON object holds the records.
_CONTAINERS = ("data", "lieux", "structures", "features", "items", "results")
# Multiple values: "|" in 1.0.x, ";" in the earlier generation (Charente mixes both).
_MULTI = re.compile(r"\s*[|;]\s*")
# Metropolitan France (Corsica included) and the overseas territories, generously:
# (min_lat, min_lon, max_lat, max_lon).
FRANCE_BOXES = (
    (41.0, -5.5, 51.5, 9.8),  # metropolitan France
    (15.8, -61.9, 16.6, -60.9),  # Guadeloupe
    (14.3, -61.3, 15.0, -60.7),  # Martinique
    (2.0, -54.7, 6.0, -51.5),  # Guyane
    (-21.5, 55.1, -20.8, 55.9),  # La Réunion
    (-13.1, 44.9, -12.5, 45.4),  # Mayotte
    (46.7, -56.5, 47.2, -56.0),  # Saint-Pierre-et-Miquelon
    (-23.0, 163.5, -19.5, 168.5),  # Nouvelle-Calédonie
    (-28.0, -155.0, -7.0, -134.0),  # Polynésie française
    (-14.5, -178.5, -13.0, -176.0),  # Wallis-et-Futuna
    (17.8, -63.2, 18.2, -62.7),  # Saint-Martin, Saint-Barthélemy
)

UNKNOWN_DATE = "1970-01-01"
"""The ``date_maj`` hubs write where they do not know the date (99 places of PACA's 2023 export)."""


def sniff(raw: RawSource) -> bool:
    """JSON (an array or object), or a CSV whose header has ``id``, ``nom`` and a column of the standard."""
    if _is_json(raw.data):
        return True
    header = set(csvfile.header_of(raw.data))
    return {"id", "nom"} <= header and bool(header & _STANDARD_MARKS) and not header & _RHINOCC_IDS


def read(raw: RawSource) -> ReadResult:
    """Every record of a file in the standard as a ``Place`` or a ``RowProblem``."""
    return read_standard(raw, departement_bbox=rows.gazetteer_bbox())


def read_standard(raw: RawSource, departement_bbox: rows.BBoxLookup | None = None) -> ReadResult:
    """``read`` with the département boxes given (None: points are only checked against France)."""
    if _is_json(raw.data):
        records, fmt, unit, expected = _json_records(raw.data), FORMAT_JSON, "record", None
    else:
        table = _standard_table(raw.data)
        records, fmt, unit = table.rows(id_columns=("id",)), FORMAT_CSV, "line"
        expected = table.record_count()
    return rows.collect(
        records,
        lambda values, line: _Record(values, line, departement_bbox),
        raw.name,
        fmt,
        unit=unit,
        no_rows="the file holds no places",
        expected=expected,
    )


def _is_json(data: bytes) -> bool:
    """True when the file starts (past a BOM and blanks) as a JSON array or object."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{")


# -- the file's records ------------------------------------------------------------------------


def _json_records(data: bytes) -> Iterator[tuple[int, dict[str, Any]] | RowProblem]:
    """(record number, object) for each record of a JSON file; ``SourceError`` when it is not JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None
    except RecursionError:
        raise SourceError("JSON nested too deeply to be a directory (arrays or objects hundreds of "
                          "levels deep)") from None
    records = _records_of(document)
    if records is None:
        raise SourceError(
            "JSON without places: expected an array of objects, or an object holding one under "
            + ", ".join(f"'{k}'" for k in _CONTAINERS)
        )
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            yield RowProblem(number, f"record is a JSON {type(record).__name__}, not an object")
            continue
        yield number, _flatten_feature(record)


def _records_of(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _CONTAINERS:
            if isinstance(document.get(key), list):
                return document[key]
        if "id" in document and "nom" in document:
            return [document]
    return None


def _flatten_feature(record: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON feature's properties, with its Point's coordinates as ``longitude``/``latitude``."""
    if record.get("type") != "Feature" or not isinstance(record.get("properties"), dict):
        return record
    values = dict(record["properties"])
    values.setdefault("id", record.get("id"))
    geometry = record.get("geometry") or {}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if geometry.get("type") == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
        values.setdefault("longitude", coordinates[0])
        values.setdefault("latitude", coordinates[1])
    return values


def _standard_table(data: bytes) -> csvfile.CsvTable:
    table = csvfile.parse(data)
    if not {"id", "nom"} <= set(table.header):
        raise SourceError("not the national standard: the CSV header has no 'id' or no 'nom' column", line=1)
    return table


# -- one record ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as text: numbers without a spurious ``.0``, lists joined with ``|``."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return "|".join(_text(v) for v in value if _text(v))
    if isinstance(value, dict):
        return ""
    return str(value).strip()


def _values(value: Any) -> tuple[str, ...]:
    """The several values of a field (a list, or text joined with ``|`` or ``;``)."""
    if isinstance(value, list | tuple):
        return cleaning.unique(v for item in value for v in _values(item))
    return cleaning.unique(_MULTI.split(_text(value)))


@dataclass
class _Record(rows.Row):
    """One record being read (its values are JSON's: text, numbers, lists, objects)."""

    implied_labels: list[str] = field(default_factory=list)
    implied_publics: list[str] = field(default_factory=list)

    text = staticmethod(_text)

    def many(self, *names: str) -> tuple[str, ...]:
        return cleaning.unique(v for name in names for v in _values(self.values.get(name)))

    def place(self, source: str) -> Place | None:
        self.id = self.get("id")
        name = " ".join(self.get("nom").split())
        if not self.id:
            self.skip("no id")
            return None
        if not name:
            self.skip("no name (nom)")
            return None
        place_type = self.place_type()  # before labels and publics: typologie implies some
        access = self.access()
        address = self.address()
        lat, lon = self.point(address)
        return Place(
            id=self.id,
            name=name,
            source=self.source(source),
            organisation=self.get("structure_parente"),
            address=address,
            lat=lat,
            lon=lon,
            contact=self.contact(),
            hours=self.hours(),
            services=self.services(),
            publics=self.publics(),
            labels=self.labels(),
            place_type=place_type,
            access=access,
            support=self.support(),
            accessibility=self.cleaned(("accessibilite", "fiche_acces_libre"), cleaning.website, "accessibility URL"),
            description="\n".join(cleaning.unique(
                cleaning.strip_html(self.get(f)) for f in ("presentation_resume", "presentation_detail")
            )),
            updated=self.updated(),
            siret=self.siret(),
            raw_services=self.many("services"),
        )

    def source(self, directory: str) -> str:
        """The directory, and who collected the record (the standard's ``source``) when it says."""
        collector = self.get("source")
        return f"{directory} ({collector})" if collector and collector != directory else directory

    # -- where ---------------------------------------------------------------------------

    def address(self) -> Address:
        value = self.get("code_postal")
        postcode = cleaning.postcode(value)
        if postcode is None:
            self.warn(f"postcode '{value}' dropped: not 5 digits")
        insee = cleaning.insee(self.get("code_insee"))
        if insee is None:
            self.warn(f"commune code '{self.get('code_insee')}' dropped: not an INSEE code")
        return Address(
            street=" ".join(self.get("adresse").split()),
            complement=" ".join(self.get("complement_adresse").split()),
            postcode=postcode or "",
            commune=cleaning.city_case(self.get("commune")),
            insee=insee or "",
            departement=cleaning.departement_of(insee or "", postcode or ""),
        )

    def _raw_point(self) -> tuple[Any, Any]:
        lat, lon = self.values.get("latitude"), self.values.get("longitude")
        where = self.values.get("localisation")
        if (lat is None or lon is None) and isinstance(where, dict):
            lat = where.get("lat", where.get("latitude"))
            lon = where.get("lng", where.get("lon", where.get("longitude")))
        return lat, lon

    def point(self, address: Address) -> tuple[float | None, float | None]:
        raw_lat, raw_lon = self._raw_point()
        if _text(raw_lat) == "" and _text(raw_lon) == "":
            return None, None
        lat, lon = _number(raw_lat), _number(raw_lon)
        if lat is None or lon is None:
            self.warn(f"point ({_text(raw_lat)}, {_text(raw_lon)}) dropped: unreadable")
            return None, None
        if not _in_france(lat, lon) and _in_france(lon, lat):
            self.warn(f"point ({lat}, {lon}) had latitude and longitude swapped: fixed")
            lat, lon = lon, lat
        if not _in_france(lat, lon):
            self.warn(f"point ({lat}, {lon}) dropped: outside France")
            return None, None
        box = self.departement_bbox(address.departement) if self.departement_bbox and address.departement else None
        if box and not rows.inside(lat, lon, box, rows.BBOX_MARGIN):
            self.warn(f"point ({lat:.5f}, {lon:.5f}) dropped: far outside département {address.departement}")
            return None, None
        return lat, lon

    # -- how to reach it -------------------------------------------------------------------

    def contact(self) -> Contact:
        return Contact(
            phone=self.cleaned(("telephone",), cleaning.phone, "phone"),
            email=self._first(("courriels", "courriel"), cleaning.email, "email"),
            website=self._first(("site_web",), cleaning.website, "website"),
        )

    def _first(self, names: tuple[str, ...], clean: Callable[[str], str | None], what: str) -> str:
        """The first usable of several values (``courriels``, ``site_web`` hold a list)."""
        values = [v for v in re.split(r"\s*\|\s*|\s+", self.get(*names)) if v]
        for value in values:
            cleaned = clean(value)
            if cleaned:
                return cleaned
        if values:
            self.warn(f"{what} '{self.get(*names)}' dropped: not understood")
        return ""

    def hours(self) -> Hours:
        text = self.get("horaires")
        hours, leftovers = parse_reporting(text)
        if leftovers:
            self.warn(f"opening hours partly not understood, kept as text: {'; '.join(leftovers)}")
        return hours

    # -- what it offers --------------------------------------------------------------------

    def services(self) -> tuple[str, ...]:
        codes, unknown = nv.services_from_standard(self.many("services"))
        if unknown:
            self.warn(f"unknown services kept as text only: {', '.join(unknown)}")
        return codes

    def publics(self) -> tuple[str, ...]:
        codes, unknown = nv.publics_from_standard(self.many(
            "publics_specifiquement_adresses", "publics_accueillis", "prise_en_charge_specifique"
        ))
        if unknown:
            self.warn(f"unknown publics dropped: {', '.join(unknown)}")
        return cleaning.unique([*codes, *self.implied_publics])

    def labels(self) -> tuple[str, ...]:
        codes, unknown = nv.labels_from_standard(self.many(
            "dispositif_programmes_nationaux", "labels_nationaux", "formations_labels"
        ))
        if unknown:
            self.warn(f"unknown labels dropped: {', '.join(unknown)}")
        others, _ = nv.labels_from_standard(self.many("autres_formations_labels", "labels_autres"))  # free text
        return cleaning.unique([*codes, *others, *self.implied_labels])

    def place_type(self) -> str:
        codes = self.many("typologie")
        for code in codes:
            facet, implied = nv.TYPOLOGY_IMPLIES.get(code.upper(), ("", ""))
            (self.implied_labels if facet == "labels" else self.implied_publics if facet else []).append(implied)
        words = list(nv.typology_words(codes))
        if any(v.lower().startswith("itin") for v in self.many("itinerance")):
            words.append("Itinérant")
        return ", ".join(words)

    def access(self) -> tuple[str, ...]:
        values = self.many("frais_a_charge", "conditions_acces")
        words, unknown = nv.fees_from_standard(values)
        if "Pass numérique" in words:
            self.implied_labels.append("APTIC")
        return cleaning.unique([*words, *unknown])  # an unknown condition still tells the user something

    def support(self) -> tuple[str, ...]:
        values = self.many("modalites_accompagnement", "modalites_acces")
        words, unknown = nv.support_from_standard(values)
        booking = ("Prendre un RDV en ligne",) if self.get("prise_rdv") else ()
        return cleaning.unique([*words, *unknown, *booking])

    # -- when and who ----------------------------------------------------------------------

    def updated(self) -> str:
        value = self.get("date_maj")
        if value.startswith(UNKNOWN_DATE):
            return ""  # the hubs' placeholder for "not known", as the 14-zero pivot
        date = cleaning.iso_date(value)
        if value and not date:
            self.warn(f"update date '{value}' dropped: not a plausible date")
        return date

    def siret(self) -> str:
        """The ``pivot`` (SIRET, RNA or RIDET), unless it is the 14-zero placeholder."""
        pivot = re.sub(r"\s+", "", self.get("pivot"))
        return "" if not pivot or set(pivot) == {"0"} else pivot


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return cleaning.number(_text(value))


def _in_france(lat: float, lon: float) -> bool:
    return any(rows.inside(lat, lon, box, 0.0) for box in FRANCE_BOXES)


READER = Reader("standard", sniff, read)
