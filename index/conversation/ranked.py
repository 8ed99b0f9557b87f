"""A search's answer as a conversation keeps it for its next pages.

« Plus » is a third of what the web chat is asked. Searching again for it assessed a hundred
places to show three; with the answer kept, the next page assesses only its own places
(``Engine.assess_again``), and gets the same places it would have had by searching again (the
stored ``Query`` holds the moment asked, and a search depends only on it and the index version).
An answer kept from another index version is searched again.

What is kept is derived from the directory and from what was understood, never from what was
typed: place ids in order, whether each was inside the area or named, the area's centre its
distances were measured from, and the counts the header says. A search around a shared position is
not kept (its places would tell where the person is): its next pages search again.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.engine import Found, Results
from index.rank import MET, UNMET, days_status
from index.understand import Query

INSIDE, NAMED, MEASURED = 1, 2, 4
"""The bits of a place's digit in ``Ranked.flags``."""
DIGITS = frozenset("01234567")


@dataclass(frozen=True)
class Ranked:
    version: str
    """The index version the answer comes from."""
    ids: tuple[str, ...]
    """The places, in order."""
    flags: str
    """One digit per place: ``INSIDE`` the area, ``NAMED`` by the user, its distance ``MEASURED``
    from ``centre`` (worked out again for a page: a distance is not stored, a point is)."""
    centre: tuple[float, float] | None
    """The point distances were measured from: a town's or a département's, never a person's."""
    matching: int
    """How many meet the whole request (the header's count)."""
    closed: bool
    """Some place shown only to fill the page is closed on the day or at the moment asked."""
    widened: bool
    area_empty: bool

    def __post_init__(self) -> None:
        if len(self.flags) != len(self.ids) or not set(self.flags) <= DIGITS:
            raise ValueError("a kept answer needs one digit per place")

    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def first_inside(self) -> bool:
        return bool(self.flags) and bool(int(self.flags[0]) & INSIDE)

    def found(self, start: int, stop: int) -> list[Found]:
        """The places from ``start`` to ``stop`` as ``Engine.assess_again`` takes them."""
        return [(place_id, bool(f & INSIDE), bool(f & NAMED), bool(f & MEASURED))
                for place_id, f in zip(self.ids[start:stop], map(int, self.flags[start:stop]), strict=True)]

    @classmethod
    def of(cls, query: Query, results: Results) -> Ranked:
        hits = results.hits
        matches = [matches_all(query, h.tier, h.named) for h in hits]
        closed = bool(query.days) and any(not m and days_status(h.entry, query) == UNMET
                                          for h, m in zip(hits, matches, strict=True))
        flags = "".join(str(INSIDE * h.inside + NAMED * h.named + MEASURED * (h.distance_km is not None))
                        for h in hits)
        return cls(version=results.version, ids=tuple(h.entry.place.id for h in hits), flags=flags,
                   centre=results.centre, matching=sum(matches), closed=closed, widened=results.widened,
                   area_empty=results.area_empty)


def matches_all(query: Query, tier: int, named: bool) -> bool:
    """A place meets the whole request (or was named): it counts in the header, it is no filler."""
    return not query.has_needs or tier == MET or named
