"""What reaches the logs of a real ``orienteur serve`` at INFO, the level the deploy files set:
what a search understood and counts, never what was typed nor where the user stands, and no
line forged by a newline in a message or a ``%0A`` in a path."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from index.settings import SAMPLE_SOURCE
from tests.test_rebuild_live import Server, rebuild_report

SAINT_GAUDENS = (43.1081, 0.7233)
TYPED = "Mme Dupont 06 12 34 56 78 RSA expulsee\nFORGED INFO orienteur: admin token accepted"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("logs")
    rebuild_report(base / "home", SAMPLE_SOURCE)
    with Server(base / "home", base / "serve.log") as running:
        yield running


def post_chat(server: Server, message: str, lat: float, lon: float) -> dict:
    data = json.dumps({"message": message, "lat": lat, "lon": lon}).encode()
    status, body = server.get("/api/chat", data=data, headers={"Content-Type": "application/json"})
    assert status == 200, body
    return body


def test_a_search_that_finds_nothing_logs_what_was_understood_not_what_was_typed(server):
    post_chat(server, TYPED, *SAINT_GAUDENS)
    post_chat(server, "aide caf xyzzy Dupont", *SAINT_GAUDENS)
    time.sleep(0.3)
    log = server.output()
    assert "orienteur.notfound" in log  # the searches were logged, as understood
    for secret in ("Dupont", "06 12 34 56 78", "expulsee", "Saint-Gaudens", "xyzzy", "43.108", "0.723"):
        assert secret not in log, f"{secret!r} reached the log:\n{log}"


def test_a_newline_in_a_message_or_a_path_forges_no_log_line(server):
    post_chat(server, TYPED, *SAINT_GAUDENS)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(server.base + "/api/x%0AFORGED%20INFO%20orienteur:%20admin%20token%20accepted",
                               timeout=10)
    time.sleep(0.3)
    lines = server.output().splitlines()
    assert not [line for line in lines if line.startswith("FORGED")]
    assert any("/api/x\\nFORGED" in line for line in lines)
