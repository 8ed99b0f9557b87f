"""Search on the index version being served, swapped without a pause when a rebuild lands.

``Engine.search(query)`` takes one snapshot of the current ``Store`` and works on it
alone, so a swap in the middle never mixes two versions. ``refresh()`` is cheap when
nothing changed (one ``readlink``); when the pointer moved it opens the new version
beside the old one and swaps the reference. Front ends call it on a timer.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from index.analysis import stems
from index.asked import understood
from index.errors import IndexUnavailable
from index.facets import Entry
from index.home import Home
from index.memory import malloc_trim
from index.rank import (
    LEAD_FACETS,
    MET,
    UNKNOWN,
    UNMET,
    Asked,
    Assessment,
    assess,
    name_keys,
    name_match,
    nearest_first_key,
    order_key,
)
from index.settings import Settings
from index.spatial import haversine_km
from index.store import TEXT_FIELDS, Store, open_store
from index.understand import Area, Query, parse

log = logging.getLogger(__name__)
notfound = logging.getLogger("orienteur.notfound")

MAX_HITS = 100
"""Places kept per search, for paging."""
RING_KM = 15.0
"""Around a commune with no matching place, how far its nearest alternatives may be."""
NEAR_COUNT = 10
"""Around a point with no radius given: how many nearest places set the radius…"""
NEAR_KM = (1.5, 12.0)
"""…within these bounds, in km (central Toulouse, countryside)."""
FEW, FAR_KM = 3, 30.0
"""Where fewer than FEW places lie within those bounds, the radius grows to reach FEW, up to FAR_KM."""
AROUND_COUNT = 400
"""Places looked at around an area when nothing just around it answers…"""
FARTHER_MEETING = 60
"""…or, when services or labels were asked, the nearest places offering one of them."""
OUTSIDE_KM = 50.0
"""An area with no listed place within this distance is outside the served directory."""
MAX_CANDIDATES = 2000
"""With no area, places assessed at most (the best by text first)."""
RETIRE_SECONDS = 30.0
"""How long a version swapped out stays open for the searches begun on it (they take milliseconds)."""


Found = tuple[str, bool, bool, bool]
"""One place of an answer as ``assess_again`` takes it back: id, inside the area, named, and whether
its distance from the search's centre was measured."""


@dataclass
class Results:
    query: Query
    hits: list[Assessment]
    widened: bool = False
    """Nothing inside the area met the needs: the hits are places just around it, or places
    inside that do not say (then ``hits[0].inside``), or the nearest ones farther away."""
    area_empty: bool = False
    """The area holds no place at all."""
    centre: tuple[float, float] | None = None
    """The point distances were measured from (the area's centre, or the mean of a département's places)."""
    took_ms: float = 0.0
    version: str = ""
    trace: list[str] = field(default_factory=list)


class Engine:
    """Searches the current version of an index home (or one fixed store, for tests)."""

    def __init__(self, home: Path | None = None, store: Store | None = None,
                 retire_after: float = RETIRE_SECONDS) -> None:
        self.home = Home(Path(home)) if home is not None else None
        self.retire_after = retire_after
        self._store = store
        self._retired: Store | None = None
        self._retired_at = 0.0
        self._pointer: str | None = None
        self._terms: tuple[Store | None, frozenset] = (None, frozenset())
        """The served store's (field, term) pairs: a query word the index lacks costs a set lookup."""
        self._refreshing = threading.Lock()
        """One refresh at a time: the watcher and an admin rebuild may both ask for one."""
        if store is None:
            self.refresh()

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        """The engine over the index home of ``settings`` (build it first: ``cli.ensure_built``)."""
        return cls(home=Path(settings.home).expanduser())

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
        with self._refreshing:
            self._close_retired()
            return self._refresh()

    def _refresh(self) -> bool:
        pointer = self.home.current_name()
        if pointer == self._pointer and self._store is not None:
            return False
        current = self.home.current()
        if current is None:
            return False
        try:
            store = _open_quietly(current, self._store)
        except IndexUnavailable:
            log.exception("cannot open index version %s; still serving the previous one", current)
            self._pointer = pointer
            return False
        # The store swapped out may still serve a search begun before the swap: it is closed
        # RETIRE_SECONDS later (at a refresh), or at the next swap, not now.
        self._close_retired(force=True)
        self._retired, self._retired_at = self._store, time.monotonic()
        self._store, self._pointer = store, pointer
        log.info("serving index version %s (%d places)", store.version, len(store.entries))
        return True

    def _close_retired(self, force: bool = False) -> None:
        """Close the version swapped out, once no search can still be running on it: its memory
        goes back (a large directory replaced by a small one leaves no trace)."""
        if self._retired is None or not (force or time.monotonic() - self._retired_at >= self.retire_after):
            return
        self._retired.close()
        self._retired = None
        malloc_trim()

    async def watch(self, interval: float) -> None:
        """Refresh every ``interval`` seconds, loading off the event loop; runs until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.refresh)
            except Exception:  # a watcher that dies silently would freeze the data
                log.exception("index refresh failed")

    def parse(self, text: str, lat: float | None = None, lon: float | None = None,
              today: int | None = None, previous: Area | None = None) -> Query:
        weekday = date.today().weekday() if today is None else today
        return parse(text, self.store.lexicon, lat=lat, lon=lon, today=weekday, previous=previous)

    def ask(self, text: str, lat: float | None = None, lon: float | None = None,
            today: int | None = None) -> Results:
        return self.search(self.parse(text, lat, lon, today))

    def _terms_of(self, store: Store) -> frozenset:
        held, terms = self._terms
        if held is not store:
            terms = frozenset((name, text.decode("utf-8")) for name, text in store.searcher.reader().all_terms()
                              if name in TEXT_FIELDS)
            self._terms = (store, terms)
        return terms

    def known_words(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The ``words`` the served directory holds somewhere (a word of a place's name or text, or one
        of its index terms): a word found nowhere can match no place, so it need not be kept (a
        conversation stored between messages keeps no « durand » someone typed)."""
        store = self.store
        directory, terms = store.lexicon.directory_words, self._terms_of(store)
        return tuple(w for w in words if w in directory or w in store.name_df
                     or any((name, stem) in terms for stem in stems(w) for name in TEXT_FIELDS))

    def searchable(self, query: Query) -> Query:
        """``query`` with only the words the served directory holds (``known_words``)."""
        return replace(query, words=self.known_words(query.words), name_words=self.known_words(query.name_words))

    def covers(self, area: Area | None) -> bool:
        """Does the served directory reach ``area``? A département with places listed, or any area
        with a listed place within ``OUTSIDE_KM`` of its centre (Paris or Lille is not reached)."""
        if area is None:
            return True
        store = self.store
        if any(d in store.by_departement for d in area.departements):
            return True
        centre = (area.lat, area.lon) if area.lat is not None and area.lon is not None else None
        if centre is None and area.kind == "departement":
            boxes = [b for d in area.departements if (b := store.lexicon.gazetteer.departement_bbox(d))]
            centre = ((boxes[0][0] + boxes[0][2]) / 2, (boxes[0][1] + boxes[0][3]) / 2) if boxes else None
        return centre is None or bool(store.grid.nearest(*centre, 1, max_km=OUTSIDE_KM))

    def coverage(self) -> list[str]:
        """The served directory's départements, most places first: « Haute-Garonne (31) », …; one
        stray place filed far away does not make a département covered."""
        lexicon = self.store.lexicon
        counts = lexicon.listed_departements
        least = max(2, sum(counts.values()) // 200)
        codes = sorted((d for d, n in counts.items() if n >= least), key=lambda d: (-counts[d], d))
        return [f"{dep.name} ({dep.code})" for d in codes if (dep := lexicon.gazetteer.departement(d))]

    def search(self, query: Query, explain: bool = False) -> Results:
        started = time.perf_counter()
        store = self.store
        search = _Search(store, query, explain, self._terms_of(store))
        results = search.run()
        results.took_ms = (time.perf_counter() - started) * 1000
        results.version = store.version
        if not results.hits or results.widened:
            # What was understood only: the words typed may name the person helped.
            notfound.info("%s", understood(query, results))
        return results

    def assess_again(self, query: Query, version: str, centre: tuple[float, float] | None,
                     found: Sequence[Found]) -> list[Assessment] | None:
        """The places an earlier search of ``query`` on ``version`` found, assessed again with what it
        found of them (inside, named, distance from its ``centre``): a page of its answer without
        searching again. Their tier and reasons, what cards show, are the search's; their score is
        not, text relevance being left out (the order was settled by the search). None when the
        index served is now another version, or a place is no longer in it."""
        store = self.store
        if store.version != version:
            return None
        asked, keys = Asked.of(query), name_keys(query.name_words)
        out = []
        for place_id, inside, named, measured in found:
            entry = store.by_id.get(place_id)
            if entry is None:
                return None
            place = entry.place
            km = haversine_km(*centre, place.lat, place.lon) if measured and centre and place.has_point else None
            out.append(_assessed(entry, asked, keys, inside, km, named=named))
        return out


WARM_SECONDS = 0.5
"""How long an open may spend decoding places ahead of the searches: all of them when the directory
fits in the cache, else those the version it replaces had decoded (the searches right after the
swap find them ready)."""
OPEN_SWITCH_SECONDS = 0.0005
"""While a version opens, how long a thread holds the interpreter before another may take it
(Python's default is 5 ms): searches interleave with the open in finer steps."""


def _open_quietly(directory: Path, serving: Store | None = None) -> Store:
    """``open_store`` without pausing the searches of other threads; the places decoded ahead
    (``WARM_SECONDS``) are ready for the searches after the swap, as they were before it.

    Opening creates a few hundred thousand objects (the lexicon, the places decoded ahead): each pass of
    the cyclic collector meanwhile would scan the whole heap with the interpreter held (passes
    of 100+ ms at 100,000 places). So none runs during the open, and what it made, which lives
    as long as the version and holds no cycle, is moved out of the collector's sight
    (``gc.freeze``); plain reference counting still frees it when the version is retired.
    (Cyclic garbage of that moment is frozen too, and kept: a few kilobytes per reload.)
    """
    enabled, switch = gc.isenabled(), sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(OPEN_SWITCH_SECONDS)
    try:
        store = open_store(directory)
        if not store.entries.warm_all(WARM_SECONDS) and serving is not None:
            store.entries.warm(serving.entries.cached_ids(), WARM_SECONDS)
        return store
    finally:
        sys.setswitchinterval(switch)
        gc.freeze()
        if enabled:
            gc.enable()


class _Search:
    """One search on one store snapshot: candidates, assessments, and the area policy."""

    def __init__(self, store: Store, query: Query, explain: bool, terms: frozenset = frozenset()) -> None:
        self.store, self.query, self.explain = store, query, explain
        self.asked = Asked.of(query)
        self._postings: dict[tuple[str, str], dict[int, float]] | None = None
        self._terms = terms
        self.trace: list[str] = []
        self.km: dict[int, float] = {}
        """Distances from the centre the grid has already worked out, by position: not twice."""
        self.order = nearest_first_key if query.area is not None and query.area.kind == "point" else order_key
        self.centre: tuple[float, float] | None = None
        # A name word that many places share ("espace", "médiathèque") does not name one place.
        limit = max(3, len(store.entries) // 200)
        self.rare_words = frozenset(w for w in query.name_words if store.name_df.get(w, 0) <= limit)
        self.name_keys = name_keys(query.name_words)
        area = query.area
        if area is not None and area.lat is not None and area.lon is not None:
            self.centre = (area.lat, area.lon)

    def log(self, message: str, *args) -> None:
        if self.explain:
            self.trace.append(message % args)

    def run(self) -> Results:
        """Rank the places inside the area; widen around it only when none there meets the needs.

        Widened answers come in bands: places meeting the needs just around the area (the
        near-miss band: 15 km around a commune, twice the radius around a point), then the
        undocumented places inside; only when both are empty, farther places meeting the
        needs, nearest first.
        A vague area (a point without a stated radius) takes its near band in even when
        something inside matched.
        """
        q, area = self.query, self.query.area
        inside, radius = self.inside()
        self.log("area %s: %d places inside%s", area.label if area else "(none)", len(inside),
                 f" ({radius:.1f} km)" if radius else "")
        assessed = self.assess(inside, inside=True)
        if not q.has_needs and (assessed or area is None):
            around = self.around({e.pos for e in inside}, self.near_band(radius)) if assessed else []
            return self.results(sorted(assessed, key=self.order) + around, widened=False, area_empty=False)
        # Reserved to young people while the person is an adult (« une dame de 45 ans »): after every
        # place open to all, documented or not. Otherwise after those meeting the needs (``order_key``).
        excluded = (lambda a: a.restricted and not a.named) if q.adult else (lambda a: False)
        met = sorted((a for a in assessed if (a.tier == MET or a.named) and not excluded(a)), key=self.order)
        reserved = sorted((a for a in assessed if a.tier == MET and excluded(a)), key=self.order)
        unknown = sorted((a for a in assessed if a.tier == UNKNOWN and not a.named), key=self.order) + reserved
        # Not meeting an audience, day, moment or wifi asked, while the leading need is met or not
        # documented (closed at the moment asked): flagged and ranked last, never dropped nor replaced
        # by places 50 km away. Those meeting the leading need first.
        partial = sorted((a for a in assessed if a.tier == UNMET and a.lead != UNMET and not a.named),
                         key=lambda a: (-a.lead, self.order(a)))
        if area is None:
            return self.results(met + unknown + partial, widened=False, area_empty=False)
        band = self.near_band(radius)
        exclude = {e.pos for e in inside}
        keep = self.meeting_the_main_need()  # only those can come from around the area
        near = self.around(exclude, band, keep=keep)
        near_met = [a for a in near if (a.tier == MET or a.named) and not excluded(a)]
        near_lead = [a for a in near if a.lead == MET and not (a.tier == MET or a.named)] \
            + [a for a in near if a.tier == MET and excluded(a)]
        if met:
            self.log("%d more places meeting the needs within %.1f km", len(near_met), band)
            return self.results(met + near_met + unknown + partial + near_lead, widened=False, area_empty=False)
        self.log("widened: %d near, %d undocumented inside, %d meeting the main need", len(near_met), len(unknown),
                 len(partial))
        hits = near_met + unknown + partial + near_lead
        if not hits:  # nothing just around: the nearest places meeting the main need, however far
            farther = self.around(exclude, None, FARTHER_MEETING if keep is not None else AROUND_COUNT, keep)
            hits = _nearest_meeting(farther)
            if not hits:  # none near enough: the nearest that do not say
                farther = self.around(exclude, None, AROUND_COUNT, self.silent_on_the_main_need()) \
                    if keep is not None else farther
                hits = [a for a in farther if a.tier == UNKNOWN] or sorted(assessed, key=self.order) or farther
        return self.results(hits, widened=True, area_empty=not inside)

    def near_band(self, radius: float | None) -> float:
        """How far outside the area a place still counts as "just around it", in km."""
        area = self.query.area
        if area is None or area.kind == "departement":
            return 0.0
        if area.kind == "commune":
            return RING_KM
        return 2 * (radius or area.radius_km or RING_KM)

    def results(self, hits: list[Assessment], widened: bool, area_empty: bool) -> Results:
        return Results(query=self.query, hits=hits[:MAX_HITS], widened=widened, area_empty=area_empty,
                       centre=self.centre, trace=self.trace)

    def inside(self) -> tuple[list[Entry], float | None]:
        """The places inside the query's area, and the radius used for a point area."""
        store, area = self.store, self.query.area
        if area is None:
            return self.unbounded(), None
        if area.kind == "departement":
            return [e for d in area.departements for e in store.by_departement.get(d, ())], None
        if area.kind == "commune":
            # By name within the communes' départements: 09000 is Foix or Brassac (09), not Brassac (81).
            departements = set(area.departements)
            found = {e.pos: e for c in area.communes for e in store.by_commune.get(c, ())
                     if not departements or e.departements & departements}
            if area.postcode:  # « 31200 »: that part of the city; the rest of it is just around
                own = {pos: e for pos, e in found.items() if e.place.address.postcode == area.postcode}
                if own:
                    found = own
                    points = [(e.place.lat, e.place.lon) for e in own.values() if e.place.has_point]
                    if points:
                        self.centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
            if not area.strict and self.centre:
                for pos, _ in self.measured(store.grid.within(*self.centre, RING_KM)):
                    found.setdefault(pos, store.entries[pos])
            return list(found.values()), None
        if self.centre is None:
            return [], None
        radius = area.radius_km
        if radius is None:
            nearest = store.grid.nearest(*self.centre, NEAR_COUNT)
            radius = min(max(nearest[-1][1] if nearest else NEAR_KM[1], NEAR_KM[0]), NEAR_KM[1])
            if sum(1 for _, d in nearest if d <= radius) < FEW and len(nearest) >= FEW:
                radius = min(nearest[FEW - 1][1], FAR_KM)  # the countryside: a few places, a bit farther
        return [store.entries[pos] for pos, _ in self.measured(store.grid.within(*self.centre, radius))], radius

    def measured(self, found: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``found`` (position, distance from the centre), its distances kept for ``assess``."""
        self.km.update(found)
        return found

    def unbounded(self) -> list[Entry]:
        """With no area: the places that can answer at all (by text or by a need), the best
        ``MAX_CANDIDATES`` by text, not the whole directory."""
        store, q = self.store, self.query
        if not (q.words or q.concepts):
            return store.entries[:MAX_CANDIDATES]
        text = self.text_scores(None)
        positions = sorted(text, key=text.__getitem__, reverse=True)[:MAX_CANDIDATES]
        chosen = set(positions)
        for concept in q.concepts:
            for code in concept.codes:
                for pos in store.by_code.get((concept.facet, code), ()):
                    if len(chosen) >= MAX_CANDIDATES:
                        break
                    chosen.add(pos)
        return [store.entries[p] for p in sorted(chosen)]

    def meeting_the_main_need(self) -> set[int] | None:
        """Positions of the places with one of the services or labels asked; None when none was."""
        lead = [c for c in self.query.concepts if c.facet in LEAD_FACETS]
        if not lead:
            return None
        return {pos for c in lead for code in c.codes for pos in self.store.by_code.get((c.facet, code), ())}

    def silent_on_the_main_need(self) -> set[int]:
        """Positions of the places that document none of the facets of the services and labels asked."""
        facets = {c.facet for c in self.query.concepts if c.facet in LEAD_FACETS}
        return {e.pos for e in self.store.entries
                if not ("services" in facets and e.services) and not ("labels" in facets and (e.labels or e.described))}

    def around(self, exclude: set[int], within_km: float | None, count: int = AROUND_COUNT,
               keep: set[int] | None = None) -> list[Assessment]:
        """Places outside the area, assessed, nearest to its centre first: those within ``within_km``,
        or (None) the ``count`` nearest; only those in ``keep`` when given. A département's centre
        is its places' mean point."""
        store = self.store
        centre = self.centre
        if centre is None and self.query.area and self.query.area.kind == "departement":
            points = [(e.place.lat, e.place.lon) for d in self.query.area.departements
                      for e in store.by_departement.get(d, ()) if e.place.has_point]
            if points:
                centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
            else:  # no place listed there: the middle of its communes
                boxes = [b for d in self.query.area.departements
                         if (b := store.lexicon.gazetteer.departement_bbox(d)) is not None]
                if boxes:
                    centre = ((boxes[0][0] + boxes[0][2]) / 2, (boxes[0][1] + boxes[0][3]) / 2)
        if centre is None or within_km == 0:
            return []
        self.centre = centre
        if within_km:
            found = self.measured(store.grid.within(*centre, within_km))
        elif keep is not None:  # the places meeting the need, by distance: a few hundred at most
            found = self.measured(sorted(
                ((pos, haversine_km(*centre, store.entries[pos].place.lat, store.entries[pos].place.lon))
                 for pos in keep if store.entries[pos].place.has_point), key=lambda pd: pd[1])[:count])
        else:
            found = self.measured(store.grid.nearest(*centre, count))
        assessed = self.assess([store.entries[pos] for pos, _ in found
                                if pos not in exclude and (keep is None or pos in keep)], inside=False)
        return sorted(assessed, key=lambda a: (a.distance_km if a.distance_km is not None else 1e9, -a.score))

    def assess(self, entries: list[Entry], inside: bool) -> list[Assessment]:
        q = self.query
        text = self.text_scores({e.pos for e in entries}) if q.words else {}
        top = max(text.values(), default=0.0) or 1.0
        centre, known_km, keys, rare, asked = self.centre, self.km, self.name_keys, self.rare_words, self.asked
        out = []
        for e in entries:
            place, km = e.place, None
            if centre and place.lat is not None and place.lon is not None:
                km = known_km.get(e.pos)
                if km is None:
                    km = haversine_km(centre[0], centre[1], place.lat, place.lon)
            out.append(_assessed(e, asked, keys, inside, km, text.get(e.pos, 0.0) / top, rare=rare))
        return out

    def text_scores(self, positions: set[int] | None) -> dict[int, float]:
        """BM25F scores of the query's words, over ``positions`` (None: every place).

        Each (field, stem) the index holds is read once per search, all its places with their
        scores (a directory has a few thousand places at most); later calls only add them up.
        """
        if not self.query.words or positions == set():
            return {}
        scores: dict[int, float] = {}
        for postings in self.postings().values():
            for doc, score in postings.items():
                if positions is None or doc in positions:
                    scores[doc] = scores.get(doc, 0.0) + score
        return scores

    def postings(self) -> dict[tuple[str, str], dict[int, float]]:
        if self._postings is None:
            searcher = self.store.searcher
            self._postings = {}
            for word in self.query.words:
                for stem in stems(word):
                    for name in TEXT_FIELDS:
                        key = (name, stem)
                        if key in self._postings or key not in (self._terms or searcher.reader()):
                            continue
                        self._postings[key] = self.store.postings(name, stem)
        return self._postings


def _assessed(entry: Entry, asked: Asked, keys: tuple[tuple[str, str], ...], inside: bool, km: float | None,
              text: float = 0.0, named: bool | None = None, rare: frozenset[str] = frozenset()) -> Assessment:
    """One place judged against the query: its name matched with the query's words (``keys``), then
    ``assess``. ``named`` is what an earlier search found, when given; else the place is named when
    all the words are in its name, a ``rare`` one among them."""
    name, matched = name_match(entry, keys)
    if named is None:
        named = name >= 0.99 and bool(matched & rare)
    return assess(Assessment(entry=entry, inside=inside, distance_km=km, text=text, name=name, named=named), asked)


def _nearest_meeting(farther: list[Assessment]) -> list[Assessment]:
    """Places meeting the main need, nearest first (``farther`` is sorted by distance); among
    those within ``RING_KM`` of the nearest, the ones meeting every need first. A place for
    seniors 60 km away does not beat a France Services open to all at 20 km."""
    lead = [a for a in farther if a.lead == MET or a.named]
    if not lead:
        return []
    reach = (lead[0].distance_km or 0.0) + RING_KM
    return sorted(lead, key=lambda a: (a.distance_km is None or a.distance_km > reach, -int(a.named), -a.tier,
                                       a.distance_km if a.distance_km is not None else 1e9))


__all__ = ["MET", "UNKNOWN", "UNMET", "Engine", "Results"]
