"""Every kind of update gets a short polite answer or is ignored on purpose, never an exception.

"Ignored" is shown by a sentinel: after the odd update, the same chat sends /aide; the
chat's updates are handled in order, so once the help arrives the odd update is done, and
it must have sent nothing.
"""

from __future__ import annotations

import html
import logging

import pytest

from bot.app import build_application
from index.conversation import Conversation, replies
from tests.bot.conftest import polling

PHOTO = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}]
STICKER = {"file_id": "CAAC", "file_unique_id": "AgAD", "type": "regular", "width": 512, "height": 512,
           "is_animated": False, "is_video": False, "emoji": "👍"}
VOICE = {"file_id": "AwAC", "file_unique_id": "AgAE", "duration": 3, "mime_type": "audio/ogg"}
GROUP = -1001234


@pytest.fixture(autouse=True)
def no_errors_logged(caplog):
    """No update may end in an unhandled exception: nothing logged at ERROR or above."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def answers(fake, chat: int, push) -> list[str]:
    """Texts sent to ``chat`` for the update ``push()`` queues (the /aide sentinel's left out)."""
    since = fake.mark()
    push()
    fake.command(chat, "/aide@" + fake.bot["username"] if chat < 0 else "/aide")
    def is_help(text: str) -> bool:
        return text.startswith(html.escape(replies.HELP))

    await fake.wait_for(lambda: any(is_help(m["text"]) for m in fake.sent(chat, since)))
    texts = [m["text"] for m in fake.sent(chat, since)]
    return texts[:next(i for i, t in enumerate(texts) if is_help(t))]


@pytest.mark.parametrize(("content", "expected"), [
    ({"photo": PHOTO}, replies.UNSUPPORTED),
    ({"sticker": STICKER}, replies.UNSUPPORTED),
    ({"voice": VOICE}, replies.UNSUPPORTED),
    ({"contact": {"phone_number": "+33600000000", "first_name": "Ana"}}, replies.UNSUPPORTED),
    ({"text": "x" * 4000}, replies.MESSAGE_TOO_LONG),
    ({"text": "🙂🙂🙂"}, replies.NOT_UNDERSTOOD),
    ({"text": "/inconnue", "entities": [{"type": "bot_command", "offset": 0, "length": 9}]},
     replies.UNKNOWN_COMMAND),
])
async def test_odd_private_messages_get_a_short_answer(fake, bot_app, content, expected):
    assert await answers(fake, 6001, lambda: fake.message(6001, **content)) == [html.escape(expected)]


async def test_an_edited_question_is_answered_anew(fake, bot_app):
    since = fake.mark()
    fake.edited(6101, "démarches caf narbonne")
    header, *cards = await fake.wait_sent(6101, 4, since)
    assert "Narbonne" in header["text"]


@pytest.mark.parametrize("push", [
    pytest.param(lambda fake: fake.edited(6201, location={"latitude": 43.6, "longitude": 1.44,
                                                          "live_period": 900}), id="live-location-update"),
    pytest.param(lambda fake: fake.edited(6201, photo=PHOTO, caption="x"), id="edited-photo"),
    pytest.param(lambda fake: fake.message(6201, "Ref_0001", via_bot={k: fake.bot[k] for k in
                                                                      ("id", "is_bot", "first_name")}),
                 id="card-sent-through-inline-mode"),
    pytest.param(lambda fake: fake.message(6201, new_chat_title="Titre"), id="service-message"),
    pytest.param(lambda fake: fake.push(my_chat_member={
        "chat": {"id": 6201, "type": "private", "first_name": "C"}, "from": {"id": 6201, "is_bot": False,
                                                                              "first_name": "C"},
        "date": 0, "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "O"}},
        "new_chat_member": {"status": "kicked", "until_date": 0,
                            "user": {"id": 1, "is_bot": True, "first_name": "O"}}}), id="bot-blocked"),
])
async def test_updates_ignored_on_purpose_send_nothing(fake, bot_app, push):
    assert await answers(fake, 6201, lambda: push(fake)) == []


async def test_group_messages_are_answered_only_when_the_bot_is_named_or_answered(fake, bot_app):
    assert await answers(fake, GROUP, lambda: fake.message(GROUP, "démarches caf narbonne")) == []
    assert await answers(fake, GROUP, lambda: fake.message(GROUP, photo=PHOTO)) == []
    assert await answers(fake, GROUP, lambda: fake.location(GROUP, 43.6, 1.44)) == []
    other = GROUP - 7  # a group of its own: the 20-a-minute group limit would slow the test down
    since = fake.mark()
    fake.mention(other, "démarches caf narbonne")
    header, *cards = await fake.wait_sent(other, 4, since)
    assert "Narbonne" in header["text"]
    assert header["reply_parameters"]["allow_sending_without_reply"] is True
    assert "reply_parameters" not in cards[0]
    # A reply to one of the bot's messages is for the bot too.
    bot_message = fake.messages[(other, max(m for c, m in fake.messages if c == other))]
    since = fake.mark()
    fake.message(other, "et le samedi ?", reply_to_message=bot_message)
    header, *_ = await fake.wait_sent(other, 4, since)
    assert "samedi" in header["text"]


async def test_proche_in_a_group_points_to_a_private_chat(fake, bot_app):
    since = fake.mark()
    fake.command(GROUP - 1, "/proche@" + fake.bot["username"])
    [note] = await fake.wait_sent(GROUP - 1, 1, since)
    assert note["text"] == html.escape(replies.NEAR_PRIVATE_ONLY)


async def test_channel_posts_are_ignored(fake, bot_app):
    since = fake.mark()
    fake.channel_post(-100777, "@orienteur_test_bot démarches caf narbonne")
    assert await answers(fake, 6301, lambda: None) == []
    assert fake.sent(-100777, since) == []


@pytest.mark.parametrize("data", ["garbage", "plus:3:nothex!!", "ex:9", "plus:99:00000000"])
async def test_stale_or_unknown_buttons_get_a_short_note(fake, bot_app, data):
    since = fake.mark()
    fake.command(6401, "/start")
    await fake.wait_sent(6401, 1, since)
    if data == "plus:99:00000000":  # a well-formed "plus" of a search that is not the chat's current one
        since = fake.mark()
        fake.message(6401, "atelier informatique gers")
        await fake.wait_sent(6401, 4, since)
    since = fake.mark()
    fake.callback(6401, data)
    [note] = await fake.wait_sent(None, 1, since, method="answerCallbackQuery")
    assert note["text"] == replies.STALE_BUTTON
    assert fake.sent(6401, since) == []


async def test_plus_after_the_conversation_was_forgotten_says_so(fake, bot_app, conversation):
    since = fake.mark()
    fake.message(6501, "atelier informatique gers")
    *_, last = await fake.wait_sent(6501, 4, since)
    conversation.sessions.forget("tg:6501")  # the session expired
    since = fake.mark()
    fake.callback(6501, last["reply_markup"]["inline_keyboard"][-1][0]["callback_data"])
    [reply] = await fake.wait_sent(6501, 1, since)
    assert reply["text"] == html.escape(replies.NO_PREVIOUS)


class Broken(Conversation):
    def handle(self, key, text=None, location=None):
        raise RuntimeError("the index exploded")


async def test_a_failing_handler_is_logged_with_context_and_the_user_told(fake, bot_settings, real_engine, caplog):
    async with polling(build_application(bot_settings, Broken(real_engine))):
        since = fake.mark()
        update = fake.message(6601, "atelier")
        [reply] = await fake.wait_sent(6601, 1, since)
    assert reply["text"] == html.escape(replies.ERROR)
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert f"update {update['update_id']} (message) in chat 6601 (private)" in record.getMessage()
    assert record.exc_info[0] is RuntimeError
    caplog.clear()  # expected here
