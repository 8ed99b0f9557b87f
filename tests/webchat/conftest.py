"""Web chat fixtures: the app over the real directory, driven in-process by ``aiohttp_client``."""

from __future__ import annotations

import dataclasses

import pytest

from index.conversation import Conversation
from index.settings import Settings
from webchat.app import create_app


class FakeClock:
    """A monotonic clock the test moves by hand, for the rate limiter."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def web_settings(settings) -> Settings:
    return dataclasses.replace(settings, reload_interval=0.05)


@pytest.fixture
async def client(aiohttp_client, web_settings, conversation, clock):
    """The web chat over the real directory (a fixed Wednesday), its limiter on a fake clock."""
    return await aiohttp_client(create_app(web_settings, conversation, clock=clock))


@pytest.fixture
def make_client(aiohttp_client, web_settings, clock):
    """Build a client for other settings or another conversation."""

    async def make(conversation: Conversation, **changes):
        settings = dataclasses.replace(web_settings, **changes)
        return await aiohttp_client(create_app(settings, conversation, clock=clock))

    return make
