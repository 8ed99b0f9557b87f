"""What a user is shown of a place: a ``Card``, the same for every front end.

A card holds plain text values only; escaping belongs to each front end, at the very
end (Telegram HTML in ``bot/render.py``, DOM text nodes in the web chat). Its French
words are written by ``index.conversation.replies.card``; this module knows none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import quote

from index.places import Place

OSM = "https://www.openstreetmap.org"


@dataclass(frozen=True)
class Card:
    id: str
    name: str
    source: str
    organisation: str
    address: str
    commune: str
    phone: str
    email: str
    website: str
    today: str
    """Today's day name and hours ("samedi : 10h-13h"), empty when the directory says nothing."""
    week: tuple[tuple[str, str], ...]
    """(day, hours as written) for each day the directory documents."""
    today_index: int
    services: tuple[str, ...]
    publics: tuple[str, ...]
    labels: tuple[str, ...]
    access: tuple[str, ...]
    wifi: bool | None
    distance_km: float | None
    lat: float | None
    lon: float | None
    map_url: str
    directions_url: str
    why: tuple[str, ...]
    updated: str
    distance_text: str = ""
    """The distance in words ("à 850 m de vous"), empty when it would mislead."""
    text: str = ""
    """The whole card as plain text, to paste into an e-mail or an SMS for the person helped."""
    provenance: str = ""
    """Where the data comes from and how fresh it is, in words."""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["week"] = [{"day": d, "hours": h} for d, h in self.week]
        return data


def map_url(place: Place) -> str:
    """OpenStreetMap centred on the place, or a search for its address when it has no point."""
    if place.has_point:
        return f"{OSM}/?mlat={place.lat:.6f}&mlon={place.lon:.6f}#map=18/{place.lat:.6f}/{place.lon:.6f}"
    return f"{OSM}/search?query={quote(place.address.one_line() or place.name)}"


def directions_url(place: Place, origin: tuple[float, float] | None = None) -> str:
    """OpenStreetMap directions to the place (from ``origin`` when the user shared one)."""
    if not place.has_point:
        return map_url(place)
    start = f"{origin[0]:.6f},{origin[1]:.6f}" if origin else ""
    return f"{OSM}/directions?route={quote(start + ';' + f'{place.lat:.6f},{place.lon:.6f}')}"
