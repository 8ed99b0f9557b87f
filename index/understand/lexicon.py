"""Everything the parser matches words against, built once per index.

The vocabulary's phrases (exact and by sound key), the gazetteer, and the words of the
directory itself (so that a misspelt place name is corrected before the index is asked:
whoosh pays dearly for fuzzy terms, rapidfuzz over a few thousand words does not).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from index.french_words import common_words
from index.gazetteer import Gazetteer, load_gazetteer
from index.normalise import fold, sound
from index.vocabulary import LABELS, PUBLICS, SERVICES

FACET_TERMS = (("labels", LABELS), ("services", SERVICES), ("publics", PUBLICS))
"""Facets in the order a phrase claimed by two of them is given to: labels first."""


SILENT_ENDINGS = "sxtd"
"""Last letters of a name people leave out because they are not heard (« lourde », « tarbe »)."""
ABBREVIATED_TOWN = 20000
"""Inhabitants from which a town is known well enough to be written in a few letters."""
ABBREVIATION_LENGTH = (3, 6)
CORRECTIONS_KEPT = 20000
"""Spelling corrections remembered (the fuzzy lookup is the costly part of a long message)."""


@dataclass(frozen=True)
class Sense:
    facet: str
    codes: frozenset[str]
    phrase: str
    """The vocabulary's own spelling of the words matched."""


def _phrase_table(by_sound: bool) -> dict[tuple[str, ...], Sense]:
    grouped: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    spelling: dict[tuple[str, ...], str] = {}
    for facet, terms in FACET_TERMS:
        for term in terms:
            for phrase in term.words:
                words = fold(phrase).split()
                key = tuple(sound(w) for w in words) if by_sound else tuple(words)
                grouped[key][facet].add(term.code)
                spelling.setdefault(key, phrase)
    table = {}
    for key, facets in grouped.items():
        facet = next(f for f, _ in FACET_TERMS if f in facets)
        table[key] = Sense(facet, frozenset(facets[facet]), spelling[key])
    return table


@dataclass
class Lexicon:
    gazetteer: Gazetteer
    exact: dict[tuple[str, ...], Sense] = field(default_factory=lambda: _phrase_table(False))
    sounds: dict[tuple[str, ...], Sense] = field(default_factory=lambda: _phrase_table(True))
    directory_words: frozenset[str] = frozenset()
    directory_communes: Mapping[str, int] = field(default_factory=dict)
    """Folded commune name -> number of places there: settles ambiguous or misspelt names."""
    listed_departements: Mapping[str, int] = field(default_factory=dict)
    """Département code -> number of places there."""
    common_words: frozenset[str] = field(default_factory=common_words)
    """Everyday French words (``index.french_words``): never corrected into a commune."""

    def __post_init__(self) -> None:
        self.longest = max(len(k) for k in self.exact)
        self.exact_firsts = frozenset(k[0] for k in self.exact)
        self.sound_firsts = frozenset(k[0] for k in self.sounds)
        self.single_words = sorted({k[0] for k in self.exact if len(k) == 1 and len(k[0]) >= 5})
        self._word_sounds: dict[str, str] = {}
        for w in sorted(self.directory_words, key=len):
            self._word_sounds.setdefault(sound(w), w)
        self._words_by_start: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        for w in self.directory_words:
            self._words_by_start[(len(w), 0, w[0])].append(w)
            if len(w) > 1:
                self._words_by_start[(len(w), 1, w[1])].append(w)
        # Communes the directory lists, by sound and by their first words: "montoban", "ramonville".
        self._listed_by_sound: dict[str, list[str]] = defaultdict(list)
        self._listed_by_start: dict[str, list[str]] = defaultdict(list)
        for name in sorted(self.directory_communes, key=lambda c: -self.directory_communes[c]):
            words = name.split()
            self._listed_by_sound[" ".join(sound(w) for w in words)].append(name)
            for n in range(1, len(words)):
                self._listed_by_start[" ".join(words[:n])].append(name)
        self._starts = sorted(self._listed_by_start)
        self._listed_sorted = sorted(self.directory_communes)
        self._corrections: dict[str, str] = {}
        self._towns = [name for name in self.directory_communes
                       if max((c.population for c in self.gazetteer.communes_named(name)
                               if self.listed_departements.get(c.departement)), default=0) >= ABBREVIATED_TOWN]

    @classmethod
    def build(cls, words: Iterable[str] = (), communes: Mapping[str, int] | None = None,
              departements: Mapping[str, int] | None = None, gazetteer: Gazetteer | None = None) -> Lexicon:
        return cls(gazetteer=gazetteer or load_gazetteer(), directory_words=frozenset(words),
                   directory_communes=dict(communes or {}), listed_departements=dict(departements or {}))

    def abbreviated(self, word: str) -> list[str]:
        """Listed towns ``word`` abbreviates the way people write them, keeping letters of the name
        in order, its first and last among them, with at most one vowel (« tlse » for Toulouse,
        « nrbne » for Narbonne): only towns of ``ABBREVIATED_TOWN`` inhabitants or more, where
        the directory has places."""
        if not (ABBREVIATION_LENGTH[0] <= len(word) <= ABBREVIATION_LENGTH[1]) or word in self.directory_words \
                or word in self.common_words or sum(ch in "aeiouy" for ch in word) > 1 or not word.isalpha():
            return []
        found = []
        for name in self._towns:
            letters = name.replace(" ", "")
            if letters[0] == word[0] and letters[-1] == word[-1]:
                rest = iter(letters)
                if all(ch in rest for ch in word):  # the letters of ``word``, in order
                    found.append(name)
        return found

    def ordinary(self, phrase: str) -> bool:
        """Every word of ``phrase`` is an everyday French word (« aller », « la rue »): read as
        itself, it is no misspelt commune, whatever it sounds like."""
        return all(w in self.common_words for w in phrase.split())

    def sounding_towns(self, phrase: str) -> list[str]:
        """``listed_sounding``, less the readings that would correct an everyday word: « aller » is
        no Alès; only the silent last letter of a town's name may be missing (« lourde »: Lourdes)."""
        found = self.listed_sounding(phrase)
        if not found or not self.ordinary(phrase):
            return found
        return [name for name in found if name[:-1] == phrase and name[-1] in SILENT_ENDINGS]

    def listed_sounding(self, phrase: str) -> list[str]:
        """Folded names of listed communes that sound like ``phrase`` ("montoban", "lourde")."""
        return self._listed_by_sound.get(" ".join(sound(w) for w in phrase.split()), [])

    def listed_commune_like(self, phrase: str, prefix_chars: bool = False, fuzzy: bool = True) -> list[str]:
        """Folded names of listed communes ``phrase`` stands for, most places first: same sound
        ("montoban"), the first words of a longer name ("ramonville", "saint" for hundreds), or a
        typo of them ("ramonvile", unless not ``fuzzy``); with ``prefix_chars``, the first letters
        of a name too ("castel (82)"). An everyday word is not read by its sound (``sounding_towns``).
        The caller decides what an ambiguous answer is worth."""
        same = self.sounding_towns(phrase)
        if same:
            return same
        if len(phrase) < 5:
            return []
        if phrase in self._listed_by_start:
            return self._listed_by_start[phrase]
        if prefix_chars:
            start = bisect.bisect_left(self._listed_sorted, phrase)
            end = bisect.bisect_left(self._listed_sorted, phrase + "{")  # "{" sorts after every letter
            if start < end:
                return self._listed_sorted[start:end]
        if not fuzzy or len(phrase) < 6:
            return []
        hit = process.extractOne(phrase, self._starts, scorer=fuzz.ratio, score_cutoff=88)
        return self._listed_by_start[hit[0]] if hit else []

    def fuzzy_vocabulary_word(self, word: str) -> str | None:
        """A single vocabulary word this one is a typo of ("ateleir" -> "atelier")."""
        if len(word) < 5:
            return None
        hit = process.extractOne(word, self.single_words, scorer=fuzz.ratio, score_cutoff=85)
        if hit and word in hit[0] and len(hit[0]) - len(word) > 1:
            return None  # « prendre » is a word of its own, not « apprendre » mistyped; « marche » no « démarche »
        return hit[0] if hit else None

    def clear_caches(self) -> None:
        """Forget remembered corrections (a benchmark measuring new messages calls this)."""
        self._corrections.clear()

    def correct_word(self, word: str) -> str:
        """The directory's own spelling of ``word`` when it has none of its own ("mision" -> "mission")."""
        if word in self.directory_words or len(word) < 4 or word.isdigit() or word in self.common_words:
            return word  # « aller » is a word of its own, not « Alès » some place's text names
        if word not in self._corrections:
            if len(self._corrections) >= CORRECTIONS_KEPT:
                self._corrections.clear()
            self._corrections[word] = self._correct(word)
        return self._corrections[word]

    def _correct(self, word: str) -> str:
        by_sound = self._word_sounds.get(sound(word))
        if by_sound:
            return by_sound
        if len(word) < 7:  # short words are too close to each other: "matin" is not "martin"
            return word
        # One typo leaves the first or the second letter in place: only those words are compared.
        nearby = {w for n in range(len(word) - 2, len(word) + 3)
                  for key in ((n, 0, word[0]), (n, 1, word[1])) for w in self._words_by_start.get(key, ())}
        hit = process.extractOne(word, sorted(nearby), scorer=fuzz.ratio, score_cutoff=88)
        return hit[0] if hit else word
