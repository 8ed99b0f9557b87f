"""What a user is shown of a place: a ``Card``, the same for every front end.

A card holds plain text values only; escaping belongs to each front end, at the very
end (Telegram HTML in ``bot/render.py``, DOM text nodes in the web chat). Its French
words are written by ``index.conversation.replies.card``; this module knows none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
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
    """Today's hours, normalised ("9 h–12 h, 14 h–18 h", "fermé"), empty when the directory says nothing."""
    week: tuple[tuple[str, str], ...]
    """(days, hours) normalised, identical neighbouring days collapsed: ("lun.–ven.", "9 h–12 h")."""
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
    open_state: str = ""
    """"open", "closed" or "unknown" at the moment the card was made (``index.open_now``)."""
    open_now: str = ""
    """The state in words: « Ouvert · jusqu'à 17 h », « Fermé · ouvre mardi à 14 h »."""
    hours_note: str = ""
    """A remark the directory makes about the hours, said once (« Sur rendez-vous »)."""
    restrictions: tuple[str, ...] = ()
    """Who or how only: « Réservé aux jeunes », « Sur rendez-vous »."""
    freshness: str = ""
    """« Informations de mars 2021 : vérifier par téléphone » when older than a year."""
    matches: bool = True
    """The place meets the whole request; False for places shown to fill the page."""
    sms: str = ""
    """A short text for an SMS (≤ 300 characters): name, address, phone, today's hours, map link."""

    def to_dict(self) -> dict:
        """JSON-ready: ``vars`` rather than ``dataclasses.asdict``, which deep-copies every value (a tenth
        of a web chat answer's time); the card is frozen and its values plain, so sharing them is safe."""
        return {**vars(self), "week": [{"day": d, "hours": h} for d, h in self.week]}


RHINOCC_FILES = frozenset({"lieux", "lieux-geocodes", "rhinocc", "export"})
"""Names RhinOcc's own exports come as (``lieux-geocodes.csv``, ``2022-01-20-export.csv``)."""
RHINOCC = "RhinOcc"


@lru_cache(maxsize=256)
def hub_name(source: str) -> str:
    """The directory a place comes from as people know it, never a file name:
    ``"lieux-geocodes"`` -> ``"RhinOcc"``, ``"hub-du-sud-paca-2023-05 (dora)"`` -> ``"Hub du Sud PACA"``."""
    name = re.sub(r"\s*\(.*\)\s*$", "", source or "").strip()
    name = re.sub(r"[-_ ]?\d{4}(?:[-_]\d{2}){0,2}[-_ ]?", "-", name).strip("-_ ")
    if name.lower() in RHINOCC_FILES or name.lower().startswith("rhinocc"):
        return RHINOCC
    if not name:
        return ""
    words = re.split(r"[-_ ]+", name)
    small = {"du", "de", "des", "la", "le", "les", "d", "l", "et"}
    return " ".join(w.upper() if len(w) <= 4 and w.lower() not in small and i == len(words) - 1
                    else w.lower() if w.lower() in small and i else w.capitalize()
                    for i, w in enumerate(words))


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
