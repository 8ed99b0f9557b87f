"""Search on the index version being served, swapped without a pause when a rebuild lands.

``Engine.search(query)`` takes one snapshot of the current ``Store`` and works on it
alone, so a swap in the middle never mixes two versions. ``refresh()`` is cheap when
nothing changed (one ``readlink``); when the pointer moved it opens the new version
beside the old one and swaps the reference. Front ends call it on a timer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from whoosh.query import Or, Term

from index.analysis import stems
from index.errors import IndexUnavailable
from index.facets import Entry
from index.home import Home
from index.rank import MET, UNKNOWN, UNMET, Assessment, assess, name_match, needs, order_key
from index.spatial import haversine_km
from index.store import TEXT_FIELDS, Store, open_store
from index.understand import Query, parse

log = logging.getLogger(__name__)
notfound = logging.getLogger("orienteur.notfound")

MAX_HITS = 100
"""Places kept per search, for paging."""
RING_KM = 15.0
"""Around a commune with no matching place, how far its nearest alternatives may be."""
NEAR_COUNT = 30
"""Around a point with no radius given: how many nearest places set the radius."""


@dataclass
class Results:
    query: Query
    hits: list[Assessment]
    widened: bool = False
    """Nothing inside the area met the needs: the hits come from around it."""
    area_empty: bool = False
    """The area holds no place at all."""
    took_ms: float = 0.0
    version: str = ""
    trace: list[str] = field(default_factory=list)


class Engine:
    """Searches the current version of an index home (or one fixed store, for tests)."""

    def __init__(self, home: Path | None = None, store: Store | None = None) -> None:
        self.home = Home(Path(home)) if home is not None else None
        self._store = store
        self._pointer: str | None = None
        if store is None:
            self.refresh()

    @property
    def store(self) -> Store:
        if self._store is None:
            raise IndexUnavailable("no index has been built yet")
        return self._store

    def refresh(self) -> bool:
        """Switch to the version the pointer names, if it moved; True when a new version was loaded.

        A version that fails to open is logged and skipped: the old one keeps serving.
        """
        if self.home is None:
            return False
        pointer = self.home.current_name()
        if pointer == self._pointer and self._store is not None:
            return False
        current = self.home.current()
        if current is None:
            return False
        try:
            store = open_store(current)
        except IndexUnavailable:
            log.exception("cannot open index version %s; still serving the previous one", current)
            self._pointer = pointer
            return False
        old, self._store, self._pointer = self._store, store, pointer
        log.info("serving index version %s (%d places)", store.version, len(store.entries))
        if old is not None:
            old.close()
        return True

    async def watch(self, interval: float) -> None:
        """Refresh every ``interval`` seconds, loading off the event loop; runs until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.refresh)
            except Exception:  # a watcher that dies silently would freeze the data
                log.exception("index refresh failed")

    def parse(self, text: str, lat: float | None = None, lon: float | None = None,
              today: int | None = None) -> Query:
        weekday = date.today().weekday() if today is None else today
        return parse(text, self.store.lexicon, lat=lat, lon=lon, today=weekday)

    def ask(self, text: str, lat: float | None = None, lon: float | None = None,
            today: int | None = None) -> Results:
        return self.search(self.parse(text, lat, lon, today))

    def search(self, query: Query, explain: bool = False) -> Results:
        started = time.perf_counter()
        store = self.store
        search = _Search(store, query, explain)
        results = search.run()
        results.took_ms = (time.perf_counter() - started) * 1000
        results.version = store.version
        if not results.hits or results.widened:
            notfound.info("%s | %s", query.text, query.describe())
        return results


class _Search:
    """One search on one store snapshot: candidates, assessments, and the area policy."""

    def __init__(self, store: Store, query: Query, explain: bool) -> None:
        self.store, self.query, self.explain = store, query, explain
        self.trace: list[str] = []
        self.centre: tuple[float, float] | None = None
        area = query.area
        if area is not None and area.lat is not None and area.lon is not None:
            self.centre = (area.lat, area.lon)

    def log(self, message: str, *args) -> None:
        if self.explain:
            self.trace.append(message % args)

    def run(self) -> Results:
        q = self.query
        area = q.area
        inside, radius = self.inside()
        self.log("area %s: %d places inside%s", area.label if area else "(none)", len(inside),
                 f" ({radius:.1f} km)" if radius else "")
        assessed = self.assess(inside, inside=True)
        has_needs = bool(q.concepts or q.days or q.wifi)
        good = [a for a in assessed if a.tier == MET or a.named]
        if area is None or good or (not has_needs and inside and not q.name_words):
            keep = [a for a in assessed if a.tier >= UNKNOWN or a.named or not has_needs]
            if not keep and assessed:
                keep = assessed
            hits = sorted(keep, key=order_key)
            if area is None and q.words and not has_needs:
                hits = [a for a in hits if a.text > 0 or a.name > 0] or hits
            return self.results(hits, widened=False, area_empty=not inside)
        # Nothing inside meets the needs: the nearest places that do, then the undocumented inside.
        around = self.around({e.pos for e in inside}, radius)
        self.log("widened: %d places around", len(around))
        outside = self.assess(around, inside=False)
        met_outside = sorted((a for a in outside if a.tier == MET or a.named),
                             key=lambda a: (a.distance_km if a.distance_km is not None else 1e9, -a.score))
        unknown_inside = sorted((a for a in assessed if a.tier == UNKNOWN), key=order_key)
        hits = met_outside + unknown_inside
        if not hits:
            hits = sorted((a for a in outside if a.tier >= UNKNOWN), key=lambda a: a.distance_km or 1e9) \
                or sorted(assessed, key=order_key)
        return self.results(hits, widened=True, area_empty=not inside)

    def results(self, hits: list[Assessment], widened: bool, area_empty: bool) -> Results:
        return Results(query=self.query, hits=hits[:MAX_HITS], widened=widened, area_empty=area_empty,
                       trace=self.trace)

    def inside(self) -> tuple[list[Entry], float | None]:
        """The places inside the query's area, and the radius used for a point area."""
        store, area = self.store, self.query.area
        if area is None:
            return self.unbounded(), None
        if area.kind == "departement":
            return [e for d in area.departements for e in store.by_departement.get(d, ())], None
        if area.kind == "commune":
            found = {e.pos: e for c in area.communes for e in store.by_commune.get(c, ())}
            if not area.strict and self.centre:
                for pos, _ in store.grid.within(*self.centre, RING_KM):
                    found.setdefault(pos, store.entries[pos])
            return list(found.values()), None
        if self.centre is None:
            return [], None
        radius = area.radius_km
        if radius is None:
            nearest = store.grid.nearest(*self.centre, NEAR_COUNT)
            radius = min(max(nearest[-1][1] if nearest else 5.0, 1.5), 30.0)
        return [store.entries[pos] for pos, _ in store.grid.within(*self.centre, radius)], radius

    def unbounded(self) -> list[Entry]:
        """With no area: the places that can answer at all (by text or by a need), not the whole directory."""
        store, q = self.store, self.query
        if not (q.words or q.concepts):
            return store.entries
        positions = set(self.text_scores(None))
        for concept in q.concepts:
            for code in concept.codes:
                positions.update(store.by_code.get((concept.facet, code), ()))
        return [store.entries[p] for p in sorted(positions)]

    def around(self, exclude: set[int], radius: float | None) -> list[Entry]:
        """Places outside the area, nearest to its centre first (departements: their neighbours')."""
        store = self.store
        centre = self.centre
        if centre is None and self.query.area and self.query.area.kind == "departement":
            points = [(e.place.lat, e.place.lon) for d in self.query.area.departements
                      for e in store.by_departement.get(d, ()) if e.place.has_point]
            if points:
                centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        if centre is None:
            return []
        self.centre = centre
        reach = max(RING_KM, (radius or 0) * 3)
        found = [store.entries[pos] for pos, _ in store.grid.within(*centre, reach) if pos not in exclude]
        if not any(self.meets(e) for e in found):
            found = [store.entries[pos] for pos, _ in store.grid.nearest(*centre, 400) if pos not in exclude]
        return found

    def meets(self, entry: Entry) -> bool:
        a = Assessment(entry=entry)
        needs(a, self.query)
        return a.tier == MET

    def assess(self, entries: list[Entry], inside: bool) -> list[Assessment]:
        q = self.query
        text = self.text_scores({e.pos for e in entries}) if q.words else {}
        top = max(text.values(), default=0.0) or 1.0
        out = []
        for e in entries:
            a = Assessment(entry=e, inside=inside)
            if self.centre and e.place.has_point:
                a.distance_km = haversine_km(self.centre[0], self.centre[1], e.place.lat, e.place.lon)
            a.text = text.get(e.pos, 0.0) / top
            a.name = name_match(e, q.name_words)
            out.append(assess(a, q))
        return out

    def text_scores(self, positions: set[int] | None) -> dict[int, float]:
        """BM25F scores of the query's words, over ``positions`` (None: every place)."""
        if not self.query.words or positions == set():
            return {}
        terms = [Term(field, stem) for word in self.query.words for stem in stems(word) for field in TEXT_FIELDS]
        if not terms:
            return {}
        results = self.store.searcher.search(Or(terms), limit=None, filter=positions)
        return dict(results.items())


__all__ = ["MET", "UNKNOWN", "UNMET", "Engine", "Results"]
