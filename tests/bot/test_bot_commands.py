"""``orienteur bot``: refusals before any network call, polling as a real process, and the webhook."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from bot.app import SECRET_HEADER, build_application, serve_webhook, webhook_app
from bot.commands import Redact
from index.cli import main
from index.conversation import replies
from tests.support.fake_telegram import TOKEN
from tests.support.raw_http import stalled_post
from tests.support.serving import free_port

SECRET = "s3cret-for-tests_0123456789"


def run_cli(tmp_path: Path, *args: str, **env: str):
    environ = {"ORIENTEUR_HOME": str(tmp_path / "home"),
               "ORIENTEUR_TELEGRAM_API_URL": "http://127.0.0.1:9/bot", **env}
    return CliRunner().invoke(main, ["bot", *args], env=environ)


@pytest.mark.parametrize(("token", "says"), [
    ("", "ORIENTEUR_TELEGRAM_TOKEN is not set"),
    ("not-a-token", "does not look like a bot token"),
    ("123456789:short", "does not look like a bot token"),
    ("12345678:AAF-fake token with spaces_0123456789", "does not look like a bot token"),
])
def test_a_missing_or_malformed_token_exits_2_before_anything_else(tmp_path, token, says):
    result = run_cli(tmp_path, ORIENTEUR_TELEGRAM_TOKEN=token)
    assert result.exit_code == 2
    assert says in result.stderr and "ORIENTEUR_TELEGRAM_TOKEN" in result.stderr
    assert token not in result.stderr or not token, "a secret is never echoed"
    assert not (tmp_path / "home").exists(), "no index was built, no network was used"


def test_a_webhook_url_must_be_https(tmp_path):
    result = run_cli(tmp_path, "--webhook", "http://example.org/hook", ORIENTEUR_TELEGRAM_TOKEN=TOKEN)
    assert result.exit_code == 2
    assert "https://" in result.stderr


def test_a_token_telegram_refuses_is_said_clearly(tmp_path, sample_home, fake_api_url):
    result = run_cli(tmp_path, ORIENTEUR_HOME=str(sample_home), ORIENTEUR_TELEGRAM_API_URL=fake_api_url,
                     ORIENTEUR_TELEGRAM_TOKEN="99999:" + "x" * 35)
    assert result.exit_code == 2
    assert "Telegram refused the token" in result.stderr


@pytest.fixture
def fake_api_url():
    """A fake Bot API in a thread of its own, for the synchronous CLI runner."""
    import threading

    from aiohttp import web

    from tests.support.fake_telegram import FakeTelegram

    loop = asyncio.new_event_loop()
    fake = FakeTelegram()
    runner = web.AppRunner(fake.make_app())
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/bot"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


async def test_orienteur_bot_polls_as_a_real_process_and_stops_on_sigint(fake, api, sample_home):
    env = {**os.environ, "ORIENTEUR_HOME": str(sample_home), "ORIENTEUR_TELEGRAM_TOKEN": TOKEN,
           "ORIENTEUR_TELEGRAM_API_URL": str(api.make_url("/bot")), "ORIENTEUR_LOG_LEVEL": "DEBUG"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from index.cli import main; main()", "bot",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for(lambda: "setMyCommands" in fake.methods(), timeout=30)
        since = fake.mark()
        fake.command(8001, "/aide")
        [reply] = await fake.wait_sent(8001, 1, since)
        assert reply["text"].startswith(html.escape(replies.HELP))
        assert html.escape("Données : exemple fictif, ces lieux n'existent pas") in reply["text"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert TOKEN not in stderr.decode(), "even at DEBUG, no log line shows the token"
    assert "Processing update" not in stderr.decode(), "python-telegram-bot's DEBUG lines (whole updates) are off"


def test_the_token_is_masked_in_any_line_that_carries_it(caplog):
    """Error lines may quote a Bot API URL, and its path holds the token."""
    logger = logging.getLogger("test.redact")
    logger.addFilter(Redact(TOKEN))
    with caplog.at_level(logging.WARNING, logger="test.redact"):
        logger.warning("POST %s failed", f"https://api.telegram.org/bot{TOKEN}/sendMessage")
    assert caplog.messages == ["POST https://api.telegram.org/bot***/sendMessage failed"]


async def test_webhook_serves_updates_and_checks_the_secret(fake, bot_settings, conversation):
    application = build_application(bot_settings, conversation, polling=False)
    port, stop = free_port(), asyncio.Event()
    url = "https://bot.example.org/telegram/hook"
    server = asyncio.create_task(serve_webhook(application, url, "/telegram/hook", SECRET, "127.0.0.1", port, stop))
    try:
        await fake.wait_for(lambda: "setWebhook" in fake.methods())
        [registered] = fake.sent(method="setWebhook")
        assert registered["url"] == url and registered["secret_token"] == SECRET
        update = {"update_id": 1, "message": fake.new_message(8101, "démarches caf narbonne")}
        hook = f"http://127.0.0.1:{port}/telegram/hook"
        async with aiohttp.ClientSession() as session:
            for headers, status in (({}, 403), ({SECRET_HEADER: "wrong"}, 403), ({SECRET_HEADER: SECRET}, 200)):
                async with session.post(hook, json=update, headers=headers) as response:
                    assert response.status == status
            async with session.post(hook, data=b"{not json", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400
        [answer] = await fake.wait_sent(8101, 1)
        assert "Narbonne" in answer["text"]
        assert fake.methods().count("getUpdates") == 0
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)
    assert not application.running


async def test_webhook_app_refuses_a_missing_secret(aiohttp_client, bot_settings, conversation):
    client = await aiohttp_client(webhook_app(build_application(bot_settings, conversation, polling=False),
                                              "/hook", SECRET))
    assert (await client.post("/hook", json={"update_id": 1})).status == 403
    assert (await client.post("/hook", json=[1, 2], headers={SECRET_HEADER: SECRET})).status == 400
    assert (await client.get("/hook")).status == 200


async def test_webhook_answers_a_body_that_never_finishes_with_408_and_closes(aiohttp_client, bot_settings,
                                                                              conversation):
    client = await aiohttp_client(webhook_app(build_application(bot_settings, conversation, polling=False),
                                              "/hook", SECRET, body_timeout=1.0))
    started = asyncio.get_running_loop().time()
    answer = await stalled_post(client.port, "/hook", headers={SECRET_HEADER: SECRET})
    assert answer.startswith(b"HTTP/1.1 408")
    assert asyncio.get_running_loop().time() - started < 3  # answered and closed, not held for 5 s


@pytest.mark.parametrize("body", [
    b"[" * 5000 + b"]" * 5000,
    b'{"update_id": 1, "message": ' + b"{\"a\":" * 5000 + b"1" + b"}" * 5000 + b"}",
    json.dumps({"update_id": 2, "message": {"message_id": 1, "date": 1e20, "text": "x",
                                            "chat": {"id": 5, "type": "private"}}}).encode(),
])
async def test_webhook_answers_nested_json_and_impossible_dates_with_400(aiohttp_client, bot_settings,
                                                                           conversation, caplog, body):
    client = await aiohttp_client(webhook_app(build_application(bot_settings, conversation, polling=False),
                                              "/hook", SECRET))
    response = await client.post("/hook", data=body, headers={SECRET_HEADER: SECRET})
    assert response.status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_webhook_workers_share_the_port_and_the_conversations(fake, api, real_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(real_home, home, symlinks=True)
    port = free_port()
    env = {**os.environ, "ORIENTEUR_HOME": str(home), "ORIENTEUR_TELEGRAM_TOKEN": TOKEN,
           "ORIENTEUR_TELEGRAM_API_URL": str(api.make_url("/bot")), "ORIENTEUR_WEBHOOK_SECRET": SECRET}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "index.cli", "bot", "--webhook", "https://bot.example.org/telegram/hook",
        "--port", str(port), "--workers", "2", env=env, stderr=asyncio.subprocess.PIPE, start_new_session=True)
    try:
        await fake.wait_for(lambda: "setWebhook" in fake.methods(), timeout=30)
        assert len(Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()) == 2
        assert fake.methods().count("setWebhook") == 1  # one worker registers the URL
        hook = f"http://127.0.0.1:{port}/telegram/hook"
        for text, first in (("atelier informatique auch", None), ("et le samedi ?", "samedi")):
            since = fake.mark()
            update = {"update_id": fake.mark() + 1, "message": fake.new_message(8201, text)}
            async with aiohttp.ClientSession() as session, \
                    session.post(hook, json=update, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200  # a new connection each time: either worker may take it
            header, *_ = await fake.wait_sent(8201, 1, since, timeout=30)
            assert "Auch" in header["text"] and (first is None or first in header["text"])
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-3000:]
