"""The whoosh analyzer for French place text, pickled into every index.

Whoosh stores the schema, analyzer included, inside the index; keep this module's path
and class names stable or old indexes stop opening. The chain: a regex tokenizer, then
``FoldFilter`` (the project's ``fold()``: lowercase, accents and ligatures out, st → saint),
French stop words, then the Snowball French stemmer, so "médiathèques" and "mediatheque"
meet on one term.
"""

from __future__ import annotations

from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stopwords_for_language

from index.normalise import fold

MISSING_STOP_WORDS = frozenset({"les", "une", "des", "aux", "sans"})
"""French function words the Snowball list lacks ("les" is not in it)."""


class FoldFilter(Filter):
    """Maps each token's text through ``fold()``; a token that folds to several words keeps them joined."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text).replace(" ", "")
            if t.text:
                yield t


def french_analyzer():
    """Tokenizer | fold | French stop words | Snowball French stemmer."""
    stoplist = frozenset(fold(w) for w in stopwords_for_language("fr")) | MISSING_STOP_WORDS
    return (
        RegexTokenizer(r"\w+")
        | FoldFilter()
        | StopFilter(stoplist=stoplist, minsize=1)
        | StemFilter(lang="fr", cachesize=50000)
    )


def stems(text: str) -> list[str]:
    """The index terms ``text`` produces, in order; how query words are looked up."""
    return [t.text for t in _ANALYZER(text)]


_ANALYZER = french_analyzer()
