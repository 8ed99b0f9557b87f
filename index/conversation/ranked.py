"""A search's answer as a conversation keeps it for its next pages.

« Plus » is a third of what the web chat is asked. Searching again for it assessed a hundred
places to show three; with the answer kept, the next page assesses only its own places
(``Engine.assess_again``). Every page then comes from the same answer: a place that opened or
closed meanwhile does not move between pages, so none is shown twice or skipped. An answer
kept from another index version is searched again, as before.

What is kept is derived from the directory and from what was understood, never from what was
typed: place ids in order, whether each was inside the area or named, the area's centre its
distances were measured from, and the counts the header says. A search around a shared position is not kept
(its distances would tell where the person is): its next pages search again.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.engine import Found, Results
from index.rank import MET, UNMET, days_status
from index.understand import Query

INSIDE, NAMED, MEASURED = 1, 2, 4
"""The bits of a place's digit in ``Ranked.flags``."""


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

    def to_data(self) -> dict:
        return {"version": self.version, "ids": self.ids, "flags": self.flags, "centre": self.centre,
                "matching": self.matching, "closed": self.closed, "widened": self.widened,
                "area_empty": self.area_empty}

    @classmethod
    def from_data(cls, data: dict) -> Ranked:
        """``to_data``'s output read back; ``ValueError`` (or ``TypeError``, ``KeyError``) when it is not."""
        ids, flags, centre = data["ids"], data["flags"], data["centre"]
        if not (isinstance(ids, list) and all(isinstance(i, str) for i in ids) and isinstance(flags, str)
                and len(flags) == len(ids) and flags.isdigit() or not ids and flags == ""):
            raise ValueError("a kept answer's places are not readable")
        return cls(version=str(data["version"]), ids=tuple(ids), flags=flags,
                   centre=None if centre is None else (float(centre[0]), float(centre[1])),
                   matching=int(data["matching"]), closed=bool(data["closed"]), widened=bool(data["widened"]),
                   area_empty=bool(data["area_empty"]))


def matches_all(query: Query, tier: int, named: bool) -> bool:
    """A place meets the whole request (or was named): it counts in the header, it is no filler."""
    return not query.has_needs or tier == MET or named
