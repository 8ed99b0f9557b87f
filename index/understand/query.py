"""What a message asks for: the structured ``Query`` that ranking works from."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.places import DAYS
from index.vocabulary import FACET_LABELS

NAME_WORDS_SHOWN = 3
"""Words left over are shown as understood only when they may be a place's name: few, and no
need named. In a sentence they are the asker's own words (« suis ccas demande »), not a request."""


@dataclass(frozen=True)
class Area:
    """Where the user wants places.

    ``kind`` is "commune", "departement" or "point". A commune area may be ``strict``
    ("à Tarbes": the commune itself) or not ("du côté de Toulouse": the commune, then
    around it); "près de Muret" is a point area at its town hall. A point area is ranked by distance, ``radius_km`` being the user's own
    ("à moins de 10 km") or None (the engine picks one from the places' density).
    """

    kind: str
    label: str
    insee: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    """Folded names of the communes, as places are matched on them."""
    departements: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    strict: bool = True
    user_location: bool = False
    postcode: str = ""
    """A postcode said for a city with several (« 31200 »): its places first, ranked from them."""


@dataclass(frozen=True)
class Concept:
    """One need the user named: any of ``codes`` in ``facet`` satisfies it."""

    facet: str  # "services" | "publics" | "labels"
    codes: frozenset[str]
    said: str
    """The words that expressed it, folded ("atelier informatique")."""

    def describe(self) -> str:
        labels = FACET_LABELS[self.facet]
        return " ou ".join(sorted(labels.get(c, c) for c in self.codes))


@dataclass(frozen=True)
class Query:
    """A message understood: where, what, for whom, when, and the words left for text search.

    Plain values only, and never the text as typed: a session may store it, a log may print it."""

    area: Area | None = None
    concepts: tuple[Concept, ...] = ()
    days: tuple[int, ...] = ()
    any_day: bool = False
    """True when one of ``days`` is enough ("le week-end"), else all are wanted."""
    wifi: bool = False
    words: tuple[str, ...] = ()
    """Folded, corrected content words: searched in names and descriptions."""
    name_words: tuple[str, ...] = ()
    """Words that named no concept, place or day: candidates for a place's own name."""
    near_me: bool = False
    """The user said "autour de moi": the answer needs their position."""
    off_topic: tuple[str, ...] = ()
    """Codes of needs the directory does not cover (``vocabulary.OUT_OF_SCOPE``)."""
    doubt: str = ""
    """The commune a misspelt name was read as, when the reading is unsure: worth asking back."""
    adult: bool = False
    """The person is said to be an adult (« une dame de 45 ans »): places reserved to young people
    come after those open to all, even undocumented ones."""
    when: tuple = ()
    """(words, start, end): a moment asked for on ``days``, in minutes; start -1 is "now" until the
    conversation sets it from its clock (``index.understand.when``)."""
    dated: bool = False
    """``days`` are dates of this week (« aujourd'hui », « demain », « maintenant »), not every such
    weekday (« le lundi »): a public holiday among them closes the places whose hours say they open."""
    notes: tuple[str, ...] = field(default=(), compare=False)
    """What was corrected or guessed, in French ("« toulouze » lu comme Toulouse")."""

    @property
    def has_needs(self) -> bool:
        """A need, an audience, a day or wifi asked: what places are ranked on beside where they are."""
        return bool(self.concepts or self.days or self.wifi)

    @property
    def is_empty(self) -> bool:
        return not (self.area or self.has_needs or self.words)

    def describe(self) -> str:
        """What was understood, in French, e.g. « ateliers informatiques · Gers · ouvert le samedi »."""
        parts = [c.said for c in self.concepts]
        if self.wifi:
            parts.append("wifi")
        if self.when:
            parts.append(self.when[0])
        elif self.days:
            joiner = " ou le " if self.any_day else " et le "
            parts.append("ouvert le " + joiner.join(DAYS[d] for d in self.days))
        if self.name_words and not self.concepts and len(self.name_words) <= NAME_WORDS_SHOWN:
            parts.append(" ".join(self.name_words))  # a place's own name, looked for: « rebooterie »
        if self.area:
            parts.append(self.area.label)
        return " · ".join(parts)
