"""End to end: the real Application polls the fake Bot API; assertions on what it sent.

Each test uses its own chat id, so that the per-chat rate limit never slows another test.
The conversation runs over the real RhinOcc directory on a fixed Wednesday.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from index.conversation import replies

TOULOUSE_CAPITOLE = (43.6045, 1.4440)


def names(messages: list[dict]) -> list[str]:
    """The place names of card messages (the bold first line)."""
    return [html.unescape(re.match(r"<b>(.*?)</b>", m["text"]).group(1)) for m in messages]


def buttons(message: dict) -> list[dict]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def callback_data(message: dict) -> list[str]:
    return [b["callback_data"] for b in buttons(message) if "callback_data" in b]


async def ask(fake, chat: int, text: str, count: int = 4) -> list[dict]:
    since = fake.mark()
    fake.message(chat, text)
    return await fake.wait_sent(chat, count, since)


async def test_start_sends_the_welcome_and_three_example_buttons(fake, bot_app):
    assert fake.sent(method="setMyCommands")[0]["commands"] == [
        {"command": "start", "description": replies.COMMAND_START},
        {"command": "aide", "description": replies.COMMAND_HELP},
        {"command": "proche", "description": replies.COMMAND_NEAR},
    ]
    since = fake.mark()
    fake.command(5001, "/start")
    [welcome] = await fake.wait_sent(5001, 1, since)
    assert welcome["parse_mode"] == "HTML"
    assert welcome["text"] == html.escape(replies.WELCOME)
    rows = welcome["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == list(replies.EXAMPLES)
    assert [row[0]["callback_data"] for row in rows] == ["ex:0", "ex:1", "ex:2"]


async def test_an_example_button_asks_its_question(fake, bot_app):
    since = fake.mark()
    fake.command(5002, "/start")
    await fake.wait_sent(5002, 1, since)
    since = fake.mark()
    fake.callback(5002, "ex:1")
    header, *cards = await fake.wait_sent(5002, 4, since)
    assert fake.sent(method="answerCallbackQuery", since=since)
    assert "Narbonne" in header["text"]
    assert all("11100 Narbonne" in card["text"] for card in cards)


async def test_aide_explains_how_to_ask(fake, bot_app):
    since = fake.mark()
    fake.command(5003, "/aide")
    [help_] = await fake.wait_sent(5003, 1, since)
    assert help_["text"] == html.escape(replies.HELP + "\n\n" + bot_app.bot_data.conversation.attribution())
    assert help_["text"].endswith(html.escape("Données : RhinOcc, Hub pour l'inclusion numérique en Occitanie · "
                                              "données de " + replies.month_year(date.today().isoformat())))


async def test_proche_asks_for_the_location_with_a_keyboard_button(fake, bot_app):
    since = fake.mark()
    fake.command(5004, "/proche")
    [prompt] = await fake.wait_sent(5004, 1, since)
    assert prompt["text"] == html.escape(replies.ASK_LOCATION)
    [[button]] = prompt["reply_markup"]["keyboard"]
    assert button == {"text": replies.SEND_LOCATION_BUTTON, "request_location": True}


async def test_a_question_gets_three_cards_of_the_right_places_with_their_buttons(fake, bot_app, real_engine):
    header, *cards = await ask(fake, 5005, "atelier informatique gers")
    assert header["text"].startswith("Lieux pour « atelier informatique · Gers (32) » (1 à 3 sur")
    assert len(cards) == 3
    assert all(re.search(r"\b32\d{3}\b", card["text"]) for card in cards), "every place is in the Gers"
    assert all("Ateliers" in card["text"] for card in cards), "every place runs workshops"
    # The search's own first three, in its order: the bot shows what the core ranked.
    assert names(cards) == [h.entry.place.name for h in real_engine.ask("atelier informatique gers").hits[:3]]
    for card in cards:
        assert card["parse_mode"] == "HTML"
        assert "🛠 Services :" in card["text"]
        links = {b["text"]: b.get("url", "") for b in buttons(card)}
        assert links[replies.MAP_BUTTON].startswith("https://www.openstreetmap.org/")
        assert links[replies.DIRECTIONS_BUTTON].startswith("https://www.openstreetmap.org/directions")
        [share] = [b for b in buttons(card) if b["text"] == replies.SHARE_BUTTON]
        assert share["switch_inline_query"].startswith(names([card])[0][:40])
    assert not callback_data(cards[0]) and not callback_data(cards[1])
    [more] = callback_data(cards[2])
    assert re.fullmatch(r"plus:3:[0-9a-f]{8}", more) and len(more.encode()) <= 64


async def test_demarches_caf_narbonne_names_narbonne_places_with_escaped_values(fake, bot_app):
    header, *cards = await ask(fake, 5006, "démarches caf narbonne")
    assert "Narbonne" in header["text"]
    assert "France Services - PIMMS du Narbonnais" in names(cards)
    assert all("11100 Narbonne" in card["text"] for card in cards)
    pimms = next(c for c in cards if "PIMMS" in c["text"])
    assert "☎️ 04 68 43 68 93" in pimms["text"]
    assert "🕘 <b>Aujourd&#x27;hui</b>, mercredi : 8:30 - 12:00 / 14:00 - 17:00" in pimms["text"]
    assert "samedi : fermé" in pimms["text"]


async def test_plus_shows_the_next_page_and_removes_its_button(fake, bot_app):
    _, *first = await ask(fake, 5007, "atelier informatique gers")
    last = fake.messages[(5007, max(m for c, m in fake.messages if c == 5007))]
    since = fake.mark()
    fake.callback(5007, callback_data(first[2])[0], message_id=last["message_id"])
    header, *cards = await fake.wait_sent(5007, 4, since)
    assert "(4 à 6 sur" in header["text"]
    assert not set(names(cards)) & set(names(first))
    assert fake.sent(method="answerCallbackQuery", since=since)
    [edit] = fake.sent(method="editMessageReplyMarkup", since=since)
    assert edit["message_id"] == last["message_id"]
    assert not [b for row in edit["reply_markup"]["inline_keyboard"] for b in row if "callback_data" in b]
    assert callback_data(cards[-1]) == [f"plus:6:{callback_data(first[2])[0].split(':')[2]}"]


async def test_plus_of_an_older_search_gets_a_short_note(fake, bot_app):
    _, *old = await ask(fake, 5008, "atelier informatique gers")
    old_id = max(m for c, m in fake.messages if c == 5008)
    await ask(fake, 5008, "démarches caf narbonne")
    since = fake.mark()
    fake.callback(5008, callback_data(old[2])[0], message_id=old_id)
    [note] = await fake.wait_sent(None, 1, since, method="answerCallbackQuery")
    assert note["text"] == replies.STALE_BUTTON
    fake.command(5008, "/aide")
    await fake.wait_sent(5008, 1, since)
    [help_] = [m["text"] for m in fake.sent(5008, since)]
    assert help_.startswith(html.escape(replies.HELP))


async def test_a_follow_up_refines_the_previous_search(fake, bot_app):
    await ask(fake, 5009, "démarches caf narbonne")
    header, *cards = await ask(fake, 5009, "et le samedi ?")
    assert "ouvert le samedi" in header["text"] and "Narbonne" in header["text"]
    assert len(cards) == 3


async def test_a_location_gets_the_nearest_places_with_their_distance(fake, bot_app):
    since = fake.mark()
    fake.location(5010, *TOULOUSE_CAPITOLE)
    header, *cards = await fake.wait_sent(5010, 4, since)
    assert header["text"].startswith(html.escape(replies.LOCATION_THANKS))
    assert header["reply_markup"] == {"remove_keyboard": True}
    distances = [re.search(r"🧭 à ([\d,]+) (k?m) de vous", card["text"]) for card in cards]
    assert all(distances)
    km = [float(d.group(1).replace(",", ".")) / (1 if d.group(2) == "km" else 1000) for d in distances]
    assert km == sorted(km) and km[0] < 1


async def test_a_location_then_a_word_combines_both(fake, bot_app):
    since = fake.mark()
    fake.location(5011, *TOULOUSE_CAPITOLE)
    await fake.wait_sent(5011, 4, since)
    header, *cards = await ask(fake, 5011, "atelier")
    assert "atelier" in header["text"].lower()
    assert all("de vous" in card["text"] for card in cards)
    assert all("Toulouse" in card["text"] or "31" in card["text"] for card in cards)


async def test_nothing_found_is_said(fake, bot_app):
    [reply] = await ask(fake, 5012, "zzxqw wxqzz", count=1)
    assert reply["text"]
    assert "reply_markup" not in reply or not buttons(reply)


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


async def test_partager_query_returns_exactly_the_shared_place(fake, bot_app):
    _, *cards = await ask(fake, 5013, "démarches caf narbonne")
    [share] = [b["switch_inline_query"] for b in buttons(cards[1]) if "switch_inline_query" in b]
    since = fake.mark()
    fake.inline(share)
    [answer] = await fake.wait_sent(None, 1, since, method="answerInlineQuery")
    [result] = answer["results"]
    assert result["title"] == names([cards[1]])[0]
    # The same card, but for "pourquoi", which belongs to a search.
    without_why = "\n".join(line for line in cards[1]["text"].splitlines() if not line.startswith("💡"))
    assert result["input_message_content"]["message_text"] == without_why


async def test_empty_or_fruitless_inline_queries_offer_a_way_to_the_bot(fake, bot_app):
    since = fake.mark()
    fake.inline("")
    fake.inline("zzxqw wxqzz")
    answers = await fake.wait_sent(None, 2, since, method="answerInlineQuery")
    assert sorted(a["button"]["text"] for a in answers) == sorted([replies.INLINE_HINT, replies.INLINE_NOTHING])
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
