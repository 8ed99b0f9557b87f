"""Place evidence: which of the places a message names is where the person has to go.

A long message names several places: the asker's workplace ("je suis AS au CCAS de
Castres"), the person's town ("elle habite Graulhet"), and ordinary words that happen to
be communes somewhere ("un vieux portable", "la rue"). Each place mention becomes a
``Candidate``; ``weigh`` adds up the cues people use (a preposition before it, a
capital, a département beside it, places listed there, the commune's size, whose place
it is) and ``choose`` keeps the best. Pure functions over the words of one message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from index.gazetteer import Commune, Locality
from index.normalise import fold
from index.spatial import haversine_km
from index.vocabulary import ANYWHERE, ASKER_MARKERS, PERSON_MARKERS, PLACE_WORDS_BEFORE, STREET_TYPES

ARTICLES = frozenset({"l", "la", "le", "les"})
PERSON_REACH = 4
"""Words before a name in which a person marker counts."""
ASKER_REACH = 12
"""Words before a name, in the same clause, in which an asker marker counts."""
SHORT_MESSAGE = 5
"""Content words up to which a message is keywords ("lourde wifi gratuit"): every word may be a place."""

# Weights of the cues, in points; a candidate needs MIN_SCORE to be read as a place.
PREPOSITION, CAPITAL, SEVERAL_WORDS, LISTED, LISTED_DEPARTEMENT, BESIDE, PERSON, ASKER = \
    1.5, 1.0, 1.0, 1.0, 0.5, 2.0, 3.0, -3.0
KEYWORDS = 0.5
"""A short message is keywords: each word is there for a reason (« paris », « foix »)."""
STREET_NAME = -6.0
"""A name right after « rue », « avenue de », « chemin des »: the street's, whatever else it has."""
STREET_LINKS = frozenset({"de", "des", "du", "d", "l", "la", "le", "les"})
"""Words between a street type and its name (« avenue de la Gare »)."""
ORDINARY_WORD = -2.5
"""A single lower-case word with no cue in a sentence: "vieux", "rue", "orange" are words first."""
HOW_POINTS = {"code postal": 2.0, "quartier": 1.0, "abréviation": 0.5, "nom court": 0.5, "faute": -0.5}
"""Points for how the mention was read: a postcode is typed only as a place; a name read by its
sound (« allée » sounds like Alès) is less sure than one spelt right."""
MIN_SCORE = 1.0
FAR_FROM_POSITION_KM = 50.0
"""With a shared position, a place only guessed (a misspelling, no cue) farther than this is not
where the person means: « aller sur internet » near Limoux is no Alès, 200 km away."""
FAR_FROM_POSITION = -3.0
ALTERNATIVE_GAP = 3.0
"""An alternative (« sur Marvejols ou à Mende ») is kept unless this much weaker than the best."""


@dataclass
class Candidate:
    """One place mention: words ``start``..``start+length`` naming communes or a département."""

    start: int
    length: int
    communes: list[Commune] = field(default_factory=list)
    departement: str = ""
    how: str = "nom"
    """How it was read: "nom", "nom court", "abréviation", "code postal", "faute"."""
    score: float = 0.0
    cues: list[str] = field(default_factory=list)
    role: str = ""
    """"personne" (where the person lives), "partout" (« n'importe où dans X »), "demandeur" (the
    asker's own place) or ""."""
    named: bool = False
    """Clearly said as a place, whoever's it is: its words are not searched as text."""
    locality: Locality | None = None
    """A neighbourhood or station inside ``communes[0]``: the search centres on it."""
    doubtful: bool = False
    """A typo reading as unsure as one worth asking back (« Vouliez-vous dire Montpellier ? »)."""

    @property
    def end(self) -> int:
        return self.start + self.length

    def add(self, cue: str, points: float) -> None:
        self.score += points
        self.cues.append(f"{cue} {points:+.1f}")

    def describe(self) -> str:
        """One line for ``--explain``: what it names, its score and cues."""
        role = f", {self.role}" if self.role else ""
        return f"{self.label()} ({self.how}{role}): {self.score:.2f} = " + ", ".join(self.cues)

    def label(self) -> str:
        if self.locality and self.communes:
            return f"{self.locality.name} ({self.communes[0].name})"
        if self.communes:
            return " ou ".join(dict.fromkeys(c.name for c in self.communes[:3]))
        return f"département {self.departement}"


@dataclass(frozen=True)
class Context:
    """What the cues read from the message: folded words, capitals, clause numbers, content-word count."""

    words: tuple[str, ...]
    capitals: tuple[bool, ...]
    clauses: tuple[int, ...]
    content_words: int
    position: tuple[float, float] | None = None
    """The position the user shared, if any."""


def word_before(ctx: Context, i: int) -> int:
    """Index of the word before ``i``, skipping one article (« à la Paillade », « de l'Union »); -1 when none."""
    j = i - 1
    if j >= 0 and ctx.words[j] in ARTICLES:
        j -= 1
    return j


def weigh(c: Candidate, ctx: Context, listed: dict[str, int], listed_departements: dict[str, int],
          departements_beside: set[str]) -> None:
    """Add the cues ``c`` has to its score (see the weights above)."""
    words = ctx.words
    j = word_before(ctx, c.start)
    prepositioned = j >= 0 and words[j] in PLACE_WORDS_BEFORE
    if prepositioned:
        c.add(f"« {words[j]} » avant", PREPOSITION)
    capital = ctx.capitals[c.start]
    if capital:
        c.add("majuscule", CAPITAL if c.start and ctx.clauses[c.start - 1] == ctx.clauses[c.start] else CAPITAL / 2)
    if c.length > 1:
        c.add("plusieurs mots", SEVERAL_WORDS)
    if ctx.content_words <= SHORT_MESSAGE:
        c.add("mots-clés", KEYWORDS)
    if c.communes:
        if any(listed.get(fold(x.name)) for x in c.communes):
            c.add("lieux dans l'annuaire", LISTED)
        elif any(listed_departements.get(x.departement) for x in c.communes):
            c.add("département de l'annuaire", LISTED_DEPARTEMENT)
        population = max(x.population for x in c.communes)
        if population > 0:
            c.add("population", round(min(math.log10(population) / 10, 0.6), 2))
        if departements_beside & {x.departement for x in c.communes}:
            c.add("département à côté", BESIDE)
    elif listed_departements.get(c.departement):
        c.add("lieux dans l'annuaire", LISTED)
    if HOW_POINTS.get(c.how):
        c.add(c.how, HOW_POINTS[c.how])
    street = street_type_before(ctx, c.start)
    if street:
        c.add(f"nom de voie (« {street} »)", STREET_NAME)
        c.named = False
        return
    ordinary = c.length == 1 and not (prepositioned or capital) and ctx.content_words > SHORT_MESSAGE \
        and c.how not in {"code postal", "abréviation"} and not _served_by_its_name(c, ctx, listed, listed_departements)
    if ordinary:
        c.add("mot ordinaire", ORDINARY_WORD)
    c.named = c.score >= MIN_SCORE
    if ordinary:
        return  # « habite le centre-ville »: a word, whoever's it would be
    c.role = role_of(ctx, c.start)
    if c.role == "partout":
        c.add("n'importe où", PERSON + 1.5)
    elif c.role == "personne":
        c.add("lieu de la personne", PERSON)
    elif c.role == "demandeur":
        c.add("lieu du demandeur", ASKER)
    guessed = c.how == "faute" and not (prepositioned or capital or departements_beside or c.role in {"personne", "partout"})
    if guessed and far_from(ctx.position, c.communes):
        c.add("loin de votre position", FAR_FROM_POSITION)
        c.named = False


def far_from(position: tuple[float, float] | None, communes: list[Commune]) -> bool:
    """Every one of ``communes`` lies farther than ``FAR_FROM_POSITION_KM`` from ``position``."""
    return position is not None and bool(communes) and all(
        haversine_km(*position, x.lat, x.lon) > FAR_FROM_POSITION_KM for x in communes)


def street_type_before(ctx: Context, i: int) -> str:
    """The street type whose name starts at ``i`` (« rue » in « rue des Lilas »), or ""."""
    j = i - 1
    while j >= 0 and i - j <= 2 and ctx.words[j] in STREET_LINKS:
        j -= 1
    return ctx.words[j] if j >= 0 and ctx.words[j] in STREET_TYPES else ""


def _served_by_its_name(c: Candidate, ctx: Context, listed: dict[str, int], listed_departements: dict[str, int]) -> bool:
    """The word is the very name of a place the directory serves (« gers », « tournefeuille »): a
    name first, even lower-case in a sentence; a word that is only a variant or a commune with
    nothing listed (« ville », « vieux ») is a word first."""
    word = " ".join(ctx.words[c.start:c.end])
    if c.departement:
        return bool(listed_departements.get(c.departement))
    return c.how == "nom" and any(fold(x.name) == word and listed.get(word) for x in c.communes)


def role_of(ctx: Context, i: int) -> str:
    """Whose place the name at ``i`` is: a person marker just before it wins over the asker's
    « je suis … » earlier in the clause."""
    words, clause = ctx.words, ctx.clauses[i]
    for k in range(i - 1, max(-1, i - 1 - PERSON_REACH), -1):
        if tuple(words[max(0, k - 2):k + 1]) == ANYWHERE:
            return "partout"
        if words[k] in PERSON_MARKERS:
            return "personne"
    for k in range(i - 1, max(-1, i - 1 - ASKER_REACH), -1):
        if ctx.clauses[k] != clause:
            break
        if words[k] in ASKER_MARKERS:
            return "demandeur"
    return ""


def choose(candidates: list[Candidate], words: tuple[str, ...]) -> list[Candidate]:
    """The candidates read as where the person has to go: the best, with those said as its
    alternatives (« sur Marvejols ou à Mende »); none below MIN_SCORE, unless the asker's own
    place is all the message names."""
    # The asker's own place is the answer only when the message names no other.
    kept = [c for c in candidates if c.score >= MIN_SCORE] or [c for c in candidates if c.named]
    if not kept:
        return []
    best = max(kept, key=lambda c: c.score)
    chosen = [best]
    for c in sorted(kept, key=lambda c: c.start):
        if c is best or c.score < best.score - ALTERNATIVE_GAP:
            continue
        if _alternatives(words, best, c) or _alternatives(words, c, best):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def _alternatives(words: tuple[str, ...], a: Candidate, b: Candidate) -> bool:
    """``b`` follows ``a`` as an alternative: « a ou (à) b »."""
    between = words[a.end:b.start]
    return bool(between) and between[0] == "ou" and len(between) <= 3 \
        and all(w in {"ou", "a", "au", "sur", "de", "d", "l", "la", "le", "les", "bien"} for w in between)

