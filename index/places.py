"""The normalised place record shared by every reader, the index and the cards.

One ``Place`` holds what RhinOcc's CSV and the national data standard
("schéma des lieux de médiation numérique") both say about a place, so that the
rest of Orienteur never knows which format a place came from. Records are frozen:
a place is rebuilt, never patched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
"""Day names, Monday first: index 0 is Monday, as ``date.weekday()``."""


@dataclass(frozen=True)
class DayHours:
    """Opening hours of one day, as written and as parsed.

    ``intervals`` holds (start, end) in minutes since midnight; it is empty both for
    a closed day and for text that has no times in it ("Sur RDV"): ``is_open`` tells
    them apart (None where the source says nothing).
    """

    text: str = ""
    intervals: tuple[tuple[int, int], ...] = ()
    is_open: bool | None = None


@dataclass(frozen=True)
class Hours:
    """A week of opening hours, Monday first, plus the source text when it was one string."""

    days: tuple[DayHours, ...] = tuple(DayHours() for _ in DAYS)
    text: str = ""

    @property
    def known(self) -> bool:
        return any(d.is_open is not None for d in self.days)

    def open_days(self) -> frozenset[int]:
        """Days (0 = Monday) on which the place says it is open."""
        return frozenset(i for i, d in enumerate(self.days) if d.is_open)


@dataclass(frozen=True)
class Address:
    street: str = ""
    complement: str = ""
    postcode: str = ""
    commune: str = ""
    insee: str = ""
    departement: str = ""

    def one_line(self) -> str:
        town = " ".join(p for p in (self.postcode, self.commune) if p)
        return ", ".join(p for p in (self.street, self.complement, town) if p)


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class Place:
    """One digital-inclusion place.

    ``services``, ``publics`` and ``labels`` hold codes of ``index.vocabulary``
    (RhinOcc's codes, which the national standard's values are mapped onto);
    ``raw_*`` keep what the source said where our codes lose detail, so that an
    export can hand it back.
    """

    id: str
    name: str
    source: str = ""
    organisation: str = ""
    address: Address = field(default_factory=Address)
    lat: float | None = None
    lon: float | None = None
    contact: Contact = field(default_factory=Contact)
    hours: Hours = field(default_factory=Hours)
    services: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    place_type: str = ""
    legal_form: str = ""
    wifi: bool | None = None
    wifi_text: str = ""
    access: tuple[str, ...] = ()
    """Conditions of access (free, paid, pass numérique…), as codes or words."""
    support: tuple[str, ...] = ()
    """Ways of support (in person, remote, with an appointment…)."""
    accessibility: str = ""
    description: str = ""
    updated: str = ""
    """Last update, ISO date (YYYY-MM-DD) where known, else empty."""
    siret: str = ""
    raw_services: tuple[str, ...] = ()
    merged_ids: tuple[str, ...] = ()
    """Ids of the other rows this place stands for (``index.duplicates``): a link to one of them
    still finds the place, and a benchmark grading rows sees every row the card shows."""

    @property
    def departement(self) -> str:
        return self.address.departement

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


def place_to_dict(place: Place) -> dict:
    """A JSON-ready dict of ``place``, nested records as dicts (how an index version stores it).

    What ``dataclasses.asdict`` gives, written out: asdict deep-copies every value, a tenth of
    a build's time at 100,000 places. The records are frozen, so sharing their values is safe.
    """
    hours = place.hours
    return {**vars(place), "address": dict(vars(place.address)), "contact": dict(vars(place.contact)),
            "hours": {"days": tuple(dict(vars(d)) for d in hours.days), "text": hours.text}}


_TUPLE_FIELDS = tuple(f.name for f in fields(Place) if f.default == ())


def hours_from_dict(data: dict) -> Hours:
    """The hours ``place_to_dict`` wrote under "hours"."""
    return Hours(days=tuple(DayHours(d["text"], tuple(tuple(i) for i in d["intervals"]), d["is_open"])
                            for d in data["days"]), text=data["text"])


def place_from_dict(data: dict, hours: Hours | None = None) -> Place:
    """The place ``place_to_dict`` wrote (lists from JSON back to tuples); ``TypeError`` or
    ``KeyError`` when the dict is not one it wrote. ``hours``, when given, stands for
    ``data["hours"]`` (an index version stores them apart, to decode each distinct week once)."""
    week = hours if hours is not None else hours_from_dict(data["hours"])
    return Place(**{**data, "address": Address(**data["address"]), "contact": Contact(**data["contact"]),
                    "hours": week, **{name: tuple(data[name]) for name in _TUPLE_FIELDS}})
