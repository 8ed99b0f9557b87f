"""The real bot ``Application``, polling a fake Bot API server on 127.0.0.1.

``fake`` is the server's state (queue updates, read what the bot sent); ``api`` the running
server; ``bot_app`` the application built by ``build_application`` exactly as ``orienteur
bot`` builds it, started the way ``run_polling`` starts it (post_init included), with a
short long-polling timeout so that tests stay fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dtm
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from tests.support.fake_telegram import TOKEN, FakeTelegram

POLL_TIMEOUT = dtm.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch):
    """Opt in to python-telegram-bot's timedelta time periods, as ``orienteur bot`` does.

    Otherwise PTB 22 warns (PTBDeprecationWarning) inside ``RetryAfter.__init__`` itself on
    every 429, which pytest.ini turns into an error.
    """
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@asynccontextmanager
async def polling(application: Application) -> AsyncIterator[Application]:
    """Run ``application`` as ``run_polling`` does, inside the test's event loop."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.updater.start_polling(timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES)
        await application.start()
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def api(fake, aiohttp_server):
    return await aiohttp_server(fake.make_app(), host="127.0.0.1")


@pytest.fixture
def bot_settings(settings, api):
    """The test's settings, pointing the bot at the fake server."""
    return dataclasses.replace(settings, telegram_token=TOKEN, telegram_api_url=str(api.make_url("/bot")),
                               reload_interval=0.2)


@pytest.fixture
async def bot_app(bot_settings, conversation) -> AsyncIterator[Application]:
    """The bot over the real directory (on a fixed Wednesday), polling the fake server."""
    async with polling(build_application(bot_settings, conversation)) as application:
        yield application
