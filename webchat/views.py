"""One small handler per endpoint: check the input, ask the conversation, answer JSON.

Bad input is answered by raising ``BadRequest`` (a 400 with a French message); the error
middleware turns every HTTP error into JSON. Domain errors become HTTP ones here.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import io
import json
import logging
import math
import os
import re
import secrets
import sys
from pathlib import Path

import segno
from aiohttp import web

from index.asked import AskedLog
from index.conversation import MAX_MESSAGE, Reply, replies
from index.datasource import public_name, served_source
from index.engine import MAX_HITS
from index.fetch import is_url
from index.report import build_report
from index.report.html import render as render_report
from index.settings import Settings
from webchat import words
from webchat.middlewares import client_address
from webchat.typedefs import CONVERSATION, PAGE, SETTINGS

log = logging.getLogger(__name__)

MAX_LIMIT = 50
"""Most cards one GET /api/search page may ask for."""
STATIC = Path(__file__).resolve().parent / "static"
SESSION = re.compile(r"[A-Za-z0-9_-]{16,64}")
"""The shape of a session token. ``new_session`` issues random ones (128 bits), so a desk cannot
guess another's; a made-up token only starts a conversation of its own."""
PLACE_ID = re.compile(r"[^\x00-\x1f/]{1,200}")
REBUILD_TIMEOUT = 1800
"""Seconds an admin rebuild may run before it is stopped (the download has its own, shorter, limit)."""

STRINGS = {
    "title": words.WEB_TITLE, "heading": words.WEB_HEADING, "tagline": words.WEB_TAGLINE,
    "welcome": replies.WELCOME, "examples": list(replies.EXAMPLES),
    "examplesHeading": words.WEB_EXAMPLES_HEADING,
    "questionLabel": words.WEB_QUESTION_LABEL, "questionPlaceholder": words.WEB_QUESTION_PLACEHOLDER,
    "send": words.WEB_SEND_BUTTON, "you": words.WEB_YOU, "assistant": words.WEB_ASSISTANT,
    "newConversation": words.WEB_NEW_CONVERSATION, "waiting": words.WEB_WAITING,
    "locating": words.WEB_LOCATING, "myPosition": words.WEB_MY_POSITION,
    "map": replies.MAP_BUTTON, "directions": replies.DIRECTIONS_BUTTON, "more": words.MORE_BUTTON,
    "aroundMe": words.AROUND_ME_BUTTON, "copy": words.COPY_BUTTON, "print": words.PRINT_BUTTON,
    "phone": words.WEB_PHONE, "email": words.WEB_EMAIL, "website": words.WEB_WEBSITE,
    "hours": replies.HOURS_LABEL, "today": replies.TODAY_LABEL, "services": replies.SERVICES_LABEL,
    "publics": words.PUBLICS_LABEL, "why": words.WHY_LABEL, "toPrint": words.WEB_TO_PRINT,
    "copied": words.WEB_COPIED, "copyFailed": words.WEB_COPY_FAILED,
    "printNothing": words.WEB_PRINT_NOTHING,
    "sheetTitle": words.WEB_SHEET_TITLE, "sheetIntro": words.WEB_SHEET_INTRO,
    "newTab": words.WEB_NEW_TAB, "connectionLost": words.WEB_CONNECTION_LOST,
    "geolocationRefused": words.GEOLOCATION_REFUSED, "geolocationUnavailable": words.GEOLOCATION_UNAVAILABLE,
    "tooManyRequests": words.TOO_MANY_REQUESTS, "messageTooLong": replies.MESSAGE_TOO_LONG,
    "questionMissing": words.WEB_QUESTION_MISSING, "error": replies.ERROR,
    "skip": words.WEB_SKIP_TO_QUESTION, "printHint": words.WEB_PRINT_HINT,
    "maxMessage": MAX_MESSAGE,
    "call": words.WEB_CALL, "mapShort": words.WEB_MAP_SHORT, "moreInfo": words.WEB_MORE_INFO,
    "smsCopy": words.WEB_SMS_COPY, "smsCopied": words.WEB_SMS_COPIED, "refine": words.WEB_REFINE,
    "selectedOne": words.WEB_SELECTED_ONE, "selectedMany": words.WEB_SELECTED_MANY,
    "selectionRegion": words.WEB_SELECTION_REGION, "note": words.WEB_NOTE,
    "printSheet": words.WEB_PRINT_SHEET, "copyAll": words.WEB_COPY_ALL, "allCopied": words.WEB_ALL_COPIED,
    "sheetGivenBy": words.WEB_SHEET_GIVEN_BY, "sheetNote": words.WEB_SHEET_NOTE,
    "sheetCheck": words.WEB_SHEET_CHECK, "qrHint": words.WEB_QR_HINT, "deskName": "",
}
"""Everything the page says, sent to it as data: no French is typed in app.js."""
QR_SCALE, QR_BORDER = 3, 2
"""A QR code's module size (px) and quiet zone (modules): readable on paper at about 2.5 cm."""


class BadRequest(web.HTTPBadRequest):
    """A 400 whose French ``message`` the error middleware puts in the JSON body."""

    def __init__(self, message: str, code: str = "bad_request") -> None:
        super().__init__(reason="Bad Request")
        self.message, self.code = message, code


class Forbidden(web.HTTPForbidden):
    """A 403 whose French ``message`` the error middleware puts in the JSON body."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(reason="Forbidden")
        self.message, self.code = message, code


def render_page(app: web.Application) -> str:
    """The chat page: the template with its strings (the desk's name included) as a JSON data block
    and versioned asset URLs."""
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    static = app.router["static"]
    strings = {**STRINGS, "deskName": app[SETTINGS].desk_name}
    # Inside <script type="application/json">, "<" could close the element: escape it as JSON does allow.
    data = json.dumps(strings, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")
    page = template.replace("{{strings}}", data).replace("{{title}}", words.WEB_TITLE)
    for name in ("app.js", "style.css", "print.css"):
        page = page.replace("{{" + name + "}}", str(static.url_for(filename=name)))
    return page


async def index(request: web.Request) -> web.Response:
    """The one-page chat, its footer saying whose data is served and of when (it changes with a rebuild)."""
    page = request.app[PAGE].replace("{{attribution}}", html.escape(request.app[CONVERSATION].attribution()))
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-cache"})


async def healthz(request: web.Request) -> web.Response:
    """Alive, and serving an index (503 while none is built)."""
    store = request.app[CONVERSATION].engine.store
    return web.json_response({"status": "ok", "version": store.version})


async def status(request: web.Request) -> web.Response:
    """The index being served: version, number of places, when it was built, from which sources, and
    the data's date and age (``data``: a snapshot standing in for an unreachable hub says so)."""
    conversation = request.app[CONVERSATION]
    meta = conversation.engine.store.meta
    sources = [{"name": public_name(str(s.get("location", ""))), "format": s.get("format", ""),
                "places": s.get("places")} for s in meta.get("sources", []) if isinstance(s, dict)]
    served = served_source(meta)
    fallback = served.fallback and {"url": public_name(str(served.fallback.get("url", ""))),
                                    "snapshot": public_name(str(served.fallback.get("snapshot", "")))}
    data = {"publisher": served.publisher, "date": served.date, "age_days": served.age_days,
            "fallback": fallback, "attribution": conversation.attribution()}
    return web.json_response({"version": meta.get("version"), "places": meta.get("places"),
                              "built_at": meta.get("built_at"), "sources": sources, "data": data})


async def strings(request: web.Request) -> web.Response:
    """The page's wording, for other clients (the page itself has it inline)."""
    return web.json_response(STRINGS)


async def chat(request: web.Request) -> web.Response:
    """One message of a conversation: ``{message, lat?, lon?, session?, more?}`` -> reply, cards, session."""
    body = await _json_object(request)
    message = _text(body.get("message"), "message")
    location = _location(body.get("lat"), body.get("lon"))
    more = body.get("more", False)
    if not isinstance(more, bool):
        raise BadRequest("« more » doit valoir true ou false.", "bad_more")
    token = body.get("session")
    if token is None or token == "":
        token = new_session()
    elif not isinstance(token, str) or not SESSION.fullmatch(token):
        raise BadRequest("Session invalide.", "bad_session")
    if not (message.strip() or location or more):
        raise BadRequest(words.WEB_QUESTION_MISSING, "missing_message")
    conversation = request.app[CONVERSATION]
    key = f"web:{token}"
    origin = client_address(request, request.app[SETTINGS].proxies)  # bounds the new conversations it starts
    reply = conversation.more(key) if more else conversation.handle(key, message, location, origin=origin)
    return _reply(reply, session=token)


def new_session() -> str:
    """A fresh conversation token: random, so nobody can guess another desk's conversation."""
    return secrets.token_urlsafe(16)


async def search(request: web.Request) -> web.Response:
    """A stateless search: ``?q=&lat=&lon=&limit=&offset=``."""
    query = request.query
    text = _text(query.get("q", ""), "q")
    location = _location(_number(query.get("lat"), "lat"), _number(query.get("lon"), "lon"))
    limit = _integer(query.get("limit"), "limit", 10, 1, MAX_LIMIT)
    offset = _integer(query.get("offset"), "offset", 0, 0, MAX_HITS)
    if not (text.strip() or location):
        raise BadRequest(words.WEB_QUESTION_MISSING, "missing_message")
    return _reply(request.app[CONVERSATION].search(text, location, limit=limit, offset=offset))


async def place(request: web.Request) -> web.Response:
    """One place of the current index by id; 404 when the index does not hold it."""
    place_id = request.match_info["id"]
    card = request.app[CONVERSATION].card(place_id) if PLACE_ID.fullmatch(place_id) else None
    if card is None:
        raise web.HTTPNotFound(reason="Not Found")
    return web.json_response(card.to_dict())


async def place_qr(request: web.Request) -> web.Response:
    """A QR code (SVG) of one place's map link, for the referral sheet; 404 for an unknown place."""
    place_id = request.match_info["id"]
    card = request.app[CONVERSATION].card(place_id) if PLACE_ID.fullmatch(place_id) else None
    if card is None:
        raise web.HTTPNotFound(reason="Not Found")
    out = io.BytesIO()
    segno.make(card.map_url, error="m").save(out, kind="svg", scale=QR_SCALE, border=QR_BORDER, xmldecl=False,
                                             title=card.name)
    return web.Response(body=out.getvalue(), content_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=3600"})


def _require_admin(request: web.Request) -> None:
    """Let only a bearer of the admin token through; 404 when no token is configured."""
    token = request.app[SETTINGS].admin_token
    if not token:
        # No token configured: the endpoint does not exist, rather than answering to an empty secret.
        raise web.HTTPNotFound(reason="Not Found")
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    # Constant-time comparison, so the token cannot be guessed byte by byte from response times.
    if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode(), token.encode()):
        raise web.HTTPUnauthorized(reason="Unauthorized", headers={"WWW-Authenticate": 'Bearer realm="orienteur"'})


REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; " \
    "frame-ancestors 'none'"
"""The report is one page with its CSS inline and no script: it may style itself and do nothing else."""


async def report(request: web.Request) -> web.Response:
    """The maintainers' report (``?days=N`` of questions, 30 by default) on the version served now."""
    _require_admin(request)
    days = _integer(request.query.get("days"), "days", 30, 1, 3660)
    settings, store = request.app[SETTINGS], request.app[CONVERSATION].engine.store

    def make() -> str:
        asked = AskedLog.from_settings(settings)
        try:
            return render_report(build_report(store, asked, days))
        finally:
            if asked:
                asked.close()

    page = await asyncio.to_thread(make)  # a second of CPU: off the event loop
    return web.Response(text=page, content_type="text/html",
                        headers={"Content-Security-Policy": REPORT_CSP, "Cache-Control": "no-store"})


async def rebuild(request: web.Request) -> web.Response:
    """Run the rebuild job (``{sources?, force?}``, in a process of its own) for a bearer of the admin
    token and answer its report; 404 when there is no token."""
    _require_admin(request)
    body = await _json_object(request, empty_ok=True)
    sources = body.get("sources")
    if sources is not None and not (isinstance(sources, list) and sources
                                    and all(isinstance(s, str) and s.strip() for s in sources)):
        raise BadRequest("« sources » doit être une liste de chemins ou d'adresses.", "bad_sources")
    settings = request.app[SETTINGS]
    if sources is not None and (unknown := [s for s in sources if not allowed_source(s, settings)]):
        # A token leak must not turn into reading any file the service can read (/etc/shadow).
        log.warning("admin rebuild refused: %d source(s) neither configured nor in ORIENTEUR_REBUILD_FOLDER",
                    len(unknown))
        raise Forbidden(words.WEB_FORBIDDEN_SOURCE, "source_not_allowed")
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise BadRequest("« force » doit valoir true ou false.", "bad_force")
    engine = request.app[CONVERSATION].engine
    outcome = await run_rebuild_process(settings, sources, force)
    status = {"locked": 409, "refused": 422, "failed": 500}.get(outcome.get("status"), 200)
    if status != 200:
        error = outcome.get("error") or outcome.get("message", "")
        return web.json_response({"error": error, "code": outcome["status"]}, status=status)
    await asyncio.to_thread(engine.refresh)  # serve it now rather than at the watcher's next look
    return web.json_response(outcome)


async def run_rebuild_process(settings: Settings, sources: list[str] | None, force: bool) -> dict:
    """``orienteur rebuild --json`` in a process of its own, so that building never slows the
    searches of this one; its report, or ``{status: locked|refused|failed, error}``."""
    args = [sys.executable, "-m", "index.cli", "rebuild", "--json", "--wait", "0"]
    args += [f"--source={s}" for s in sources or ()] + (["--force"] if force else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORIENTEUR_")} | settings.to_env()
    # Its log lines go where ours go (stderr); its report comes on stdout.
    process = await asyncio.create_subprocess_exec(*args, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                   stdout=asyncio.subprocess.PIPE)
    # Shielded: a client that hangs up does not leave the rebuild blocked on a pipe nobody reads.
    reading = asyncio.ensure_future(process.communicate())
    try:
        out, _ = await asyncio.wait_for(asyncio.shield(reading), REBUILD_TIMEOUT)
    except TimeoutError:
        process.kill()
        await reading
        log.error("orienteur rebuild took more than %d s and was stopped", REBUILD_TIMEOUT)
        return {"status": "failed", "error": f"the rebuild took more than {REBUILD_TIMEOUT} s"}
    try:
        outcome = json.loads(out)
    except ValueError:
        outcome = None
    if not isinstance(outcome, dict) or "status" not in outcome:
        log.error("orienteur rebuild exited %s without a report", process.returncode)
        return {"status": "failed", "error": f"orienteur rebuild exited {process.returncode} without a report"}
    return outcome


def allowed_source(source: str, settings: Settings) -> bool:
    """May ``POST /admin/rebuild`` name ``source``? One of ``ORIENTEUR_SOURCE``, or a file inside
    ``ORIENTEUR_REBUILD_FOLDER`` (after resolving links and ``..``); nothing else, URLs included."""
    source = source.strip()
    if source in settings.sources:
        return True
    if not settings.rebuild_folder or is_url(source) or "://" in source:
        return False
    folder = Path(settings.rebuild_folder).expanduser().resolve()
    return Path(source).expanduser().resolve().is_relative_to(folder)


def _reply(reply: Reply, **extra) -> web.Response:
    status = 503 if reply.kind == "unavailable" else 200
    return web.json_response({**reply.to_dict(), **extra}, status=status)


async def _json_object(request: web.Request, empty_ok: bool = False) -> dict:
    raw = await request.read()  # bounded by client_max_size: a larger body raises 413
    if not raw.strip() and empty_ok:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested thousands deep
        raise BadRequest("Le corps de la demande doit être un objet JSON.", "bad_json") from None
    if not isinstance(body, dict):
        raise BadRequest("Le corps de la demande doit être un objet JSON.", "bad_json")
    return body


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"« {name} » doit être du texte.", "bad_type")
    if len(value) > MAX_MESSAGE:
        raise BadRequest(replies.MESSAGE_TOO_LONG, "message_too_long")
    # Control characters (NUL above all) have no place in a question.
    return "".join(c if c.isprintable() or c in "\n\t" else " " for c in value)


def _number(value: str | None, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise BadRequest(f"« {name} » doit être un nombre.", "bad_type") from None


def _integer(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"« {name} » doit être un nombre entier.", "bad_type") from None
    if not low <= number <= high:
        raise BadRequest(f"« {name} » doit être entre {low} et {high}.", "out_of_range")
    return number


def _location(lat: object, lon: object) -> tuple[float, float] | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise BadRequest("« lat » et « lon » vont ensemble.", "bad_location")
    for value in (lat, lon):
        # bool is an int to Python, not a coordinate to anyone.
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise BadRequest("« lat » et « lon » doivent être des nombres.", "bad_location")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadRequest("Position hors du globe.", "bad_location")
    return float(lat), float(lon)

