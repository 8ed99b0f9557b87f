"""The normalised place record shared by every reader, the index and the cards.

One ``Place`` holds what RhinOcc's CSV and the national data standard
("schéma des lieux de médiation numérique") both say about a place, so that the
rest of Orienteur never knows which format a place came from. Records are frozen:
a place is rebuilt, never patched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

    @property
    def departement(self) -> str:
        return self.address.departement

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


def place_to_dict(place: Place) -> dict:
    """A JSON-ready dict of ``place`` (the index stores places this way, readable by anyone)."""
    from dataclasses import asdict

    return asdict(place)
