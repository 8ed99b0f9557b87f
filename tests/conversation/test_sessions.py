"""Conversations in a real store, SQLite file or Redis server: what is kept, for how long, for whom.

A new store object on the same file or server stands for a restarted worker or another one;
the real serving processes are killed in ``tests/test_workers_live.py``.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import sqlite3
import threading
import time
from dataclasses import dataclass, replace

import pytest

from index.conversation import Conversation
from index.conversation.codec import from_data, to_data
from index.conversation.redis_store import RedisSessions
from index.conversation.session import LOCATION_TTL, Record, Session, from_record, to_record
from index.conversation.sqlite_store import SqliteSessions
from index.understand import Area, Query
from tests.support.redis_server import running_redis

BACKENDS = ("sqlite", "redis")


@pytest.fixture(params=BACKENDS)
def open_store(request, tmp_path):
    """``open_store(**bounds)``: a new store object on the same file or server each call."""
    opened = []

    def make(**bounds):
        if request.param == "sqlite":
            store = SqliteSessions(tmp_path / "conversations.sqlite", **bounds)
        else:
            store = RedisSessions(request.getfixturevalue("redis_url"), **bounds)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def stored_text(store) -> str:
    """Everything the store holds, as one text."""
    if isinstance(store, SqliteSessions):
        with sqlite3.connect(store.path) as db:
            rows = [r for t in ("sessions", "positions", "origins") for r in db.execute(f"SELECT * FROM {t}")]
        return json.dumps(rows, ensure_ascii=False)
    return " ".join(f"{k.decode()} {store.client.get(k).decode()}" for k in store.client.keys("*")
                    if store.client.type(k) == b"string")


def test_a_conversation_goes_on_in_another_worker_or_after_a_restart(open_store, real_engine):
    first = Conversation(real_engine, sessions=open_store(), today=lambda: 2)
    asked = first.handle("web:a", "atelier informatique auch")
    assert asked.understood == "atelier informatique · Auch"
    second = Conversation(real_engine, sessions=open_store(), today=lambda: 2)
    refined = second.handle("web:a", "et le samedi ?")
    assert refined.understood == "atelier informatique · ouvert le samedi · Auch"
    assert second.more("web:a").offset == len(refined.cards)  # the page shown is remembered too


def test_a_conversation_is_forgotten_after_its_time(open_store, real_engine):
    conversation = Conversation(real_engine, sessions=open_store(ttl=1), today=lambda: 2)
    conversation.handle("web:b", "atelier informatique auch")
    assert conversation.handle("web:b", "plus").kind == "results"
    time.sleep(1.2)
    assert conversation.handle("web:b", "plus").kind == "no_previous"


def test_the_least_recently_used_conversations_go_when_the_store_is_full(open_store, real_engine):
    store = open_store(max_sessions=3)
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    for key in "abcd":
        conversation.handle(key, "atelier gers")
        time.sleep(0.01)
    assert len(store) == 3
    assert conversation.handle("a", "plus").kind == "no_previous"
    assert conversation.handle("d", "plus").kind == "results"


def test_one_address_starting_many_conversations_pushes_nobody_out(open_store, real_engine):
    store = open_store(max_sessions=5, max_new=2)
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    conversation.handle("desk", "atelier gers", origin="192.0.2.1")
    for n in range(20):
        reply = conversation.handle(f"flood{n}", "atelier gers", origin="192.0.2.66")
        assert reply.cards  # answered all the same, without memory past the second
    assert conversation.handle("desk", "plus").kind == "results"
    assert len(store) == 3
    assert conversation.handle("flood19", "plus").kind == "no_previous"
    assert "192.0.2" not in stored_text(store)


def test_what_was_typed_is_not_stored(open_store, real_engine):
    store = open_store()
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    conversation.handle("web:c", "toulouze atelier informatique svp 06 12 34 56 78")
    assert conversation.position("web:c")[0].describe().startswith("atelier informatique")
    text = stored_text(store)
    assert "toulouze" not in text and "svp" not in text and "06 12" not in text and "lu comme" not in text


def test_a_name_and_a_phone_number_typed_are_not_in_the_stored_file(tmp_path, real_engine):
    path = tmp_path / "conversations.sqlite"
    store = SqliteSessions(path)
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    asked = conversation.handle("web:n", "atelier informatique à Auch pour madame Quervillac, tél 06 71 28 45 93")
    assert asked.kind == "results" and asked.understood == "atelier informatique · Auch"
    conversation.handle("web:n", "et le samedi ?")  # a follow-up still has the search
    assert conversation.position("web:n")[0].concepts
    store.close()
    stored = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.name.startswith(path.name))
    assert b"atelier" in stored  # what was understood is there, in the file's own bytes
    assert b"quervillac" not in stored.lower() and b"71 28" not in stored and b"0671" not in stored


def test_a_word_of_the_directory_is_kept_for_the_follow_ups(real_engine):
    conversation = Conversation(real_engine, today=lambda: 2)
    conversation.handle("web:k", "cyberbase quervillac")
    words = conversation.position("web:k")[0].words
    assert "cyberbase" in words and "quervillac" not in words


def test_a_shared_position_is_forgotten_with_the_search_around_it(open_store, real_engine, monkeypatch):
    store = open_store()
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    reply = conversation.handle("tg:7", "wifi", location=(43.6045, 1.444))
    assert reply.understood.startswith("wifi · autour de vous")
    assert "43.6045" in stored_text(store)
    later = time.time() + LOCATION_TTL + 1
    store.clock = lambda: later
    assert store.load("tg:7").location is None
    assert conversation.handle("tg:7", "plus").kind == "no_previous"
    assert "43.6045" not in stored_text(store)


def test_a_stored_query_survives_fields_added_and_removed():
    session = Session("k", query=Query(wifi=True, days=(5,)), offset=3)
    record = to_record(session)
    body = json.loads(record.body)
    body["query"].pop("days")  # a field this code has, written by code that did not
    body["query"]["mood"] = "calm"  # a field this code no longer has
    read = from_record("k", Record(json.dumps(body)), now=time.time())
    assert read.query == Query(wifi=True) and read.offset == 3


def test_an_unreadable_stored_query_starts_the_conversation_afresh(caplog):
    record = Record(json.dumps({"query": {"days": "samedi"}, "offset": 2}))
    with caplog.at_level(logging.WARNING):
        read = from_record("k", record, now=time.time())
    assert read.query is None and read.offset == 0
    assert "could not be read" in caplog.text


def test_a_store_that_is_down_answers_without_memory_and_logs_once(tmp_path, real_engine, caplog):
    with running_redis(tmp_path) as server:
        store = RedisSessions(server.url)
        conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
        conversation.handle("web:d", "atelier informatique auch")
        server.stop()
        with caplog.at_level(logging.ERROR):
            for _ in range(3):
                reply = conversation.handle("web:d", "et le samedi ?")
                assert reply.kind == "not_understood" or reply.cards  # an answer, never an error
            assert conversation.handle("web:d", "atelier informatique auch").cards
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "conversation store unavailable" in errors[0].getMessage()
        store.close()


def test_a_sqlite_store_that_cannot_be_opened_answers_without_memory(tmp_path, real_engine, caplog):
    (tmp_path / "home").write_text("a file where the folder should be")
    with caplog.at_level(logging.ERROR):
        conversation = Conversation(real_engine, sessions=SqliteSessions(tmp_path / "home" / "c.sqlite"))
        assert conversation.handle("web:e", "atelier informatique auch").cards
    assert "conversation store unavailable" in caplog.text


@pytest.mark.parametrize("record", [Record("{not json"), Record('{"query": null}', "{broken", 9e12),
                                    Record('["a", "list"]')])
def test_a_damaged_record_starts_the_conversation_afresh(record):
    read = from_record("k", record, now=time.time())
    assert read.query is None and read.location is None and not read.new


@dataclass(frozen=True)
class Moment:
    """A stand-in for fields other engineers add to ``Query``: a bare tuple, nested values, a default."""

    when: tuple = ()
    doubt: str = ""
    area: Area | None = None


def test_a_bare_tuple_field_is_read_back_as_tuples_and_stays_hashable():
    moment = Moment(when=("apres 17 h", 1020, 1440, ("a", 1)), doubt="Tarbes", area=Area("commune", "Auch"))
    read = from_data(Moment, json.loads(json.dumps(to_data(moment))))
    assert read == moment and hash(read) == hash(moment)


def test_a_value_with_no_stored_form_answers_without_memory(open_store, caplog):
    store = open_store()
    session = store.load("web:f")
    session.query = Query(words=(object(),))  # a type the codec does not know: a bug, not a crash
    with caplog.at_level(logging.ERROR):
        store.save(session)
        store.save(session)
    assert store.load("web:f").new
    assert caplog.text.count("could not be stored") == 1


def _open_when_told(path: str, start, results) -> None:
    start.wait()
    store = SqliteSessions(path)
    results.put(store._breaker.failed_at is None)


def test_workers_starting_together_on_a_new_file_all_open_it(tmp_path):
    """Two workers set up a new store file at the same moment: SQLite answers « database is
    locked » at once to one of them, which must try again, not answer without memory."""
    ctx = multiprocessing.get_context("fork")
    for round_ in range(10):
        start, results = ctx.Event(), ctx.Queue()
        path = str(tmp_path / f"conversations-{round_}.sqlite")
        workers = [ctx.Process(target=_open_when_told, args=(path, start, results)) for _ in range(4)]
        for w in workers:
            w.start()
        start.set()
        opened = [results.get(timeout=30) for _ in workers]
        for w in workers:
            w.join(timeout=30)
        assert opened == [True] * 4, round_


def _ids(reply) -> list[str]:
    return [card.id for card in reply.cards]


def test_the_next_page_comes_from_the_answer_kept_in_the_store_in_another_worker(open_store, real_engine):
    """« Plus » reads the places kept with the conversation (here put in reverse order) instead of
    searching again, in whichever worker it lands."""
    store = open_store()
    first = Conversation(real_engine, sessions=store, today=lambda: 2)
    shown = _ids(first.handle("web:p", "atelier informatique toulouse"))
    session = store.load("web:p")
    kept = session.ranked
    assert list(kept.ids[:3]) == shown and kept.total > 6
    session.ranked = replace(kept, ids=kept.ids[::-1], flags=kept.flags[::-1])
    store.save(session)
    second = Conversation(real_engine, sessions=open_store(), today=lambda: 2)  # another worker
    assert _ids(second.more("web:p")) == list(kept.ids[::-1][3:6])


def test_a_new_search_waiting_for_the_position_keeps_no_answer_of_the_previous_one(open_store, real_engine):
    store = open_store()
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    conversation.handle("web:q", "atelier informatique toulouse")
    assert conversation.handle("web:q", "wifi près de moi").kind == "ask_location"
    waiting = store.load("web:q")
    assert waiting.ranked is None
    fresh = [h.entry.place.id for h in real_engine.search(waiting.query).hits[3:6]]
    assert _ids(conversation.page("web:q", 3)) == fresh  # this search's places, not the previous one's


def test_a_kept_answer_of_another_index_version_is_searched_again(open_store, real_engine):
    store = open_store()
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    first = conversation.handle("web:v", "atelier informatique toulouse")
    session = store.load("web:v")
    kept = session.ranked
    session.ranked = replace(kept, version="3-0000000000000000", ids=kept.ids[::-1], flags=kept.flags[::-1])
    store.save(session)
    fresh = Conversation(real_engine, today=lambda: 2).search("atelier informatique toulouse", limit=6)
    assert _ids(first) + _ids(conversation.more("web:v")) == _ids(fresh)


def test_the_answer_to_a_search_around_a_position_is_not_kept(open_store, real_engine):
    """The places found around a person, with their distances, would say where the person is."""
    store = open_store()
    conversation = Conversation(real_engine, sessions=store, today=lambda: 2)
    around = conversation.handle("tg:8", "atelier", location=(43.6045, 1.444))
    assert around.understood.startswith("atelier · autour de vous") and around.more
    assert not any(card.id in stored_text(store) for card in around.cards)
    assert conversation.handle("tg:8", "plus").kind == "results"  # searched again, around the position
    town = conversation.handle("tg:8", "atelier informatique auch")
    assert town.cards[0].id in stored_text(store)


def test_a_worker_waits_for_another_holding_the_file_and_then_writes(tmp_path, real_engine):
    """Another worker's transaction holds the write lock for a moment: the message waits for it and is
    remembered, rather than failing at once (SQLite's own busy timeout is off: the store tries again
    itself, in pauses of tens of microseconds)."""
    path = tmp_path / "conversations.sqlite"
    conversation = Conversation(real_engine, sessions=SqliteSessions(path), today=lambda: 2)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.2, other.execute, ("COMMIT",)).start()
        started = time.monotonic()
        assert conversation.handle("web:w", "atelier informatique auch").cards
        assert 0.15 < time.monotonic() - started < 2
        refined = conversation.handle("web:w", "et le samedi ?")
        assert refined.understood == "atelier informatique · ouvert le samedi · Auch"
    finally:
        time.sleep(0.3)  # the timer's COMMIT has run
        other.close()
        conversation.sessions.close()
