"""The web chat under attack: bodies that never finish or nest thousands deep, a flood in the
access log, pages past the last one, and an admin naming a file it was not given."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil

import pytest
from aiohttp import ClientSession, web

from index.conversation import Conversation, replies
from index.engine import Engine
from index.home import Home
from index.rebuild import LAST_REPORT
from index.settings import SAMPLE_SOURCE
from tests.support.raw_http import abandoned_post, stalled_post
from webchat.accesslog import FloodSampler
from webchat.app import create_app
from webchat.commands import PathAccessLogger

ADMIN = {"Authorization": "Bearer s3cret-token"}
NESTED = b'{"message": ' + b"[" * 5000 + b"]" * 5000 + b"}"


def errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_bodies_that_never_finish_get_408_and_are_closed_within_the_deadline(make_client, conversation):
    client = await make_client(conversation, body_timeout=1.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    # 20 at once, as the attack's 200: each announces 100 bytes and sends 10, or trickles them.
    answers = await asyncio.gather(*(stalled_post(client.port, "/api/chat") for _ in range(15)),
                                   *(stalled_post(client.port, "/api/chat", body=b"x" * 40, pace=0.2)
                                     for _ in range(5)))
    assert loop.time() - started < 3  # every one answered and closed well before the clients' own 5 s
    assert all(a.startswith(b"HTTP/1.1 408") for a in answers), answers[0][:200]
    assert b'"code": "body_timeout"' in answers[0] and b"Content-Security-Policy" in answers[0]
    response = await client.post("/api/chat", json={"message": "atelier informatique gers"})
    assert response.status == 200  # the server still answers everyone else


async def test_client_leaving_mid_body_logs_no_traceback(make_client, conversation, caplog):
    client = await make_client(conversation, body_timeout=1.0)
    for _ in range(5):
        await abandoned_post(client.port, "/api/chat")
    await asyncio.sleep(0.3)
    assert errors(caplog) == []


@pytest.mark.parametrize("path", ["/api/chat", "/admin/rebuild"])
async def test_json_nested_5000_deep_is_a_400_without_traceback(make_client, conversation, caplog, path):
    client = await make_client(conversation, admin_token="s3cret-token")
    response = await client.post(path, data=NESTED, headers={**ADMIN, "Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["code"] == "bad_json"
    assert errors(caplog) == []


async def test_page_past_the_last_one_says_so_instead_of_101_of_100(client):
    first = await (await client.get("/api/search", params={"q": "atelier informatique", "limit": 50})).json()
    total = first["total"]
    assert total > 0
    response = await client.get("/api/search", params={"q": "atelier informatique", "offset": total})
    body = await response.json()
    assert response.status == 200
    assert body["cards"] == [] and body["kind"] == "no_more" and body["reply"] == replies.NO_MORE
    assert f"({total + 1} sur {total})" not in body["reply"]


@pytest.mark.parametrize("source", ["/etc/shadow", "/etc/passwd", "http://127.0.0.1:9/lieux.csv",
                                    "{folder}/../outside.csv"])
async def test_admin_rebuild_refuses_a_source_it_was_not_configured_with(make_client, sample_home, tmp_path,
                                                                         source):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    folder = tmp_path / "sources"
    folder.mkdir()
    (tmp_path / "outside.csv").write_bytes(SAMPLE_SOURCE.read_bytes())
    client = await make_client(Conversation(Engine(home=home)), home=str(home), source=str(SAMPLE_SOURCE),
                               rebuild_folder=str(folder), admin_token="s3cret-token")
    response = await client.post("/admin/rebuild", json={"sources": [source.format(folder=folder)], "force": True},
                                 headers=ADMIN)
    assert response.status == 403
    assert (await response.json())["code"] == "source_not_allowed"
    assert not (home / LAST_REPORT).exists()  # nothing was run, nothing opened


async def test_admin_rebuild_takes_a_file_of_the_configured_folder(make_client, sample_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(sample_home, home, symlinks=True)
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(SAMPLE_SOURCE, folder / "lieux.csv")
    engine = Engine(home=home)
    before = engine.store.version
    client = await make_client(Conversation(engine), home=str(home), source=str(SAMPLE_SOURCE),
                               rebuild_folder=str(folder), admin_token="s3cret-token")
    response = await client.post("/admin/rebuild", json={"sources": [str(folder / "lieux.csv")], "force": True},
                                 headers=ADMIN)
    assert response.status == 200, await response.text()
    assert engine.store.version != before
    assert Home(home).current().name == engine.store.version


async def test_a_flooding_address_fills_the_access_log_only_up_to_its_share(web_settings, conversation, caplog):
    class Logger(PathAccessLogger):
        sampler = FloodSampler(per_window=20, window=60)

    settings = dataclasses.replace(web_settings, rate_limit=1.0, rate_burst=5)
    runner = web.AppRunner(create_app(settings, conversation, watch=False), access_log_class=Logger)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    try:
        async with ClientSession() as session:
            statuses = []
            for _ in range(300):  # mostly 429s, as in the attack
                async with session.get(f"http://127.0.0.1:{port}/api/search?q=atelier") as response:
                    statuses.append(response.status)
    finally:
        await runner.cleanup()
    assert statuses.count(429) > 250
    lines = [r for r in caplog.records if r.name == "aiohttp.access"]
    assert 20 <= len(lines) <= 21
