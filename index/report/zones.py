"""Where people are far from help: for each need, each commune's distance to the nearest place meeting it.

The communes are the gazetteer's in the départements the directory covers, with at least
``MIN_POPULATION`` inhabitants; distances run from the town hall to the place's point, as
the crow flies (``haversine_km``), through one grid per need (``index.spatial.Grid``).
"""

from __future__ import annotations

from dataclasses import dataclass

from index.facets import Entry
from index.gazetteer import Commune, Gazetteer
from index.needs import NEEDS, Need
from index.spatial import Grid

MIN_POPULATION = 2000
"""Communes smaller than this are left out: the report is about where many people live far from help."""


@dataclass(frozen=True)
class Zone:
    """One commune's distance to the nearest place meeting one need (None: no such place anywhere)."""

    need: str
    commune: Commune
    km: float | None
    nearest_id: str = ""
    nearest_name: str = ""
    nearest_commune: str = ""


def covered(entries: list[Entry]) -> frozenset[str]:
    """The départements the directory lists places in (as filed: a postcode's may be a typo)."""
    return frozenset(e.place.departement for e in entries if e.place.departement)


def covered_communes(departements: frozenset[str], gazetteer: Gazetteer,
                     min_population: int = MIN_POPULATION) -> list[Commune]:
    """The communes of the départements the directory covers (``covered``), populous enough."""
    return [c for c in gazetteer.communes
            if c.departement in departements and c.population >= min_population and not c.parent]


def offering(need: Need, entries: list[Entry]) -> list[Entry]:
    """The places meeting ``need`` that have a point."""
    return [e for e in entries if e.place.has_point and need.met_by(e)]


def distances(need: Need, offers: list[Entry], communes: list[Commune]) -> list[Zone]:
    """Each commune's nearest place of ``offers`` (``offering(need, …)``), farthest first (no place
    at all: first of all)."""
    grid = Grid([(i, e.place.lat, e.place.lon) for i, e in enumerate(offers)])
    zones = []
    for commune in communes:
        nearest = grid.nearest(commune.lat, commune.lon, 1, max_km=20000.0) if offers else []
        if not nearest:
            zones.append(Zone(need.name, commune, None))
            continue
        index, km = nearest[0]
        place = offers[index].place
        zones.append(Zone(need.name, commune, km, place.id, place.name, place.address.commune))
    return sorted(zones, key=lambda z: (z.km is not None, -(z.km or 0.0), z.commune.insee))


def white_zones(offers: dict[str, list[Entry]], departements: frozenset[str], gazetteer: Gazetteer,
                min_population: int = MIN_POPULATION) -> dict[str, list[Zone]]:
    """Need name -> every covered commune, farthest from its ``offers`` first."""
    communes = covered_communes(departements, gazetteer, min_population)
    return {need.name: distances(need, offers[need.name], communes) for need in NEEDS}
