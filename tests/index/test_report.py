"""The maintainers' report on the real directory, checked against independent computations.

Each "rows to fix" rule is recomputed here from the raw CSV with the ``csv`` module (and the
gazetteer's file with ``gzip``), without the readers or the report's code, and the row ids must
agree; the white-zone distances are checked against a brute-force scan of every place.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections import defaultdict
from datetime import date

import pytest

from index.asked import FILE, AskedLog
from index.conversation import Conversation
from index.facets import derive
from index.gazetteer import load_gazetteer
from index.needs import NEEDS
from index.normalise import fold
from index.report import build_report, csvfiles
from index.report.html import render
from index.report.rows import FAR_FROM_COMMUNE_KM, check, rows_of
from index.settings import Settings
from index.sources import read_source
from index.store import read_row_problems
from tests.index.test_asked import QUESTIONS, SECRETS
from tests.support.homes import REAL_CSV, ROOT

TODAY = date(2026, 11, 30)
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SERVICE_COLUMNS = ("codes_types_mediations", *(f"type_mediation_{i}" for i in range(1, 6)))
OCCITANIE = ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82")


@pytest.fixture(scope="module")
def raw() -> list[dict[str, str]]:
    with open(REAL_CSV, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def findings_on(real_engine, today: date = TODAY):
    store = real_engine.store
    return check(rows_of(store, list(store.entries)), today, load_gazetteer(), read_row_problems(store.directory))


@pytest.fixture(scope="module")
def flagged(real_engine) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for f in findings_on(real_engine):
        found[f.problem].add(f.id)
    return found


def ids(rows, keep) -> set[str]:
    return {r["n_ref"] for r in rows if keep(r)}


# -- independent validators: what a maintainer would check by hand ----------------------------

def valid_phone(text: str) -> bool:
    """One of the numbers written can be dialled (a 9-digit one has lost its leading 0)."""
    for chunk in re.split(r"/| - |\bou\b|,|;", text):
        digits = re.sub(r"\D", "", chunk)
        if chunk.strip().startswith("+33"):
            digits = "0" + digits[2:]
        if re.fullmatch(r"(0[1-9]\d{8})+|[1-9]\d{8}|[13]\d{3}", digits):
            return True
    return False


def valid_email(text: str) -> bool:
    return bool(re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-z]{2,}", text, re.IGNORECASE))


def valid_website(text: str) -> bool:
    host = re.sub(r"^https?://", "", text).split("/")[0]
    return "@" not in host and "." in host and " " not in text


def km_between(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance, written out here again on purpose."""
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    cos = (math.sin(rlat1) * math.sin(rlat2)
           + math.cos(rlat1) * math.cos(rlat2) * math.cos(math.radians(lon2 - lon1)))
    return 6371.0088 * math.acos(max(-1.0, min(1.0, cos)))


@pytest.fixture(scope="module")
def communes() -> list[dict[str, str]]:
    with gzip.open(ROOT / "index" / "data" / "communes.tsv.gz", "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# -- 1. rows to fix ----------------------------------------------------------------------------

def test_rows_without_hours_are_those_whose_seven_days_say_nothing(raw, flagged):
    expected = ids(raw, lambda r: all(r[d] in ("", "-") for d in DAYS))
    assert flagged["no_hours"] == expected and len(expected) == 722


def test_rows_without_a_service_code_are_those_with_every_service_column_empty(raw, flagged):
    expected = ids(raw, lambda r: not any(r[c] for c in SERVICE_COLUMNS))
    assert flagged["no_service"] == expected and len(expected) == 272


def test_impossible_phones_emails_and_websites_are_found(raw, flagged):
    assert flagged["bad_phone"] == ids(raw, lambda r: r["tel_structure"] and not valid_phone(r["tel_structure"]))
    assert flagged["bad_email"] == ids(raw, lambda r: r["email_structure"] and not valid_email(r["email_structure"]))
    assert flagged["bad_website"] == ids(raw, lambda r: r["site_internet"] and not valid_website(r["site_internet"]))
    assert (len(flagged["bad_phone"]), len(flagged["bad_email"]), len(flagged["bad_website"])) == (2, 11, 2)


def test_rows_without_a_usable_phone_or_email_are_found(raw, flagged):
    expected = ids(raw, lambda r: not valid_phone(r["tel_structure"]) and not valid_email(r["email_structure"]))
    assert flagged["no_contact"] == expected and len(expected) == 305


@pytest.fixture(scope="module")
def outside_occitanie(communes):
    """Whether a row's geocoded point lies outside every département of Occitanie (their town halls'
    boxes, padded as the reader pads them)."""
    boxes = []
    for dep in OCCITANIE:
        points = [(float(c["lat"]), float(c["lon"])) for c in communes if c["departement"] == dep]
        margin = 0.3
        boxes.append((min(p[0] for p in points) - margin, min(p[1] for p in points) - margin,
                      max(p[0] for p in points) + margin, max(p[1] for p in points) + margin))

    def outside(r) -> bool:
        if not r["BAN_latitude"]:
            return False
        lat, lon = float(r["BAN_latitude"]), float(r["BAN_longitude"])
        return not any(b[0] <= lat <= b[2] and b[1] <= lon <= b[3] for b in boxes)

    return outside


def test_points_outside_their_departement_and_missing_points(raw, flagged, outside_occitanie):
    assert flagged["outside_departement"] == ids(raw, outside_occitanie) == {"Ref_0328", "Ref_0781"}
    no_point = ids(raw, lambda r: not (r["BAN_latitude"] or r["lat"]))
    assert flagged["no_point"] == no_point and len(no_point) == 3


@pytest.fixture(scope="module")
def far_from_town_hall(communes, outside_occitanie):
    """Whether a row's kept point lies more than FAR_FROM_COMMUNE_KM from its commune's town hall."""
    town_halls = {(c["folded"], c["departement"]): (float(c["lat"]), float(c["lon"])) for c in communes}

    def far(r) -> bool:
        if not r["BAN_latitude"] or outside_occitanie(r):  # a point set aside is not kept to be far
            return False
        hall = town_halls.get((fold(r["BAN_city"] or r["ville"]), r["departement"]))
        return hall is not None and km_between(float(r["BAN_latitude"]), float(r["BAN_longitude"]), *hall) \
            > FAR_FROM_COMMUNE_KM

    return far


def test_points_far_from_their_commune_match_a_brute_force_check(raw, flagged, far_from_town_hall):
    assert flagged["far_from_commune"] == ids(raw, far_from_town_hall) == set()  # the hub geocodes well


def test_points_moved_away_from_their_commune_are_found(raw, far_from_town_hall, tmp_path):
    """Three real rows moved 0.3° north (about 33 km), still inside their département's box."""
    moved = {"Ref_0001", "Ref_0100", "Ref_0500"}
    rows = [{**r, "BAN_latitude": str(float(r["BAN_latitude"]) + 0.3), "lat": str(float(r["lat"]) + 0.3)}
            if r["n_ref"] in moved else r for r in raw]
    out = io.StringIO()
    writer = csv.DictWriter(out, list(raw[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (tmp_path / "lieux.csv").write_text(out.getvalue(), encoding="utf-8")
    result = read_source(tmp_path / "lieux.csv")
    entries = [derive(i, p) for i, p in enumerate(result.places)]
    found = {f.id for f in check(entries, TODAY, load_gazetteer(), []) if f.problem == "far_from_commune"}
    assert found == ids(rows, far_from_town_hall) == moved


def test_possible_duplicates_share_address_and_phone_or_name_and_commune(raw, flagged):
    groups: dict[tuple, set[str]] = defaultdict(set)
    for r in raw:
        phone = re.sub(r"\D", "", r["tel_structure"]) if valid_phone(r["tel_structure"]) else ""
        street = r["BAN_adress"] or r["adresse"]
        if street and phone:
            groups[("a", fold(street), r["BAN_postcode"] or r["code_postal"], phone[-9:])].add(r["n_ref"])
        groups[("n", fold(r["nom"]), fold(r["BAN_city"] or r["ville"]))].add(r["n_ref"])
    expected = set().union(*(g for g in groups.values() if len(g) > 1))
    assert flagged["duplicate"] == expected and len(expected) == 65


def test_information_older_than_two_years_or_undated(raw, real_engine):
    months = {"jan": 1, "fev": 2, "mar": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "aou": 8, "sep": 9,
              "oct": 10, "nov": 11, "dec": 12}

    def month_of(text: str) -> tuple[int, int] | None:
        m = re.fullmatch(r"([a-z]+)[\s-]+(\d{2}|\d{4})", fold(text).replace(" ", "-"))
        if not m:
            return None
        month = next(n for prefix, n in months.items() if m[1].startswith(prefix))
        return (2000 + int(m[2]) if len(m[2]) == 2 else int(m[2]), month)

    for today in (TODAY, date(2023, 1, 15)):
        two_years_ago = date(today.year - 2, today.month, today.day)
        stale = {f.id for f in findings_on(real_engine, today) if f.problem == "stale"}
        expected = ids(raw, lambda r, limit=two_years_ago: not r["date_maj"] or date(*month_of(r["date_maj"]), 1) < limit)
        assert stale == expected
    assert len(stale) == 193 + 236 + 49 + 37 + 8 + 1 + 1 + 1  # undated, and dated January 2021 or before


# -- 2. where people are far from help --------------------------------------------------------

@pytest.fixture(scope="module")
def report(real_engine):
    return build_report(real_engine.store, None, 30, today=TODAY)


@pytest.mark.parametrize("insee", ["30007", "09122", "48095", "34003", "32013", "31555"])
def test_white_zone_distances_agree_with_a_brute_force_scan(report, real_engine, insee):
    """Alès, Foix, Mende, Agde, Auch, Toulouse: each need's nearest place, every place looked at."""
    for need in NEEDS:
        [zone] = [z for z in report.zones[need.name] if z.commune.insee == insee]
        c = zone.commune
        brute = min(km_between(c.lat, c.lon, e.place.lat, e.place.lon)
                    for e in real_engine.store.entries if e.place.has_point and need.met_by(e))
        assert zone.km == pytest.approx(brute, abs=0.01), need.name


def test_communes_farthest_from_help_come_first(report):
    for zones in report.zones.values():
        distances = [z.km for z in zones]
        assert distances == sorted(distances, reverse=True)
        assert all(z.commune.population >= report.min_population for z in zones)
    farthest = [z.commune.name for z in report.zones["démarches"][:3]]
    assert farthest == ["Les Mages", "Saint-Ambroix", "Rousson"]


# -- 3. what people asked: only what was understood -------------------------------------------

def test_the_report_holds_no_word_people_typed(real_engine, tmp_path):
    settings = Settings.from_env({}, home=str(tmp_path))
    conversation = Conversation.from_settings(real_engine, settings)
    for n, text in enumerate(QUESTIONS):
        conversation.handle(f"web:{n}", text)
    conversation.handle("tg:7", "", (43.18412, 3.00391))
    conversation.close()  # writes the counts still in memory
    built = build_report(real_engine.store, AskedLog(tmp_path / FILE), 30)
    page = render(built)
    files = csvfiles.write(built, tmp_path / "csv")
    texts = [page, *(p.read_text(encoding="utf-8") for p in files)]
    assert "Tournefeuille" in page and "seulement loin" in page  # the questions are there, as understood
    for secret in SECRETS:
        assert all(secret.lower() not in t.lower() for t in texts), secret


def test_csv_files_hold_every_finding_and_every_commune(report, tmp_path):
    rows, zones, asked = csvfiles.write(report, tmp_path)
    with open(rows, encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(report.findings)
    with open(zones, encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == sum(len(z) for z in report.zones.values())
    assert asked.read_text(encoding="utf-8").splitlines() == ["jour,besoin,zone,issue,nombre"]
