"""A ``Reply`` as Telegram messages: HTML text and buttons, every value escaped here, last.

One message per answer: the conversation's sentence and up to three compact entries (name,
open now, distance, phone), with numbered buttons that turn that same message into a place's
full card and back, "Plus" turning it into the next page, and the refinements the
conversation offers. A full card carries "Y aller" (the place sent as a venue, so the phone
opens its maps app), the map link and "Partager". At most four emojis on a card. Values are
clipped before they are escaped (a cut never splits an entity) and a card that would still
pass Telegram's 4096 characters drops its least useful lines first. Callback data stays far
below the 64-byte limit.

Sentences come from ``index.conversation.replies``; the words only Telegram shows from ``bot.words``.
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
)
from telegram.constants import InlineQueryLimit, InlineQueryResultLimit, MessageLimit, ParseMode

from bot import words
from index.cards import Card
from index.conversation import Reply, replies

MAX_FIELD = 300
"""Characters kept of any one value (a name, an address, one day's hours)."""
MAX_LIST = 8
"""Items kept of a list (services, publics, reasons)."""
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
"""Cards carry several links; a preview of the first one would only push the card off screen."""
MORE_DATA = re.compile(r"plus:(\d{1,6}):([0-9a-f]{8})\Z")
"""Callback data of "Plus": the offset of the next page and a fingerprint of the search."""
PLACE_DATA = re.compile(r"(card|go):(\d{1,6}):(\d):([0-9a-f]{8})\Z")
"""A numbered button (``card``) or "Y aller" (``go``): the page's offset, the place on it, the search."""
LIST_DATA = re.compile(r"list:(\d{1,6}):([0-9a-f]{8})\Z")
""""Retour": the page (its offset) a full card was opened from."""
REFINE_DATA = re.compile(r"ref:(\d)\Z")
EXAMPLE_DATA = re.compile(r"ex:(\d)\Z")

STATE_MARKS = {"open": "🟢", "closed": "🔴", "unknown": "⚪"}

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


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


def _badge(card: Card) -> str:
    """« 🟢 Ouvert · jusqu'à 17 h »: the open-now state, its one emoji first."""
    return f"{STATE_MARKS.get(card.open_state, STATE_MARKS['unknown'])} {esc(card.open_now, 120)}"


def entry_html(card: Card, n: int) -> str:
    """A place in an answer's list: number and name, open now and distance, phone (two emojis)."""
    lines = [f"<b>{n}. {esc(card.name, 120)}</b>"]
    lines.append(" · ".join(x for x in (_badge(card), esc(card.distance_text, 60)) if x))
    if card.phone:
        lines.append(f"☎️ {esc(card.phone, 60)}")
    if card.restrictions:
        lines.append(f"<i>{esc(' · '.join(card.restrictions), 120)}</i>")
    return "\n".join(lines)


def answer_html(reply: Reply) -> str:
    """The one message of an answer: its sentence, then each place's short entry; places shown
    only to fill the page come under their label."""
    parts = [text_html(reply.text)]
    labelled = False
    for n, card in enumerate(reply.cards, 1):
        if not card.matches and reply.padded_label and not labelled:
            parts.append(f"<i>{esc(reply.padded_label)} :</i>")
            labelled = True
        parts.append(entry_html(card, reply.offset + n))
    return clip_html("\n\n".join(parts))


def card_html(card: Card, limit: int = MessageLimit.MAX_TEXT_LENGTH, field: int = MAX_FIELD) -> str:
    """The full card, in the order people act on it: name; open now and today's hours; distance
    and address; phone; restrictions; then hours of the week, services and the source. Four
    emojis at most.

    Too long, it drops its least useful sections; still too long, its values are clipped
    shorter: every line stays whole, so no tag is ever left open.
    """
    head = [f"<b>{esc(card.name, field)}</b>"]
    today = f" — {esc(replies.TODAY_LABEL)} {esc(card.today, field)}" if card.today and card.open_state != "unknown" \
        else ""
    head.append(_badge(card) + today)
    where = " · ".join(x for x in (esc(card.distance_text, field), esc(card.address, field)) if x)
    if where:
        head.append(f"📍 {where}")
    contact = [f"☎️ {esc(card.phone, 60)}"] if card.phone else []
    contact += [esc(v, 200) for v in (card.email, card.website) if v]
    restrictions = [f"<b>{esc(' · '.join(card.restrictions), field)}</b>"] if card.restrictions else []
    week = []
    if card.week:
        week = [f"{esc(replies.HOURS_LABEL)} : " + " ; ".join(f"{esc(d, 20)} {esc(h, field)}" for d, h in card.week)]
    if card.hours_note and card.hours_note not in card.restrictions:
        week.append(esc(card.hours_note, field))
    services = [f"{esc(replies.SERVICES_LABEL)} : {_items(card.services)}"] if card.services else []
    source = [f"<i>{esc(' · '.join(x for x in (card.freshness, card.provenance) if x), field)}</i>"] \
        if card.freshness or card.provenance else []
    # Least useful last: dropped first when the card would be too long.
    sections = [head, contact, restrictions, week, services, source]
    while True:
        text = "\n".join(line for section in sections for line in section)
        if len(text) <= limit:
            return text
        if len(sections) == 1:
            return card_html(card, limit, field // 2) if field > 20 else clip_html(html.escape(clip(card.name, 100)))
        sections.pop()


def share_query(card: Card) -> str:
    """What "Partager" types after the bot's name: the place's name and town, never an internal id."""
    return clip(" ".join(x for x in (card.name, card.commune) if x), InlineQueryLimit.MAX_QUERY_LENGTH)


def _url_ok(url: str) -> bool:
    return url.startswith(("https://", "http://")) and len(url) < 2048 and not any(c.isspace() for c in url)


def card_keyboard(card: Card, share: bool = True) -> InlineKeyboardMarkup:
    """A card sent on its own (inline mode): map and directions links, "Partager"."""
    links = [InlineKeyboardButton(caption, url=url) for caption, url in
             ((replies.MAP_BUTTON, card.map_url), (replies.DIRECTIONS_BUTTON, card.directions_url)) if _url_ok(url)]
    rows = [links] if links else []
    if share:
        rows.append([InlineKeyboardButton(words.SHARE_BUTTON, switch_inline_query=share_query(card))])
    return InlineKeyboardMarkup(rows)


def fingerprint(understood: str) -> str:
    return f"{zlib.crc32(understood.encode()):08x}"


def more_data(reply: Reply) -> str:
    """Callback data of the reply's "Plus": where the next page starts, and which search."""
    return f"plus:{reply.offset + len(reply.cards)}:{fingerprint(reply.understood)}"


def answer_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Numbered buttons opening each place, "Plus" when there is more, then the refinements."""
    fp = fingerprint(reply.understood)
    rows = []
    numbers = [InlineKeyboardButton(str(reply.offset + n), callback_data=f"card:{reply.offset}:{n - 1}:{fp}")
               for n in range(1, len(reply.cards) + 1)]
    if reply.more:
        numbers.append(InlineKeyboardButton(words.MORE_CAPTION, callback_data=more_data(reply)))
    if numbers:
        rows.append(numbers)
    if reply.cards and reply.refinements:
        rows.append([InlineKeyboardButton(replies.REFINEMENTS[i][0], callback_data=f"ref:{i}")
                     for i in reply.refinements])
    return InlineKeyboardMarkup(rows) if rows else None


def full_card_keyboard(card: Card, reply: Reply, index: int) -> InlineKeyboardMarkup:
    """Under a full card: "Y aller" (a venue) and the map, "Partager", and back to the list."""
    fp = fingerprint(reply.understood)
    first = []
    if card.lat is not None and card.lon is not None:
        first.append(InlineKeyboardButton(words.GO_BUTTON, callback_data=f"go:{reply.offset}:{index}:{fp}"))
    if _url_ok(card.map_url):
        first.append(InlineKeyboardButton(replies.MAP_BUTTON, url=card.map_url))
    second = [InlineKeyboardButton(words.SHARE_BUTTON, switch_inline_query=share_query(card)),
              InlineKeyboardButton(words.BACK_BUTTON, callback_data=f"list:{reply.offset}:{fp}")]
    return InlineKeyboardMarkup([row for row in (first, second) if row])


def answer(reply: Reply, markup: Markup | None = None) -> Outgoing:
    """The answer's one message; with no place to list, ``markup`` (a reply keyboard) may ride on it."""
    keyboard = answer_keyboard(reply)
    return Outgoing(answer_html(reply), keyboard if keyboard is not None else markup)


def full_card(reply: Reply, index: int) -> Outgoing:
    card = reply.cards[index]
    return Outgoing(card_html(card), full_card_keyboard(card, reply, index))


def welcome() -> Outgoing:
    """The welcome and three example questions as buttons."""
    buttons = [[InlineKeyboardButton(clip(q, 60), callback_data=f"ex:{i}")] for i, q in enumerate(replies.EXAMPLES)]
    return Outgoing(text_html(replies.WELCOME), InlineKeyboardMarkup(buttons))


def around_keyboard() -> ReplyKeyboardMarkup:
    """The persistent keyboard of private chats: one button that shares the user's position."""
    button = KeyboardButton(words.AROUND_ME_KEY, request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, is_persistent=True)


def ask_location() -> Outgoing:
    return Outgoing(text_html(words.ASK_LOCATION), around_keyboard())


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
