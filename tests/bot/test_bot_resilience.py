"""Telegram refusing (429), failing (502) or gone for a few seconds: the reply still arrives.

And a rebuilt index is served without restarting the bot.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import shutil
import time
from pathlib import Path

from bot.app import build_application
from index.conversation import Conversation, replies
from index.engine import Engine
from index.home import Home
from tests.bot.conftest import polling

HELP = html.escape(replies.HELP)


async def test_a_429_is_waited_out_and_the_reply_still_arrives(fake, bot_app):
    fake.fail("sendMessage", 429, retry_after=1)
    since = fake.mark()
    fake.command(7001, "/aide")
    [refused, sent] = await fake.wait_sent(7001, 2, since)
    assert refused["text"] == sent["text"] and sent["text"].startswith(HELP)
    times = [c.at for c in fake.calls[since:] if c.method == "sendMessage"]
    assert times[1] - times[0] >= 1.0, "the bot waited retry_after before asking again"


async def test_429s_on_every_chat_pause_all_sends_then_all_replies_arrive(fake, bot_app):
    fake.fail("sendMessage", 429, times=3, retry_after=1)
    since = fake.mark()
    for chat in (7101, 7102, 7103):
        fake.message(chat, "démarches caf narbonne")
    for chat in (7101, 7102, 7103):
        messages = await fake.wait_sent(chat, 4, since)
        assert "Narbonne" in messages[0]["text"]


async def test_bad_gateway_while_sending_is_retried(fake, bot_app):
    fake.fail("sendMessage", 502, times=2)
    since = fake.mark()
    fake.command(7201, "/aide")
    sent = await fake.wait_sent(7201, 3, since)
    assert len(sent) == 3 and all(m["text"].startswith(HELP) for m in sent)  # two refused, the third delivered


async def test_the_api_down_for_a_few_seconds_then_back(fake, bot_app):
    fake.down = True
    since = fake.mark()
    fake.command(7301, "/aide")
    await asyncio.sleep(2.5)
    assert fake.sent(7301, since) == []
    fake.down = False
    [reply] = await fake.wait_sent(7301, 1, since, timeout=10)
    assert reply["text"].startswith(HELP)


async def test_the_api_server_stopped_and_started_again(fake, api, bot_app, aiohttp_server):
    port = api.port
    await api.close()
    since = fake.mark()
    fake.command(7401, "/aide")
    await asyncio.sleep(2)
    await aiohttp_server(fake.make_app(), host="127.0.0.1", port=port)
    [reply] = await fake.wait_sent(7401, 1, since, timeout=10)
    assert reply["text"].startswith(HELP)


async def test_a_rebuilt_index_is_served_without_restart(fake, bot_settings, sample_home, real_home, tmp_path):
    home = Home(tmp_path / "swap-home")
    for source in (sample_home, real_home):
        version = Home(source).current()
        shutil.copytree(version, home.versions_dir / version.name)
    sample, real = (Home(p).current().name for p in (sample_home, real_home))
    home.install(home.versions_dir / sample)
    settings = dataclasses.replace(bot_settings, home=str(home.path), reload_interval=0.1)
    conversation = Conversation(Engine(home=Path(settings.home)), today=lambda: 2)
    async with polling(build_application(settings, conversation)):
        since = fake.mark()
        fake.message(7501, "démarches caf narbonne")
        before = [m["text"] for m in await fake.wait_sent(7501, 2, since)]
        assert not any("PIMMS du Narbonnais" in t for t in before)
        home.install(home.versions_dir / real)
        deadline = time.monotonic() + 5
        while conversation.engine.store.version != real and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        since = fake.mark()
        fake.message(7501, "démarches caf narbonne")
        after = [m["text"] for m in await fake.wait_sent(7501, 4, since)]
        assert any("PIMMS du Narbonnais" in t for t in after)
