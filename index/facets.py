"""What ranking needs to know of a place, derived once when an index is opened.

The directory often leaves coded columns empty where a place's name says plainly what
it is ("France Services de Bram", "Fablab …"), and a France Services desk exists to
help with procedures: ``derive`` adds those facts (``vocabulary.NAME_IMPLIES`` and
``LABEL_IMPLIES_SERVICES``) so that a careful reader's answer is the ranked one.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.cleaning import departement_of
from index.normalise import fold, sound
from index.places import Place
from index.vocabulary import LABEL_IMPLIES_SERVICES, NAME_IMPLIES

GENERIC_PUBLICS = frozenset({"TP", "AD"})


@dataclass(frozen=True)
class Entry:
    """A place with its derived facets; ``pos`` is its document number in the whoosh index."""

    pos: int
    place: Place
    services: frozenset[str]
    publics: frozenset[str]
    labels: frozenset[str]
    open_days: frozenset[int]
    hours_known: bool
    commune: str
    departements: frozenset[str]
    name_words: frozenset[str]
    """Folded words of the name and the organisation, and each two adjacent ones joined
    ("cyber base" also gives "cyberbase"): what a user typing a place's name may write."""
    name_sounds: frozenset[str]
    described: bool
    richness: float
    """0..1: how much a card for this place can tell (services, hours, phone, site)."""

    @property
    def specific_publics(self) -> frozenset[str]:
        return self.publics - GENERIC_PUBLICS


def derive(pos: int, place: Place) -> Entry:
    name_text = fold(f"{place.name} {place.place_type}")
    padded = f" {name_text} "
    facets: dict[str, set[str]] = {
        "services": set(place.services), "publics": set(place.publics), "labels": set(place.labels)}
    for phrase, facet, code in NAME_IMPLIES:
        if f" {phrase} " in padded:
            facets[facet].add(code)
    for label in list(facets["labels"]):
        facets["services"].update(LABEL_IMPLIES_SERVICES.get(label, ()))
    departements = {place.address.departement} if place.address.departement else set()
    # The postcode's département too: a few places are filed under one and located in another.
    if by_postcode := departement_of("", place.address.postcode):
        departements.add(by_postcode)
    tokens = fold(f"{place.name} {place.organisation}").split()
    # "Cyber-base" is typed "cyberbase": adjacent words also count joined.
    words = frozenset(tokens + [a + b for a, b in zip(tokens, tokens[1:], strict=False)])
    described = bool(place.services or place.labels or place.place_type or place.description)
    richness = (bool(place.services) + place.hours.known + bool(place.contact.phone)
                + bool(place.contact.website or place.contact.email) + place.has_point) / 5
    return Entry(
        pos=pos, place=place,
        services=frozenset(facets["services"]), publics=frozenset(facets["publics"]),
        labels=frozenset(facets["labels"]), open_days=place.hours.open_days(),
        hours_known=place.hours.known, commune=fold(place.address.commune), departements=frozenset(departements),
        name_words=words, name_sounds=frozenset(sound(w) for w in words), described=described,
        richness=richness,
    )
