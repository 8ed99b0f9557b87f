"""The RhinOcc directory (Occitanie) as a CSV file: one row per place, to ``Place`` records.

Reads the current export (``lieux-geocodes.csv``, with its ``BAN_*`` geocoding columns, and
``lieux.csv`` before geocoding) and the 2022 ones (``rh_id``, ``geo_lat``/``geo_lon``,
``latitude``/``longitude``, ``label_full``, HTML blocks, a repeated ``code_departement``).

A row is skipped (fatal ``RowProblem``) when it has no id, no name, repeats an earlier id, or
is ragged or truncated; a row with a fixable fault (a bad phone, an unknown code, a point far
from its département) is kept and the fault reported as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index import cleaning
from index.errors import SourceError
from index.hours import parse_day
from index.normalise import fold
from index.places import DAYS, Address, Contact, DayHours, Hours, Place
from index.sources import RawSource, Reader, ReadResult, csvfile, rows
from index.vocabulary import LABEL_LABELS, LABELS, PUBLIC_LABELS, SERVICE_LABELS

ID_COLUMNS = ("n_ref", "rh_id")
SERVICE_COLUMNS = ("codes_types_mediations", *(f"type_mediation_{i}" for i in range(1, 6)))
PUBLIC_COLUMNS = (
    "codes_publics",
    "public_toutes_actions",
    *(f"public_si_different_{i}" for i in range(1, 6)),
)
ACCESS_COLUMNS = ("conditions_acces_toutes_actions", *(f"conditions_acces_si_diff_{i}" for i in range(1, 6)))
# Coordinate pairs, best first: the national address base's geocoding, then the hub's own.
POINT_COLUMNS = (
    ("BAN_latitude", "BAN_longitude"),
    ("latitude", "longitude"),
    ("lat", "lon"),
    ("geo_lat", "geo_lon"),
)

# The départements RhinOcc covers (fields-custom-props.json): a geocode landing in one of
# them is believable even when it differs from the filed département (a regional office).
RHINOCC_DEPARTEMENTS = frozenset(
    {"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"}
)
# Spellings found in the public columns that stand for a public code.
PUBLIC_SYNONYMS = {
    "S": "SEN", "SENIOR": "SEN", "SENIORS": "SEN", "ETRANGER": "ETR", "ETRANGERS": "ETR",
    "EMPLOI": "DE", "FEMME": "F", "FEMMES": "F", "HABITANTS": "TP",
}  # fmt: skip
# A public segment longer than this is a remark ("ouvert les après-midi…"), not codes.
PUBLIC_SEGMENT_MAX_WORDS = 4
# Metropolitan France, generously (Corsica included); a point outside is a geocoding error.
FRANCE_BOX = (41.0, -5.5, 51.5, 9.8)


def sniff(raw: RawSource) -> bool:
    """A header with ``nom`` and ``n_ref`` or ``rh_id``."""
    header = csvfile.header_of(raw.data)
    return "nom" in header and any(c in header for c in ID_COLUMNS)


def read(raw: RawSource) -> ReadResult:
    """Every row of a RhinOcc CSV as a ``Place`` or a ``RowProblem``."""
    return read_rhinocc(raw, departement_bbox=rows.gazetteer_bbox())


def read_rhinocc(raw: RawSource, departement_bbox: rows.BBoxLookup | None = None) -> ReadResult:
    """``read`` with the département boxes given (None: points are only checked against France)."""
    table = csvfile.parse(raw.data)
    if "nom" not in table.header or not any(c in table.header for c in ID_COLUMNS):
        raise SourceError(
            "not a RhinOcc CSV: the header has no 'nom' column and no 'n_ref' or 'rh_id' column", line=1
        )
    return rows.collect(
        table.rows(id_columns=ID_COLUMNS),
        lambda values, line: _Row(values, line, departement_bbox),
        raw.name,
        READER.name,
        no_rows="the file has a header but no data rows",
        expected=table.record_count(),
    )


class _Row(rows.Row):
    """One CSV row being read (its values are the columns' text)."""

    def place(self, source: str) -> Place | None:
        self.id = self.get(*ID_COLUMNS)
        name = self.get("nom")
        if not any(v.strip() for v in self.values.values()):
            self.skip("empty row")
            return None
        if not self.id:
            self.skip("no id (n_ref or rh_id)")
            return None
        if not name:
            self.skip("no name (nom)")
            return None
        services = self.services()
        address = self.address()
        lat, lon = self.point(address)
        return Place(
            id=self.id,
            name=name,
            source=source,
            organisation=self.get("structure_porteuse"),
            address=address,
            lat=lat,
            lon=lon,
            contact=self.contact(),
            hours=self.hours(),
            services=services,
            publics=self.publics(),
            labels=self.labels(),
            place_type=self.get("type_lieu"),
            legal_form=self.get("nature_juridique"),
            wifi=_wifi(self.get("wifi")),
            wifi_text=self.get("wifi"),
            access=self.access(),
            description=self.description(),
            updated=cleaning.iso_date(self.get("date_maj")),
            raw_services=self.raw_services(),
        )

    # -- where ---------------------------------------------------------------------------

    def _geocode_suspect(self) -> bool:
        """True when the BAN geocoding found another commune in another département than filed."""
        ban_dep, filed = self.get("BAN_depcode"), cleaning.departement(self.get("departement"))
        ban_city, ville = self.get("BAN_city"), self.get("ville")
        return bool(
            ban_dep and filed and ban_dep != filed and ban_city and ville and fold(ban_city) != fold(ville)
        )

    def address(self) -> Address:
        suspect = self._geocode_suspect()
        if suspect:
            self.warn(
                f"geocoded address ignored: '{self.get('BAN_city')}' ({self.get('BAN_depcode')}) is not "
                f"'{self.get('ville')}' as filed"
            )
        ban = not suspect
        postcode = self._postcode(ban)
        departement = self._departement(postcode)
        insee = cleaning.insee(self.get("code_commune"))
        if insee is None:
            self.warn(f"commune code '{self.get('code_commune')}' dropped: not an INSEE code")
        return Address(
            street=(ban and self.get("BAN_adress")) or self.get("adresse"),
            complement=self.get("adresse_suite"),
            postcode=postcode,
            commune=cleaning.city_case((ban and self.get("BAN_city")) or self.get("ville")),
            insee=insee or "",
            departement=departement,
        )

    def _postcode(self, ban: bool) -> str:
        columns = ("BAN_postcode", "code_postal") if ban else ("code_postal",)
        return self._first_code(columns, cleaning.postcode, "postcode '{value}' dropped: not 5 digits")

    def _departement(self, postcode: str) -> str:
        columns = ("departement", "code_departement", "BAN_depcode")
        dropped = "département '{value}' ({column}) dropped: not a département code"
        return self._first_code(columns, cleaning.departement, dropped) or cleaning.departement_of_postcode(postcode)

    def _first_code(self, columns: tuple[str, ...], clean: Callable[[str], str | None], dropped: str) -> str:
        """The first column's value that ``clean`` accepts; each unusable one before it warned of by
        ``dropped`` (a template with ``{value}`` and ``{column}``)."""
        for column in columns:
            value = self.get(column)
            code = clean(value)
            if code is None:
                self.warn(dropped.format(value=value, column=column))
            elif code:
                return code
        return ""

    def point(self, address: Address) -> tuple[float | None, float | None]:
        """The first believable coordinate pair; the ones set aside are reported."""
        believable = [address.departement] if address.departement else []
        ban_dep = self.get("BAN_depcode")
        if ban_dep in RHINOCC_DEPARTEMENTS and ban_dep not in believable and not self._geocode_suspect():
            believable.append(ban_dep)
        rejected: dict[str, None] = {}
        for lat_column, lon_column in POINT_COLUMNS:
            raw_lat, raw_lon = self.get(lat_column), self.get(lon_column)
            if not raw_lat and not raw_lon:
                continue
            lat, lon = cleaning.number(raw_lat), cleaning.number(raw_lon)
            if lat is None or lon is None:
                rejected[f"({raw_lat}, {raw_lon}) unreadable"] = None
                continue
            where = self._misplaced(lat, lon, believable)
            if where:
                rejected[f"({lat:.5f}, {lon:.5f}) {where}"] = None
                continue
            if rejected:
                self.warn(f"point {'; '.join(rejected)}: used {lat_column}/{lon_column} instead")
            return lat, lon
        if rejected:
            self.warn(f"point dropped: {'; '.join(rejected)}")
        return None, None

    def _misplaced(self, lat: float, lon: float, departements: list[str]) -> str:
        """Why a point cannot be right (outside France, far outside its département), or ``""``."""
        if not rows.inside(lat, lon, FRANCE_BOX, 0.0):
            return "is outside France"
        if self.departement_bbox is None:
            return ""
        boxes = [box for code in departements if (box := self.departement_bbox(code))]
        if not boxes or any(rows.inside(lat, lon, box, rows.BBOX_MARGIN) for box in boxes):
            return ""
        return f"is far outside département {'/'.join(departements)}"

    # -- how to reach it -------------------------------------------------------------------

    def contact(self) -> Contact:
        return Contact(
            phone=self.cleaned(("tel_structure",), cleaning.phone, "phone"),
            email=self.cleaned(("email_structure",), cleaning.email, "email"),
            website=self.cleaned(("site_internet",), cleaning.website, "website"),
        )

    def hours(self) -> Hours:
        days = tuple(parse_day(self.get(day)) for day in DAYS)
        week = cleaning.strip_html(self.get("horaires_semaine"))
        if week and not any(d.is_open is not None for d in days):
            days = _days_of_week_text(self.get("horaires_semaine")) or days
        return Hours(days=days, text=week)

    # -- what it offers --------------------------------------------------------------------

    def raw_services(self) -> tuple[str, ...]:
        return cleaning.unique(
            token.upper() for column in SERVICE_COLUMNS for token in self.get(column).split("-")
        )

    def services(self) -> tuple[str, ...]:
        codes, unknown = cleaning.split_codes((self.get(c) for c in SERVICE_COLUMNS), SERVICE_LABELS)
        if unknown:
            self.warn(f"unknown service codes dropped: {', '.join(unknown)}")
        return codes

    def publics(self) -> tuple[str, ...]:
        segments = [
            segment
            for column in PUBLIC_COLUMNS
            for segment in self.get(column).split("-")
            if len(segment.split()) <= PUBLIC_SEGMENT_MAX_WORDS  # longer: a remark, not codes
        ]
        codes, unknown = cleaning.split_codes(
            segments, PUBLIC_LABELS, PUBLIC_SYNONYMS, separators=r"[\s,;/]+"
        )
        if unknown:
            self.warn(f"unknown public codes dropped: {', '.join(unknown)}")
        return codes

    def labels(self) -> tuple[str, ...]:
        codes, unknown = cleaning.split_codes([self.get("code_label")], LABEL_LABELS)
        if not codes and self.get("label_full"):
            codes, unknown = _labels_by_name(self.get("label_full"))
        if unknown:
            self.warn(f"unknown labels dropped: {', '.join(unknown)}")
        return codes

    def access(self) -> tuple[str, ...]:
        return cleaning.unique(part for column in ACCESS_COLUMNS for part in self.get(column).split(";"))

    def description(self) -> str:
        parts = [cleaning.strip_html(self.get("precisions"))]
        for i in range(1, 6):
            presta = cleaning.strip_html(self.get(f"presta_mediation_{i}"))
            parts.append(presta or _bloc_infos(self.get(f"bloc_mediation_{i}")))
        return "\n".join(cleaning.unique(parts))


def _wifi(value: str) -> bool | None:
    """``oui``, ``limité 30 min``: True; ``non``: False; anything else: not known."""
    folded = fold(value)
    if folded.startswith(("oui", "limite")):
        return True
    if folded.startswith("non"):
        return False
    return None


_LABELS_BY_NAME = {fold(t.label): t.code for t in LABELS} | {fold(w): t.code for t in LABELS for w in t.words}


def _labels_by_name(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Labels from their French names (the 2022 exports' ``label_full``: "Tiers lieu - APTIC")."""
    codes: dict[str, None] = {}
    unknown: dict[str, None] = {}
    for name in re.split(r"\s+-\s+|[;,]", text):
        folded = fold(name)
        if not folded:
            continue
        code = _LABELS_BY_NAME.get(folded)
        if code:
            codes[code] = None
        else:
            unknown[name.strip()] = None
    return tuple(codes), tuple(unknown)


_INFOS = re.compile(r"infos\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_NOTHING = ("non renseigne", "")


def _bloc_infos(bloc: str) -> str:
    """The "infos" of one of the 2022-01 export's HTML blocks, unless it says "non renseigné"."""
    match = _INFOS.search(cleaning.strip_html(bloc))
    infos = match.group(1).strip() if match else ""
    return "" if fold(infos) in _NOTHING else infos


_WEEK_ITEM = re.compile(r"<li>\s*([^<:]+?)\s*:\s*(.*?)\s*</li>", re.IGNORECASE | re.DOTALL)


def _days_of_week_text(html_text: str) -> tuple[DayHours, ...]:
    """The 2022-01 export's ``horaires_semaine`` (``<li>lundi : 9h-12h</li>``…) as seven days; () if none."""
    by_day = {}
    for day, hours in _WEEK_ITEM.findall(html_text):
        folded = fold(day)
        if folded in DAYS:
            by_day[folded] = parse_day(cleaning.strip_html(hours))
    if not by_day:
        return ()
    return tuple(by_day.get(day, DayHours()) for day in DAYS)


READER = Reader("rhinocc", sniff, read)
