"""What people asked, counted for the maintainers' report: need, area, day and outcome, nothing else.

A question is kept as what the conversation understood of it (``understood``): the needs as
the vocabulary's labels (« Aide aux démarches administratives en ligne »), the area as the
gazetteer names it (a shared position only as its département), the day, and the outcome:

- ``answered``: places inside the area meet the needs;
- ``far``: none inside, only places around it or farther;
- ``unconfirmed``: only places inside that do not say whether they offer it;
- ``none``: no place at all.

Never the words typed, a chat or session id, an address, a name or a position: the counts
cannot lead back to a person. They live in ``$ORIENTEUR_HOME/asked.sqlite3`` as one row per
(day, need, area, outcome) with a count, for ``ORIENTEUR_ASKED_DAYS`` days (older days are
deleted on the first write of each day); ``ORIENTEUR_RECORD_ASKED=0`` records nothing.
Several processes (web workers, the bot) write to it: SQLite in WAL mode, waited for in short
pauses. A process counts in memory and writes its counts once a second (``WRITE_AFTER``), in
one short transaction, and what is left when it stops (``close``); a process killed outright
loses its last second of counts. A failure to write is logged once, the counts wait for the next
try, and it never costs an answer.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from index.breaker import Breaker
from index.gazetteer import load_gazetteer
from index.needs import need_of
from index.settings import Settings
from index.sqlite_wait import immediate, patiently, shared
from index.understand import Query

if TYPE_CHECKING:  # the engine logs what it could not answer with ``understood``
    from index.engine import Results

log = logging.getLogger(__name__)

FILE = "asked.sqlite3"
OUTCOMES = ("answered", "far", "unconfirmed", "none")
WRITE_AFTER = 1.0
"""Seconds a count waits in memory to be written with the others of its second. A transaction per
question, on the answer's path, cost a tenth of a « Plus »; and two web workers committing each
question waited on each other's lock and checkpoints."""
NO_NEED = ""
"""The need of a question that named none (a place's name, an area alone)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS asked (
    day TEXT NOT NULL,
    need TEXT NOT NULL,
    area TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, need, area, outcome)
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class Asked:
    """One question as understood: what is stored, and all that is stored."""

    need: str
    area: str
    outcome: str


def outcome(results: Results) -> str:
    """How a search ended for the person asking (see the module docstring)."""
    if not results.hits:
        return "none"
    if not results.widened:
        return "answered"
    return "unconfirmed" if results.hits[0].inside else "far"


def understood(query: Query, results: Results) -> Asked:
    """The question reduced to its need, its area and its outcome."""
    needs = sorted({_need(c.facet, c.codes) or c.describe() for c in query.concepts}
                   | ({"wifi"} if query.wifi else set()))
    return Asked(need=" + ".join(needs) or NO_NEED, area=_area(query), outcome=outcome(results))


def _need(facet: str, codes: frozenset[str]) -> str:
    need = need_of(facet, codes)
    return need.name if need else ""


def _area(query: Query) -> str:
    area = query.area
    if area is None:
        return ""
    if not area.user_location:
        return area.label
    # A shared position is kept as its département only.
    if area.lat is None or area.lon is None:
        return "position partagée"
    commune = load_gazetteer().nearest_commune(area.lat, area.lon)
    return f"position partagée ({commune.departement})" if commune else "position partagée"


@dataclass(frozen=True)
class Count:
    day: str
    need: str
    area: str
    outcome: str
    count: int


class AskedLog:
    """The counts in one SQLite file; ``record`` adds a question, ``counts`` reads the last days."""

    def __init__(self, path: Path, keep_days: int = 90, today: Callable[[], date] = date.today) -> None:
        self.path, self.keep_days, self.today = Path(path), keep_days, today
        self._lock = threading.Lock()  # the connection
        self._waiting_lock = threading.Lock()  # the counts not written yet, and their timer
        self._connection: sqlite3.Connection | None = None
        self._pruned: str = ""
        self._waiting: Counter[tuple[str, str, str, str]] = Counter()
        self._timer: threading.Timer | None = None
        self._closed = False
        self._breaker = Breaker(log, f"could not count questions in {self.path} (%s: %s): they wait in memory "
                                "for the next try", f"question counts written to {self.path} again")

    @classmethod
    def from_settings(cls, settings: Settings) -> AskedLog | None:
        """The log of ``settings.home``, or None when recording is off."""
        if not settings.record_asked:
            return None
        return cls(Path(settings.home).expanduser() / FILE, settings.asked_days)

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = shared(str(self.path), SCHEMA)
        return self._connection

    def record(self, asked: Asked) -> None:
        """Count one question for today: in memory at once, in the file within ``WRITE_AFTER`` seconds
        (at once when the log is closed: a question answered while the process stops)."""
        with self._waiting_lock:
            self._waiting[(self.today().isoformat(), asked.need, asked.area, asked.outcome)] += 1
            closed = self._closed
            if not closed:
                self._arm()
        if closed:
            self.write()

    def _arm(self) -> None:
        """Have the counts waiting written in ``WRITE_AFTER`` seconds, unless that is planned already
        (called with ``_waiting_lock`` held)."""
        if self._timer is None:
            self._timer = threading.Timer(WRITE_AFTER, self.write)
            self._timer.daemon = True
            self._timer.start()

    def write(self) -> None:
        """Write the counts waiting in memory, in one transaction; old days go on the first write of a
        day. Never raises: counts that could not be written wait for the next try (logged once, as the
        conversation store does), and are said lost only if the log closes with them."""
        with self._lock:
            with self._waiting_lock:
                waiting, self._waiting = self._waiting, Counter()
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
            if not waiting:
                return
            try:
                day = max(day for day, *_ in waiting)
                with immediate(self._connect()) as connection:
                    connection.executemany(
                        "INSERT INTO asked (day, need, area, outcome, count) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (day, need, area, outcome) DO UPDATE SET count = count + excluded.count",
                        [(*key, count) for key, count in waiting.items()])
                    if self._pruned != day:
                        connection.execute("DELETE FROM asked WHERE day < ?", (self._oldest(),))
                self._pruned = day
                self._breaker.recovered()
            except (sqlite3.Error, OSError) as exc:
                self._breaker.failed(exc, time.monotonic())
                with self._waiting_lock:
                    self._waiting.update(waiting)
                    if not self._closed:
                        self._arm()

    def record_search(self, query: Query, results: Results) -> None:
        """The conversation's hook: count a search by what was understood of it."""
        self.record(understood(query, results))

    def counts(self, days: int | None = None) -> list[Count]:
        """The counts of the last ``days`` days (default: all kept), newest day first."""
        self.write()
        if not self.path.is_file():
            return []
        since = (self.today() - timedelta(days=(days or self.keep_days) - 1)).isoformat()
        with self._lock:
            rows = patiently(
                self._connect(), "SELECT day, need, area, outcome, count FROM asked WHERE day >= ? "
                "ORDER BY day DESC, count DESC, need, area, outcome", (since,)).fetchall()
        return [Count(*row) for row in rows]

    def _oldest(self) -> str:
        return (self.today() - timedelta(days=self.keep_days - 1)).isoformat()

    def close(self) -> None:
        """Write the counts waiting, then close the file (a question counted later is written at once)."""
        with self._waiting_lock:
            self._closed = True
        self.write()
        with self._waiting_lock:
            lost, self._waiting = self._waiting.total(), Counter()
        if lost:
            log.warning("%d questions could not be counted in %s: lost", lost, self.path)
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
