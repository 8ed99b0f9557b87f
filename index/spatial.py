"""Distances and a grid of points, so that "autour de moi" stays fast at 100,000 places."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

EARTH_KM = 6371.0088
CELL_DEG = 0.1
"""Grid cell side in degrees (about 11 km north-south, 8 km east-west in France)."""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class Grid:
    """Points bucketed by cell; ``within`` and ``nearest`` visit only the cells that can matter."""

    def __init__(self, points: list[tuple[int, float, float]]) -> None:
        self.cells: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)
        for key, lat, lon in points:
            self.cells[self._cell(lat, lon)].append((key, lat, lon))
        self.size = len(points)

    @staticmethod
    def _cell(lat: float, lon: float) -> tuple[int, int]:
        return int(math.floor(lat / CELL_DEG)), int(math.floor(lon / CELL_DEG))

    def _ring(self, centre: tuple[int, int], r: int) -> Iterator[tuple[int, float, float]]:
        ci, cj = centre
        for i in range(ci - r, ci + r + 1):
            for j in range(cj - r, cj + r + 1):
                if max(abs(i - ci), abs(j - cj)) == r:
                    yield from self.cells.get((i, j), ())

    def within(self, lat: float, lon: float, km: float) -> list[tuple[int, float]]:
        """(key, distance) of the points within ``km``, nearest first."""
        rings = int(km / (111.0 * CELL_DEG * max(0.2, math.cos(math.radians(lat))))) + 1
        centre = self._cell(lat, lon)
        found = []
        for r in range(rings + 1):
            for key, plat, plon in self._ring(centre, r):
                d = haversine_km(lat, lon, plat, plon)
                if d <= km:
                    found.append((key, d))
        found.sort(key=lambda kd: kd[1])
        return found

    def nearest(self, lat: float, lon: float, count: int, max_km: float = 2000.0) -> list[tuple[int, float]]:
        """The ``count`` nearest points (fewer if there are not so many within ``max_km``)."""
        km = 5.0
        while True:
            found = self.within(lat, lon, km)
            if len(found) >= count or len(found) >= self.size or km >= max_km:
                return found[:count]
            km *= 2.5
