"""Real ``orienteur serve`` processes sharing conversations through a real store.

SQLite in the home, and a real Redis on a private port: a conversation goes on across a
SIGTERM and a SIGKILL of the serving command (workers included), from one process to
another, and when the store goes down the desk still gets answers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from index.asked import FILE, AskedLog
from index.workers import EARLY_EXIT
from tests.support.homes import ROOT
from tests.support.redis_server import running_redis
from tests.support.serving import ORIENTEUR, Server, environ

ASKED = "atelier informatique · Auch"
REFINED = "atelier informatique · ouvert le samedi · Auch"
SESSION = "desk-0123456789abcdef"


@pytest.fixture(params=["sqlite", "redis"])
def store_env(request) -> dict[str, str]:
    """The environment naming the conversation store: none (SQLite in the home) or Redis."""
    if request.param == "sqlite":
        return {}
    return {"ORIENTEUR_REDIS_URL": request.getfixturevalue("redis_url")}


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_conversation_goes_on_after_the_server_is_killed(real_home, store_env, sig, tmp_path):
    server = Server(real_home, tmp_path / "serve.log", workers=2, **store_env)
    with server:
        assert server.chat(SESSION, "atelier informatique auch")["understood"] == ASKED
        server.stop(sig)
        server.start()
        refined = server.chat(SESSION, "et le samedi ?")
        assert refined["understood"] == REFINED, server.output()
        assert refined["cards"]


@pytest.mark.slow
def test_two_servers_share_one_conversation(real_home, store_env, tmp_path):
    with Server(real_home, tmp_path / "a.log", **store_env) as a, \
            Server(real_home, tmp_path / "b.log", **store_env) as b:
        first = a.chat(SESSION, "atelier informatique auch")
        assert b.chat(SESSION, "et le samedi ?")["understood"] == REFINED
        assert a.chat(SESSION, "plus")["offset"] == first["offset"] + len(first["cards"])


@pytest.mark.slow
def test_two_machines_with_their_own_homes_share_conversations_through_redis(real_home, redis_url, tmp_path):
    other_home = tmp_path / "other-machine"
    shutil.copytree(real_home, other_home, symlinks=True)
    with Server(real_home, tmp_path / "a.log", ORIENTEUR_REDIS_URL=redis_url) as a, \
            Server(other_home, tmp_path / "b.log", ORIENTEUR_REDIS_URL=redis_url) as b:
        assert a.status()["version"] == b.status()["version"]
        a.chat(SESSION, "atelier informatique auch")
        assert b.chat(SESSION, "et le samedi ?")["understood"] == REFINED


@pytest.mark.slow
def test_every_worker_of_one_server_knows_the_conversation(real_home, store_env, tmp_path):
    with Server(real_home, tmp_path / "serve.log", workers=2, **store_env) as server:
        assert len(server.worker_pids()) == 2
        first = server.chat(SESSION, "atelier gers")
        shown = len(first["cards"])
        for _ in range(6):  # each request on a new connection, spread by the kernel over both workers
            page = server.chat(SESSION, "plus")
            assert page["kind"] == "results" and page["offset"] == shown, page
            shown += len(page["cards"])


@pytest.mark.slow
def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(real_home, tmp_path):
    with Server(real_home, tmp_path / "serve.log", workers=2) as server:
        server.chat(SESSION, "atelier gers")
        victim = server.worker_pids()[0]
        time.sleep(EARLY_EXIT + 0.5)  # past the start-up window in which a dying worker stops the command
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = server.worker_pids()
            if len(pids) == 2 and victim not in pids:
                break
            time.sleep(0.1)
        assert len(pids) == 2 and victim not in pids, server.output()
        for _ in range(10):
            assert server.chat(SESSION, "plus")["kind"] in ("results", "no_more")


@pytest.mark.slow
def test_the_rate_limit_of_an_address_holds_across_workers_with_redis(real_home, redis_url, tmp_path):
    with Server(real_home, tmp_path / "serve.log", workers=2, ORIENTEUR_REDIS_URL=redis_url,
                ORIENTEUR_RATE_LIMIT="0.01", ORIENTEUR_RATE_BURST="10") as server:
        codes = [server.get("/api/status")[0] for _ in range(30)]  # new connections: both workers
    assert codes.count(200) == 10 and codes.count(429) == 20


@pytest.mark.slow
def test_with_the_store_down_the_desk_still_gets_answers(real_home, tmp_path):
    with running_redis(tmp_path) as redis_server, \
            Server(real_home, tmp_path / "serve.log", workers=1, ORIENTEUR_REDIS_URL=redis_server.url) as server:
        assert server.chat(SESSION, "atelier informatique auch")["understood"] == ASKED
        redis_server.stop()
        for _ in range(3):
            assert server.chat(SESSION, "atelier informatique auch")["cards"]
        later = server.chat(SESSION, "et le samedi ?")  # no memory: a question of its own
        assert later["understood"] != REFINED
        log = server.output()
    assert log.count("conversation store unavailable") == 1
    assert "Traceback" not in log


def test_workers_that_cannot_listen_stop_the_command_with_a_clear_message(real_home, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*ORIENTEUR, "serve", "--port", str(port), "--workers", "2"], capture_output=True,
                              text=True, env=environ(real_home), cwd=ROOT, timeout=120)
    assert done.returncode == 1
    assert "address already in use" in done.stderr and "could not serve" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_questions_counted_last_are_written_when_the_server_stops(real_home, tmp_path):
    """Counts are written once a second; SIGTERM writes those of the last second (the README's promise:
    only a process killed outright loses them)."""
    home = tmp_path / "home"
    shutil.copytree(real_home, home, symlinks=True, ignore=shutil.ignore_patterns(FILE + "*"))  # other tests' counts
    with Server(home, tmp_path / "serve.log", workers=2) as server:
        assert server.chat(SESSION, "atelier informatique auch")["understood"] == ASKED
        assert server.stop(signal.SIGTERM) == 0
    counts = AskedLog(home / FILE).counts()
    assert [(c.need, c.area, c.count) for c in counts] == [("ateliers", "Auch", 1)], \
        (tmp_path / "serve.log").read_text()
