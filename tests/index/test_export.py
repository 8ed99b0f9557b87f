import csv
import io
import json
from pathlib import Path

import pytest

from index import national_vocabulary as nv
from index.export import (
    COLUMNS,
    NO_DATE,
    NO_SIRET,
    international_phone,
    standard_record,
    validate_standard_csv,
    write_geojson,
    write_standard_csv,
)
from index.opening_hours import parse
from index.places import Address, Contact, Place
from index.sources import RawSource, read, read_source

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SCHEMA = SHARED / "national" / "schema-lieux-mediation-numerique-v1.0.2.json"
RHINOCC = SHARED / "rhinocc" / "lieux-geocodes.csv"


def place(**overrides):
    base = {
        "id": "Ref_0001", "name": "FEP Médiathèque", "source": "rhinocc", "organisation": "Carcassonne Agglo",
        "address": Address(street="Parc municipal", postcode="11170", commune="Alzonne", departement="11"),
        "lat": 43.254495, "lon": 2.175926,
        "contact": Contact(phone="04 68 76 33 02", email="fep.alzonne@wanadoo.fr", website="https://example.fr/"),
        "hours": parse("Tu,Fr 14:00-18:00; We 10:00-12:30,14:00-18:00; Sa 10:00-13:00"),
        "services": ("ORD", "ACCDS"), "publics": ("TP", "J"), "labels": ("MFS", "APTIC"),
        "place_type": "Médiathèque", "access": ("Gratuit", "Sans Rendez-Vous"), "updated": "2018-12-01",
        "description": "Médiathèque avec postes en libre accès.",
    }  # fmt: skip
    base.update(overrides)
    return Place(**base)


def exported_rows(places):
    stream = io.StringIO()
    write_standard_csv(places, stream)
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def needs(path):
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def test_columns_are_the_schemas_in_its_order():
    schema = json.loads(needs(SCHEMA).read_text(encoding="utf-8"))
    assert [f["name"] for f in schema["fields"]] == list(COLUMNS)


def test_row_speaks_the_standard():
    row = exported_rows([place()])[0]
    assert row["id"] == "Ref_0001"
    assert row["pivot"] == NO_SIRET
    assert row["telephone"] == "+33468763302"
    assert row["date_maj"] == "2018-12-01"
    assert row["horaires"] == "Tu,Fr 14:00-18:00; We 10:00-12:30,14:00-18:00; Sa 10:00-13:00"
    assert row["services"] == "Aide aux démarches administratives|Accès internet et matériel informatique"
    assert row["publics_specifiquement_adresses"] == "Jeunes"
    assert row["dispositif_programmes_nationaux"] == "France Services"
    assert row["autres_formations_labels"] == "APTIC"
    assert row["frais_a_charge"] == "Gratuit"
    assert row["modalites_acces"] == "Se présenter"
    assert row["typologie"] == "BIB"
    assert row["latitude"] == "43.254495"
    assert row["presentation_resume"] == "Médiathèque avec postes en libre accès."


def test_unknowns_get_the_hubs_placeholders():
    notes = []
    row = standard_record(place(updated="", siret=""), notes)
    assert (row["pivot"], row["date_maj"]) == (NO_SIRET, NO_DATE)
    assert notes == ["Ref_0001: no update date, date_maj 1970-01-01"]
    assert standard_record(place(siret="43493312300029"))["pivot"] == "43493312300029"


@pytest.mark.parametrize(
    ("phone", "international"),
    [
        ("04 68 76 33 02", "+33468763302"), ("06 12 34 56 78", "+33612345678"),
        ("05 90 12 34 56", "+590590123456"), ("02 62 12 34 56", "+262262123456"),
        ("06 94 12 34 56", "+594694123456"), ("3949", ""), ("", ""),
    ],
)  # fmt: skip
def test_phone_goes_international(phone, international):
    assert international_phone(phone) == international


def test_long_description_is_cut_for_the_resume_and_kept_whole_in_the_detail():
    text = "mot " * 200
    row = standard_record(place(description=text))
    assert len(row["presentation_resume"]) <= 280
    assert row["presentation_resume"].endswith("…")
    assert row["presentation_detail"] == text.strip()


def test_place_without_street_uses_its_commune():
    row = standard_record(place(address=Address(postcode="11000", commune="Berriac")))
    assert row["adresse"] == "Berriac"


def test_constructed_places_validate_against_the_schema(tmp_path):
    pytest.importorskip("frictionless")
    places = [
        place(),
        place(id="p2", updated="", services=(), hours=parse(""), contact=Contact(phone="3949"), lat=None, lon=None),
        place(id="p3", services=("ORDM", "FL", "REP", "W", "COMP", "ENT", "PRO", "SENS", "ACCN"),
              place_type="Intervention itinérante", access=("Payant", "Sur Rendez-Vous"),
              hours=parse('Mo "sur rdv"; Tu 09:00-12:00'), siret="bad pivot!"),
    ]  # fmt: skip
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_standard_csv(places, stream)
    assert validate_standard_csv(path, needs(SCHEMA)) == []


def test_validation_finds_errors(tmp_path):
    pytest.importorskip("frictionless")
    path = tmp_path / "bad.csv"
    row = standard_record(place(address=Address(street="x", postcode="1117", commune="Alzonne")))
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerow([row[c] for c in COLUMNS])
    errors = validate_standard_csv(path, needs(SCHEMA))
    assert len(errors) == 1
    assert errors[0].startswith("row 2, code_postal:")


@pytest.fixture(scope="module")
def rhinocc():
    return read_source(needs(RHINOCC))


@pytest.fixture(scope="module")
def rhinocc_export(rhinocc, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "rhinocc-standard.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        report = write_standard_csv(rhinocc.places, stream)
    return path, report


def test_rhinocc_export_validates_against_the_schema_with_no_error(rhinocc_export):
    pytest.importorskip("frictionless")
    path, report = rhinocc_export
    assert report.rows == 845
    assert len(report.notes) == 193  # places with no update date: date_maj 1970-01-01
    assert validate_standard_csv(path, needs(SCHEMA)) == []


def test_rhinocc_round_trip_keeps_every_place_and_its_services(rhinocc, rhinocc_export):
    path, _ = rhinocc_export
    back = read(RawSource(path.read_bytes(), "rhinocc-standard"))
    assert back.format == "standard-csv"
    assert (back.rows, len(back.places), back.skipped, back.warnings) == (845, 845, [], [])
    assert [p.id for p in back.places] == [p.id for p in rhinocc.places]
    before = {p.id: p for p in rhinocc.places}
    for after in back.places:
        original = before[after.id]
        # The standard has 9 services for RhinOcc's 12 codes: compared as the standard says them.
        assert nv.services_to_standard(after.services) == nv.services_to_standard(original.services)
        assert after.raw_services == nv.services_to_standard(original.services)
        assert after.hours.open_days() == original.hours.open_days()
        assert (after.lat, after.lon) == (original.lat, original.lon)
        assert after.contact.phone == (original.contact.phone if len(original.contact.phone) > 4 else "")
        assert set(original.labels) <= set(after.labels)


def test_second_round_trip_changes_nothing(rhinocc, rhinocc_export):
    path, _ = rhinocc_export
    once = read(RawSource(path.read_bytes(), "x")).places
    stream = io.StringIO()
    write_standard_csv(once, stream)
    twice = read(RawSource(stream.getvalue().encode(), "x")).places
    assert [(p.id, p.services, p.labels, p.hours.days) for p in twice] == [
        (p.id, p.services, p.labels, p.hours.days) for p in once
    ]


@pytest.mark.parametrize("name", ["hub-du-sud-paca-2023-05.json", "charente-2023-07.json"])
def test_national_files_round_trip_with_their_codes(name, tmp_path):
    original = read_source(needs(SHARED / "national" / name))
    path = tmp_path / "out.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_standard_csv(original.places, stream)
    pytest.importorskip("frictionless")
    assert validate_standard_csv(path, SCHEMA) == []
    back = read(RawSource(path.read_bytes(), "out"))
    assert [(p.id, set(p.services)) for p in back.places] == [(p.id, set(p.services)) for p in original.places]


def test_geojson_has_one_point_per_place_with_coordinates():
    stream = io.StringIO()
    report = write_geojson([place(), place(id="nowhere", lat=None, lon=None)], stream)
    collection = json.loads(stream.getvalue())
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == report.rows == 1
    feature = collection["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.175926, 43.254495]}
    assert feature["properties"]["nom"] == "FEP Médiathèque"
    assert feature["properties"]["services"] == "Aide aux démarches administratives|Accès internet et matériel informatique"
    assert set(feature["properties"]) <= set(COLUMNS)
    assert report.notes == ["nowhere: no coordinates, left out of the map"]


def test_rhinocc_geojson_is_a_valid_feature_collection(rhinocc):
    stream = io.StringIO()
    report = write_geojson(rhinocc.places, stream)
    collection = json.loads(stream.getvalue())
    with_point = [p for p in rhinocc.places if p.has_point]
    assert len(collection["features"]) == report.rows == len(with_point) == 840
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        assert -90 <= lat <= 90
        assert -180 <= lon <= 180
    assert {f["id"] for f in collection["features"]} == {p.id for p in with_point}
    back = read(RawSource(stream.getvalue().encode(), "geojson"))  # our reader takes GeoJSON too
    assert [p.id for p in back.places] == [p.id for p in with_point]
