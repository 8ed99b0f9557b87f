"""A fake Telegram Bot API server, for the bot's tests and benchmark.

A small aiohttp app answering ``/bot<token>/<method>`` as Telegram does, with
``{"ok": true, "result": ...}``. Requests may arrive form-encoded (python-telegram-bot's
way: complex values such as ``reply_markup`` are JSON strings), as multipart or as JSON;
every call is recorded, decoded, in ``calls``. ``getUpdates`` is fed from a queue with real
long polling: it honours ``offset`` (updates below it are confirmed and forgotten) and
``timeout`` (it waits that long for an update before answering an empty list).

Implemented: getMe, deleteWebhook, setWebhook, getUpdates, sendMessage, sendVenue, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, answerInlineQuery, setMyCommands,
sendChatAction. Any other method is answered 400 ``ok: false`` (a 404 would be read by
python-telegram-bot as an invalid token); a wrong token gets 401.

Switches: ``fail(method, 429, retry_after=1)`` makes the next call(s) of a method fail as
Telegram's flood control does; ``down = True`` answers every request with a 502 Bad
Gateway, as a reverse proxy does while the API is unreachable. A test can also stop the
server and start a new one on the same port: the state lives here, not in the app
(``make_app()`` builds a fresh one each time).

Updates are built by ``message``, ``command``, ``location``, ``callback``, ``inline``…,
which queue them and return them; the bot's answers are read with ``wait_sent``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456789:AAF-fake-token-for-tests_0123456789abc"
BOT = {"id": 123456789, "is_bot": True, "first_name": "Orienteur", "username": "orienteur_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
USER = {"id": 1001, "is_bot": False, "first_name": "Camille", "language_code": "fr"}

JSON_FIELDS = {"reply_markup", "results", "commands", "allowed_updates", "reply_parameters",
               "link_preview_options", "button", "entities", "scope"}
INT_FIELDS = {"chat_id", "offset", "timeout", "limit", "message_id", "cache_time"}


@dataclass
class Call:
    """One request the bot made: the method, its decoded parameters, when it arrived."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None = None


def decode(params: dict[str, Any]) -> dict[str, Any]:
    """Form values are strings: JSON fields parsed, ids and numbers made ints."""
    out = dict(params)
    for name, value in params.items():
        if not isinstance(value, str):
            continue
        if name in JSON_FIELDS:
            out[name] = json.loads(value)
        elif name in INT_FIELDS and value.lstrip("-").isdigit():
            out[name] = int(value)
    return out


class FakeTelegram:
    """The state of the fake Bot API: its queues, records and switches."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot = dict(BOT)
        self.calls: list[Call] = []
        self.pending: deque[dict] = deque()
        self.pushed_at: dict[int, float] = {}
        """When each update was queued (monotonic), for latency figures."""
        self.failures: dict[str, deque[Failure]] = defaultdict(deque)
        self.down = False
        self.messages: dict[tuple[int, int], dict] = {}
        """Messages the bot sent, by (chat id, message id), as Telegram would return them."""
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._changed: asyncio.Condition | None = None
        self._closing = False

    # -- the server ------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.on_shutdown.append(self._on_shutdown)
        self._closing = False
        return app

    @property
    def changed(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def _on_shutdown(self, app: web.Application) -> None:
        """Let long polls return at once, so that the server stops without waiting for them."""
        self._closing = True
        await self._notify()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.down:
            return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if request.content_type == "application/json":
            params = await request.json() if request.can_read_body else {}
        else:
            params = dict(await request.post())
        params = decode(params)
        self.calls.append(Call(method, params))
        await self._notify()
        if self.failures[method]:
            failure = self.failures[method].popleft()
            body = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.parameters:
                body["parameters"] = failure.parameters
            return web.json_response(body, status=failure.status)
        answer = getattr(self, "api_" + method, None)
        if answer is None:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": f"Bad Request: method {method} not found"}, status=400)
        return web.json_response({"ok": True, "result": await answer(params)})

    # -- the methods -----------------------------------------------------------------------

    async def api_getMe(self, params: dict) -> dict:
        return self.bot

    async def api_deleteWebhook(self, params: dict) -> bool:
        return True

    async def api_setWebhook(self, params: dict) -> bool:
        return True

    async def api_setMyCommands(self, params: dict) -> bool:
        return True

    async def api_sendChatAction(self, params: dict) -> bool:
        return True

    async def api_answerCallbackQuery(self, params: dict) -> bool:
        return True

    async def api_answerInlineQuery(self, params: dict) -> bool:
        return True

    async def api_getUpdates(self, params: dict) -> list[dict]:
        offset = params.get("offset") or 0
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()  # confirmed by the offset
        if not self.pending and not self._closing:
            try:
                async with self.changed:
                    await asyncio.wait_for(self.changed.wait_for(lambda: bool(self.pending) or self._closing),
                                           float(params.get("timeout") or 0))
            except TimeoutError:
                pass
        limit = params.get("limit") or 100
        return [u for u in self.pending if u["update_id"] >= offset][:limit]

    async def api_sendMessage(self, params: dict) -> dict:
        chat_id = params["chat_id"]
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat(chat_id),
                   "from": {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")},
                   "text": params.get("text", "")}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def api_sendVenue(self, params: dict) -> dict:
        chat_id = params["chat_id"]
        venue = {k: params.get(k) for k in ("title", "address")}
        venue["location"] = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat(chat_id),
                   "from": {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")}, "venue": venue}
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def api_editMessageText(self, params: dict) -> dict | bool:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            return True  # an inline message: Telegram answers True
        message["text"] = params.get("text", "")
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def api_editMessageReplyMarkup(self, params: dict) -> dict | bool:
        message = self.messages.get((params.get("chat_id"), params.get("message_id")))
        if message is None:
            return True
        message["reply_markup"] = params.get("reply_markup") or {"inline_keyboard": []}
        return message

    # -- switches --------------------------------------------------------------------------

    def fail(self, method: str, status: int = 429, times: int = 1, retry_after: int | None = 1,
             description: str = "") -> None:
        """Make the next ``times`` calls of ``method`` fail (429: Telegram's flood control)."""
        parameters = {"retry_after": retry_after} if status == 429 and retry_after is not None else None
        text = description or (f"Too Many Requests: retry after {retry_after}" if status == 429 else "Error")
        for _ in range(times):
            self.failures[method].append(Failure(status, text, parameters))

    # -- updates ---------------------------------------------------------------------------

    def push(self, **fields: Any) -> dict:
        """Queue an update made of ``fields`` (``message=…``, ``callback_query=…``); returns it."""
        update = {"update_id": next(self._update_ids), **fields}
        self.pending.append(update)
        self.pushed_at[update["update_id"]] = time.monotonic()
        asyncio.get_running_loop().create_task(self._notify())
        return update

    def new_message(self, chat_id: int, text: str | None = None, user: dict | None = None, **content: Any) -> dict:
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat(chat_id),
                   "from": user or sender(chat_id), **content}
        if text is not None:
            message["text"] = text
        return message

    def message(self, chat_id: int, text: str | None = None, user: dict | None = None, **content: Any) -> dict:
        """A new message in ``chat_id`` (positive: a private chat; negative: a group)."""
        return self.push(message=self.new_message(chat_id, text, user, **content))

    def command(self, chat_id: int, text: str, **content: Any) -> dict:
        name = text.split()[0]
        entities = [{"type": "bot_command", "offset": 0, "length": len(name)}]
        return self.message(chat_id, text, entities=entities, **content)

    def mention(self, chat_id: int, text: str, **content: Any) -> dict:
        """A group message naming the bot first: ``@bot <text>``."""
        name = "@" + self.bot["username"]
        return self.message(chat_id, f"{name} {text}",
                            entities=[{"type": "mention", "offset": 0, "length": len(name)}], **content)

    def location(self, chat_id: int, lat: float, lon: float, **content: Any) -> dict:
        return self.message(chat_id, location={"latitude": lat, "longitude": lon}, **content)

    def edited(self, chat_id: int, text: str | None = None, **content: Any) -> dict:
        message = self.new_message(chat_id, text, **content)
        message["edit_date"] = message["date"]
        return self.push(edited_message=message)

    def channel_post(self, chat_id: int, text: str) -> dict:
        post = {"message_id": next(self._message_ids), "date": int(time.time()), "text": text,
                "chat": {"id": chat_id, "type": "channel", "title": "Canal"}}
        return self.push(channel_post=post)

    def callback(self, chat_id: int, data: str, message_id: int | None = None, user: dict | None = None) -> dict:
        """A press on a button of the bot's message ``message_id`` (default: its last one in the chat)."""
        if message_id is None:
            message_id = max(m for c, m in self.messages if c == chat_id)
        query = {"id": str(next(self._update_ids) * 7919), "from": user or sender(chat_id),
                 "chat_instance": f"ci{chat_id}", "data": data, "message": self.messages[(chat_id, message_id)]}
        return self.push(callback_query=query)

    def inline(self, query: str, offset: str = "", user: dict | None = None, **content: Any) -> dict:
        inline_query = {"id": str(next(self._update_ids) * 104729), "from": user or USER, "query": query,
                        "offset": offset, "chat_type": "sender", **content}
        return self.push(inline_query=inline_query)

    # -- reading what the bot did ----------------------------------------------------------

    def mark(self) -> int:
        """A position in ``calls``: ``since`` for the next reads."""
        return len(self.calls)

    def sent(self, chat_id: int | None = None, since: int = 0, method: str = "sendMessage") -> list[dict]:
        """Parameters of the ``method`` calls (for ``chat_id``) made after ``since``."""
        return [c.params for c in self.calls[since:]
                if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def methods(self, since: int = 0) -> list[str]:
        return [c.method for c in self.calls[since:]]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds (it is checked after every call)."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), timeout)

    async def wait_sent(self, chat_id: int | None, count: int, since: int = 0, method: str = "sendMessage",
                        timeout: float = 10.0) -> list[dict]:
        """The first ``count`` ``method`` calls for ``chat_id`` after ``since``, once they have arrived."""
        try:
            await self.wait_for(lambda: len(self.sent(chat_id, since, method)) >= count, timeout)
        except TimeoutError:
            got = self.sent(chat_id, since, method)
            raise AssertionError(f"expected {count} {method} to {chat_id}, got {len(got)}: "
                                 f"{[g.get('text', '')[:60] for g in got]}; calls: {self.methods(since)}") from None
        return self.sent(chat_id, since, method)[:count]


def chat(chat_id: int) -> dict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Camille"}
    return {"id": chat_id, "type": "supergroup", "title": "Équipe sociale"}


def sender(chat_id: int) -> dict:
    """The user who writes in ``chat_id``: in a private chat, its id is the chat's."""
    return {**USER, "id": chat_id} if chat_id > 0 else dict(USER)
