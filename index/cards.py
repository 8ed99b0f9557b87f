"""What a user is shown of a place: a ``Card``, the same for every front end.

A card holds plain text values only; escaping belongs to each front end, at the very
end (Telegram HTML in ``bot/render.py``, DOM text nodes in the web chat).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import quote

from index.places import DAYS, DayHours, Place
from index.rank import Assessment
from index.vocabulary import LABEL_LABELS, PUBLIC_LABELS, SERVICE_LABELS

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
    distance_from: str
    lat: float | None
    lon: float | None
    map_url: str
    directions_url: str
    why: tuple[str, ...]
    updated: str
    provenance: str = ""
    """Where the data comes from and how fresh it is, in words."""

    @property
    def distance_text(self) -> str:
        """"à 850 m de vous", "à 3,2 km de Muret", or empty."""
        if self.distance_km is None:
            return ""
        d = self.distance_km
        amount = f"{round(d * 1000, -1):.0f} m" if d < 1 else f"{d:.1f} km".replace(".", ",")
        return f"à {amount} {self.distance_from}".strip()

    def as_text(self) -> str:
        """The card as plain text, to paste into an e-mail or an SMS for the person helped."""
        lines = [self.name]
        if self.address:
            lines.append(self.address)
        if self.phone:
            lines.append(f"Tél. {self.phone}")
        if self.email:
            lines.append(self.email)
        if self.website:
            lines.append(self.website)
        if self.week:
            lines.append("Horaires : " + " ; ".join(f"{day} {hours}" for day, hours in self.week))
        if self.services:
            lines.append("Services : " + ", ".join(self.services))
        lines.append(self.map_url)
        if self.provenance:
            lines.append(self.provenance)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["week"] = [{"day": d, "hours": h} for d, h in self.week]
        data["distance_text"] = self.distance_text
        data["text"] = self.as_text()
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


def _day_text(day: DayHours) -> str:
    if day.is_open is False:
        return "fermé"
    return day.text.strip()


def make_card(hit: Assessment, today: int, origin: tuple[float, float] | None = None,
              distance_from: str = "", show_distance: bool = True, provenance: str = "") -> Card:
    """A card for ``hit``; ``today`` (0 = Monday) picks the hours to put first.

    ``show_distance`` is False where a distance would mislead (from a town's centre to
    a place inside it, say).
    """
    place = hit.entry.place
    week = tuple((DAYS[i], _day_text(d)) for i, d in enumerate(place.hours.days) if _day_text(d))
    today_hours = _day_text(place.hours.days[today]) if place.hours.known else ""
    if not week and place.hours.text:
        week = (("horaires", place.hours.text),)
    return Card(
        id=place.id, name=place.name, source=place.source, organisation=place.organisation,
        address=place.address.one_line(), commune=place.address.commune,
        phone=place.contact.phone, email=place.contact.email, website=place.contact.website,
        today=f"{DAYS[today]} : {today_hours}" if today_hours else "",
        week=week, today_index=today,
        services=tuple(SERVICE_LABELS.get(c, c) for c in sorted(hit.entry.services)),
        publics=tuple(PUBLIC_LABELS.get(c, c) for c in sorted(hit.entry.publics)),
        labels=tuple(LABEL_LABELS.get(c, c) for c in sorted(hit.entry.labels)),
        access=place.access, wifi=place.wifi,
        distance_km=hit.distance_km if show_distance else None, distance_from=distance_from,
        lat=place.lat, lon=place.lon, map_url=map_url(place), directions_url=directions_url(place, origin),
        why=tuple(dict.fromkeys(hit.reasons)), updated=place.updated, provenance=provenance,
    )
