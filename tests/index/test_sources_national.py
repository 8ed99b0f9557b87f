import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.cleaning import departement_of
from index.errors import SourceError
from index.sources import RawSource, read, read_source
from index.sources.national import READER, read_standard

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
NATIONAL = SHARED / "national"
SA = 5


def shared_file(name):
    path = NATIONAL / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="module")
def paca():
    return read_source(shared_file("hub-du-sud-paca-2023-05.json"))


@pytest.fixture(scope="module")
def charente():
    return read_source(shared_file("charente-2023-07.json"))


def raw_json(records, name="hub"):
    return RawSource(json.dumps(records).encode(), name)


def record(**overrides):
    base = {
        "id": "lieu-1", "nom": "Espace numérique", "pivot": "00000000000000", "commune": "MARSEILLE",
        "code_postal": "13001", "adresse": "1 rue de la République", "latitude": 43.2965,
        "longitude": 5.3698, "services": "Aide aux démarches administratives", "date_maj": "2023-05-11",
    }  # fmt: skip
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


# -- the real files ------------------------------------------------------------------------


def test_paca_file_ingests_every_place(paca):
    assert paca.format == "standard-json"
    assert (paca.rows, len(paca.places), len(paca.skipped)) == (646, 646, 0)
    assert len(paca.warnings) == 9
    reasons = [p.reason for p in paca.warnings]
    assert sum(r.startswith("opening hours partly") for r in reasons) == 6
    assert sum(r.startswith("point") for r in reasons) == 3  # geocoded far from their commune


def test_charente_file_ingests_every_place(charente):
    assert charente.format == "standard-json"
    assert (charente.rows, len(charente.places), len(charente.skipped), len(charente.warnings)) == (188, 188, 0, 0)


def test_standard_example_csv_is_read(tmp_path):
    result = read_source(shared_file("exemple-valide-v1.0.2.csv"))
    assert result.format == "standard-csv"
    assert (result.rows, len(result.places), len(result.skipped)) == (1, 1, 0)
    place = result.places[0]
    assert place.id == "structure-1"
    assert place.siret == "43493312300029"
    assert place.contact.phone == "01 80 05 98 80"
    assert place.contact.email == "contact@laquincaillerie.tl"
    assert place.contact.website == "https://www.laquincaillerie.tl/"
    assert place.services == ("ACCN", "PRO", "CREA")
    assert set(place.publics) == {"J", "F", "H", "ETR"}
    assert set(place.labels) == {"AC", "CNFS", "TL"}  # TL: typologie TIERS_LIEUX
    assert place.access == ("Gratuit sous condition", "Payant")
    assert "Accompagnement individuel" in place.support
    assert "Se présenter" in place.support
    assert place.updated == "2024-04-02"
    assert place.hours.open_days() == {0, 1, 2, 3, 4, 5}
    # The example's point is in Aix-en-Provence, its address in Reims: the point is dropped.
    assert place.lat is None
    assert [p.reason for p in result.warnings] == ["point (43.52609, 5.41423) dropped: far outside département 51"]


def test_paca_place_is_mapped_onto_our_vocabulary(paca):
    place = next(p for p in paca.places if p.id == "dora-1dab2b36-8edf-4573-b450-656df9a003f8")
    assert place.name == "CCAS ORANGE"
    assert place.address.commune == "Orange"
    assert place.address.departement == "84"
    assert place.address.insee == "84087"
    assert (place.lat, place.lon) == (44.140788, 4.803916)
    assert place.services == ("ACCDS", "ACCDA", "ACCN", "SENS")
    assert place.raw_services == (
        "Devenir autonome dans les démarches administratives", "Prendre en main un smartphone ou une tablette",
        "Utiliser le numérique au quotidien", "Approfondir ma culture numérique",
    )  # fmt: skip
    assert place.access == ("Gratuit",)
    assert place.support == ("Dans un atelier collectif", "Accompagnement individuel")
    assert place.siret == ""
    assert place.updated == "2022-07-13"
    assert place.source == "hub-du-sud-paca-2023-05 (dora)"


def test_help_with_procedures_in_marseille_is_there(paca):
    marseille = [p for p in paca.places if p.address.commune.lower().startswith("marseille")]
    assert sum("ACCDS" in p.services for p in marseille) > 10


def test_saturday_opening_in_nice_is_known(paca):
    nice = [p for p in paca.places if p.address.commune.lower() == "nice"]
    assert sorted(p.name for p in nice if SA in p.hours.open_days()) == ["Initiative Nice Côte D'Azur", "LA POSTE"]


def test_france_services_in_charente_carry_the_label(charente):
    france_services = [p for p in charente.places if "MFS" in p.labels]
    assert len(france_services) == 94  # 83 labelled, and typologie RFS (réseau France Services)
    assert all(p.address.departement == "16" for p in charente.places)
    assert sum("AC" in p.labels for p in charente.places) == 68
    mairie = next(p for p in charente.places if p.id == "mediation-numerique-aidants-connect-361-mediation-numerique")
    assert mairie.place_type == "Mairie"
    assert mairie.siret == "21160049900019"
    assert mairie.address.commune == "Bonnes"


def test_charente_accessibility_and_typology(charente):
    first = charente.places[0]
    assert first.accessibility.startswith("https://acceslibre.beta.gouv.fr/")
    assert first.address.commune == "Châteaubernard"
    assert first.services == ("ACCN", "SENS")
    assert set(first.labels) == {"CNFS", "MFS"}


# -- records that go wrong -----------------------------------------------------------------


def test_record_without_id_or_name_is_skipped():
    result = read_standard(raw_json([record(), record(id=None, nom="Sans id"), record(id="x", nom="  ")]))
    assert [p.id for p in result.places] == ["lieu-1"]
    assert [(p.line, p.reason) for p in result.skipped] == [(2, "no id"), (3, "no name (nom)")]


def test_duplicate_id_is_skipped():
    result = read_standard(raw_json([record(), record(nom="Autre")]))
    assert len(result.places) == 1
    assert result.skipped[0].reason == "duplicate id, first seen on record 1"


@pytest.mark.parametrize(
    ("lat", "lon", "reason"),
    [
        ("abc", 5.3, "point (abc, 5.3) dropped: unreadable"),
        (0, 0, "point (0.0, 0.0) dropped: outside France"),
        (43.3, None, "point (43.3, ) dropped: unreadable"),
    ],
)
def test_bad_coordinates_are_dropped_with_a_warning(lat, lon, reason):
    result = read_standard(raw_json([record(latitude=lat, longitude=lon)]))
    place = result.places[0]
    assert (place.lat, place.lon) == (None, None)
    assert [p.reason for p in result.warnings] == [reason]


def test_swapped_coordinates_are_fixed():
    result = read_standard(raw_json([record(latitude=5.3698, longitude=43.2965)]))
    assert (result.places[0].lat, result.places[0].lon) == (43.2965, 5.3698)
    assert "swapped" in result.warnings[0].reason


def test_point_far_from_its_departement_is_dropped():
    boxes = {"13": (43.1, 4.2, 43.95, 6.0)}
    result = read_standard(raw_json([record(latitude=48.85, longitude=2.35)]), departement_bbox=boxes.get)
    assert result.places[0].lat is None
    assert result.warnings[0].reason == "point (48.85000, 2.35000) dropped: far outside département 13"


def test_older_localisation_object_is_read():
    result = read_standard(raw_json([record(latitude=None, longitude=None, localisation={"lat": 43.3, "lng": 5.4})]))
    assert (result.places[0].lat, result.places[0].lon) == (43.3, 5.4)


def test_unknown_values_are_reported_and_services_kept_raw():
    result = read_standard(raw_json([record(services="Aide aux démarches administratives;Cuisine moléculaire")]))
    place = result.places[0]
    assert place.services == ("ACCDS", "ACCDA")
    assert place.raw_services == ("Aide aux démarches administratives", "Cuisine moléculaire")
    assert result.warnings[0].reason == "unknown services kept as text only: Cuisine moléculaire"


def test_unlisted_service_is_matched_by_its_words():
    place = read_standard(raw_json([record(services="Faire ses démarches en ligne")])).places[0]
    assert place.services == ("ACCDS",)


def test_contact_is_cleaned():
    place = read_standard(raw_json([record(
        telephone="+33491000000", courriel="Contact@Exemple.fr", site_web="www.exemple.fr|https://fb.com/x",
    )])).places[0]  # fmt: skip
    assert place.contact.phone == "04 91 00 00 00"
    assert place.contact.email == "contact@exemple.fr"
    assert place.contact.website == "https://www.exemple.fr"


def test_labels_fees_and_programmes_of_both_generations():
    older = record(labels_nationaux="CNFS;France Services", conditions_acces="Accepte le Pass numérique : Il est…",
                   publics_accueillis="Jeunes (16-26 ans);Familles/enfants")
    newer = record(id="lieu-2", dispositif_programmes_nationaux="France Services|Grande école du numérique",
                   frais_a_charge="Gratuit", publics_specifiquement_adresses="Seniors|Étudiants")
    first, second = read_standard(raw_json([older, newer])).places
    assert set(first.labels) == {"CNFS", "MFS", "APTIC"}
    assert first.access == ("Pass numérique",)
    assert first.publics == ("J", "FAM")
    assert set(second.labels) == {"MFS", "GN"}
    assert second.publics == ("SEN", "J")


def test_placeholder_date_is_no_date():
    assert read_standard(raw_json([record(date_maj="1970-01-01")])).places[0].updated == ""
    result = read_standard(raw_json([record(date_maj="hier")]))
    assert result.places[0].updated == ""
    assert result.warnings[0].reason == "update date 'hier' dropped: not a plausible date"


def test_pivot_placeholder_is_no_siret():
    assert read_standard(raw_json([record()])).places[0].siret == ""
    assert read_standard(raw_json([record(pivot="W751234567")])).places[0].siret == "W751234567"


def test_json_wrapped_in_data_or_geojson_features():
    wrapped = read(RawSource(json.dumps({"data": [record()]}).encode(), "hub"))
    assert [p.id for p in wrapped.places] == ["lieu-1"]
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.37, 43.3]},
               "properties": record(latitude=None, longitude=None)}
    collection = read(RawSource(json.dumps({"type": "FeatureCollection", "features": [feature]}).encode(), "hub"))
    assert (collection.places[0].lat, collection.places[0].lon) == (43.3, 5.37)


def test_json_that_is_not_a_list_of_places_is_refused():
    with pytest.raises(SourceError, match="not valid JSON"):
        read(RawSource(b"[{", "x"))
    with pytest.raises(SourceError, match="JSON without places"):
        read(RawSource(b'{"hello": 1}', "x"))
    result = read(RawSource(b'[1, {"id": "a", "nom": "A"}]', "x"))
    assert [p.id for p in result.places] == ["a"]
    assert result.skipped[0].reason == "record is a JSON int, not an object"


def test_csv_of_the_standard_is_told_from_rhinocc():
    standard = b"id,nom,commune,code_postal,services\nx1,Lieu,Nice,06000,Aide aux d\xc3\xa9marches administratives\n"
    assert READER.sniff(RawSource(standard, "x"))
    assert not READER.sniff(RawSource(b"n_ref,nom,code_postal\nRef_1,Lieu,31000\n", "x"))
    result = read(RawSource(standard, "x"))
    assert result.format == "standard-csv"
    assert result.places[0].services == ("ACCDS", "ACCDA")


def test_rhinocc_directory_still_goes_to_its_own_reader():
    path = SHARED / "rhinocc" / "lieux-geocodes.csv"
    if not path.exists():
        pytest.skip(f"{path} not available")
    assert not READER.sniff(RawSource(path.read_bytes()[:4096], "lieux-geocodes"))


@pytest.mark.parametrize(
    ("insee", "postcode", "departement"),
    [
        ("13056", "13500", "13"), ("", "06000", "06"), ("2A004", "20000", "2A"), ("", "20200", "2B"),
        ("", "20090", "2A"), ("97411", "97400", "974"), ("", "97300", "973"), ("", "", ""),
    ],
)  # fmt: skip
def test_departement_from_commune_code_or_postcode(insee, postcode, departement):
    assert departement_of(insee, postcode) == departement


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_become_places_problems_or_a_source_error(data):
    raw = RawSource(b"[" + data, "x")
    try:
        result = read_standard(raw)
    except SourceError:
        return
    assert result.rows == len(result.places) + len(result.skipped)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["id", "nom", "latitude", "longitude", "services", "horaires",
                                                  "telephone", "code_postal", "code_insee", "pivot", "date_maj"]),
                                st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(),
                                          st.lists(st.text(max_size=5), max_size=2))), min_size=1, max_size=4))
def test_any_records_become_places_or_problems(records):
    result = read_standard(raw_json(records))
    assert result.rows == len(records)
    assert len(result.places) + len(result.skipped) == len(records)
