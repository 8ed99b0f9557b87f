"""The whoosh analyzer for French place text, pickled into every index.

Whoosh stores the schema, analyzer included, inside the index; keep this module's path
and class names stable or indexes of the current format stop opening. The chain: a regex
tokenizer, then ``FoldStopStem``: the project's ``fold()`` (lowercase, accents and ligatures
out, st → saint), French stop words, then the Snowball French stemmer, so "médiathèques" and
"mediatheque" meet on one term.
"""

from __future__ import annotations

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.lang import stemmer_for_language, stopwords_for_language

from index.normalise import fold

MISSING_STOP_WORDS = frozenset({"les", "une", "des", "aux", "sans"})
"""French function words the Snowball list lacks ("les" is not in it)."""


class FoldStopStem(Filter):
    """``fold()``, whoosh's ``StopFilter`` and ``StemFilter`` in one step, each distinct word
    worked out once.

    The same terms as those three filters chained (checked on every field of the real
    directory), at a fraction of the cost: the chain's generators ran for every token of every
    document, about a fifth of a build's time at 100,000 places.
    """

    CACHE = 200_000
    """Distinct words remembered; past that, words are worked out each time."""

    def __init__(self, stoplist: frozenset[str]) -> None:
        self.stoplist = stoplist
        self._prepare()

    def _prepare(self) -> None:
        self._stem = stemmer_for_language("fr")
        self._terms: dict[str, str] = {}

    def __getstate__(self) -> dict:  # pickled into every index: the stemmer and the cache stay out
        return {"stoplist": self.stoplist}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._prepare()

    def __call__(self, tokens):
        terms = self._terms
        for t in tokens:
            term = terms.get(t.text)
            if term is None:
                folded = fold(t.text).replace(" ", "")
                term = self._stem(folded) if folded and folded not in self.stoplist else ""
                if len(terms) < self.CACHE:
                    terms[t.text] = term
            if term:
                t.text = term
                yield t


def french_analyzer():
    """Tokenizer | fold, French stop words, Snowball French stemmer (one ``FoldStopStem``)."""
    return RegexTokenizer(r"\w+") | FoldStopStem(_stoplist())


def _stoplist() -> frozenset[str]:
    return frozenset(fold(w) for w in stopwords_for_language("fr")) | MISSING_STOP_WORDS


def stems(text: str) -> list[str]:
    """The index terms ``text`` produces, in order; how query words are looked up."""
    return [t.text for t in _ANALYZER(text)]


_ANALYZER = french_analyzer()
