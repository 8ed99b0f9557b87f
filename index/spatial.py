"""Distances and a grid of points, so that "autour de moi" stays fast at 100,000 places."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator

EARTH_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_KM / 180
"""Length of a degree of latitude (and of longitude at the equator) on the sphere ``haversine_km`` uses."""
CELL_DEG = 0.1
"""Grid cell side in degrees (about 11 km north-south, 8 km east-west in France)."""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    root = math.sqrt(a)
    return 2 * EARTH_KM * math.asin(root if root < 1.0 else 1.0)


Cell = tuple[array, array, array]
"""One cell's points: keys (int32), latitudes, longitudes (float64), in step."""


class Grid:
    """Points bucketed by cell; ``within`` and ``nearest`` visit only the cells that can matter.

    A cell keeps its points as three flat arrays, not a tuple per point: at 100,000 places that
    is 2 MB instead of 14, a few thousand objects instead of 400,000, and an index version can
    store the cells as they are (``from_cells``) rather than have them rebuilt at every open.
    """

    def __init__(self, points: Iterable[tuple[int, float, float]]) -> None:
        cells: dict[tuple[int, int], Cell] = {}
        size = 0
        for key, lat, lon in points:
            cell = cells.get(found := self._cell(lat, lon))
            if cell is None:
                cell = cells[found] = (array("i"), array("d"), array("d"))
            cell[0].append(key)
            cell[1].append(lat)
            cell[2].append(lon)
            size += 1
        self.cells, self.size = cells, size

    @classmethod
    def from_cells(cls, cells: dict[tuple[int, int], Cell]) -> Grid:
        grid = cls(())
        grid.cells, grid.size = cells, sum(len(keys) for keys, _, _ in cells.values())
        return grid

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return int(math.floor(lat / CELL_DEG)), int(math.floor(lon / CELL_DEG))

    def _ring(self, centre: tuple[int, int], r: int) -> Iterator[tuple[int, float, float]]:
        """The points of the cells at Chebyshev distance ``r`` from ``centre`` (its perimeter only)."""
        ci, cj = centre
        if r == 0:
            keys = [centre]
        else:
            keys = [k for j in range(cj - r, cj + r + 1) for k in ((ci - r, j), (ci + r, j))]
            keys += [k for i in range(ci - r + 1, ci + r) for k in ((i, cj - r), (i, cj + r))]
        cells = self.cells
        for key in keys:
            cell = cells.get(key)
            if cell is not None:
                yield from zip(*cell, strict=True)

    @staticmethod
    def _cell_km(lat: float) -> float:
        """The shorter side of a cell near ``lat``, in km: a ring r cells out is at least r times this away."""
        return 111.0 * CELL_DEG * max(0.2, math.cos(math.radians(lat)))

    def within(self, lat: float, lon: float, km: float) -> list[tuple[int, float]]:
        """(key, distance) of the points within ``km``, nearest first."""
        rings = int(km / self._cell_km(lat)) + 1
        centre = self._cell(lat, lon)
        # A point farther north, south, east or west than ``km`` allows is out without its haversine
        # (the corners of the cells visited): a degree of latitude is 111 km, of longitude less.
        max_dlat = km / KM_PER_DEGREE * 1.001
        max_dlon = max_dlat / max(math.cos(math.radians(abs(lat) + max_dlat)), 1e-6)
        found = []
        for r in range(rings + 1):
            for key, plat, plon in self._ring(centre, r):
                if abs(plat - lat) > max_dlat or abs(plon - lon) > max_dlon:
                    continue
                d = haversine_km(lat, lon, plat, plon)
                if d <= km:
                    found.append((key, d))
        found.sort(key=lambda kd: kd[1])
        return found

    def nearest(self, lat: float, lon: float, count: int, max_km: float = 2000.0) -> list[tuple[int, float]]:
        """The ``count`` nearest points within ``max_km``, nearest first: rings of cells outward,
        until the next ring cannot hold anything nearer than the ``count``-th point found."""
        centre, cell_km = self._cell(lat, lon), self._cell_km(lat)
        found: list[tuple[int, float]] = []
        for r in range(int(max_km / cell_km) + 2):
            found += [(key, haversine_km(lat, lon, plat, plon)) for key, plat, plon in self._ring(centre, r)]
            if len(found) >= self.size:
                break
            if len(found) >= count:
                found.sort(key=lambda kd: kd[1])
                if found[count - 1][1] <= r * cell_km:
                    break
        found.sort(key=lambda kd: kd[1])
        return [kd for kd in found[:count] if kd[1] <= max_km]
