"""Ranking: how well one place answers one query, as named, capped partial scores.

Two layers, both pure, over ``Asked``: what a query asks, worked out once per search (a
search assesses hundreds of places). ``needs`` checks each stated need (service, public, label, day,
wifi) as met, unknown (the directory does not say) or unmet; the worst of them sets the
place's ``tier``. Within a tier, ``SCORERS`` add named partial scores, each capped by its
ceiling (addok's ``add_score``): the final score is their sum over the sum of ceilings.
The names that scored become the card's "pourquoi".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from index.facets import GENERIC_PUBLICS, Entry
from index.normalise import sound
from index.open_now import open_during
from index.places import DAYS
from index.understand.query import Concept, Query
from index.vocabulary import FACET_LABELS

MET, UNKNOWN, UNMET = 2, 1, 0


@dataclass(slots=True)
class Assessment:
    """One place judged against one query."""

    entry: Entry
    tier: int = MET
    """MET: every need met; UNKNOWN: none contradicted, some not documented; UNMET: one contradicted."""
    lead: int = MET
    """The same for the leading need alone (the services and labels asked, any of them): a place
    that meets it but not an audience, day or wifi is flagged, not sent away."""
    inside: bool = True
    """Inside the stated area (always True when the query has none)."""
    distance_km: float | None = None
    text: float = 0.0
    """Text relevance, normalised to 0..1 over the candidates."""
    name: float = 0.0
    """Share of the query's loose words found in the place's name words (``Entry.name_words``)."""
    named: bool = False
    """The user named this place: all the loose words, a rare one among them, are in its name."""
    lead_met: int = 0
    """How many of the services and labels asked the place meets: more first, within a tier."""
    restricted: bool = False
    """Reserved to an audience the question did not ask for (young people only): ranked after the
    places open to everyone that meet the same needs."""
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    """The sum of ``scores`` over the sum of their ceilings, worked out once by ``assess`` (sort keys
    read it many times per search)."""

    def add_score(self, name: str, score: float, ceiling: float) -> None:
        # Capped to 0..ceiling; comparisons rather than min() and max() (a few hundred thousand calls a second).
        self.scores[name] = (ceiling if score > ceiling else score if score > 0.0 else 0.0, ceiling)


def what_it_offers(entry: Entry, concept: Concept) -> str:
    """What the place's own data says that meets ``concept``: « Ordinateur en libre service »
    for « scanner », never the user's word, which may claim more than the data does."""
    have = {"services": entry.services, "publics": entry.publics, "labels": entry.labels}[concept.facet]
    return _offer_words(concept.facet, have & concept.codes)


@lru_cache(maxsize=4096)
def _offer_words(facet: str, codes: frozenset[str]) -> str:
    """The labels of ``codes``, sorted: worked out once per distinct set (every place assessed needs it)."""
    labels = FACET_LABELS[facet]
    return ", ".join(sorted(labels.get(code, code) for code in codes))


def concept_status(entry: Entry, concept: Concept) -> int:
    if concept.facet == "services":
        have, known = entry.services, bool(entry.services)
    elif concept.facet == "publics":
        # A place open to everyone (TP, AD) does not say it is for this audience, nor that it is not.
        have, known = entry.publics, bool(entry.specific_publics) and not entry.publics & GENERIC_PUBLICS
    else:
        have, known = entry.labels, entry.described or bool(entry.labels)
    if have & concept.codes:
        return MET
    return UNMET if known else UNKNOWN


WHOLE_DAY = (0, 24 * 60)
CLOSED_ALL_DAY = (0, 0)
"""An empty window: the day asked is a public holiday, no place with hours is open then."""


def days_status(entry: Entry, query: Query) -> int:
    """Open on the days asked, or at the moment asked. A day asked whole (« le lundi », « demain »)
    is met by any text that does not say closed (« après-midi », « Sur RDV »), as a reader takes it."""
    if query.when and query.when[1] >= 0 and tuple(query.when[1:]) != WHOLE_DAY:
        return moment_status(entry, query)
    wanted = set(query.days)
    met = bool(wanted & entry.open_days) if query.any_day else wanted <= entry.open_days
    if met:
        return MET
    return UNMET if entry.hours_known else UNKNOWN


def moment_status(entry: Entry, query: Query) -> int:
    """Open at some point of the asked window (« après 17 h », « maintenant ») on one of the days."""
    _, start, end = query.when
    statuses = []
    for d in query.days:
        found = open_during(entry.place.hours.days[d], (start, end))
        statuses.append(UNKNOWN if found is None else MET if found else UNMET)
    return max(statuses, default=UNKNOWN)


def wifi_status(entry: Entry) -> int:
    wifi = entry.place.wifi
    return MET if wifi else (UNKNOWN if wifi is None else UNMET)


LEAD_FACETS = frozenset({"services", "labels"})
CONTEXT_WORDS = 3
"""Words left over beyond which, next to a need understood, they are the story told around it
(« ne maîtrise pas internet », « en ligne »), not what a place should be named or described by."""


@dataclass(frozen=True)
class Asked:
    """What ``query`` asks, as the scorers read it: worked out once per search, not once per place."""

    query: Query
    lead: tuple[Concept, ...]
    """The services and labels asked: one leading need, met by any of them."""
    broad_services: tuple[Concept, ...]
    """Services asked as several codes (« atelier »): met several ways ranks higher."""
    publics: frozenset[str]
    """The audiences asked, all concepts together."""
    text_ceiling: float
    inside_reason: str
    """The card's reason for a place inside the area (« à Albi », « Gers »), empty for a point."""
    distance_scale: float
    day_reason: str
    """The card's reason for a place open when asked (« ouvert le samedi », « ouvert maintenant »)."""

    @classmethod
    def of(cls, query: Query) -> Asked:
        area = query.area
        inside_reason = ""
        if area is not None and area.kind != "point":
            inside_reason = ("à " if area.kind == "commune" else "") + area.label
        return cls(
            query=query,
            lead=tuple(c for c in query.concepts if c.facet in LEAD_FACETS),
            broad_services=tuple(c for c in query.concepts if c.facet == "services" and len(c.codes) > 1),
            publics=frozenset(code for c in query.concepts if c.facet == "publics" for code in c.codes),
            text_ceiling=0.3 if query.concepts and len(query.words) > CONTEXT_WORDS else 1.0,
            inside_reason=inside_reason,
            distance_scale=(area.radius_km or 5.0) if area is not None else 5.0,
            day_reason=query.when[0] if query.when else
            "ouvert le " + (" ou le " if query.any_day else " et le ").join(DAYS[d] for d in query.days),
        )


def needs(assessment: Assessment, asked: Asked) -> None:
    """Set ``tier`` to the worst status among the query's needs, and say which are met.

    The services and labels asked are one leading need, met by any of them: « retraite en ligne,
    elle n'a pas d'ordinateur » asks for help with procedures, a place with computers too ranks
    higher (``score_breadth``). The audiences are one need, met by any of them; days and wifi
    are each a need of their own."""
    entry, query = assessment.entry, asked.query
    lead, audience = [], []
    for concept in query.concepts:
        status = concept_status(entry, concept)
        (lead if concept.facet in LEAD_FACETS else audience).append(status)
        if status == MET:
            assessment.reasons.append(what_it_offers(entry, concept))
    assessment.lead = max(lead, default=MET)
    assessment.lead_met = lead.count(MET)
    # The audiences said describe one person (« un jeune qui cherche du travail »): one is enough.
    statuses = [assessment.lead, max(audience, default=MET)]
    if query.days:
        status = days_status(entry, query)
        statuses.append(status)
        if status == MET:
            assessment.reasons.append(asked.day_reason)
    if query.wifi:
        status = wifi_status(entry)
        statuses.append(status)
        if status == MET:
            assessment.reasons.append("wifi")
    assessment.tier = min(statuses, default=MET)


def name_keys(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(word, sound) of the ``words`` of three letters or more: what ``name_match`` compares, worked
    out once per search rather than once per place."""
    return tuple((w, sound(w)) for w in words if len(w) >= 3)


def name_match(entry: Entry, keys: tuple[tuple[str, str], ...]) -> tuple[float, frozenset[str]]:
    """Share of the words of ``keys`` (``name_keys``) found in the place's name, by spelling or
    sound, and which."""
    if not keys:
        return 0.0, frozenset()
    names, sounds = entry.name_words, entry.name_sounds
    matched = frozenset(w for w, s in keys if w in names or s in sounds)
    return len(matched) / len(keys), matched


Scorer = Callable[[Assessment, Asked], None]


def score_name(a: Assessment, asked: Asked) -> None:
    if asked.query.name_words:
        a.add_score("nom", a.name * 3.0, 3.0)
        if a.named:
            a.reasons.insert(0, "nom")


def score_breadth(a: Assessment, asked: Asked) -> None:
    """A need met several ways ranks higher: for « atelier », workshops and entraide and
    awareness sessions beat awareness sessions alone."""
    shares = [len(a.entry.services & c.codes) / len(c.codes) for c in asked.broad_services]
    if len(asked.lead) > 1:
        shares.append(a.lead_met / len(asked.lead))  # ``needs`` counted them
    if shares:
        a.add_score("étendue", sum(shares) / len(shares) * 0.5, 0.5)


SPECIALISED_SERVICES = frozenset({"W", "FL", "REP", "PRO"})
"""Services of places for a specific use (coworking, fablab, repairs, vocational training)."""


def score_help(a: Assessment, asked: Asked) -> None:
    """With no service asked (« handicap visuel Toulouse », « pour les jeunes à Albi »), the person
    needs help with the digital world: a coworking space or a fablab alone is not the answer."""
    if not asked.lead:
        services = a.entry.services
        a.add_score("aide", 0.0 if services and services <= SPECIALISED_SERVICES else 0.5, 0.5)


def score_audience(a: Assessment, asked: Asked) -> None:
    """A place reserved to an audience (young people only) the question did not ask for ranks after
    those open to everyone."""
    entry = a.entry
    # « mission locale »: a kind of place asked by its own name is not demoted for whom it serves.
    a.restricted = bool(entry.specific_publics) and not entry.publics & GENERIC_PUBLICS \
        and not entry.publics & asked.publics and a.name < 0.99


def score_text(a: Assessment, asked: Asked) -> None:
    if asked.query.words:
        a.add_score("texte", a.text * asked.text_ceiling, asked.text_ceiling)


def score_distance(a: Assessment, asked: Asked) -> None:
    if a.distance_km is None or asked.query.area is None:
        return
    a.add_score("proximité", 1.0 / (1.0 + a.distance_km / asked.distance_scale), 1.0)


def score_inside(a: Assessment, asked: Asked) -> None:
    if asked.query.area is not None:
        a.add_score("lieu", 1.0 if a.inside else 0.0, 0.5)
        if a.inside and asked.inside_reason:
            a.reasons.append(asked.inside_reason)


def score_richness(a: Assessment, asked: Asked) -> None:
    a.add_score("fiche", a.entry.richness * 0.3, 0.3)


SCORERS: tuple[Scorer, ...] = (score_name, score_breadth, score_help, score_text, score_inside, score_distance,
                               score_richness, score_audience)


def assess(a: Assessment, asked: Asked) -> Assessment:
    """Fill in ``a``'s tier, scores and reasons (its inside, distance, text and name are set by the engine)."""
    needs(a, asked)
    for scorer in SCORERS:
        scorer(a, asked)
    points = ceilings = 0.0
    for got, ceiling in a.scores.values():
        points += got
        ceilings += ceiling
    a.score = points / ceilings if ceilings else 0.0
    return a


def order_key(a: Assessment) -> tuple:
    """Sort key, best first: a named place, then needs met, then score, then nearer."""
    return (-int(a.named), -a.tier, a.restricted, -a.lead_met, -a.score,
            a.distance_km if a.distance_km is not None else float("inf"), a.entry.place.id)


def nearest_first_key(a: Assessment) -> tuple:
    """Sort key around a point ("autour de moi"): a named place, then needs met, then nearer, then score."""
    return (-int(a.named), -a.tier, a.restricted, -a.lead_met,
            a.distance_km if a.distance_km is not None else float("inf"),
            -a.score, a.entry.place.id)
