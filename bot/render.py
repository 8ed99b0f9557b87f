"""A ``Reply`` as Telegram messages: HTML text and buttons, every value escaped here, last.

One message says what was understood (``Reply.text``), then one message per card, each
with its own buttons (map, directions, share) right under it, so that a card forwarded to
the person being helped carries its links; the last card holds "Plus de résultats" when
the search has more. Values are clipped before they are escaped (a cut never splits an
entity) and a card that would still pass Telegram's 4096 characters drops its least
useful lines first. Callback data stays far below the 64-byte limit.

No French is written here: sentences and captions come from ``index.conversation.replies``.
"""

from __future__ import annotations

import hashlib
import html
import re
import zlib
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import InlineQueryLimit, InlineQueryResultLimit, MessageLimit, ParseMode

from index.cards import Card
from index.conversation import Reply, replies

MAX_FIELD = 300
"""Characters kept of any one value (a name, an address, one day's hours)."""
MAX_LIST = 8
"""Items kept of a list (services, publics, reasons)."""
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
"""Cards carry several links; a preview of the first one would only push the card off screen."""
MORE_DATA = re.compile(r"plus:(\d{1,6}):([0-9a-f]{8})\Z")
"""Callback data of "Plus de résultats": the offset of the next page and a fingerprint of the search."""
EXAMPLE_DATA = re.compile(r"ex:(\d)\Z")
SHARE_QUERY = re.compile(r"(?s).*#([A-Za-z0-9_.:-]{1,64})")
"""An inline query made by "Partager": the place's name, then ``#`` and its id."""

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Outgoing:
    """One message to send: Telegram HTML and its keyboard."""

    text: str
    markup: Markup | None = None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clip(value: object, limit: int = MAX_FIELD) -> str:
    """Plain text on one line, at most ``limit`` characters (an ellipsis marks a cut)."""
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def esc(value: object, limit: int = MAX_FIELD) -> str:
    """Clip, then escape for Telegram HTML: the only way a value enters a message."""
    return html.escape(clip(value, limit))


def text_html(text: str) -> str:
    """A sentence of the conversation (it may quote the user), escaped, its line breaks kept."""
    lines = [esc(line, 1000) for line in str(text).splitlines()]
    return clip_html("\n".join(lines))


def clip_html(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> str:
    """Escaped text cut below ``limit`` without splitting an entity (tags are not expected here)."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def _items(values: tuple[str, ...]) -> str:
    shown = [clip(v, 80) for v in values[:MAX_LIST]]
    return html.escape(", ".join(shown) + (", …" if len(values) > MAX_LIST else ""))


def card_html(card: Card, limit: int = MessageLimit.MAX_TEXT_LENGTH, field: int = MAX_FIELD) -> str:
    """The card as Telegram HTML: name in bold, then address, distance, contacts, hours, services, why.

    Too long, it drops its least useful sections; still too long, its values are clipped
    shorter: every line stays whole, so no tag is ever left open.
    """
    head = [f"<b>{esc(card.name, field)}</b>"]
    if card.organisation and clip(card.organisation, field) != clip(card.name, field):
        head.append(f"<i>{esc(card.organisation, field)}</i>")
    if card.address:
        head.append(f"📍 {esc(card.address, field)}")
    if card.distance_text:
        head.append(f"🧭 {esc(card.distance_text, field)}")
    contact = []
    if card.phone:
        contact.append(f"☎️ {esc(card.phone, 60)}")
    if card.email:
        contact.append(f"✉️ {esc(card.email, 120)}")
    if card.website:
        contact.append(f"🌐 {esc(card.website, 200)}")
    today = [f"🕘 <b>{esc(replies.TODAY_LABEL.capitalize())}</b>, {esc(card.today, field)}"] if card.today else []
    week = []
    if card.week:
        week = [f"🗓 {esc(replies.HOURS_LABEL)} :"] + [f"  {esc(day, 20)} : {esc(hours, field)}" for day, hours in card.week]
    services = [f"🛠 {esc(replies.SERVICES_LABEL)} : {_items(card.services)}"] if card.services else []
    publics = [f"👥 {esc(replies.PUBLICS_LABEL)} : {_items(card.publics)}"] if card.publics else []
    why = [f"💡 {esc(replies.WHY_LABEL)} : {_items(card.why)}"] if card.why else []
    source = [f"<i>{esc(card.provenance, field)}</i>"] if card.provenance else []
    # Least useful last: dropped first when the card would be too long.
    sections = [head, contact, today, services, week, publics, why, source]
    while True:
        text = "\n".join(line for section in sections for line in section)
        if len(text) <= limit:
            return text
        if len(sections) == 1:
            return card_html(card, limit, field // 2) if field > 20 else clip_html(html.escape(clip(card.name, 100)))
        sections.pop()


def share_query(card: Card) -> str:
    """What "Partager" types after the bot's name: the place's name and, for an exact match, its id."""
    if SHARE_QUERY.fullmatch(f"#{card.id}"):
        name = clip(card.name, InlineQueryLimit.MAX_QUERY_LENGTH - len(card.id) - 2)
        return f"{name} #{card.id}"
    return clip(card.name, InlineQueryLimit.MAX_QUERY_LENGTH)


def _url_ok(url: str) -> bool:
    return url.startswith(("https://", "http://")) and len(url) < 2048 and not any(c.isspace() for c in url)


def card_keyboard(card: Card, more: str | None = None, share: bool = True) -> InlineKeyboardMarkup:
    """Map and directions links, "Partager", and "Plus de résultats" (``more``: its callback data)."""
    links = [InlineKeyboardButton(caption, url=url) for caption, url in
             ((replies.MAP_BUTTON, card.map_url), (replies.DIRECTIONS_BUTTON, card.directions_url)) if _url_ok(url)]
    rows = [links] if links else []
    if share:
        rows.append([InlineKeyboardButton(replies.SHARE_BUTTON, switch_inline_query=share_query(card))])
    if more:
        rows.append([InlineKeyboardButton(replies.MORE_BUTTON, callback_data=more)])
    return InlineKeyboardMarkup(rows)


def fingerprint(understood: str) -> str:
    return f"{zlib.crc32(understood.encode()):08x}"


def more_data(reply: Reply) -> str:
    """Callback data of the reply's "Plus de résultats": where the next page starts, and which search."""
    return f"plus:{reply.offset + len(reply.cards)}:{fingerprint(reply.understood)}"


def messages(reply: Reply, header_markup: Markup | None = None) -> list[Outgoing]:
    """The reply's sentence, then one message per card; the last card offers the next page."""
    out = [Outgoing(text_html(reply.text), header_markup)]
    for n, card in enumerate(reply.cards, 1):
        more = more_data(reply) if reply.more and n == len(reply.cards) else None
        out.append(Outgoing(card_html(card), card_keyboard(card, more)))
    return out


def welcome() -> Outgoing:
    """The welcome and three example questions as buttons."""
    buttons = [[InlineKeyboardButton(clip(q, 60), callback_data=f"ex:{i}")] for i, q in enumerate(replies.EXAMPLES)]
    return Outgoing(text_html(replies.WELCOME), InlineKeyboardMarkup(buttons))


def location_keyboard() -> ReplyKeyboardMarkup:
    """A reply keyboard whose one button shares the user's position."""
    button = KeyboardButton(replies.SEND_LOCATION_BUTTON, request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def ask_location() -> Outgoing:
    return Outgoing(text_html(replies.ASK_LOCATION), location_keyboard())


def plain(text: str) -> Outgoing:
    return Outgoing(text_html(text))


def result_id(card: Card, seen: set[str]) -> str:
    """A result id unique in its answer and at most 64 bytes: the place id, or a digest of it."""
    rid = card.id if 0 < len(card.id.encode()) <= InlineQueryResultLimit.MAX_ID_LENGTH else \
        hashlib.sha256(card.id.encode()).hexdigest()[:40]
    while rid in seen:
        rid = hashlib.sha256(rid.encode()).hexdigest()[:40]
    seen.add(rid)
    return rid


def inline_results(cards: list[Card]) -> list[InlineQueryResultArticle]:
    """One article per card; choosing it sends the card (HTML, escaped) with its links."""
    seen: set[str] = set()
    results = []
    for card in cards:
        description = " · ".join(clip(v, 120) for v in (card.address, card.distance_text, card.today) if v)
        results.append(InlineQueryResultArticle(
            id=result_id(card, seen), title=clip(card.name, 120), description=description or None,
            input_message_content=InputTextMessageContent(card_html(card), parse_mode=ParseMode.HTML,
                                                          link_preview_options=NO_PREVIEW),
            reply_markup=card_keyboard(card),
        ))
    return results
