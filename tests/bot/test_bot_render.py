"""bot/render.py: Telegram HTML with every value escaped, within Telegram's limits."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import re
import time
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import RetryAfter

from bot import render
from bot.limits import Bucket, ChatRateLimiter
from index.cards import Card
from index.conversation import Reply

ALLOWED_TAGS = {"b", "i"}
ENTITY = re.compile(r"&(lt|gt|amp|quot|#x27);")


def card(**overrides) -> Card:
    """A card with plausible defaults; ``overrides`` replace any field."""
    values = {
        "id": "Ref_0042", "name": "Médiathèque Pierre-Amalric", "source": "rhinocc", "organisation": "Ville d'Albi",
        "address": "30 avenue du Général de Gaulle, 81000 Albi", "commune": "Albi", "phone": "05 63 76 06 10",
        "email": "mediatheque@albi.fr", "website": "https://mediatheques.grand-albigeois.fr", "today": "10 h–18 h",
        "week": (("mar.", "13 h–18 h"), ("mer.", "10 h–18 h")), "today_index": 2,
        "services": ("Ordinateur en libre service", "Ateliers informatiques de montée en compétences"),
        "publics": ("Jeunes",), "labels": (), "access": (), "wifi": True, "distance_km": 1.234, "distance_text": "à 1,2 km de vous",
        "lat": 43.9289, "lon": 2.1464, "map_url": "https://www.openstreetmap.org/?mlat=43.9289&mlon=2.1464",
        "directions_url": "https://www.openstreetmap.org/directions?route=%3B43.9289%2C2.1464",
        "why": ("atelier", "à 1,2 km"), "updated": "2024-01-01",
        "provenance": "Source : RhinOcc", "freshness": "Informations de janvier 2024",
        "open_state": "open", "open_now": "Ouvert · jusqu'à 18 h", "restrictions": ("Réservé aux jeunes",),
    }
    values.update(overrides)
    return Card(**values)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_decl(self, decl):
        self.tags.append("!" + decl)

    def handle_pi(self, data):
        self.tags.append("?" + data)

    def handle_comment(self, data):
        self.tags.append("--")


def assert_safe(text: str) -> None:
    """Only the renderer's own <b>/<i>; no other "<", ">" or bare "&"; within 4096 characters."""
    parser = Tags()
    parser.feed(text)
    parser.close()
    assert set(parser.tags) <= ALLOWED_TAGS, parser.tags
    bare = re.sub(r"</?[bi]>", "", text)
    assert "<" not in bare and ">" not in bare
    assert all(ENTITY.match(bare, m.start()) for m in re.finditer("&", bare))
    assert len(text) <= 4096


values = st.text(max_size=60)
texts = st.one_of(values, st.sampled_from(["<b>", "</b>", "<script>alert(1)</script>", "&amp;", "&lt;", "&",
                                          "<i", "a<b>c", "<!-- x -->", "<a href='x'>", "\u202e", "\x00\n\r"]))


@settings(max_examples=150, deadline=None)
@given(name=texts, organisation=texts, address=texts, phone=texts, email=texts, website=texts, today=texts,
       week=st.lists(st.tuples(texts, texts), max_size=8), services=st.lists(texts, max_size=12),
       publics=st.lists(texts, max_size=3), why=st.lists(texts, max_size=4), distance_text=texts)
def test_a_card_holds_no_unescaped_tag_whatever_its_text(name, organisation, address, phone, email, website,
                                                          today, week, services, publics, why, distance_text):
    rendered = render.card_html(card(name=name, organisation=organisation, address=address, phone=phone,
                                     email=email, website=website, today=today, week=tuple(week),
                                     services=tuple(services), publics=tuple(publics), why=tuple(why),
                                     distance_text=distance_text))
    assert_safe(rendered)
    assert rendered.startswith(f"<b>{html.escape(render.clip(name))}</b>")


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=400), understood=st.text(max_size=100), offset=st.integers(0, 99))
def test_reply_sentences_and_buttons_stay_safe_and_small(text, understood, offset):
    reply = Reply(text, cards=[card(), card(id="Ref_0043", matches=False)], more=True, understood=understood,
                  offset=offset, padded_label=text, refinements=(0, 1, 2))
    message = render.answer(reply)
    assert_safe(message.text)
    numbers, refinements = message.markup.inline_keyboard
    assert render.MORE_DATA.fullmatch(numbers[-1].callback_data)
    assert all(render.PLACE_DATA.fullmatch(b.callback_data) for b in numbers[:-1])
    assert all(len(b.callback_data.encode()) <= 64 for row in (numbers, refinements) for b in row)
    full = render.full_card(reply, 1)
    assert_safe(full.text)
    assert all(len(b.callback_data.encode()) <= 64 for row in full.markup.inline_keyboard for b in row
               if b.callback_data)


def test_a_huge_card_is_cut_below_telegrams_limit_keeping_its_name():
    huge = "<&>" * 3000
    rendered = render.card_html(card(name=huge, address=huge, week=tuple((huge, huge) for _ in range(7)),
                                     services=(huge,) * 30, publics=(huge,) * 30, why=(huge,) * 30))
    assert_safe(rendered)
    assert rendered.startswith("<b>&lt;&amp;&gt;")


def test_a_card_whose_first_lines_alone_are_too_long_keeps_its_tags_closed():
    quotes = "'" * 1000  # each escapes to 6 characters
    rendered = render.card_html(card(name=quotes, organisation=quotes + "x", address=quotes, distance_text=quotes))
    assert_safe(rendered)
    assert rendered.count("<b>") == rendered.count("</b>") and rendered.count("<i>") == rendered.count("</i>")


def test_a_card_shows_its_fields_in_words():
    rendered = render.card_html(card())
    assert rendered.splitlines() == [
        "<b>Médiathèque Pierre-Amalric</b>",
        "🟢 Ouvert · jusqu&#x27;à 18 h — aujourd&#x27;hui 10 h–18 h",
        "📍 à 1,2 km de vous · 30 avenue du Général de Gaulle, 81000 Albi",
        "☎️ 05 63 76 06 10",
        "mediatheque@albi.fr",
        "https://mediatheques.grand-albigeois.fr",
        "<b>Réservé aux jeunes</b>",
        "Horaires : mar. 13 h–18 h ; mer. 10 h–18 h",
        "Services : Ordinateur en libre service, Ateliers informatiques de montée en compétences",
        "<i>Informations de janvier 2024 · Source : RhinOcc</i>",
    ]
    assert sum(1 for c in rendered if ord(c) > 0x1F000) <= 4


def test_an_answer_lists_compact_entries_and_labels_the_padded_part():
    reply = Reply("2 lieux à Albi (1) :", cards=[card(), card(id="Ref_0043", name="Autre", matches=False)],
                  padded_label="Autres lieux à Albi, horaires non précisés")
    assert render.answer_html(reply).split("\n\n") == [
        "2 lieux à Albi (1) :",
        "<b>1. Médiathèque Pierre-Amalric</b>\n🟢 Ouvert · jusqu&#x27;à 18 h · à 1,2 km de vous\n"
        "☎️ 05 63 76 06 10\n<i>Réservé aux jeunes</i>",
        "<i>Autres lieux à Albi, horaires non précisés :</i>",
        "<b>2. Autre</b>\n🟢 Ouvert · jusqu&#x27;à 18 h · à 1,2 km de vous\n☎️ 05 63 76 06 10\n<i>Réservé aux jeunes</i>",
    ]


def test_inline_results_have_unique_short_ids_even_for_odd_place_ids():
    cards = [card(id="x" * 100), card(id="x" * 100), card(id="é" * 40), card(id="Ref_1")]
    results = render.inline_results(cards)
    ids = [r.id for r in results]
    assert len(set(ids)) == 4 and all(1 <= len(i.encode()) <= 64 for i in ids)
    assert ids[3] == "Ref_1"


def test_share_names_the_place_and_its_town_never_its_id_within_the_inline_query_limit():
    assert render.share_query(card()) == "Médiathèque Pierre-Amalric Albi"
    assert len(render.share_query(card(name="N" * 400))) <= 256


def test_buttons_without_a_web_address_are_left_out():
    keyboard = render.card_keyboard(card(map_url="javascript:alert(1)", directions_url=""))
    assert [[b.text for b in row] for row in keyboard.inline_keyboard] == [["Partager"]]


# -- the rate limiter -------------------------------------------------------------------------

def test_a_bucket_lets_a_burst_through_then_spaces_requests():
    now = [0.0]
    bucket = Bucket(rate=1.0, burst=3, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(5)] == [0, 0, 0, 1.0, 2.0]
    now[0] = 10.0
    assert bucket.reserve() == 0


async def test_the_limiter_spaces_one_chat_but_not_requests_without_a_chat():
    limiter = ChatRateLimiter(chat_rate=20, chat_burst=2)

    async def call():
        return True

    started = time.monotonic()
    await asyncio.gather(*(limiter.process_request(call, (), {}, "answerInlineQuery", {}, None) for _ in range(10)))
    assert time.monotonic() - started < 0.05
    started = time.monotonic()
    await asyncio.gather(*(limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)
                           for _ in range(6)))
    assert time.monotonic() - started >= 4 / 20 - 0.01


async def test_the_limiter_retries_after_a_429_and_gives_up_after_max_retries(monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    limiter = ChatRateLimiter(max_retries=2)
    calls = []

    async def refused_once():
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RetryAfter(dtm.timedelta(seconds=0.2))
        return {"ok": True}

    assert await limiter.process_request(refused_once, (), {}, "sendMessage", {"chat_id": 1}, None) == {"ok": True}
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.2

    async def always_refused():
        raise RetryAfter(dtm.timedelta(seconds=0.01))

    with pytest.raises(RetryAfter):
        await limiter.process_request(always_refused, (), {}, "sendMessage", {"chat_id": 1}, None)
