"""Common French words: a word people write every day is no misspelt commune.

« y a un endroit pour aller sur internet » sounds like Alès, « la rue » is a few letters from
Rue (Somme): a correctly spelt word of the language is read as itself, never *corrected*
into a commune (it may still name one spelt exactly so, with a cue). The words come from
pyspellchecker's French word-frequency list (MIT licence; counts of the French OpenSubtitles
corpus, from hermitdave/FrequencyWords), loaded once per process and folded like user text.
"""

from __future__ import annotations

from functools import cache

from index.normalise import fold

COMMON_COUNT = 200
"""Occurrences in the frequency list (accented forms added up) from which a word is common.
Rare forms that are usual misspellings of towns stay correctable (« mande » for Mende: 140,
« gerce » for Gers: 100), while « aller », « rue », « vieux » are words. The benchmark's dev
files score the same from 150 to 5,000; 200 keeps a margin above those misspellings."""

_fold_words = getattr(fold, "__wrapped__", fold)  # 30,000 words would flush fold()'s cache of user text


@cache
def common_words() -> frozenset[str]:
    """Folded French words of ``COMMON_COUNT`` occurrences or more (accented forms added up)."""
    from spellchecker import SpellChecker  # a third of a second: only when a lexicon is built

    counts: dict[str, int] = {}
    for word, count in SpellChecker(language="fr", case_sensitive=False).word_frequency.dictionary.items():
        folded = word if word.isascii() and word.isalpha() else _fold_words(word)
        counts[folded] = counts.get(folded, 0) + count
    return frozenset(w for w, n in counts.items() if n >= COMMON_COUNT and " " not in w)
