"""The fake Bot API behaves as Telegram does where the bot can tell the difference."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, InvalidToken

from tests.support.fake_telegram import TOKEN


@pytest.fixture
async def client_bot(api):
    async with Bot(TOKEN, base_url=str(api.make_url("/bot"))) as bot:
        yield bot


async def test_get_updates_long_polls_until_timeout_and_forgets_confirmed_updates(fake, client_bot):
    started = time.monotonic()
    assert await client_bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9
    first, second = fake.message(1, "a"), fake.message(1, "b")
    assert [u.update_id for u in await client_bot.get_updates(timeout=1)] == [first["update_id"], second["update_id"]]
    assert [u.update_id for u in await client_bot.get_updates(offset=second["update_id"], timeout=0)] == \
        [second["update_id"]]
    assert await client_bot.get_updates(offset=second["update_id"] + 1, timeout=0) == ()


async def test_an_update_queued_during_a_long_poll_is_returned_at_once(fake, client_bot):
    poll = asyncio.create_task(client_bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    fake.message(1, "hello")
    [update] = await poll
    assert update.message.text == "hello" and time.monotonic() - started < 1


async def test_unknown_methods_are_400_and_a_wrong_token_401(api, client_bot):
    with pytest.raises(BadRequest):
        await client_bot.do_api_request("noSuchMethod")
    stranger = Bot("42:" + "y" * 35, base_url=str(api.make_url("/bot")))
    with pytest.raises(InvalidToken):
        await stranger.initialize()  # getMe
    await stranger.shutdown()


async def test_json_and_form_requests_are_both_recorded_decoded(fake, api):
    async with aiohttp.ClientSession() as session:
        url = api.make_url(f"/bot{TOKEN}/sendMessage")
        async with session.post(url, json={"chat_id": 7, "text": "a", "reply_markup": {"inline_keyboard": []}}) as r:
            assert (await r.json())["ok"] is True
        async with session.post(url, data={"chat_id": "7", "text": "b", "reply_markup": '{"inline_keyboard": []}'}) as r:
            assert (await r.json())["result"]["text"] == "b"
    assert fake.sent(7) == [{"chat_id": 7, "text": "a", "reply_markup": {"inline_keyboard": []}},
                            {"chat_id": 7, "text": "b", "reply_markup": {"inline_keyboard": []}}]
