import csv
import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.errors import SourceError
from index.places import DAYS
from index.settings import SAMPLE_SOURCE
from index.sources import RawSource, ReadResult, read, read_source
from index.sources.report import format_report
from index.sources.rhinocc import READER, read_rhinocc, sniff

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
RHINOCC = SHARED / "data" / "rhinocc"
JUDGE = SHARED / "bench" / "judge.py"
SAMPLE = SAMPLE_SOURCE

needs_data = pytest.mark.skipif(not RHINOCC.is_dir(), reason="shared RhinOcc data absent")

# Real files: (path under data/rhinocc, rows, places kept, rows skipped), measured once.
REAL_FILES = [
    ("lieux-geocodes.csv", 845, 845, 0),
    ("lieux.csv", 845, 845, 0),
    ("history/2022-01-20-export.csv", 497, 489, 8),
    ("history/2022-09-12-lieux.csv", 652, 652, 0),
    ("history/2022-10-17-export.csv", 858, 850, 8),
]
REPORT_LINE = re.compile(r"^line \d+( \(\S+\))?: (skipped|warning): \S")

# Columns enough for the made-up rows below (the reader needs nom and n_ref; others optional).
COLUMNS = (
    "n_ref", "departement", "ville", "code_commune", "nom", "code_postal", "adresse", "tel_structure",
    "email_structure", "site_internet", "lundi", "samedi", "codes_types_mediations", "codes_publics",
    "code_label", "wifi", "lat", "lon", "BAN_latitude", "BAN_longitude", "BAN_city", "BAN_postcode", "BAN_depcode",
)  # fmt: skip


def csv_bytes(rows, columns=COLUMNS, delimiter=",", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def read_rows(rows, **kwargs):
    return read_rhinocc(RawSource(csv_bytes(rows), "test"), **kwargs)


def real_head(name, n):
    """The header and the first ``n`` rows of a real file, as text (line ends kept)."""
    lines = (RHINOCC / name).read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(lines[: n + 1])


# -- the real directory -------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize(("name", "rows", "kept", "skipped"), REAL_FILES)
def test_real_file_ingests_with_a_readable_report(name, rows, kept, skipped):
    result = read_source(RHINOCC / name)
    assert result.format == "rhinocc"
    assert (result.rows, len(result.places), len(result.skipped)) == (rows, kept, skipped)
    report = format_report(result, name, limit=None).splitlines()
    assert report[0].startswith(f"{name}: RhinOcc CSV, {rows} rows, {kept} places kept, {skipped} skipped, ")
    assert len(report) == 1 + len(result.problems)
    assert all(REPORT_LINE.match(line) for line in report[1:]), report
    assert len({p.id for p in result.places}) == kept


@needs_data
def test_report_names_line_and_id_of_skipped_rows():
    report = format_report(read_source(RHINOCC / "history/2022-01-20-export.csv"), "export.csv")
    assert "line 267 (Ref_0266): skipped: no name (nom)" in report.splitlines()
    assert "line 314 (RH_fiche_323_): skipped: no name (nom)" in report.splitlines()  # rh_id when no n_ref


@needs_data
def test_empty_rows_are_skipped_and_reported():
    result = read_source(RHINOCC / "history/2022-10-17-export.csv")
    assert [(p.line, p.reason) for p in result.skipped if not p.id] == [
        (314, "empty row"),
        (403, "empty row"),
        (405, "empty row"),
    ]


@needs_data
def test_real_place_is_fully_mapped():
    places = {p.id: p for p in read_source(RHINOCC / "lieux-geocodes.csv").places}
    place = places["Ref_0001"]
    assert place.source == "lieux-geocodes"
    assert place.address.commune == "Alzonne"
    assert place.address.postcode == "11170"
    assert place.address.departement == "11"
    assert place.contact.phone == "04 68 76 33 02"
    assert place.lat == pytest.approx(43.254495)
    assert place.hours.days[0].is_open is False  # "Fermé"
    assert place.hours.days[1].intervals == ((840, 1080),)  # "14h-18h"
    assert place.updated == "2018-12-01"


@needs_data
def test_upper_case_city_is_cased():
    places = {p.id: p for p in read_source(RHINOCC / "lieux.csv").places}  # no BAN_city: ville as filed
    assert places["Ref_0528"].address.commune == "Montpellier"  # MONTPELLIER
    assert places["Ref_0539"].address.commune == "Clermont-l'Herault"  # CLERMONT-L'HERAULT


@needs_data
def test_repeated_codes_are_kept_once():
    places = {p.id: p for p in read_source(RHINOCC / "lieux-geocodes.csv").places}
    assert places["Ref_0390"].publics == ("J",)  # J-J-J
    assert places["Ref_0025"].services.count("SENS") == 1  # SENS-SENS


@needs_data
def test_old_export_labels_hours_and_html_blocks():
    old = {p.id: p for p in read_source(RHINOCC / "history/2022-01-20-export.csv").places}
    assert old["Ref_0001"].hours.text.startswith("lundi : Fermé mardi : 14h-18h")
    assert old["Ref_0001"].hours.open_days() == {1, 2, 4, 5}
    assert all("<" not in p.description for p in old.values())
    assert any("travailleur social" in p.description for p in old.values())
    october = {p.id: p for p in read_source(RHINOCC / "history/2022-10-17-export.csv").places}
    assert october["Ref_0005"].labels == ("MFS",)


@needs_data
def test_far_away_geocode_is_dropped_with_a_warning():
    result = read_source(RHINOCC / "lieux-geocodes.csv")
    places = {p.id: p for p in result.places}
    # Ref_0781 (Bourg, Lozère) was geocoded to Bourg in Haute-Marne.
    assert not places["Ref_0781"].has_point
    assert any(p.id == "Ref_0781" and "far outside département 48" in p.reason for p in result.warnings)


@needs_data
@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("cp1252", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", "\t")]
)
def test_reencoded_real_rows_read_the_same(encoding, delimiter):
    text = real_head("lieux-geocodes.csv", 40)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    original = read(RawSource(text.encode(), "x"))
    variant = read(RawSource(data, "x"))
    assert variant.format == "rhinocc"
    assert len(variant.places) == len(original.places) == 40
    if encoding != "cp1252":  # cp1252 cannot hold every character of the real rows
        assert variant.places == original.places
    assert [p.address.commune for p in variant.places] == [p.address.commune for p in original.places]


@needs_data
def test_truncated_last_row_is_reported_with_its_line():
    text = real_head("lieux-geocodes.csv", 10)
    cut = text[: len(text) - len(text.splitlines()[-1]) // 2 - 1]
    result = read(RawSource(cut.encode(), "cut"))
    assert len(result.places) == 9
    (problem,) = result.skipped
    assert (problem.line, problem.id) == (11, "Ref_0010")
    assert problem.reason.startswith("truncated row")
    assert "line 11 (Ref_0010): skipped: truncated row" in format_report(result, "cut.csv")


@pytest.mark.skipif(not (JUDGE.is_file() and RHINOCC.is_dir()), reason="benchmark judge absent")
def test_facets_agree_with_the_benchmark_judge():
    spec = importlib.util.spec_from_file_location("judge", JUDGE)
    judge = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("judge", judge)  # dataclasses look their module up there
    spec.loader.exec_module(judge)
    path = RHINOCC / "lieux-geocodes.csv"
    ours = {p.id: p for p in read_source(path).places}
    theirs = {p.id: p for p in judge.load_places(str(path), implied=False)}
    assert ours.keys() == theirs.keys()
    differences = {}
    for pid, expected in theirs.items():
        place = ours[pid]
        found = {
            "services": set(place.services) ^ expected.services,
            "publics": set(place.publics) ^ expected.publics,
            "labels": set(place.labels) ^ expected.labels,
            "open_days": {DAYS[i] for i in place.hours.open_days()} ^ expected.open_days,
            "wifi": {"wifi"} if (place.wifi is True) != expected.wifi else set(),
        }
        if any(found.values()):
            differences[pid] = {k: v for k, v in found.items() if v}
    # The judge knows a public code "E" (no label anywhere, one row: "SEN-J-DE-E-ALL") that the
    # vocabulary lacks; the reader drops it with a warning. Everything else must agree.
    assert differences == {"Ref_0451": {"publics": {"E"}}}


# -- made-up rows ------------------------------------------------------------------------------


def test_rows_without_id_or_name_and_duplicates_are_skipped():
    result = read_rows(
        [
            {"n_ref": "Ex_1", "nom": "Médiathèque"},
            {"n_ref": "", "nom": "Sans id"},
            {"n_ref": "Ex_3", "nom": " "},
            {"n_ref": "Ex_1", "nom": "Doublon"},
        ]
    )
    assert [p.id for p in result.places] == ["Ex_1"]
    assert [(p.line, p.id, p.reason) for p in result.skipped] == [
        (3, "", "no id (n_ref or rh_id)"),
        (4, "Ex_3", "no name (nom)"),
        (5, "Ex_1", "duplicate id, first seen on line 2"),
    ]
    assert result.rows == 4


def test_rh_id_stands_in_for_a_missing_n_ref():
    data = csv_bytes([{"rh_id": "RH_fiche_1_", "nom": "Cyber-base"}], columns=("rh_id", "n_ref", "nom"))
    assert [p.id for p in read(RawSource(data, "x")).places] == ["RH_fiche_1_"]


def test_values_are_cleaned_and_bad_ones_warned():
    result = read_rows(
        [
            {
                "n_ref": "Ex_1", "nom": "Espace numérique", "ville": "SAINT-GAUDENS", "departement": "31",
                "code_postal": "31800", "tel_structure": "+33 5 61 00 00 01", "email_structure": "Contact@Example.ORG",
                "site_internet": "www.example.org", "codes_types_mediations": "ORDM-ACCN-XYZ-ORDM",
                "codes_publics": "TP-S-Etranger", "code_label": "TL-APTIC", "wifi": "limité 30 min",
                "lundi": "9h-12h", "samedi": "-",
            },
            {"n_ref": "Ex_2", "nom": "Point relais", "code_postal": "9000", "tel_structure": "12",
             "email_structure": "via le site", "site_internet": "contact@example.org", "wifi": "non"},
        ]
    )  # fmt: skip
    first, second = result.places
    assert first.address.commune == "Saint-Gaudens"
    assert first.contact.phone == "05 61 00 00 01"
    assert first.contact.email == "contact@example.org"
    assert first.contact.website == "https://www.example.org"
    assert first.services == ("ORDM", "ACCN")
    assert first.raw_services == ("ORDM", "ACCN", "XYZ")
    assert first.publics == ("TP", "SEN", "ETR")
    assert first.labels == ("TL", "APTIC")
    assert first.wifi is True
    assert first.hours.open_days() == {0}
    assert first.hours.days[5].is_open is False
    assert second.address.postcode == "09000"
    assert second.address.departement == "09"  # from the postcode
    assert second.contact == type(second.contact)()
    assert second.wifi is False
    reasons = [(p.id, p.reason) for p in result.warnings]
    assert ("Ex_1", "unknown service codes dropped: XYZ") in reasons
    assert ("Ex_2", "phone '12' dropped: not understood") in reasons
    assert ("Ex_2", "email 'via le site' dropped: not understood") in reasons
    assert ("Ex_2", "website 'contact@example.org' dropped: not understood") in reasons
    assert not result.skipped


HAUTE_GARONNE = {"31": (42.69, 0.44, 43.92, 2.05)}


def test_point_far_outside_its_departement_is_dropped():
    lille = {"lat": "50.63", "lon": "3.06"}
    result = read_rows([{"n_ref": "Ex_1", "nom": "A", "departement": "31", **lille}],
                       departement_bbox=HAUTE_GARONNE.get)  # fmt: skip
    assert not result.places[0].has_point
    (warning,) = result.warnings
    assert warning.reason == "point dropped: (50.63000, 3.06000) is far outside département 31"
    assert not warning.fatal


def test_a_wrong_geocode_falls_back_to_the_filed_point():
    row = {"n_ref": "Ex_1", "nom": "A", "departement": "31", "BAN_latitude": "50.63", "BAN_longitude": "3.06",
           "lat": "43,6045", "lon": "1,4440"}  # fmt: skip
    result = read_rows([row], departement_bbox=HAUTE_GARONNE.get)
    place = result.places[0]
    assert (place.lat, place.lon) == (43.6045, 1.444)
    assert "used lat/lon instead" in result.warnings[0].reason


def test_point_outside_france_is_dropped_without_departement_boxes():
    result = read_rows([{"n_ref": "Ex_1", "nom": "A", "lat": "0", "lon": "0"}], departement_bbox=None)
    assert not result.places[0].has_point
    assert "outside France" in result.warnings[0].reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (csv_bytes([]), "no data rows"),
        (b"\x00\x01\x02\x03 PK\x03\x04" * 50, "binary"),
    ],
)
def test_unusable_files_raise_source_error(data, reason):
    with pytest.raises(SourceError):
        read(RawSource(data, "x"))  # binary data is not recognised at all
    with pytest.raises(SourceError, match=reason):
        READER.read(RawSource(data, "x"))


def test_a_csv_without_rhinocc_columns_is_not_recognised():
    data = b"id,name\n1,a\n"
    assert not sniff(RawSource(data, "x"))
    with pytest.raises(SourceError, match="not a RhinOcc CSV"):
        READER.read(RawSource(data, "x"))


HEADER = ",".join(COLUMNS).encode() + b"\n"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.booleans())
def test_any_bytes_give_a_result_or_a_source_error(data, with_header):
    raw = RawSource(HEADER + data if with_header else data, "fuzz")
    assert isinstance(sniff(raw), bool)
    try:
        result = read_rhinocc(raw, departement_bbox=HAUTE_GARONNE.get)
    except SourceError:
        return
    assert isinstance(result, ReadResult)
    assert len(result.places) + len(result.skipped) == result.rows


# -- the bundled sample ------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLE.is_file(), reason="sample not written yet")
def test_bundled_sample_reads_cleanly():
    result = read_source(SAMPLE)
    assert len(result.places) >= 40
    assert not result.problems, format_report(result, SAMPLE.name)
    assert all(p.id.startswith("Ex_") for p in result.places)
    assert all(p.has_point for p in result.places)
    assert len({p.address.departement for p in result.places}) >= 8
    assert any(5 in p.hours.open_days() for p in result.places)  # some open on Saturday
    if RHINOCC.is_dir():
        header = (RHINOCC / "lieux-geocodes.csv").read_text(encoding="utf-8").splitlines()[0]
        assert SAMPLE.read_text(encoding="utf-8").splitlines()[0] == header


def test_report_lists_skipped_rows_first_and_caps_its_length():
    result = read_rows(
        [{"n_ref": f"Ex_{i}", "nom": "A", "tel_structure": "12"} for i in range(5)]
        + [{"n_ref": "Ex_9", "nom": ""}]
    )
    lines = format_report(result, "petit.csv", limit=3).splitlines()
    assert lines == [
        "petit.csv: RhinOcc CSV, 6 rows, 5 places kept, 1 skipped, 5 warnings",
        "line 7 (Ex_9): skipped: no name (nom)",
        "line 2 (Ex_0): warning: phone '12' dropped: not understood",
        "line 3 (Ex_1): warning: phone '12' dropped: not understood",
        "… and 3 more",
    ]
    assert len(format_report(result, "petit.csv", limit=None).splitlines()) == 7


def test_bidi_and_control_characters_are_taken_out_of_names():
    # A right-to-left override would show « Espace Numérique gpj.exe » as « Espace Numérique exe.jpg ».
    result = read_rows([{"n_ref": "Ref_1", "nom": "Espace Numérique \u202egpj.exe\u202c\x07", "ville": "Foix"}])
    [place] = result.places
    assert place.name == "Espace Numérique gpj.exe"
