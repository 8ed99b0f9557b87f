"""index.rebuild in-process: unchanged, refusals and --force, change reports, versions, rollback."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index.engine import Engine
from index.errors import BuildError, IndexUnavailable, RebuildLocked, RebuildRefused, SourceError
from index.home import Home
from index.rebuild import CHANGES_FILE, LAST_REPORT, last_report, rollback, run_rebuild, smoke_test
from index.settings import SAMPLE_SOURCE, Settings
from index.store import DB_FILE, META_FILE, WHOOSH_DIR, read_places
from tests.support.homes import REAL_CSV

FORMAT1 = Path(__file__).parent / "fixtures" / "format1-version"

ROWS = 120
"""Rows of the real directory used here: real places, dense enough that searches stay quick."""


def sample_rows() -> tuple[list[str], list[dict[str, str]]]:
    """The header and the first ``ROWS`` rows of the real directory."""
    if not REAL_CSV.is_file():
        pytest.skip("../shared/data/rhinocc is not beside the project")
    with open(REAL_CSV, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), [row for _, row in zip(range(ROWS), reader, strict=False)]


def write_csv(path, header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


@pytest.fixture
def source(tmp_path) -> str:
    return write_csv(tmp_path / "lieux.csv", *sample_rows())


@pytest.fixture
def settings(tmp_path, source) -> Settings:
    return Settings.from_env({}, home=str(tmp_path / "home"), source=source)


@pytest.fixture
def home(settings) -> Home:
    run_rebuild(settings)
    return Home(Path(settings.home))


def served(home: Home) -> str:
    return home.current().name


def edited(tmp_path, n: int) -> str:
    """A source like the sample whose first place has another name: another content, another version."""
    header, rows = sample_rows()
    rows[0]["nom"] = f"Espace numérique numéro {n}"
    return write_csv(tmp_path / f"edited-{n}.csv", header, rows)


def test_first_rebuild_serves_everything_as_added(settings, source):
    report = run_rebuild(settings)
    home = Home(Path(settings.home))
    assert report.status == "rebuilt"
    assert report.previous is None
    assert report.served == served(home) == home.history()[-1]
    assert report.changes.summary()["added"] == report.places == ROWS
    kept = json.loads((home.current() / CHANGES_FILE).read_text())
    assert kept["summary"]["added"] == ROWS
    meta = json.loads((home.current() / META_FILE).read_text())
    assert meta["changes"]["added"] == ROWS
    assert list(meta["fingerprints"]) == [source]


def test_unchanged_source_does_nothing_and_forced_lands_on_the_same_version(settings, home):
    before = served(home)
    report = run_rebuild(settings)
    assert report.status == "unchanged"
    assert report.served == before == served(home)
    assert last_report(home)["status"] == "unchanged"
    forced = run_rebuild(settings, force=True)
    assert forced.status == "rebuilt"
    assert forced.served == before == forced.previous == served(home)  # named by content
    assert forced.changes.summary()["unchanged"] == ROWS
    assert [p.name for p in home.versions()] == [before]
    assert json.loads((home.current() / META_FILE).read_text())["forced"]  # it describes the last build


def test_the_same_sources_built_in_two_homes_give_the_same_version_name(settings, home, tmp_path):
    """What lets several machines rebuilding from one source serve one version name."""
    other = run_rebuild(Settings.from_env({}, home=str(tmp_path / "elsewhere"), source=settings.sources[0]))
    assert other.served == served(home)
    assert run_rebuild(settings, [edited(tmp_path, 1)]).served != other.served


def test_served_version_that_no_longer_opens_is_rebuilt_though_unchanged(settings, home):
    """A damaged served version is built again under its own name, not kept because it is 'the same'."""
    before = served(home)
    (home.current() / DB_FILE).unlink()
    report = run_rebuild(settings)
    assert report.status == "rebuilt"
    assert report.served == before == report.previous
    assert Engine(home=home.path).ask("médiathèque").hits


def test_rollback_refuses_a_previous_version_that_does_not_open(settings, home, tmp_path):
    before = served(home)
    run_rebuild(settings, [edited(tmp_path, 1)])
    (home.versions_dir / before / DB_FILE).unlink()
    with pytest.raises(Exception, match=f"previous version {before} does not open"):
        rollback(settings)
    assert served(home) != before


def test_edited_place_is_reported_with_its_fields(settings, home, tmp_path):
    header, rows = sample_rows()
    rows[0]["nom"] = "Un tout autre nom"
    rows[1]["email_structure"] = "accueil@example.org"
    source = write_csv(tmp_path / "edited.csv", header, rows + [{**rows[2], "n_ref": "Ex_NEW"}])
    report = run_rebuild(settings, [source])
    assert report.changes.added == ["Ex_NEW"]
    assert report.changes.changed[rows[0]["n_ref"]] == ["name"]
    assert report.changes.changed[rows[1]["n_ref"]] == ["contact.email"]
    assert report.changes.summary()["changed"] == 2


def test_losing_more_than_max_loss_is_refused_then_forced(settings, home, tmp_path):
    header, rows = sample_rows()
    source = write_csv(tmp_path / "half.csv", header, rows[:60])
    before = served(home)
    with pytest.raises(RebuildRefused, match=r"would remove 60 of the 120 places served \(50%"):
        run_rebuild(settings, [source])
    assert served(home) == before
    assert last_report(home)["status"] == "refused"
    report = run_rebuild(settings, [source], force=True)
    assert report.status == "rebuilt"
    assert report.overridden and "would remove 60" in report.overridden[0]
    assert len(read_places(Home(Path(settings.home)).current())) == 60


def test_loss_within_max_loss_is_built(settings, home, tmp_path):
    header, rows = sample_rows()
    source = write_csv(tmp_path / "most.csv", header, rows[:-30])
    assert run_rebuild(settings, [source]).changes.summary()["removed"] == 30


def test_too_many_unusable_rows_are_refused(settings, home, tmp_path):
    header, rows = sample_rows()
    for row in rows[:30]:
        row["nom"] = ""
    source = write_csv(tmp_path / "nameless.csv", header, rows)
    with pytest.raises(RebuildRefused, match=r"30 of 120 rows are unusable \(25%.*line 2: no name"):
        run_rebuild(settings, [source])


def test_most_places_losing_their_coordinates_is_refused(settings, home, tmp_path):
    header, rows = sample_rows()
    for row in rows:
        for column in ("lat", "lon", "BAN_latitude", "BAN_longitude", "latitude", "longitude"):
            if column in row:
                row[column] = ""
    source = write_csv(tmp_path / "nopoints.csv", header, rows)
    with pytest.raises(RebuildRefused, match="would lose them"):
        run_rebuild(settings, [source])


def test_truncated_file_is_refused(settings, home, tmp_path, source):
    data = Path(source).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) - 150])
    with pytest.raises(RebuildRefused, match="ends in the middle of a row"):
        run_rebuild(settings, [str(cut)])


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "the file is empty"),
    (b"\x00\xff\x13garbage" * 100, "unrecognised format"),
])
def test_unusable_file_is_refused_even_when_forced(settings, home, tmp_path, content, reason):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    before = served(home)
    with pytest.raises(SourceError, match=reason):
        run_rebuild(settings, [str(bad)], force=True)
    assert served(home) == before
    assert last_report(home)["status"] == "failed"
    assert reason in last_report(home)["message"]


def test_cell_over_128_kib_is_one_bad_row_and_the_rest_of_the_file_is_read(settings, home, tmp_path):
    header, rows = sample_rows()
    rows[79] = {**rows[79], "presta_mediation_1": "x" * 200_000}  # the attack's oversized cell, on row 80 of 120
    report = run_rebuild(settings, [write_csv(tmp_path / "big-cell.csv", header, rows)])
    assert report.status == "rebuilt"
    assert report.places == ROWS - 1
    assert report.sources[0]["rows"] == report.sources[0]["records"] == ROWS
    [skipped] = report.sources[0]["skipped_rows"]
    assert re.fullmatch(r"line 81 \(Ref_\w+\): skipped: a cell of 200000 characters, more than the 131072 "
                        r"allowed \(a quote left open\?\)", skipped)


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, '{"lieux": ' + "[" * 5000 + "]" * 5000 + "}"])
def test_deeply_nested_json_source_is_refused_by_name_and_the_index_kept(settings, home, tmp_path, text):
    nested = tmp_path / "nested.json"
    nested.write_text(text)
    before = served(home)
    with pytest.raises(SourceError, match="nested too deeply"):
        run_rebuild(settings, [str(nested)], force=True)
    assert served(home) == before
    report = last_report(home)
    assert report["status"] == "failed" and "nested too deeply" in report["message"]


@pytest.mark.parametrize("pack", [gzip.compress, lambda data: data.decode("utf-8").encode("utf-16")],
                         ids=["gzip", "utf-16"])
def test_gzip_and_utf16_sources_are_built_like_the_plain_file(settings, home, tmp_path, source, pack):
    packed = tmp_path / "packed.csv"
    packed.write_bytes(pack(Path(source).read_bytes()))
    report = run_rebuild(settings, [str(packed)])
    assert report.status == "rebuilt" and report.places == ROWS
    assert report.changes.summary()["changed"] == 0


def test_keeps_keep_versions_and_rolls_back_one_at_a_time(settings, home, tmp_path):
    names = [served(home)]
    for n in range(3):
        names.append(run_rebuild(settings, [edited(tmp_path, n)]).served)
    kept = [p.name for p in home.versions()]
    assert kept == names[-settings.keep_versions:]
    assert rollback(settings) == (names[3], names[2])
    assert served(home) == names[2]
    assert rollback(settings) == (names[2], names[1])
    with pytest.raises(Exception, match="no earlier complete version"):
        rollback(settings)
    assert served(home) == names[1]


def test_rebuild_removes_what_killed_builds_left(settings, home, tmp_path):
    half_built = home.versions_dir / ".build-20000101T000000-dead01"
    (half_built / WHOOSH_DIR).mkdir(parents=True)
    never_installed = home.versions_dir / "20000101T000000-dead02"
    never_installed.mkdir()
    (never_installed / META_FILE).write_text("{}")
    os.symlink("versions/nowhere", home.path / ".current.deadbeef")
    (home.path / f".{LAST_REPORT}.deadbeef").write_text("{")
    run_rebuild(settings, [edited(tmp_path, 1)])
    assert not half_built.exists()
    assert not never_installed.exists()
    assert not list(home.path.glob(".current.*"))
    assert not list(home.path.glob(f".{LAST_REPORT}.*"))
    assert home.previous() is not None and home.previous().name != never_installed.name


def test_smoke_test_passes_a_good_version_and_fails_a_broken_one(home):
    places = read_places(home.current())
    smoke_test(home.current(), places)
    with pytest.raises(BuildError, match=f"holds {ROWS} places, not {ROWS - 1}"):
        smoke_test(home.current(), places[:-1])


def test_smoke_test_fails_a_version_without_its_whoosh_index(home, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(home.current(), broken)
    shutil.rmtree(broken / WHOOSH_DIR)
    with pytest.raises(BuildError, match="does not open"):
        smoke_test(broken, read_places(broken))


def test_rebuilt_index_is_searched_by_a_refreshing_engine(settings, home, tmp_path):
    engine = Engine(home=home.path)
    header, rows = sample_rows()
    rows[0]["nom"] = "Fablab Zoziau"
    run_rebuild(settings, [write_csv(tmp_path / "fablab.csv", header, rows)])
    assert not any(h.entry.place.name == "Fablab Zoziau" for h in engine.ask("zoziau").hits)
    assert engine.refresh()
    assert engine.ask("zoziau").hits[0].entry.place.name == "Fablab Zoziau"


HOLD = """
import sys, time
from index.lock import rebuild_lock
with rebuild_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def test_rebuild_while_another_holds_the_lock_is_refused_at_once(settings, home):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, settings.home], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(RebuildLocked, match="another rebuild is running"):
            run_rebuild(settings, force=True)
    finally:
        proc.kill()
        proc.wait()


DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_deploy_environment_example_sets_every_setting_once():
    text = (DEPLOY / "orienteur.env.example").read_text(encoding="utf-8")
    assigned = re.findall(r"^(ORIENTEUR_[A-Z_]+)=", text, flags=re.MULTILINE)
    assert sorted(assigned) == sorted(var for var, _, _ in Settings.documented())
    assert Settings.from_env(dict(re.findall(r"^(ORIENTEUR_[A-Z_]+)=(.*)$", text, flags=re.MULTILINE)))


def test_deploy_units_run_commands_that_exist():
    from index.cli import main

    names = set(main.list_commands(None))
    for unit in (DEPLOY / "systemd").glob("*.service"):
        command = re.search(r"^ExecStart=\S+/orienteur (\S+)", unit.read_text(), flags=re.MULTILINE).group(1)
        assert command in names, unit.name


def test_a_served_version_in_the_pickle_format_says_so_and_is_rebuilt_from_its_sources(tmp_path, caplog):
    """A version the previous code wrote (tests/index/fixtures): refused by name, then rebuilt."""
    home = Home(tmp_path / "home")
    home.versions_dir.mkdir(parents=True)
    old = shutil.copytree(FORMAT1, home.versions_dir / FORMAT1.name)
    home.install(old)
    with caplog.at_level(logging.ERROR, logger="index.engine"):
        engine = Engine(home=home.path)
    assert "written in stored format 1 (entries.pickle)" in caplog.text and "rebuild it from its sources" in caplog.text
    with pytest.raises(IndexUnavailable):
        engine.ask("atelier")
    report = run_rebuild(Settings.from_env({}, home=str(home.path), source=str(SAMPLE_SOURCE)))
    assert report.status == "rebuilt" and report.previous == old.name != report.served
    assert engine.refresh() and engine.ask("atelier").hits
