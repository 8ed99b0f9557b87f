"""One small async function per intent: Telegram in, ``Conversation`` call, rendered reply out.

What is answered, and what is ignored on purpose:

- Private chats: every message gets an answer. Text (also an *edited* text, answered anew:
  fixing a typo is how people retry) and locations go to the conversation; commands
  /start, /aide (/help), /proche; an unknown command gets a pointer to /aide; a photo,
  sticker, voice note, document, contact… gets ``words.UNSUPPORTED``; a text too long to
  be a question gets ``replies.MESSAGE_TOO_LONG``.
- Groups: the bot speaks only when spoken to: a command, a message that mentions it, or
  a reply to one of its messages. Everything else in a group is ignored on purpose (with
  privacy mode on, Telegram does not even deliver it), so the bot never talks over people.
  The group shares one conversation (its follow-ups refine the group's last search).
- Ignored on purpose everywhere: channel posts, edits of anything but text (a live
  location's updates), service messages, the cards the bot itself sent through inline
  mode, messages from other bots, and update types with no handler (chat member changes…).
- One message per answer. Its buttons edit that message: a number into the place's full card,
  "Retour" back into the list, "Plus" into the next page; "Y aller" sends the place as a venue;
  a refinement ("Ouvert samedi"…) is asked as if typed and answered with a new message. Buttons
  act only while they belong to the chat's current search (else a short note); any other stale
  or unknown callback gets that note.
- Private chats keep a persistent "📍 Autour de moi" keyboard (sent with /start, /aide, /proche
  and answers that list no place); groups never get a reply keyboard.
- Any exception reaches ``on_error``: logged with its update's context, and the user is
  told ``replies.ERROR``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import (
    BotCommand,
    CallbackQuery,
    Chat,
    InlineQueryResultsButton,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import render, words
from bot.render import Outgoing
from index.conversation import MAX_MESSAGE, Conversation, Reply, replies
from index.engine import MAX_HITS

log = logging.getLogger(__name__)

INLINE_PAGE = 10
"""Cards per inline answer; Telegram asks for the next page with ``offset``."""
INLINE_OFFSET = re.compile(r"[0-9]{1,3}")
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
"""Seconds between attempts to send after a network error: about 30 s in all."""

COMMANDS = (
    BotCommand("start", words.COMMAND_START),
    BotCommand("aide", words.COMMAND_HELP),
    BotCommand("proche", words.COMMAND_NEAR),
)


@dataclass
class BotData:
    """The application's shared state (``context.bot_data``), typed."""

    conversation: Conversation | None = None
    reload_interval: float = 2.0
    watcher: asyncio.Task | None = None
    """The index reload watcher, started in ``post_init``, cancelled in ``post_stop``."""


Context = CallbackContext[ExtBot[None], dict, dict, BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)

T = TypeVar("T")


def key(chat: Chat) -> str:
    """The conversation of a chat (a group shares one)."""
    return f"tg:{chat.id}"


def conversation_of(context: Context) -> Conversation:
    conversation = context.bot_data.conversation
    if conversation is None:  # build_application sets it; a handler without it is a wiring bug
        raise RuntimeError("the application has no conversation")
    return conversation


async def deliver(call: Callable[[], Awaitable[T]], what: str, delays: tuple[float, ...] = RETRY_DELAYS) -> T:
    """Make a Bot API call, again after network errors and time-outs, so that a reply is not lost.

    A time-out may hide a message that did arrive: a rare duplicate beats a lost answer.
    429s are waited out by the rate limiter; a refused request (``BadRequest``) is not retried.
    """
    for delay in (*delays, None):
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as exc:  # TimedOut included
            if delay is None:
                raise
            log.warning("%s failed (%s); trying again in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def send(context: Context, chat: Chat, outgoing: list[Outgoing], reply_to: Message | None = None) -> None:
    """Send messages in order; in a group the first one answers the message that asked."""
    parameters = None
    if reply_to is not None and chat.type != ChatType.PRIVATE:
        parameters = ReplyParameters(reply_to.message_id, allow_sending_without_reply=True)
    for out in outgoing:
        await deliver(lambda out=out, parameters=parameters: context.bot.send_message(
            chat.id, out.text, parse_mode=ParseMode.HTML, reply_markup=out.markup,
            link_preview_options=render.NO_PREVIEW, reply_parameters=parameters), "sendMessage")
        parameters = None


async def answer(update: Update, context: Context, outgoing: list[Outgoing]) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send(context, chat, outgoing, reply_to=update.effective_message)


def private_keyboard(chat: Chat | None):
    """The persistent "Autour de moi" keyboard, in private chats only (Telegram allows it nowhere else)."""
    return render.around_keyboard() if chat is not None and chat.type == ChatType.PRIVATE else None


async def answer_reply(update: Update, context: Context, reply: Reply) -> None:
    """A conversation ``Reply`` as one message; one without places carries the private keyboard."""
    chat = update.effective_chat
    if chat is not None:
        await send(context, chat, [render.answer(reply, private_keyboard(chat))], reply_to=update.effective_message)


# -- what reaches the handlers ------------------------------------------------------------------

def addressed(message: Message, bot: ExtBot) -> bool:
    """In a group: a command, a message naming @the_bot, or a reply to one of the bot's messages."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    entities = message.parse_entities([MessageEntity.BOT_COMMAND, MessageEntity.MENTION])
    mention = f"@{bot.username}".lower()
    return any(
        (entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0) or value.lower() == mention
        for entity, value in entities.items()
    )


def words_of(message: Message, bot: ExtBot) -> str:
    """The message's text without the @mention of the bot."""
    text = message.text or ""
    for value in message.parse_entities([MessageEntity.MENTION]).values():
        if value.lower() == f"@{bot.username}".lower():
            text = text.replace(value, " ")
    return " ".join(text.split())


async def gate(update: Update, context: Context) -> None:
    """Stop, on purpose, the updates the bot must not answer (see the module docstring)."""
    if update.channel_post or update.edited_channel_post:
        raise ApplicationHandlerStop
    message = update.message or update.edited_message
    if message is None:
        return
    if message.via_bot is not None and message.via_bot.id == context.bot.id:
        raise ApplicationHandlerStop  # a card sent with inline mode: not a question
    if message.from_user is not None and message.from_user.is_bot:
        raise ApplicationHandlerStop
    if not addressed(message, context.bot):
        raise ApplicationHandlerStop


# -- commands ---------------------------------------------------------------------------------

async def start(update: Update, context: Context) -> None:
    """/start: the welcome and three example questions as buttons (/start aide: the help)."""
    keyboard = private_keyboard(update.effective_chat)
    if context.args and context.args[0] == "aide":
        await help_command(update, context)
        return
    welcome = render.welcome()
    if keyboard is None:
        await answer(update, context, [welcome])
        return
    # A message holds one keyboard: the persistent one rides on the help, the examples on the welcome.
    await answer(update, context, [welcome, render.Outgoing(render.text_html(help_text(context)), keyboard)])


async def help_command(update: Update, context: Context) -> None:
    """/aide: how to ask, and where the data comes from; the private keyboard rides on it."""
    await answer(update, context, [render.Outgoing(render.text_html(help_text(context)),
                                                   private_keyboard(update.effective_chat))])


def help_text(context: Context) -> str:
    """How to ask, then who publishes the data and its month."""
    about = conversation_of(context).attribution()
    return f"{replies.HELP}\n\n{about}" if about else replies.HELP

async def near(update: Update, context: Context) -> None:
    """/proche: ask for the user's position with a button (Telegram offers it in private chats only)."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await answer(update, context, [render.plain(words.NEAR_PRIVATE_ONLY)])
        return
    await answer(update, context, [render.ask_location()])


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: point to /aide."""
    await answer(update, context, [render.plain(words.UNKNOWN_COMMAND)])


# -- messages ---------------------------------------------------------------------------------

async def text(update: Update, context: Context) -> None:
    """A question or a follow-up in words; an edited message is answered as a new one."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    reply = conversation_of(context).handle(key(chat), words_of(message, context.bot))
    await answer_reply(update, context, reply)


async def location(update: Update, context: Context) -> None:
    """A shared position: the nearest places; the position is kept for the next questions."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.location is None:
        return
    where = (message.location.latitude, message.location.longitude)
    await answer_reply(update, context, conversation_of(context).handle(key(chat), location=where))


async def unsupported(update: Update, context: Context) -> None:
    """A photo, sticker, voice note, document…: say what the bot reads."""
    await answer(update, context, [render.plain(words.UNSUPPORTED)])


# -- buttons ----------------------------------------------------------------------------------

async def acknowledge(query: CallbackQuery, note: str | None = None) -> None:
    """Answer a button press (stops its spinner); a press too old to answer is no failure."""
    try:
        await deliver(lambda: query.answer(note), "answerCallbackQuery", RETRY_DELAYS[:2])
    except BadRequest as exc:
        log.info("callback %s not answered: %s", query.id, exc)


def current_page(context: Context, chat: Chat, offset: int, fp: str) -> Reply | None:
    """The page at ``offset`` of the chat's current search, if ``fp`` is that search's fingerprint.

    The page says what it searched (``understood``: its search's ``describe()``), so the session is
    loaded once; a stale button costs a search rather than a second load for every current one."""
    reply = conversation_of(context).page(key(chat), offset)
    if reply is None or not reply.cards or render.fingerprint(reply.understood) != fp:
        return None
    return reply


async def edit(query: CallbackQuery, outgoing: Outgoing) -> None:
    """Turn the pressed message into ``outgoing``; an unchanged or vanished message is no failure."""
    try:
        await deliver(lambda: query.edit_message_text(outgoing.text, parse_mode=ParseMode.HTML,
                                                      reply_markup=outgoing.markup,
                                                      link_preview_options=render.NO_PREVIEW),
                      "editMessageText")
    except BadRequest as exc:
        log.info("message not edited: %s", exc)


async def more_button(update: Update, context: Context) -> None:
    """"Plus": the answer's message becomes the next page, while it is the chat's current search."""
    query = update.callback_query
    chat = update.effective_chat
    match = context.match
    if query is None or chat is None or match is None:
        if query is not None:
            await acknowledge(query, words.STALE_BUTTON)
        return
    conversation = conversation_of(context)
    current, shown = conversation.position(key(chat))
    if current is None:  # the conversation was forgotten (expired, or the bot restarted): say so
        await acknowledge(query)
        await send(context, chat, [render.plain(replies.NO_PREVIOUS)])
        return
    if shown != int(match.group(1)) or render.fingerprint(current.describe()) != match.group(2):
        await acknowledge(query, words.STALE_BUTTON)
        return
    await acknowledge(query)
    await edit(query, render.answer(conversation.more(key(chat))))


async def place_button(update: Update, context: Context) -> None:
    """A numbered button: the message becomes that place's full card. "Y aller": the place as a venue."""
    query = update.callback_query
    chat = update.effective_chat
    match = context.match
    reply = current_page(context, chat, int(match.group(2)), match.group(4)) if chat and match else None
    index = int(match.group(3)) if match else -1
    if query is None or reply is None or not 0 <= index < len(reply.cards):
        if query is not None:
            await acknowledge(query, words.STALE_BUTTON)
        return
    await acknowledge(query)
    card = reply.cards[index]
    if match.group(1) == "card":
        await edit(query, render.full_card(reply, index))
    elif card.lat is not None and card.lon is not None:
        await deliver(lambda: context.bot.send_venue(
            chat.id, card.lat, card.lon, render.clip(card.name, 100),
            render.clip(card.address or card.commune or card.name, 100)), "sendVenue")


async def list_button(update: Update, context: Context) -> None:
    """"Retour": the full card becomes the list it was opened from."""
    query = update.callback_query
    chat = update.effective_chat
    match = context.match
    reply = current_page(context, chat, int(match.group(1)), match.group(2)) if chat and match else None
    if query is None or reply is None:
        if query is not None:
            await acknowledge(query, words.STALE_BUTTON)
        return
    await acknowledge(query)
    await edit(query, render.answer(reply))


async def ask_as_typed(update: Update, context: Context, choices: tuple[str, ...]) -> None:
    """A button standing for words (``choices[n]``, n from its data): asked as if typed, answered anew."""
    query = update.callback_query
    chat = update.effective_chat
    n = int(context.match.group(1)) if context.match else -1
    if query is None or chat is None or not 0 <= n < len(choices):
        if query is not None:
            await acknowledge(query, words.STALE_BUTTON)
        return
    await acknowledge(query)
    reply = conversation_of(context).handle(key(chat), choices[n])
    await send(context, chat, [render.answer(reply, private_keyboard(chat))])


async def refine_button(update: Update, context: Context) -> None:
    """A refinement ("Ouvert samedi", "Pour les jeunes", "Autour de moi")."""
    await ask_as_typed(update, context, tuple(said for _, said, _ in replies.REFINEMENTS))


async def example_button(update: Update, context: Context) -> None:
    """One of /start's example questions."""
    await ask_as_typed(update, context, replies.EXAMPLES)


async def stale_button(update: Update, context: Context) -> None:
    """A button whose data this bot no longer knows (an old version's, or forged): a short note."""
    if update.callback_query is not None:
        await acknowledge(update.callback_query, words.STALE_BUTTON)


# -- inline mode ------------------------------------------------------------------------------

async def inline_query(update: Update, context: Context) -> None:
    """``@bot atelier gers`` in any chat: place cards to pick and send ("Partager" lands here too)."""
    query = update.inline_query
    if query is None:
        return
    text = " ".join(query.query.split())[:MAX_MESSAGE]
    conversation = conversation_of(context)
    offset = inline_offset(query.offset)
    if offset is None:  # not an offset this bot gave: no page, rather than a guess
        await deliver(lambda: query.answer([], cache_time=30, next_offset=""), "answerInlineQuery", RETRY_DELAYS[:2])
        return
    where = (query.location.latitude, query.location.longitude) if query.location else None
    cards, more = [], False
    if text:
        reply = conversation.search(text, location=where, limit=INLINE_PAGE, offset=offset)
        cards, more = reply.cards, reply.more
    button = None
    if not cards and offset == 0:
        caption = words.INLINE_NOTHING if text else words.INLINE_HINT
        button = InlineQueryResultsButton(render.clip(caption, 64), start_parameter="aide")
    next_offset = str(offset + len(cards)) if more else ""
    await deliver(lambda: query.answer(render.inline_results(cards), cache_time=30, is_personal=where is not None,
                                       next_offset=next_offset, button=button),
                  "answerInlineQuery", RETRY_DELAYS[:2])


def inline_offset(text: str) -> int | None:
    """The offset of an inline query: "" is the first page, a number up to ``MAX_HITS`` the one this
    bot gave as ``next_offset``; anything else (-5, ², 1e9) is None."""
    if not text:
        return 0
    if not INLINE_OFFSET.fullmatch(text) or int(text) > MAX_HITS:
        return None
    return int(text)


# -- errors -----------------------------------------------------------------------------------

def describe(update: object) -> str:
    """An update in a few words for the log: id, kind, chat (never the user's text)."""
    if not isinstance(update, Update):
        return repr(update)[:200]
    kinds = [k for k in update.to_dict() if k != "update_id"]
    chat = update.effective_chat
    where = f" in chat {chat.id} ({chat.type})" if chat else ""
    return f"{update.update_id} ({', '.join(kinds) or 'empty'}){where}"


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its update's context, then tell the user something went wrong."""
    error = context.error
    if isinstance(error, Forbidden):  # the user blocked the bot, or it was removed from the group
        log.warning("update %s: Telegram refused: %s", describe(update), error)
        return
    log.error("update %s could not be handled", describe(update), exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat = update.effective_chat
    if chat.type == ChatType.CHANNEL:
        return
    try:
        if update.callback_query is not None:
            await acknowledge(update.callback_query)
        await deliver(lambda: context.bot.send_message(chat.id, render.text_html(replies.ERROR),
                                                       parse_mode=ParseMode.HTML),
                      "sendMessage", RETRY_DELAYS[:3])
    except TelegramError as exc:
        log.warning("could not tell chat %s about the failure: %s", chat.id, exc)


def register(application: Application) -> None:
    """Every handler, in the order they are tried, and the error handler."""
    new = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    texts = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handlers([
        CommandHandler("start", start, filters=new),
        CommandHandler(["aide", "help"], help_command, filters=new),
        CommandHandler("proche", near, filters=new),
        MessageHandler(filters.COMMAND & new & private, unknown_command),
        MessageHandler(filters.TEXT & ~filters.COMMAND & texts, text),
        MessageHandler(filters.LOCATION & new, location),
        CallbackQueryHandler(more_button, pattern=render.MORE_DATA),
        CallbackQueryHandler(place_button, pattern=render.PLACE_DATA),
        CallbackQueryHandler(list_button, pattern=render.LIST_DATA),
        CallbackQueryHandler(refine_button, pattern=render.REFINE_DATA),
        CallbackQueryHandler(example_button, pattern=render.EXAMPLE_DATA),
        CallbackQueryHandler(stale_button),
        InlineQueryHandler(inline_query),
        MessageHandler(new & private & ~filters.StatusUpdate.ALL, unsupported),
    ])
    application.add_error_handler(on_error)
