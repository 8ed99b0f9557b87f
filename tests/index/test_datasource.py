"""The default source: the hub's URL fetched fresh, the dated snapshot when it cannot be reached,
and what status says about the data served (publisher, date, age, why the snapshot)."""

from __future__ import annotations

from datetime import date

import pytest

from index.conversation import replies
from index.datasource import served_source, source_date
from index.errors import SourceError
from index.rebuild import run_rebuild, status
from index.settings import SAMPLE_SOURCE, SNAPSHOT, Settings
from tests.support.http_source import SourceServer, closed_port


def settings_for(tmp_path, source: str) -> Settings:
    return Settings.from_env({}, home=str(tmp_path / "home"), source=source)


def test_rebuild_serves_the_hub_url_then_keeps_it_when_the_hub_goes_away(tmp_path):
    with SourceServer(SAMPLE_SOURCE.read_bytes()) as hub:
        settings = settings_for(tmp_path, hub.url("/file"))
        report = run_rebuild(settings)
    assert report.status == "rebuilt" and report.places == 42 and report.fallback is None
    data = status(settings)["data"]
    assert data["sources"] == [hub.url("/file")] and data["date"] == date.today().isoformat()
    assert data["age_days"] == 0 and data["fallback"] is None

    # The hub is gone: the version fetched from it is fresher than the snapshot, and stays.
    again = run_rebuild(settings)
    assert again.status == "unchanged" and again.served == report.served
    assert "cannot reach the server" in again.message and "still serving version" in again.message
    assert again.fallback["url"] == hub.url("/file")


def test_an_unreachable_hub_serves_the_snapshot_and_says_why(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/rhinocc.csv"
    settings = settings_for(tmp_path, url)
    report = run_rebuild(settings)
    assert report.status == "rebuilt" and report.places == 845
    assert report.fallback == {"url": url, "snapshot": str(SNAPSHOT), "reason": report.fallback["reason"]}
    assert "cannot reach the server" in report.fallback["reason"]
    assert "read the snapshot rhinocc-lieux-2026-11-30.csv instead" in report.message

    again = run_rebuild(settings)  # still unreachable: the snapshot is what is served, unchanged
    assert again.status == "unchanged" and again.served == report.served
    assert "cannot reach the server" in again.message

    served = served_source(_meta(settings), today=date(2027, 2, 1))
    assert served.date == "2026-11-30" and served.age_days == 63
    assert served.fallback["url"] == url and served.publisher.startswith("RhinOcc")


def _meta(settings: Settings) -> dict:
    from index.engine import Engine

    return Engine(home=settings.home).store.meta


def test_several_sources_get_no_fallback(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/rhinocc.csv"
    settings = settings_for(tmp_path, f"{url},{SAMPLE_SOURCE}")
    with pytest.raises(SourceError, match="cannot reach the server"):
        run_rebuild(settings)
    assert status(settings)["version"] is None


def test_an_empty_snapshot_setting_turns_the_fallback_off(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/rhinocc.csv"
    settings = Settings.from_env({}, home=str(tmp_path / "home"), source=url, snapshot="")
    with pytest.raises(SourceError, match="cannot reach the server"):
        run_rebuild(settings)


def test_a_dated_file_name_gives_the_data_its_date(tmp_path):
    assert source_date(str(SNAPSHOT)) == "2026-11-30"
    undated = tmp_path / "lieux.csv"
    undated.write_text("x")
    assert source_date(str(undated)) == date.today().isoformat()
    assert source_date("https://example.org/lieux-2020-01-01.csv") == date.today().isoformat()


def test_the_attribution_names_the_publisher_and_the_month_with_elision():
    meta = {"sources": [{"location": str(SNAPSHOT), "format": "rhinocc"}],
            "source_dates": {str(SNAPSHOT): "2026-10-30"}}
    served = served_source(meta, today=date(2026, 11, 30))
    assert replies.attribution(served.publisher, served.date) == \
        "Données : RhinOcc, Hub pour l'inclusion numérique en Occitanie · données d'octobre 2026"
    sample = served_source({"sources": [{"location": str(SAMPLE_SOURCE), "format": "rhinocc"}],
                            "built_at": "2026-03-02T10:00:00+00:00"}, today=date(2026, 11, 30))
    assert sample.sample and replies.attribution(sample.publisher, sample.date, sample.sample) == \
        "Données : exemple fictif, ces lieux n'existent pas · données de mars 2026"


def test_a_source_named_for_one_run_gets_no_fallback(tmp_path):
    """``orienteur rebuild --source URL`` means that URL: the snapshot only stands in for the configured one."""
    url = f"http://127.0.0.1:{closed_port()}/rhinocc.csv"
    settings = settings_for(tmp_path, str(SAMPLE_SOURCE))
    with pytest.raises(SourceError, match="cannot reach the server"):
        run_rebuild(settings, [url])
