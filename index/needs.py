"""The few needs the maintainers' report measures, each as the codes that meet it.

A need family groups the codes a person asking means alike: « démarches » is met by either
procedure service (a France Services desk has them by ``facets.derive``). The report measures
how far each commune is from each family (``index.report.zones``), and counts questions by
family (``index.asked``), so both speak of the same needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.facets import Entry


@dataclass(frozen=True)
class Need:
    name: str
    """As the report says it (French, lower case)."""
    facet: str
    """``services`` or ``labels`` (an ``Entry`` attribute)."""
    codes: frozenset[str]

    def met_by(self, entry: Entry) -> bool:
        return bool(getattr(entry, self.facet) & self.codes)


NEEDS: tuple[Need, ...] = (
    Need("démarches", "services", frozenset({"ACCDS", "ACCDA"})),
    Need("ordinateur en accès libre", "services", frozenset({"ORD", "ORDM"})),
    Need("ateliers", "services", frozenset({"SENS", "COMP", "ENT"})),
    Need("accompagnement individuel", "services", frozenset({"ACCN"})),
    Need("France Services", "labels", frozenset({"MFS", "MSAP"})),
)


def need_of(facet: str, codes: frozenset[str]) -> Need | None:
    """The family a concept's codes belong to (all of them), or None."""
    return next((n for n in NEEDS if n.facet == facet and codes <= n.codes), None)
