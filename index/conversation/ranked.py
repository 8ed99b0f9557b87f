"""A search's answer as a conversation keeps it for its next pages.

« Plus » is a third of what the web chat is asked. Searching again for it assessed a hundred
places to show three; with the answer kept, the next page assesses only its own places
(``Engine.assess_again``). Every page then comes from the same answer: a place that opened or
closed meanwhile does not move between pages, so none is shown twice or skipped. An answer
kept from another index version is searched again, as before.

What is kept is derived from the directory and from what was understood, never from what was
typed: place ids in order, whether each was inside the area or named, its distance from the
area's centre, and the counts the header says. A search around a shared position is not kept
(its distances would tell where the person is): its next pages search again.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.engine import Found, Results
from index.rank import MET, UNMET, days_status
from index.understand import Query


@dataclass(frozen=True)
class Ranked:
    version: str
    """The index version the answer comes from."""
    hits: tuple[Found, ...]
    """The places in order: (id, inside, named, distance in km or None)."""
    matching: int
    """How many meet the whole request (the header's count)."""
    closed: bool
    """Some place shown only to fill the page is closed on the day or at the moment asked."""
    widened: bool
    area_empty: bool

    @property
    def total(self) -> int:
        return len(self.hits)

    @property
    def first_inside(self) -> bool:
        return bool(self.hits) and self.hits[0][1]

    @classmethod
    def of(cls, query: Query, results: Results) -> Ranked:
        hits = results.hits
        matches = [matches_all(query, h.tier, h.named) for h in hits]
        closed = bool(query.days) and any(not m and days_status(h.entry, query) == UNMET
                                          for h, m in zip(hits, matches, strict=True))
        return cls(version=results.version,
                   hits=tuple((h.entry.place.id, h.inside, h.named, h.distance_km) for h in hits),
                   matching=sum(matches), closed=closed, widened=results.widened, area_empty=results.area_empty)

    def to_data(self) -> dict:
        return {"version": self.version, "matching": self.matching, "closed": self.closed,
                "widened": self.widened, "area_empty": self.area_empty,
                "hits": [[i, int(inside), int(named), km]
                         for i, inside, named, km in self.hits]}

    @classmethod
    def from_data(cls, data: dict) -> Ranked:
        """``to_data``'s output read back; ``ValueError`` (or ``TypeError``, ``KeyError``) when it is not."""
        hits = []
        for place_id, inside, named, km in data["hits"]:
            if not isinstance(place_id, str) or not (km is None or isinstance(km, int | float)):
                raise ValueError("a kept answer's place is not readable")
            hits.append((place_id, bool(inside), bool(named), None if km is None else float(km)))
        return cls(version=str(data["version"]), hits=tuple(hits), matching=int(data["matching"]),
                   closed=bool(data["closed"]), widened=bool(data["widened"]), area_empty=bool(data["area_empty"]))


def matches_all(query: Query, tier: int, named: bool) -> bool:
    """A place meets the whole request (or was named): it counts in the header, it is no filler."""
    return not query.has_needs or tier == MET or named
