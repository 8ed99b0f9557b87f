"""What people asked is kept as need, area, day and outcome counts: never their words."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

from index.asked import FILE, WRITE_AFTER, Asked, AskedLog
from index.conversation import Conversation
from index.settings import Settings
from tests.support.homes import ROOT

SECRETS = ("Dupuis", "Marchetti", "Lebrasseur", "06 12 34 56 78", "0612345678", "0698765432", "Lilas",
           "Peupliers", "43.184", "3.0039")
"""A made-up name, phone numbers, street names and a position's digits, asked below."""
QUESTIONS = (
    "Mme Dupuis-Marchetti 06 12 34 56 78 démarches caf 12 rue des Lilas Narbonne",
    "mon voisin Kévin Lebrasseur 0612345678 atelier informatique gers",
    "Lebrasseur coworking tournefeuille 0698765432, 3 allée des Peupliers",
)


def asked_files(home) -> bytes:
    return b"".join(p.read_bytes() for p in home.glob(FILE + "*"))


def test_questions_are_counted_without_a_name_a_phone_an_address_or_a_position(real_engine, tmp_path, caplog):
    settings = Settings.from_env({}, home=str(tmp_path))
    conversation = Conversation.from_settings(real_engine, settings)
    caplog.set_level(logging.DEBUG)
    for n, text in enumerate(QUESTIONS):
        conversation.handle(f"web:{n}", text)
    conversation.handle("tg:42", "", (43.18412, 3.00391))  # a shared position, near Narbonne
    conversation.handle("tg:42", "plus")
    conversation.close()  # writes the counts still in memory

    counts = AskedLog(tmp_path / FILE).counts(1)
    assert sum(c.count for c in counts) == 4  # "plus" shows a page, it asks nothing new
    assert {(c.need, c.area, c.outcome) for c in counts} == {
        ("démarches", "Narbonne", "answered"), ("ateliers", "Gers (32)", "answered"),
        ("Espace de co-working", "Tournefeuille", "far"), ("", "position partagée (11)", "answered")}
    stored = asked_files(tmp_path)
    logged = caplog.text
    for secret in SECRETS:
        assert secret.encode() not in stored and secret.lower().encode() not in stored.lower(), secret
        assert secret.lower() not in logged.lower(), secret


def test_the_same_question_twice_is_one_row_counted_twice(tmp_path):
    log = AskedLog(tmp_path / FILE)
    question = Asked(need="Fablab", area="Gers (32)", outcome="far")
    log.record(question)
    log.record(question)
    log.record(Asked(need="Fablab", area="Gers (32)", outcome="answered"))
    assert [(c.outcome, c.count) for c in log.counts()] == [("far", 2), ("answered", 1)]


def test_days_older_than_the_retention_are_deleted(tmp_path):
    today = date(2026, 11, 30)
    clock = [today - timedelta(days=100)]
    log = AskedLog(tmp_path / FILE, keep_days=90, today=lambda: clock[0])
    log.record(Asked("Fablab", "Gers (32)", "none"))
    clock[0] = today - timedelta(days=89)
    log.record(Asked("Fablab", "Gers (32)", "none"))
    clock[0] = today
    log.record(Asked("Fablab", "Gers (32)", "none"))
    rows = log.counts(1000)
    assert sorted(c.day for c in rows) == ["2026-09-02", "2026-11-30"]


def test_switched_off_nothing_is_recorded(real_engine, tmp_path):
    settings = Settings.from_env({"ORIENTEUR_RECORD_ASKED": "0"}, home=str(tmp_path))
    conversation = Conversation.from_settings(real_engine, settings)
    conversation.handle("web:1", "fablab gers")
    assert conversation.asked is None and not list(tmp_path.glob(FILE + "*"))


WRITER = """
import sys, time
from index.asked import Asked, AskedLog
log = AskedLog(sys.argv[1])
for n in range(int(sys.argv[2])):
    log.record(Asked("Fablab", "Gers (32)", "far"))
    time.sleep(0.01)  # over more than one second: each process writes while the others do
log.close()
"""


def test_several_processes_count_into_one_file_without_losing_a_question(tmp_path):
    path = tmp_path / FILE
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), "150"], cwd=ROOT, stderr=subprocess.PIPE,
                                text=True) for _ in range(3)]
    for proc in writers:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "could not count" not in err, err
    assert [c.count for c in AskedLog(path).counts()] == [450]


def test_counts_reach_the_file_within_a_second_and_the_rest_when_the_log_closes(tmp_path):
    """Another process (the report) sees a question once the second it was asked in is written, and
    a process that stops writes what it counted last."""
    log, reader = AskedLog(tmp_path / FILE), AskedLog(tmp_path / FILE)
    log.record(Asked("Fablab", "Gers (32)", "far"))
    deadline = time.monotonic() + WRITE_AFTER + 1
    while not reader.counts() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [c.count for c in reader.counts()] == [1]
    log.record(Asked("Fablab", "Gers (32)", "far"))
    log.close()
    assert [c.count for c in reader.counts()] == [2]
    reader.close()


def test_a_question_counted_after_the_log_closed_is_written_at_once(tmp_path):
    """A question answered while the process stops, after its conversation closed the log."""
    log = AskedLog(tmp_path / FILE)
    log.close()
    log.record(Asked("Fablab", "Gers (32)", "far"))
    assert [c.count for c in AskedLog(tmp_path / FILE).counts()] == [1]
    log.close()


def test_counts_that_could_not_be_written_wait_for_the_next_try(tmp_path, caplog):
    blocker = tmp_path / "home"
    blocker.write_text("a file where the home's directory should be")
    log = AskedLog(blocker / FILE)
    log.record(Asked("Fablab", "Gers (32)", "far"))
    log.write()
    log.record(Asked("Fablab", "Gers (32)", "far"))
    log.write()
    assert caplog.text.count("could not count questions") == 1  # said once, not at every try
    blocker.unlink()
    log.write()
    assert [c.count for c in log.counts()] == [2] and "written to" in caplog.text
    log.close()


def test_counts_wait_for_another_worker_holding_the_file(tmp_path):
    """Another worker holds the counts' file for a moment: the write waits for it (in short pauses,
    SQLite's own handler being off) and the question is counted, not lost."""
    log = AskedLog(tmp_path / FILE)
    log.record(Asked(need="démarches", area="Albi", outcome="found"))
    log.write()  # the file exists, in WAL mode, as once any worker has counted a question
    other = sqlite3.connect(tmp_path / FILE, isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.2, other.execute, ("COMMIT",)).start()
        log.record(Asked(need="démarches", area="Albi", outcome="found"))
        assert [c.count for c in log.counts(1)] == [2]
    finally:
        time.sleep(0.3)  # the timer's COMMIT has run
        other.close()
        log.close()
