"""Several directories into one list of places, for one index.

Ids stay as each source wrote them, so that links and judgements made on one directory keep
working once it is merged with others; only an id found in two sources or more is prefixed with
its source's name (``"paca:lieu-12"``), in every source where it occurs, so the result does not
depend on the order of the sources. Each place says where it comes from in ``Place.source``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace

from index.places import Place
from index.sources import ReadResult

log = logging.getLogger(__name__)


def merge(results: list[tuple[str, ReadResult]]) -> list[Place]:
    """The places of every ``(source name, read result)``, ids unique, in the sources' order."""
    names = _unique_names([name for name, _ in results])
    sources_of: Counter[str] = Counter()
    for _, result in results:
        sources_of.update({p.id for p in result.places})
    taken = {place_id for place_id, n in sources_of.items() if n == 1}
    merged: list[Place] = []
    renamed = 0
    for name, (_, result) in zip(names, results, strict=True):
        seen_here: set[str] = set()
        for place in result.places:
            place_id = place.id
            if sources_of[place_id] > 1 or place_id in seen_here:
                place_id = _free(f"{name}:{place.id}", taken)
                renamed += 1
            seen_here.add(place.id)
            taken.add(place_id)
            changes = {}
            if place_id != place.id:
                changes["id"] = place_id
            if not place.source:
                changes["source"] = name
            merged.append(replace(place, **changes) if changes else place)
    if renamed:
        log.info("merge: %d ids found in more than one source were prefixed with their source's name", renamed)
    return merged


def _unique_names(names: list[str]) -> list[str]:
    """Source names, a repeated one numbered (``lieux``, ``lieux-2``), so prefixes tell sources apart."""
    out: list[str] = []
    for name in names:
        name = name or "source"
        candidate, n = name, 1
        while candidate in out:
            n += 1
            candidate = f"{name}-{n}"
        out.append(candidate)
    return out


def _free(place_id: str, taken: set[str]) -> str:
    candidate, n = place_id, 1
    while candidate in taken:
        n += 1
        candidate = f"{place_id}#{n}"
    return candidate
