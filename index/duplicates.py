"""One place, one card: rows of a directory that describe the same place are merged.

Two rows are the same place when they share an address and a phone number, or a name and an
address (hubs list a place twice when two organisations report it, or after a rename). The
merged place keeps the first row's id and says both names (« Espace Jean Moulin / Centre
social Empalot »); its facts are the union of both rows', the first row's where they differ.
Applied when an index version is built, so counts and pages are right. Pure.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from index.facets import derive
from index.normalise import fold
from index.places import Address, Contact, Hours, Place

log = logging.getLogger(__name__)


def _address_key(address: Address) -> str:
    street = fold(address.street)
    return f"{street}|{address.postcode}" if street and address.postcode else ""


def _phone_key(contact: Contact) -> str:
    digits = re.sub(r"\D", "", contact.phone)
    return digits[-9:] if len(digits) >= 9 else ""


def address_phone_key(place: Place) -> str:
    """The key rows with one address and one phone share, "" without either: the merge's, and the
    maintainers' report's « même adresse et téléphone »."""
    address, phone = _address_key(place.address), _phone_key(place.contact)
    return f"p|{phone}|{address}" if address and phone else ""


def keys(place: Place) -> tuple[str, ...]:
    """The keys under which two rows are one place: (address, phone) and (name, address)."""
    address = _address_key(place.address)
    if not address:
        return ()
    name = f"n|{fold(place.name)}|{address}"
    return (name, phone) if (phone := address_phone_key(place)) else (name,)


def merge_duplicates(places: list[Place]) -> list[Place]:
    """``places`` with each group of duplicates merged into its first row, order kept."""
    group_of: dict[str, int] = {}
    groups: list[list[Place]] = []
    for place in places:
        found = next((group_of[k] for k in keys(place) if k in group_of), None)
        if found is None:
            found = len(groups)
            groups.append([])
        groups[found].append(place)
        for k in keys(place):
            group_of.setdefault(k, found)
    merged = [group[0] if len(group) == 1 else merge_group(group) for group in groups]
    if len(merged) < len(places):
        log.info("duplicates: %d rows merged into %d places", len(places) - len(merged) + sum(
            1 for g in groups if len(g) > 1), sum(1 for g in groups if len(g) > 1))
    return merged


GENERIC_PUBLICS = frozenset({"TP", "AD"})
SAID_ONCE = ("organisation", "place_type", "legal_form", "accessibility", "description", "siret")
"""Texts a place has once: the row lending its id says it, else the first row that does."""
DESK_LABELS = frozenset({"MFS", "MSAP"})
"""Labels that say what a place is (a France Services desk, an MSAP), not a scheme it takes part in (APTIC)."""


def _restricted(place: Place) -> bool:
    return bool(place.publics) and not set(place.publics) & GENERIC_PUBLICS


def merge_group(group: list[Place]) -> Place:
    """One place from rows describing it: all names, the union of facts. The row that says most
    (a desk's label, then labels, then services) lends its id and comes first, so the place is found
    as what it mainly is (a France Services desk rather than the workshop or the APTIC scheme it also
    hosts); the other rows' ids stay in ``merged_ids``. A place that one row lists for everyone is
    not « réservé » because another row names a public."""
    facets = {id(p): derive(0, p) for p in group}  # labels the name implies count too ("France Services - Sète")
    group = sorted(group, key=lambda p: (not facets[id(p)].labels & DESK_LABELS, -len(facets[id(p)].labels),
                                         -len(facets[id(p)].services)))  # stable
    first = group[0]
    names: dict[str, str] = {}  # folded -> as the first row wrote it: "MANDELA" and "Mandela" are one name
    for p in group:
        names.setdefault(fold(p.name), p.name)
    union = lambda attr: tuple(dict.fromkeys(v for p in group for v in getattr(p, attr)))  # noqa: E731
    hours = next((p.hours for p in group if p.hours.known), None) or \
        next((p.hours for p in group if p.hours.text), Hours())
    contact = Contact(**{f: next((getattr(p.contact, f) for p in group if getattr(p.contact, f)), "")
                         for f in ("phone", "email", "website")})
    return replace(
        first, name=" / ".join(names.values()), hours=hours, contact=contact,
        merged_ids=tuple(dict.fromkeys(i for p in group for i in (p.id, *p.merged_ids) if i != first.id)),
        services=union("services"), labels=union("labels"),
        publics=union("publics") if all(_restricted(p) for p in group) or not any(p.publics for p in group)
        else tuple(dict.fromkeys((*union("publics"), "TP"))),
        access=union("access"), support=union("support"), raw_services=union("raw_services"),
        **{attr: next((getattr(p, attr) for p in group if getattr(p, attr)), "") for attr in SAID_ONCE},
        # Wifi is there if any row says so, absent only if one says so and none says it is there.
        wifi=True if any(p.wifi for p in group) else next((p.wifi for p in group if p.wifi is not None), None),
        wifi_text=next((p.wifi_text for p in group if p.wifi), first.wifi_text),
        updated=max(p.updated for p in group),
        lat=first.lat if first.has_point else next((p.lat for p in group if p.has_point), None),
        lon=first.lon if first.has_point else next((p.lon for p in group if p.has_point), None),
    )
