"""The parser's steps, run in order over one ``Reading`` of a message.

Each step claims the words it understands (so that later steps do not read them
again) and records what it found. Order matters and is the whole policy: the user's
own location phrases, distances and days first; then needs (vocabulary), whose
phrases may contain town-like words ("cours"); then places; what is left is searched
as text. Every step is total: odd input leaves words unclaimed, never raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from index.gazetteer import Commune, Departement, Locality
from index.normalise import fold, sound
from index.places import DAYS
from index.understand.evidence import SHORT_MESSAGE, Candidate, Context, choose, far_from, weigh, word_before
from index.understand.lexicon import Lexicon
from index.understand.query import Area, Concept
from index.understand.when import when
from index.vocabulary import (
    ABSORBING_SERVICES,
    AGE_PUBLICS,
    DEVICE_WORDS,
    OUT_OF_SCOPE,
    PERSON_MARKERS,
    PLACE_WORDS_BEFORE,
    STOP_WORDS,
    TEXT_SYNONYMS,
)

ADULT_AGE = 26
"""From this age a person is no longer among the young people (16-25) places reserve themselves to."""
DAY_WORDS = {day: n for n, day in enumerate(DAYS)}
SHORT_DAYS = {day[:3]: n for n, day in enumerate(DAYS)}
""""sam", "mer": read as days only after "le" or "ouvert" ("mer" is also the sea)."""
NEAR_ME = (("autour", "de", "moi"), ("pres", "de", "moi"), ("proche", "de", "moi"), ("a", "cote", "de", "moi"),
           ("pres", "d", "ici"), ("pas", "loin"), ("dans", "le", "coin"), ("ma", "position"), ("ici",))
NEAR_OF = (("pres", "de"), ("pres", "d"), ("autour", "de"), ("autour", "d"), ("proche", "de"), ("proche", "d"),
           ("a", "cote", "de"), ("a", "cote", "d"), ("aux", "alentours", "de"), ("aux", "environs", "de"),
           ("vers",), ("non", "loin", "de"), ("pas", "loin", "de"), ("du", "cote", "de"), ("du", "cote", "d"),
           ("cote", "de"))
NEAR_ME_UNLESS_OF = {("a", "cote"), ("le", "plus", "pres"), ("la", "plus", "proche"), ("le", "plus", "proche"),
                     ("les", "plus", "proches"), ("plus", "pres"), ("plus", "proche"), ("au", "plus", "pres"),
                     ("autour",), ("a", "proximite"), ("proximite",), ("alentours",), ("aux", "alentours")}
"""Near the user unless a place follows: « à côté ? » but « à côté de Figeac », « autour de Montpellier »."""
LOOSE_OF = {("du", "cote", "de"), ("du", "cote", "d"), ("cote", "de")}
"""Phrases that point at a commune loosely: the commune itself first, its surroundings after."""
WIFI_WORDS = {"wifi", "wi", "wiffi", "wify", "wiffy", "wfi"}
DEPT_CONTEXT = {"le", "departement", "dept", "dep", "dpt", "dans", "en"}
SMALL_COMMUNE = 5000
"""Population under which a commune named by an everyday word of the directory is not assumed."""
NEIGHBOURHOOD_KM = 1.5
"""Smallest radius around a neighbourhood or station: a walk, or a few bus stops."""
DEFAULT_NEAR_KM = 10.0
"""Radius around a named commune ("près de Muret") when the user gives none."""


@dataclass
class Reading:
    """A message as the steps work on it: folded words, which are claimed, and what was found."""

    words: list[str]
    lexicon: Lexicon
    lat: float | None = None
    lon: float | None = None
    today: int = 0
    claimed: list[bool] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    any_day: bool = False
    wifi: bool = False
    near_me: bool = False
    radius_km: float | None = None
    near_of_at: set[int] = field(default_factory=set)
    """Positions right after "près de": a commune found there is a centre, not a boundary."""
    loose_at: set[int] = field(default_factory=set)
    communes: list[Commune] = field(default_factory=list)
    commune_mode: str = "strict"
    """How a named commune bounds the search: "strict" (à X), "loose" (du côté de X), "around" (près de X)."""
    departements: list[str] = field(default_factory=list)
    postcode: str = ""
    postcode_communes: list[Commune] = field(default_factory=list)
    postcode_at: int = -1
    departement_at: dict[int, str] = field(default_factory=dict)
    """Positions of département numbers (« le 31 », « (82) »): they may qualify a commune beside them."""
    previous: Area | None = None
    """The area of the conversation's last search: « la gare » is its station."""
    capitals: tuple[bool, ...] = ()
    """Per word: typed with a capital (« Foix »)."""
    clauses: tuple[int, ...] = ()
    """Per word: the number of its clause (punctuation splits clauses)."""
    locality: Locality | None = None
    """The neighbourhood or station named, the centre of the search."""
    candidates: list[Candidate] = field(default_factory=list)
    """Every place mention weighed, for ``--explain``."""
    off_topic: list[str] = field(default_factory=list)
    """Codes of needs the directory does not cover (``OUT_OF_SCOPE``): « piscine »."""
    doubt: str = ""
    """The commune a misspelt name was guessed as, when another reading is as likely."""
    adult: bool = False
    """The person is said to be an adult (« 45 ans »)."""
    notes: list[str] = field(default_factory=list)
    when: tuple[str, int, int] = ()
    """A moment asked for (``index.understand.when``): (words, start, end), start -1 meaning now."""
    dated: bool = False
    """The days asked are this week's own (« aujourd'hui », « demain », « maintenant »), not every such weekday."""

    def __post_init__(self) -> None:
        self.claimed = [False] * len(self.words)
        if len(self.capitals) != len(self.words):
            self.capitals = (False,) * len(self.words)
        if len(self.clauses) != len(self.words):
            self.clauses = (0,) * len(self.words)

    def context(self) -> Context:
        content = sum(1 for w in self.words if w not in STOP_WORDS and not w.isdigit())
        position = (self.lat, self.lon) if self.lat is not None and self.lon is not None else None
        return Context(tuple(self.words), self.capitals, self.clauses, content, position)

    def free(self, i: int, n: int = 1) -> bool:
        return i + n <= len(self.words) and not any(self.claimed[i:i + n])

    def claim(self, i: int, n: int = 1) -> None:
        for k in range(i, i + n):
            self.claimed[k] = True

    def ngrams(self, longest: int, starts=None, multi_starts=None):
        """(start, length, words) of the runs unclaimed now, longest first, left to right; with
        ``starts``, only runs whose first word is one of them; with ``multi_starts``, only runs of
        one word or starting with one of them."""
        words, size = self.words, len(self.words)
        free_run = [0] * (size + 1)  # free_run[i]: unclaimed words from i on
        for i in range(size - 1, -1, -1):
            free_run[i] = 0 if self.claimed[i] else free_run[i + 1] + 1
        firsts = [i for i in range(size) if free_run[i] and (starts is None or words[i] in starts)]
        multi = firsts if multi_starts is None else [i for i in firsts if words[i] in multi_starts]
        for n in range(min(longest, size), 0, -1):
            for i in firsts if n == 1 else multi:
                if free_run[i] >= n:
                    yield i, n, tuple(words[i:i + n])

    def find_phrases(self, phrases) -> list[tuple[int, int]]:
        """(start, length) of each unclaimed run of words that is one of ``phrases``, longest first,
        none overlapping another; nothing is claimed (the caller claims those it keeps)."""
        found: list[tuple[int, int]] = []
        longest = max(len(p) for p in phrases)
        firsts = {p[0] for p in phrases}
        for i, n, gram in list(self.ngrams(longest, firsts)):
            if gram in phrases and self.free(i, n) and not any(s < i + n and i < s + m for s, m in found):
                found.append((i, n))
        return found

    def match_phrases(self, phrases) -> list[tuple[int, int]]:
        """Claim each unclaimed run of words that is one of ``phrases``, longest first; (start, length) of each."""
        found = self.find_phrases(phrases)
        for i, n in found:
            self.claim(i, n)
        return found


Step = Callable[[Reading], None]


def near_me(r: Reading) -> None:
    """"autour de moi", "à proximité", "à côté ?", "le plus près": the shared location is the centre.
    « à côté de Figeac », « le plus proche de Muret » name a place instead (``near_of``)."""
    if r.match_phrases(set(NEAR_ME)):
        r.near_me = True
    for i, n in r.find_phrases(NEAR_ME_UNLESS_OF):
        if r.words[i + n:i + n + 1] not in (["de"], ["d"], ["du"], ["des"]):
            r.claim(i, n)
            r.near_me = True


def radius(r: Reading) -> None:
    """"à moins de 10 km", "dans un rayon de 5 km", "15km"."""
    for i, w in enumerate(r.words):
        m = re.fullmatch(r"(\d{1,3})(km|kms|kilometres?)?", w)
        if not m or not r.free(i):
            continue
        unit_next = i + 1 < len(r.words) and r.words[i + 1] in {"km", "kms", "kilometre", "kilometres"}
        if not (m.group(2) or unit_next):
            continue
        r.radius_km = float(m.group(1)) or 1.0
        r.claim(i, 2 if unit_next else 1)
        for j in range(max(0, i - 4), i):
            if r.words[j] in {"moins", "rayon", "maximum", "max", "dans", "de", "a", "un", "d"}:
                r.claim(j)
        if i + 2 < len(r.words) and r.free(i + 2 if unit_next else i + 1) and r.words[i + (2 if unit_next else 1)] in {"de", "d", "autour"}:
            k = i + (2 if unit_next else 1)
            r.claim(k)
            r.near_of_at.add(k + 1)


def days(r: Reading) -> None:
    """Days of the week, "le week-end", "aujourd'hui", "demain"."""
    if r.match_phrases({("week", "end"), ("weekend",), ("we",)}):
        r.days += [5, 6]
        r.any_day = True
    if r.match_phrases({("aujourd", "hui"), ("aujourdhui",), ("auj",), ("ce", "jour")}):
        r.days.append(r.today)
    if r.match_phrases({("demain",)}):
        r.days.append((r.today + 1) % 7)
    for i, w in enumerate(r.words):
        if not r.free(i):
            continue
        day = DAY_WORDS.get(w[:-1] if w.endswith("s") and w[:-1] in DAY_WORDS else w)  # "samedis", not "mars"
        if w in SHORT_DAYS and i > 0 and r.words[i - 1] in {"le", "ouvert", "ouverte"}:
            day = SHORT_DAYS[w]
        if day is not None:
            r.days.append(day)
            r.claim(i)
    r.days = sorted(set(r.days))


def wifi(r: Reading) -> None:
    """"wifi", "wi-fi" and their misspellings."""
    for i, w in enumerate(r.words):
        if r.free(i) and (w in WIFI_WORDS or (w.startswith("wif") and len(w) <= 6)):
            r.wifi = True
            r.claim(i)
            if w == "wi" and i + 1 < len(r.words) and r.words[i + 1] in {"fi", "fy"}:
                r.claim(i + 1)


def ages(r: Reading) -> None:
    """"mon fils de 19 ans": an age names a public."""
    for i, w in enumerate(r.words[:-1]):
        if w.isdigit() and r.words[i + 1] == "ans" and r.free(i, 2):
            age = int(w)
            for low, high, code in AGE_PUBLICS:
                if low <= age <= high:
                    r.concepts.append(Concept("publics", frozenset({code}), f"{age} ans"))
            r.adult = r.adult or age >= ADULT_AGE
            r.claim(i, 2)


def near_of(r: Reading) -> None:
    """"près de Muret", "du côté de Toulouse": mark where the centre's name starts."""
    for i, n in r.match_phrases(set(NEAR_OF)):
        r.near_of_at.add(i + n)
        if tuple(r.words[i:i + n]) in LOOSE_OF:
            r.loose_at.add(i + n)


def concepts(r: Reading) -> None:
    """Needs named by the vocabulary's own phrases."""
    lex = r.lexicon
    found = []
    for i, n, gram in list(r.ngrams(lex.longest, lex.exact_firsts)):
        sense = lex.exact.get(gram)
        if sense and r.free(i, n):
            found.append((i, n, sense))
            r.claim(i, n)
    _add_concepts(r, found)


def misspelt_concepts(r: Reading) -> None:
    """Needs in SMS spelling or with a typo ("franse service", "ateleir"), once places had their turn."""
    lex = r.lexicon
    found = []
    for i, n, gram in list(r.ngrams(lex.longest)):
        if sound(gram[0]) not in lex.sound_firsts:
            continue
        sense = lex.sounds.get(tuple(sound(w) for w in gram))
        if sense and r.free(i, n) and not (n == 1 and len(gram[0]) < 4):
            found.append((i, n, sense))
            r.claim(i, n)
    for i, w in enumerate(r.words):
        if r.free(i) and w not in STOP_WORDS:
            fixed = lex.fuzzy_vocabulary_word(w)
            if fixed:
                sense = lex.exact[(fixed,)]
                found.append((i, 1, sense))
                r.claim(i)
                r.notes.append(f"« {w} » lu comme « {sense.phrase} »")
    _add_concepts(r, found)


def _add_concepts(r: Reading, found: list) -> None:
    for i, n, sense in sorted(found, key=lambda f: f[0]):
        said = sense.phrase
        if sense.facet == "services" and sense.codes & ABSORBING_SERVICES:
            for j in range(i + n, min(i + n + 3, len(r.words))):
                if r.words[j] in DEVICE_WORDS and r.free(j):
                    r.claim(j)
                    break
                if r.words[j] not in {"d", "de", "du", "mon", "ma", "mes", "un", "une", "son", "sa", "des"}:
                    break
        _add_concept(r, Concept(sense.facet, sense.codes, said))
    # Device words a repair absorbed may already have been read as "use a computer": drop those.
    if any(c.facet == "services" and c.codes & ABSORBING_SERVICES for c in r.concepts):
        r.concepts = [c for c in r.concepts
                      if not (c.facet == "services" and all(w in DEVICE_WORDS for w in fold(c.said).split()))]


def _add_concept(r: Reading, concept: Concept) -> None:
    for k, known in enumerate(r.concepts):
        if known.facet == concept.facet and known.codes == concept.codes:
            if concept.said not in known.said:
                r.concepts[k] = Concept(known.facet, known.codes, f"{known.said} {concept.said}")
            return
    r.concepts.append(concept)


OFF_TOPIC_PHRASES = {tuple(fold(w).split()): term.code for term in OUT_OF_SCOPE for w in term.words}


def off_topic(r: Reading) -> None:
    """Needs the directory does not cover (« piscine municipale », « colis alimentaire »)."""
    for i, n in r.match_phrases(set(OFF_TOPIC_PHRASES)):
        code = OFF_TOPIC_PHRASES[tuple(r.words[i:i + n])]
        if code not in r.off_topic:
            r.off_topic.append(code)


def postcodes(r: Reading) -> None:
    """Five-digit postcodes name their communes (weighed with the other place mentions)."""
    gaz = r.lexicon.gazetteer
    for i, w in enumerate(r.words):
        if r.free(i) and re.fullmatch(r"\d{5}", w):
            found = gaz.by_postcode(w)
            if found:
                r.postcode_communes, r.postcode, r.postcode_at = found, w, i
                r.claim(i)


def departement_numbers(r: Reading) -> None:
    """"dans le 31", "31", "2a", "(82)": a number is a département where nothing else explains it."""
    gaz = r.lexicon.gazetteer
    for i, w in enumerate(r.words):
        if not r.free(i) or not re.fullmatch(r"\d{1,3}|2a|2b", w):
            continue
        after = r.words[i + 1] if i + 1 < len(r.words) else ""
        if after in {"ans", "an", "h", "km", "min", "minutes", "heures", "euros", "e", "eme", "er"}:
            continue
        before = r.words[i - 1] if i else ""
        alone = len([x for x in r.words if x not in STOP_WORDS]) <= 3
        if before not in DEPT_CONTEXT and not alone:
            continue
        dep = gaz.departement(w.zfill(2) if w.isdigit() and len(w) < 3 else w.upper())
        if dep:
            r.departement_at[i] = dep.code
            r.claim(i)
            if before in {"le", "departement", "dept", "dep", "dpt"}:
                r.claim(i - 1)


def places(r: Reading) -> None:
    """Every mention of a commune or département, by its name, a short name or a postcode,
    weighed by its cues (``evidence``); the best is where the person has to go."""
    found: list[Candidate] = []
    taken = [False] * len(r.words)
    gaz = r.lexicon.gazetteer
    for candidate in _split_names(r):
        found.append(candidate)
        taken[candidate.start:candidate.end] = [True] * candidate.length
    for i, n, gram in list(r.ngrams(6, multi_starts=gaz.name_first_words)):
        if any(taken[i:i + n]) or gram[0] in STOP_WORDS or gram[-1] in STOP_WORDS:
            continue
        phrase = " ".join(gram)
        if n > 1 and not gaz.may_start_a_name(phrase):
            continue
        if n == 1 and (len(phrase) < 3 or phrase.isdigit()):
            candidate = _alias_candidate(r, i, n, phrase)  # « les PO »: only a name people use
        else:
            candidate = _exact_candidate(r, i, n, phrase) or _alias_candidate(r, i, n, phrase) \
                or _short_name_candidate(r, i, n, phrase)
        if candidate:
            found.append(candidate)
            for k in range(i, i + n):
                taken[k] = True
    if r.postcode_at >= 0:
        found.append(Candidate(r.postcode_at, 1, list(r.postcode_communes), how="code postal"))
    found += _station_of_the_previous_area(r, taken)
    found += [Candidate(i, 1, departement=code, how="numéro") for i, code in r.departement_at.items()]
    _settle(r, found)


SPLIT_WORDS = 4
"""Words a commune's name may have been split into (« ville franche de rouergue »)."""


def joined(gram: tuple[str, ...]) -> list[str]:
    """``gram`` with its words glued: all of them (« carca sone » -> « carcasone »), then each two
    neighbours alone (« ville franche de rouergue » -> « villefranche de rouergue »)."""
    if len(gram) < 2:
        return []
    pairs = [" ".join((*gram[:k], gram[k] + gram[k + 1], *gram[k + 2:])) for k in range(len(gram) - 1)]
    return list(dict.fromkeys(["".join(gram), *pairs]))


def _split_names(r: Reading) -> list[Candidate]:
    """Communes whose name was typed split in two (« carca sone », « ville franche de rouergue »),
    by their name or its sound once glued back: a correction, weighed like a misspelling. Words
    that are everyday words together (« bon repos ») are not glued; in a sentence, only words
    said as a place are tried."""
    lex, gaz = r.lexicon, r.lexicon.gazetteer
    ctx = r.context()
    sentence = ctx.content_words > SHORT_MESSAGE
    found: list[Candidate] = []
    taken = [False] * len(r.words)
    for i, n, gram in list(r.ngrams(SPLIT_WORDS)):
        if n < 2 or any(taken[i:i + n]) or gram[0] in STOP_WORDS or gram[-1] in STOP_WORDS \
                or any(w.isdigit() for w in gram) or (sentence and not _said_as_place(r, ctx, i)):
            continue
        phrase = " ".join(gram)
        if lex.ordinary(phrase) or gaz.communes_named(phrase):
            continue
        for variant in joined(gram):
            scored: list[tuple[Commune, float]] = []
            named = [c for c in gaz.communes_named(variant) if _worth_guessing(lex, c)] \
                or [c for name in lex.sounding_towns(variant)[:1] for c in gaz.communes_named(name)]
            if not named and n == 2:  # « mone pelier »: a typo too once glued (two words only: it costs)
                scored = [(c, s) for c, s in gaz.fuzzy_communes(variant, limit=10, cutoff=SPLIT_TYPO_CUTOFF)
                          if _worth_guessing(lex, c)]
                top = max((s for _, s in scored), default=0.0)
                named = [c for c, s in scored if s > top - CLOSE_READINGS]
            if named:
                picked = _pick_communes(r, named, variant)
                found.append(Candidate(i, n, picked, how="faute", doubtful=picked[0].insee in {
                    c.insee for c, _ in scored} and _doubtful(picked[0], scored)))
                taken[i:i + n] = [True] * n
                break
    return found


GLUED_SAINT = re.compile(r"(saint|sainte|ste|st)([a-z]{3,})")
"""« stgirons », « saintgaudens »: Saint- written glued to the name."""


def _exact_candidate(r: Reading, i: int, n: int, phrase: str) -> Candidate | None:
    """A commune or département named exactly (a variant or alias included, « stgirons »)."""
    gaz, lex = r.lexicon.gazetteer, r.lexicon
    glued = GLUED_SAINT.fullmatch(phrase) if n == 1 else None
    if glued and not gaz.communes_named(phrase):
        saint = "sainte" if glued.group(1) in {"sainte", "ste"} else "saint"
        for rest in _split_glued(glued.group(2)):
            named = _pick_communes(r, gaz.communes_named(f"{saint} {rest}"), f"{saint} {rest}")
            if named:
                return Candidate(i, n, named, how="nom court")
    dep = _departement(r, i, n, phrase)
    named = _pick_communes(r, gaz.communes_named(phrase), phrase)
    if dep and named and not lex.listed_departements.get(dep.code):
        dep = None  # « paris »: the city, where the directory serves no département of that name
    if dep and not (named and i in r.near_of_at):
        if n == 1 and i and r.words[i - 1] == "en" and phrase in lex.directory_words:
            return None
        return Candidate(i, n, departement=dep.code)
    if not named:
        return None
    if n == 1 and i and r.words[i - 1] == "en":
        return None  # "en ligne", "en face": one says "à Ligné"; "en" goes before regions and départements
    if n == 1 and _word_of_a_place_name(lex, phrase, named):
        return None
    if not any(lex.directory_communes.get(fold(c.name)) for c in named):
        # « lourde » is Lourdes: a listed commune that sounds the same beats a small one that does not list.
        sounding = [c for name in lex.sounding_towns(phrase)[:1] for c in gaz.communes_named(name)]
        if sounding and all(c.population < SMALL_COMMUNE for c in named):
            return Candidate(i, n, sounding[:1], how="faute")
    return Candidate(i, n, named)


ALIAS_HOW = {"abbreviation": "abréviation", "short": "nom court", "nickname": "nom court", "former": "nom court"}


def _alias_candidate(r: Reading, i: int, n: int, phrase: str) -> Candidate | None:
    """A name people use (« Tlse », « Carca », « les PO »), or a neighbourhood or station (« la
    Paillade », « Matabiau ») of one commune, from the gazetteer's data files."""
    gaz = r.lexicon.gazetteer
    for alias in gaz.aliases(phrase):
        how = ALIAS_HOW.get(alias.kind, "nom court")
        if alias.target_kind == "departement" and gaz.departement(alias.target):
            return Candidate(i, n, departement=gaz.departement(alias.target).code, how=how)
        commune = gaz.commune(alias.target)
        if commune:
            return Candidate(i, n, [commune], how=how)
    places = gaz.localities(phrase)
    if len({p.insee for p in places}) == 1:
        commune = gaz.commune(places[0].insee)
        return Candidate(i, n, [commune], how="quartier", locality=places[0]) if commune else None
    return None


def _split_glued(rest: str) -> list[str]:
    """« girons » -> ["girons"]; « jeandevedas » -> [..., "jean de vedas"]: the name glued whole,
    then split before the small words of compound names."""
    found = [rest]
    for small in ("de", "du", "des", "la", "le", "les", "sur", "en", "d"):
        at = rest.find(small, 3)
        if at > 0:
            found.append(f"{rest[:at]} {small} {rest[at + len(small):]}".strip())
    return found


STATION_WORDS = frozenset({"gare", "gares"})


def _station_of_the_previous_area(r: Reading, taken: list[bool]) -> list[Candidate]:
    """« plus près de la gare » after a search in Toulouse: the station of that commune, when the
    message names no other place and the commune has one station."""
    previous, gaz = r.previous, r.lexicon.gazetteer
    if previous is None or len(previous.insee) != 1 or any(taken):
        return []
    stations = gaz.stations_in(previous.insee[0])
    commune = gaz.commune(previous.insee[0])
    for i, w in enumerate(r.words):
        if w in STATION_WORDS and r.free(i) and len(stations) == 1 and commune:
            return [Candidate(i, 1, [commune], how="quartier", locality=stations[0])]
    return []


def _short_name_candidate(r: Reading, i: int, n: int, phrase: str) -> Candidate | None:
    """A listed commune by the start of its name (« Ramonville », « Lézignan », « Bagnères (65) »)
    or its sound (« montoban »): only when one listed commune fits, a département beside it counted."""
    if len(phrase) < 4 or any(w.isdigit() for w in phrase.split()):
        return None
    gaz, lex = r.lexicon.gazetteer, r.lexicon
    beside = _departements_beside(r, i, n)
    names = lex.listed_commune_like(phrase, prefix_chars=bool(beside), fuzzy=False)
    communes = [c for name in names for c in gaz.communes_named(name)[:1]]
    if beside:
        communes = [c for c in communes if c.departement in beside]
    if not communes and n == 1:
        return _abbreviation_candidate(r, i, phrase)
    if len(communes) != 1:
        return None
    return Candidate(i, n, communes, how="faute" if lex.sounding_towns(phrase) else "nom court")


def _abbreviation_candidate(r: Reading, i: int, word: str) -> Candidate | None:
    """« Tlse »: a large listed town written with a few of its letters, when only one fits."""
    gaz = r.lexicon.gazetteer
    towns = [c for name in r.lexicon.abbreviated(word) for c in gaz.communes_named(name)[:1]]
    return Candidate(i, 1, towns, how="abréviation") if len(towns) == 1 else None


def _departements_beside(r: Reading, i: int, n: int) -> set[str]:
    """Codes of département numbers right before or after words i..i+n (« Castel (82) »)."""
    return {code for k, code in r.departement_at.items() if i - 2 <= k < i or i + n <= k <= i + n + 1}


def _settle(r: Reading, found: list[Candidate]) -> None:
    """Weigh the candidates, keep the winners as the reading's communes or départements, and
    claim every word read as a place (a losing workplace is not searched as text)."""
    if not found:
        return
    lex = r.lexicon
    ctx = r.context()
    postcode = next((c for c in found if c.how == "code postal"), None)
    qualifiers: set[int] = set()
    for c in found:
        beside = _departements_beside(r, c.start, c.length) if c.communes else set()
        if beside and any(x.departement in beside for x in c.communes):
            c.communes = [x for x in c.communes if x.departement in beside]
            qualifiers |= {k for k, code in r.departement_at.items() if code in beside
                           and (c.start - 2 <= k < c.start or c.end <= k <= c.end + 1)}
        if postcode and c is not postcode and set(c.communes) & set(postcode.communes):
            c.communes = [x for x in c.communes if x in postcode.communes]  # « Pouzac 65200 »
            beside |= {x.departement for x in c.communes}
        weigh(c, ctx, lex.directory_communes, lex.listed_departements, beside)
    found = [c for c in found if not (c.departement and c.start in qualifiers)]
    for spot in [c for c in found if c.locality]:  # « Pissevin Nîmes »: the commune says where the quartier is
        same = [c for c in found if not c.locality and c.communes and spot.communes[0] in c.communes
                and (spot.end <= c.start <= spot.end + 2 or c.end <= spot.start <= c.end + 2)]
        if same:
            spot.add("commune nommée", max(c.score for c in same))
            found = [c for c in found if c not in same]
            for c in same:
                r.claim(c.start, c.length)
                _claim_article(r, c.start)
    r.candidates = sorted(found, key=lambda c: -c.score)
    winners = choose(found, ctx.words)
    if len(winners) == 1 and winners[0].doubtful:
        r.doubt = winners[0].communes[0].name
    elif len(winners) == 1 and winners[0].how == "faute" and len(winners[0].communes) == 1:
        _weigh_misspelling(r, winners[0], " ".join(r.words[winners[0].start:winners[0].end]))
    agreeing = postcode is not None and any(
        c is not postcode and c.communes and set(c.communes) <= set(postcode.communes) for c in winners)
    if agreeing and postcode in winners:
        winners.remove(postcode)  # the commune said, not all 24 that share 65200
    if not (agreeing or postcode in winners):
        r.postcode = ""
    for c in found:
        if c.named or c in winners:
            r.claim(c.start, c.length)
            _claim_article(r, c.start)
        if c.role == "demandeur" and c not in winners:
            _claim_askers_words(r, c)
    for c in winners:
        if c.locality and len(winners) == 1:
            r.locality = c.locality
        if c.communes:
            _take_communes(r, c.start, c.communes)
        else:
            r.departements.append(c.departement)
    for c in winners:
        if c.how in {"faute", "nom court"}:
            r.notes.append(f"« {' '.join(r.words[c.start:c.end])} » lu comme {c.label()}")
    _prefer_listed(r)


def _claim_askers_words(r: Reading, c: Candidate) -> None:
    """« je suis à l'accueil du CCAS de Sète »: the words before the asker's own place, in its
    clause, tell about the asker; they are neither searched nor said as understood."""
    k = c.start - 1
    while k >= 0 and r.clauses[k] == r.clauses[c.start]:
        if not r.claimed[k]:
            r.claim(k)
        k -= 1


def _weigh_misspelling(r: Reading, c: Candidate, phrase: str) -> None:
    """A name read by its sound (« beziere » sounds like Bessières) may be closer in spelling to
    another commune (Béziers): take the closest, and ask back when two are close. A smaller
    commune, or one with no places listed, does not replace the sound reading for sharing more
    letters (« mande » is Mende, not Manduel)."""
    lex, guess = r.lexicon, c.communes[0]
    own = fuzz.ratio(phrase, fold(guess.name))
    # Only readings as close as this one matter: the narrower cutoff keeps the lookup cheap.
    cutoff = max(TYPO_CUTOFF, own - CLOSE_READINGS)
    sounding = fold(guess.name) in lex.sounding_towns(phrase)
    scored = [(x, s) for x, s in lex.gazetteer.fuzzy_communes(phrase, limit=10, cutoff=cutoff)
              if _worth_guessing(lex, x) and not (sounding and s > own and _lesser(lex, x, guess))]
    if not any(x.insee == guess.insee for x, _ in scored):
        scored.append((guess, own))
    best = max(scored, key=lambda xs: (xs[1], xs[0].population))[0]
    if best.insee != guess.insee:
        c.communes = [best]
    if _doubtful(best, scored, sure=0.0 if best.insee == guess.insee else SURE_TYPO):
        r.doubt = best.name  # the same sound is enough, unless another name is as close


def _lesser(lex: Lexicon, commune: Commune, than: Commune) -> bool:
    """``commune`` is smaller than ``than`` or has no places listed where ``than`` has some."""
    listed = lex.directory_communes
    return commune.population < than.population or (not listed.get(fold(commune.name)) and bool(listed.get(fold(than.name))))


def _word_of_a_place_name(lex: Lexicon, word: str, communes: list[Commune]) -> bool:
    """"port" in « point numérique du port » is a word of a place's name, not the village of Port
    (Ain): a small commune with nothing listed loses to a word the directory's names use."""
    return word in lex.directory_words and not any(
        lex.directory_communes.get(fold(c.name)) or c.population >= SMALL_COMMUNE for c in communes)


def misspelt_places(r: Reading) -> None:
    """A commune or département misspelt ("carcasone", "herrault"), when no place was named.
    In a sentence, only words said as a place are tried (after « à », « habite », or with a
    capital). One guess at most."""
    if r.communes or r.departements or r.near_me:
        return
    gaz, lex = r.lexicon.gazetteer, r.lexicon
    ctx = r.context()
    sentence = ctx.content_words > SHORT_MESSAGE
    for i, n, gram in list(r.ngrams(4)):
        if not r.free(i, n) or gram[0] in STOP_WORDS or gram[-1] in STOP_WORDS:
            continue
        phrase = " ".join(gram)
        if len(phrase) < 4 or any(w.isdigit() for w in gram):
            continue
        if sentence and not _said_as_place(r, ctx, i):
            continue
        guess: list[Commune] = []
        if n >= 2 or not (phrase in lex.directory_words or lex.ordinary(phrase)):  # « portet »: Portet-sur-Garonne
            guess = _pick_communes(r, [c for c in gaz.communes_starting(phrase, limit=20)
                                       if _worth_guessing(lex, c)], phrase)[:1]
        if not guess and not (n == 1 and phrase in lex.directory_words) and not lex.ordinary(phrase):
            best: dict[str, tuple[Commune, float]] = {}
            for variant in (phrase, *joined(gram)):  # « mone pelier »: Montpellier split in two
                for c, s in gaz.fuzzy_communes(variant, limit=10, cutoff=TYPO_CUTOFF):
                    if _worth_guessing(lex, c) and s > best.get(c.insee, (c, 0.0))[1]:
                        best[c.insee] = (c, s)
            scored = sorted(best.values(), key=lambda cs: (-cs[1], -cs[0].population))
            top = max((s for _, s in scored), default=0.0)
            guess = _pick_communes(r, [c for c, s in scored if s > top - CLOSE_READINGS], phrase)[:1]
            if guess and _doubtful(guess[0], scored):
                r.doubt = guess[0].name
        if guess and far_from(ctx.position, guess) and not _said_as_place(r, ctx, i):
            guess, r.doubt = [], ""  # near a shared position, a guess 200 km away is no place meant
        if guess:
            r.candidates.append(Candidate(i, n, guess, how="faute"))
            _take_communes(r, i, guess)
            r.claim(i, n)
            _claim_article(r, i)
            if fold(guess[0].name) != phrase:
                r.notes.append(f"« {phrase} » lu comme {guess[0].name}")
            return
        dep = _departement(r, i, n, phrase, typos=not lex.ordinary(phrase))
        if dep:
            r.departements.append(dep.code)
            r.claim(i, n)
            return


TYPO_CUTOFF = 80.0
"""fuzz.ratio from which a commune is a reading of a misspelt word at all (« limous »: 83)."""
SPLIT_TYPO_CUTOFF = 85.0
"""fuzz.ratio from which words glued back are a misspelt commune: split *and* misspelt, a name must
be closer than a plain typo (« mone pelier »: 86 to Montpellier; « valee francaise »: 80 to
Lafrançaise, part of a longer name)."""
SURE_TYPO = 90.0
"""fuzz.ratio from which a single reading of a misspelt commune is taken without asking."""
CLOSE_READINGS = 3.0
"""Two communes whose ratios differ by less than this are equally likely readings."""


def _doubtful(guess: Commune, scored: list[tuple[Commune, float]], sure: float = SURE_TYPO) -> bool:
    """Ask back (« Vouliez-vous dire Béziers ? ») rather than guess: the reading is farther from what
    was typed than ``sure``, or another commune of another name is as close."""
    best = next((s for c, s in scored if c.insee == guess.insee), 0.0)
    rivals = [s for c, s in scored if fold(c.name) != fold(guess.name) and s > best - CLOSE_READINGS]
    return best < sure or bool(rivals)


def _said_as_place(r: Reading, ctx: Context, i: int) -> bool:
    """A word introduced as a place: after « à », « sur », « habite »…, or with a capital."""
    j = word_before(ctx, i)
    return r.capitals[i] or (j >= 0 and (r.words[j] in PLACE_WORDS_BEFORE or r.words[j] in PERSON_MARKERS))


def _departement(r: Reading, i: int, n: int, phrase: str, typos: bool = False) -> Departement | None:
    """The département ``phrase`` names, unless it is one word of a place's name (« Cap Nord »)
    for a département where the directory lists nothing, and not said as one (« dans le Nord »)."""
    dep = r.lexicon.gazetteer.departement_named(phrase, typos=typos)
    if dep and n == 1 and phrase in r.lexicon.directory_words and not r.lexicon.listed_departements.get(dep.code) \
            and not (i and r.words[i - 1] in DEPT_CONTEXT):
        return None
    return dep


def _worth_guessing(lex: Lexicon, commune: Commune) -> bool:
    """A typo is read as a commune only where that is likely: the directory has places there, or it is
    a town of a département it serves. A city elsewhere is no likely reading of a misspelt word
    (« portet » is not Le Port, on La Réunion): people write to a directory about where it serves."""
    return fold(commune.name) in lex.directory_communes \
        or (commune.population >= SMALL_COMMUNE and bool(lex.listed_departements.get(commune.departement)))


def _pick_communes(r: Reading, found: list[Commune], phrase: str) -> list[Commune]:
    """Among communes of one name, those with places in the directory, else the most populous.

    A name people shorten ("st orens" for Saint-Orens-de-Gameville) may also be a small
    commune's full name: a listed, larger commune whose name starts so is the likelier one, and so
    is a larger one of a served département when the full name's is not (« à Portet »: Portet-sur-
    Garonne, not Portet in the Pyrénées-Atlantiques).
    """
    if not found:
        return []
    lex = r.lexicon
    counts = lex.directory_communes
    listed = [c for c in found if counts.get(fold(c.name))]
    if listed:
        return listed
    served = lambda c: bool(lex.listed_departements.get(c.departement))  # noqa: E731
    elsewhere = not any(served(c) for c in found)
    longer = [c for c in lex.gazetteer.communes_starting(phrase, limit=20)
              if (counts.get(fold(c.name)) or (elsewhere and served(c))) and c.population > found[0].population]
    return longer[:1] or found[:1]


def _prefer_listed(r: Reading) -> None:
    """Several communes named: keep those the directory lists, when some are ("impôts en ligne à Perpignan")."""
    counts = r.lexicon.directory_communes
    listed = [c for c in r.communes if counts.get(fold(c.name))]
    if listed and len(listed) < len(r.communes):
        r.communes = listed


def _take_communes(r: Reading, i: int, communes: list[Commune]) -> None:
    r.communes += communes
    if i in r.loose_at:
        r.commune_mode = "loose"
    elif i in r.near_of_at or r.radius_km:
        r.near_me = False
        r.commune_mode = "around"


def _claim_article(r: Reading, i: int) -> None:
    """The small words that introduced a place (« habite à la », « sur ») are part of saying it."""
    k = i - 1
    while k >= 0 and i - k <= 3 and (r.words[k] in {"a", "au", "en", "dans", "l", "le", "la", "les", "sur", "de", "du"}
                                     or r.words[k] in PLACE_WORDS_BEFORE or r.words[k] in PERSON_MARKERS):
        r.claim(k)
        k -= 1


STEPS: tuple[Step, ...] = (near_me, radius, when, days, wifi, ages, near_of, concepts, off_topic, postcodes,
                           departement_numbers, places, misspelt_concepts, misspelt_places)


def area_of(r: Reading) -> Area | None:
    """The area the reading found: communes, else départements, else the user's location."""
    if r.communes:
        seen: dict[str, Commune] = {}
        for c in r.communes:
            seen.setdefault(c.insee, c)
        communes = list(seen.values())
        first = communes[0]
        folded = tuple(fold(c.name) for c in communes)
        if r.locality is not None:
            spot = r.locality
            label = spot.name if fold(first.name) in fold(spot.name) else f"{spot.name} ({first.name})"
            return Area("point", label, insee=(first.insee,), communes=folded,
                        departements=(first.departement,), lat=spot.lat, lon=spot.lon,
                        radius_km=r.radius_km or max(spot.radius_km, NEIGHBOURHOOD_KM), strict=False)
        if r.commune_mode == "around":
            return Area("point", f"autour de {first.name}", insee=tuple(seen), communes=folded,
                        lat=first.lat, lon=first.lon, radius_km=r.radius_km or DEFAULT_NEAR_KM, strict=False)
        names = " ou ".join(dict.fromkeys(c.name for c in communes))
        label = f"{names} ({r.postcode})" if r.postcode else names
        several = r.postcode and len(communes) == 1 and len(first.postcodes) > 1
        return Area("commune", label, insee=tuple(seen), communes=folded,
                    departements=tuple(dict.fromkeys(c.departement for c in communes)),
                    lat=first.lat, lon=first.lon, strict=r.commune_mode == "strict",
                    postcode=r.postcode if several else "")
    if r.departements:
        gaz = r.lexicon.gazetteer
        codes = tuple(dict.fromkeys(r.departements))
        label = " ou ".join(f"{d.name} ({d.code})" for d in (gaz.departement(c) for c in codes) if d)
        return Area("departement", label, departements=codes)
    if r.lat is not None and r.lon is not None:
        town = r.lexicon.gazetteer.nearest_commune(r.lat, r.lon)
        label = f"autour de vous ({town.name})" if town else "autour de vous"
        return Area("point", label, lat=r.lat, lon=r.lon, radius_km=r.radius_km, strict=False, user_location=True)
    return None


def leftover_words(r: Reading) -> tuple[list[str], list[str]]:
    """(name words, search words): unclaimed content words, corrected, and their text synonyms."""
    names = [r.lexicon.correct_word(w) for i, w in enumerate(r.words)
             if r.free(i) and w not in STOP_WORDS and not w.isdigit()]
    # An audience is also looked for in the places' own words (« handicap », « jeunes »): few code it.
    said = [w for c in r.concepts if c.facet == "publics" for w in fold(c.said).split()
            if w not in STOP_WORDS and not w.isdigit() and w != "ans"]
    words = list(dict.fromkeys(names + said))
    for w in names:
        words += [s for s in TEXT_SYNONYMS.get(w, ()) if s not in words]
    return names, words
