"""Typed keys of the web chat's shared state."""

from __future__ import annotations

import asyncio

from aiohttp import web

from index.conversation import Conversation
from index.settings import Settings
from webchat.ratelimit import RateLimiter

SETTINGS = web.AppKey("settings", Settings)
CONVERSATION = web.AppKey("conversation", Conversation)
LIMITER = web.AppKey("limiter", RateLimiter)
WATCHER = web.AppKey("watcher", asyncio.Task)
PAGE = web.AppKey("page", str)
"""The chat page, rendered once at start with its strings and versioned asset URLs."""
