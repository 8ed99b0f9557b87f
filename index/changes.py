"""What a rebuild changes: places added, removed, and changed with the fields that changed, by id.

``diff(old, new)`` compares two lists of places by id. A place's fields are compared as
``place_to_dict`` writes them, nested records flattened to dotted names (``address.postcode``,
``contact.email``, ``hours.days``), so a report says which part of a place moved. ``source``
is left out: it names the file a place came from, which changes with every file name and
says nothing about the place (the version's meta keeps the sources).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from index.places import Place, place_to_dict

IGNORED_FIELDS = frozenset({"source"})
"""Fields not compared: provenance, not content."""


@dataclass
class ChangeReport:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    """Id -> the (dotted) fields that changed, sorted."""
    unchanged: int = 0
    before: int = 0
    after: int = 0

    @property
    def fields(self) -> Counter[str]:
        """How many places each field changed in."""
        return Counter(f for fs in self.changed.values() for f in fs)

    def summary(self) -> dict:
        return {"before": self.before, "after": self.after, "added": len(self.added),
                "removed": len(self.removed), "changed": len(self.changed), "unchanged": self.unchanged,
                "fields": dict(self.fields.most_common())}

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "added": self.added, "removed": self.removed, "changed": self.changed}

    @classmethod
    def from_dict(cls, data: dict) -> ChangeReport:
        s = data.get("summary", {})
        return cls(added=list(data.get("added", ())), removed=list(data.get("removed", ())),
                   changed={k: list(v) for k, v in data.get("changed", {}).items()},
                   unchanged=s.get("unchanged", 0), before=s.get("before", 0), after=s.get("after", 0))

    def headline(self) -> str:
        """One line: '+12 -3 ~40 (845 -> 854 places)'."""
        return (f"+{len(self.added)} added, -{len(self.removed)} removed, ~{len(self.changed)} changed, "
                f"{self.unchanged} unchanged ({self.before} -> {self.after} places)")

    def lines(self, limit: int = 20) -> list[str]:
        """A readable report: the headline, then up to ``limit`` ids of each kind."""
        out = [self.headline()]
        if self.changed:
            out.append("fields changed: " + ", ".join(f"{f} {n}" for f, n in self.fields.most_common()))
        for label, ids in (("added", self.added), ("removed", self.removed)):
            if ids:
                shown = ", ".join(ids[:limit])
                more = f" … and {len(ids) - limit} more" if len(ids) > limit else ""
                out.append(f"{label}: {shown}{more}")
        for n, (pid, fields) in enumerate(self.changed.items()):
            if n == limit:
                out.append(f"changed: … and {len(self.changed) - limit} more")
                break
            out.append(f"changed {pid}: {', '.join(fields)}")
        return out


def flatten(data: dict, prefix: str = "") -> dict[str, object]:
    """``{"address": {"postcode": "31000"}}`` -> ``{"address.postcode": "31000"}``; lists stay whole."""
    out: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def changed_fields(old: Place, new: Place) -> list[str]:
    """The dotted fields whose value differs between two versions of one place."""
    a, b = flatten(place_to_dict(old)), flatten(place_to_dict(new))
    return sorted(k for k in a.keys() | b.keys()
                  if k.split(".", 1)[0] not in IGNORED_FIELDS and a.get(k) != b.get(k))


def diff(old: list[Place], new: list[Place]) -> ChangeReport:
    """The change report from ``old`` to ``new`` (ids in the order of each list)."""
    before = {p.id: p for p in old}
    after = {p.id: p for p in new}
    report = ChangeReport(before=len(before), after=len(after))
    report.added = [i for i in after if i not in before]
    report.removed = [i for i in before if i not in after]
    for pid, place in after.items():
        if pid in before:
            fields = changed_fields(before[pid], place)
            if fields:
                report.changed[pid] = fields
            else:
                report.unchanged += 1
    return report
