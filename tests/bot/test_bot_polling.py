"""End to end: the real Application polls the fake Bot API; assertions on what it sent.

Each test uses its own chat id, so that the per-chat rate limit never slows another test.
The conversation runs over the real RhinOcc directory on a fixed Wednesday.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date

import pytest

from bot import words
from index.conversation import replies

TOULOUSE_CAPITOLE = (43.6045, 1.4440)


def names(message: dict) -> list[str]:
    """The place names listed in an answer ("<b>1. Name</b>")."""
    return [html.unescape(n) for n in re.findall(r"<b>\d+\. (.*?)</b>", message["text"])]


def buttons(message: dict) -> list[dict]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def callback_data(message: dict) -> list[str]:
    return [b["callback_data"] for b in buttons(message) if "callback_data" in b]


def button(message: dict, text: str) -> dict:
    [found] = [b for b in buttons(message) if b["text"] == text]
    return found


async def ask(fake, chat: int, text: str, count: int = 1) -> list[dict]:
    """The bot's messages answering ``text``, as sent, the last one with its ``message_id``."""
    since = fake.mark()
    fake.message(chat, text)
    sent = await fake.wait_sent(chat, count, since)
    sent[-1] = {**sent[-1], "message_id": max(m for c, m in fake.messages if c == chat)}
    return sent


async def press(fake, chat: int, data: str, message: dict, method: str = "editMessageText") -> dict:
    since = fake.mark()
    fake.callback(chat, data, message_id=message["message_id"])
    [done] = await fake.wait_sent(chat, 1, since, method=method)
    return done


async def test_start_sends_the_welcome_the_examples_and_the_persistent_keyboard(fake, bot_app):
    assert fake.sent(method="setMyCommands")[0]["commands"] == [
        {"command": "start", "description": words.COMMAND_START},
        {"command": "aide", "description": words.COMMAND_HELP},
        {"command": "proche", "description": words.COMMAND_NEAR},
    ]
    since = fake.mark()
    fake.command(5001, "/start")
    welcome, help_ = await fake.wait_sent(5001, 2, since)
    assert welcome["parse_mode"] == "HTML"
    assert welcome["text"] == html.escape(replies.WELCOME)
    rows = welcome["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == list(replies.EXAMPLES)
    assert [row[0]["callback_data"] for row in rows] == ["ex:0", "ex:1", "ex:2"]
    assert help_["reply_markup"] == {"keyboard": [[{"text": words.AROUND_ME_KEY, "request_location": True}]],
                                     "resize_keyboard": True, "is_persistent": True}


async def test_the_persistent_keyboard_is_for_private_chats_only(fake, bot_app):
    since = fake.mark()
    fake.command(-100500, "/start")
    [welcome] = await fake.wait_sent(-100500, 1, since)
    assert "keyboard" not in welcome["reply_markup"]
    since = fake.mark()
    fake.command(-100500, "/aide")
    [help_] = await fake.wait_sent(-100500, 1, since)
    assert "reply_markup" not in help_


async def test_an_example_button_asks_its_question(fake, bot_app):
    since = fake.mark()
    fake.command(5002, "/start")
    await fake.wait_sent(5002, 2, since)
    since = fake.mark()
    fake.callback(5002, "ex:1", message_id=min(m for c, m in fake.messages if c == 5002))
    [answer] = await fake.wait_sent(5002, 1, since)
    assert fake.sent(method="answerCallbackQuery", since=since)
    assert "Narbonne" in answer["text"] and len(names(answer)) == 3


async def test_aide_explains_how_to_ask(fake, bot_app):
    since = fake.mark()
    fake.command(5003, "/aide")
    [help_] = await fake.wait_sent(5003, 1, since)
    assert help_["text"] == html.escape(replies.HELP + "\n\n" + bot_app.bot_data.conversation.attribution())
    assert help_["text"].endswith(html.escape("Données : RhinOcc, Hub pour l'inclusion numérique en Occitanie · "
                                              "données de " + replies.month_year(date.today().isoformat())))


async def test_proche_asks_for_the_location_with_the_keyboard_button(fake, bot_app):
    since = fake.mark()
    fake.command(5004, "/proche")
    [prompt] = await fake.wait_sent(5004, 1, since)
    assert prompt["text"] == html.escape(words.ASK_LOCATION)
    [[key]] = prompt["reply_markup"]["keyboard"]
    assert key == {"text": words.AROUND_ME_KEY, "request_location": True}


async def test_a_question_gets_one_message_listing_three_places_with_numbered_buttons(fake, bot_app, real_engine):
    since = fake.mark()
    [answer] = await ask(fake, 5005, "atelier informatique gers")
    await asyncio.sleep(0.3)
    assert len(fake.sent(5005, since)) == 1, "one sendMessage per answer"
    assert re.match(r"\d+ lieux pour « atelier informatique » dans le Gers \(1 à 3\) :", answer["text"])
    # The search's own first three, in its order: the bot shows what the core ranked.
    assert names(answer) == [h.entry.place.name for h in real_engine.ask("atelier informatique gers").hits[:3]]
    numbers, refinements = answer["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in numbers] == ["1", "2", "3", words.MORE_CAPTION]
    assert all(len(b["callback_data"].encode()) <= 64 for b in numbers)
    assert [b["text"] for b in refinements] == [r[0] for r in replies.REFINEMENTS]
    for entry in answer["text"].split("\n\n")[1:]:
        assert len([c for c in entry if ord(c) > 0x2500 and c not in "·–—…«»’"]) <= 4, entry


async def test_a_numbered_button_edits_the_answer_into_the_full_card_and_back(fake, bot_app):
    [answer] = await ask(fake, 5006, "démarches caf narbonne")
    second = names(answer)[1]
    edited = await press(fake, 5006, callback_data(answer)[1], answer)
    assert edited["message_id"] == answer["message_id"]
    assert edited["text"].startswith(f"<b>{html.escape(second)}</b>")
    lines = edited["text"].splitlines()
    assert lines[1][0] in "🟢🔴⚪" and lines[2].startswith("📍 ")  # name, open now, where: in that order
    assert button(edited, replies.MAP_BUTTON)["url"].startswith("https://www.openstreetmap.org/")
    assert "#" not in button(edited, words.SHARE_BUTTON)["switch_inline_query"]
    back = await press(fake, 5006, button(edited, words.BACK_BUTTON)["callback_data"], answer)
    assert back["text"] == answer["text"] and back["reply_markup"] == answer["reply_markup"]


async def test_y_aller_sends_the_place_as_a_venue(fake, bot_app, real_engine):
    [answer] = await ask(fake, 5015, "démarches caf narbonne")
    card = await press(fake, 5015, callback_data(answer)[0], answer)
    venue = await press(fake, 5015, button(card, words.GO_BUTTON)["callback_data"], answer, method="sendVenue")
    place = real_engine.ask("démarches caf narbonne").hits[0].entry.place
    assert (float(venue["latitude"]), float(venue["longitude"])) == (place.lat, place.lon)
    assert venue["title"] == place.name


async def test_plus_edits_the_answer_into_the_next_page(fake, bot_app):
    [answer] = await ask(fake, 5007, "atelier informatique gers")
    since = fake.mark()
    page = await press(fake, 5007, button(answer, words.MORE_CAPTION)["callback_data"], answer)
    assert page["message_id"] == answer["message_id"]
    assert "(4 à 6)" in page["text"]
    assert not set(names(page)) & set(names(answer))
    assert fake.sent(5007, since) == [], "no new message"
    assert [b["text"] for b in page["reply_markup"]["inline_keyboard"][0]][:3] == ["4", "5", "6"]


async def test_a_numbered_button_of_an_older_search_gets_a_short_note(fake, bot_app):
    [old] = await ask(fake, 5016, "atelier informatique gers")
    [current] = await ask(fake, 5016, "démarches caf narbonne")
    since = fake.mark()
    fake.callback(5016, callback_data(old)[0], message_id=old["message_id"])
    [note] = await fake.wait_sent(None, 1, since, method="answerCallbackQuery")
    assert note["text"] == words.STALE_BUTTON
    assert "editMessageText" not in fake.methods(since)
    card = await press(fake, 5016, callback_data(current)[0], current)  # the current search's still opens
    assert card["message_id"] == current["message_id"] and card["text"] != current["text"]


async def test_plus_of_an_older_search_gets_a_short_note(fake, bot_app):
    [old] = await ask(fake, 5008, "atelier informatique gers")
    await ask(fake, 5008, "démarches caf narbonne")
    since = fake.mark()
    fake.callback(5008, button(old, words.MORE_CAPTION)["callback_data"], message_id=old["message_id"])
    [note] = await fake.wait_sent(None, 1, since, method="answerCallbackQuery")
    assert note["text"] == words.STALE_BUTTON
    fake.command(5008, "/aide")
    await fake.wait_sent(5008, 1, since)
    [help_] = [m["text"] for m in fake.sent(5008, since)]
    assert help_.startswith(html.escape(replies.HELP))


async def test_a_follow_up_refines_the_previous_search(fake, bot_app):
    await ask(fake, 5009, "démarches caf narbonne")
    [answer] = await ask(fake, 5009, "et le samedi ?")
    assert "ouvert le samedi" in answer["text"] and "Narbonne" in answer["text"]


async def test_a_refinement_button_asks_its_follow_up(fake, bot_app):
    [answer] = await ask(fake, 5016, "démarches caf narbonne")
    since = fake.mark()
    fake.callback(5016, button(answer, replies.REFINEMENTS[0][0])["callback_data"], message_id=answer["message_id"])
    [refined] = await fake.wait_sent(5016, 1, since)
    assert "ouvert le samedi" in refined["text"] and "Narbonne" in refined["text"]


async def test_a_location_gets_the_nearest_places_with_their_distance(fake, bot_app):
    since = fake.mark()
    fake.location(5010, *TOULOUSE_CAPITOLE)
    [answer] = await fake.wait_sent(5010, 1, since)
    assert answer["text"].startswith(html.escape(replies.LOCATION_THANKS))
    distances = re.findall(r"à ([\d,]+) (k?m) de vous", answer["text"])
    assert len(distances) == 3
    km = [float(n.replace(",", ".")) / (1 if unit == "km" else 1000) for n, unit in distances]
    assert km == sorted(km) and km[0] < 1


async def test_a_location_then_a_word_combines_both(fake, bot_app):
    since = fake.mark()
    fake.location(5011, *TOULOUSE_CAPITOLE)
    await fake.wait_sent(5011, 1, since)
    [answer] = await ask(fake, 5011, "atelier")
    assert "atelier" in answer["text"].lower()
    assert len(re.findall(r"\d k?m de vous", answer["text"])) == 3


async def test_nothing_found_is_said(fake, bot_app):
    [reply] = await ask(fake, 5012, "zzxqw wxqzz")
    assert reply["text"]
    assert not buttons(reply)


async def test_inline_query_returns_escaped_articles_and_the_next_offset(fake, bot_app):
    since = fake.mark()
    fake.inline("atelier gers")
    [answer] = await fake.wait_sent(None, 1, since, method="answerInlineQuery")
    results = answer["results"]
    assert len(results) == 10 and answer["next_offset"] == "10"
    ids = [r["id"] for r in results]
    assert len(set(ids)) == 10 and all(1 <= len(i.encode()) <= 64 for i in ids)
    for result in results:
        assert result["type"] == "article"
        content = result["input_message_content"]
        assert content["parse_mode"] == "HTML"
        assert content["message_text"].startswith(f"<b>{html.escape(result['title'])}</b>")
    assert all(re.search(r"\b32\d{3}\b", r["description"]) for r in results[:3])


async def test_partager_shares_the_place_by_name_without_an_internal_id(fake, bot_app):
    [answer] = await ask(fake, 5013, "démarches caf narbonne")
    card = await press(fake, 5013, callback_data(answer)[1], answer)
    share = button(card, words.SHARE_BUTTON)["switch_inline_query"]
    assert not re.search(r"Ref_\d+|#", share)
    since = fake.mark()
    fake.inline(share)
    [inline] = await fake.wait_sent(None, 1, since, method="answerInlineQuery")
    first = inline["results"][0]
    assert first["title"] == names(answer)[1]
    shared = first["input_message_content"]["message_text"]
    assert not re.search(r"Ref_\d+", shared)
    assert shared.splitlines()[0] == card["text"].splitlines()[0]


async def test_empty_or_fruitless_inline_queries_offer_a_way_to_the_bot(fake, bot_app):
    since = fake.mark()
    fake.inline("")
    fake.inline("zzxqw wxqzz")
    answers = await fake.wait_sent(None, 2, since, method="answerInlineQuery")
    assert sorted(a["button"]["text"] for a in answers) == sorted([words.INLINE_HINT, words.INLINE_NOTHING])
    assert all(a["results"] == [] and a["button"]["start_parameter"] == "aide" for a in answers)


async def test_start_aide_deep_link_sends_the_help(fake, bot_app):
    since = fake.mark()
    fake.command(5014, "/start aide")
    [help_] = await fake.wait_sent(5014, 1, since)
    assert help_["text"] == html.escape(replies.HELP + "\n\n" + bot_app.bot_data.conversation.attribution())


@pytest.mark.parametrize("offset", ["-5", "²", "1e9", "99999999999999999999", "101"])
async def test_inline_query_with_an_offset_never_given_gets_no_page(fake, bot_app, offset):
    since = fake.mark()
    fake.inline("atelier gers", offset=offset)
    [answer] = await fake.wait_sent(None, 1, since, method="answerInlineQuery")
    assert answer["results"] == [] and answer.get("next_offset", "") == ""
