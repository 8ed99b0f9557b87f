"""One text normalisation for indexing and querying alike (as addok's ``normalize``).

``fold("ST-GAUDENS, l'Hérault!") == "saint gaudens l herault"``: lowercase, accents and
ligatures transliterated, every other character a space, the abbreviations people type
for saint/sainte expanded. Whatever is compared with user text goes through here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

_NON_WORD = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase ASCII words separated by single spaces; idempotent."""
    if not text:
        return ""
    ascii_text = unidecode(text).lower()
    words = _NON_WORD.sub(" ", ascii_text).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


_PHONETIC_RULES = (
    (re.compile(r"(?<![aeiouy])e(?=[nm][bcdfgjklpqrstvwxz])"), "a"),  # « en », « an » sound alike: Mende, mande
    (re.compile(r"e?aul[td]$"), "o"),  # Hérault, hérô
    (re.compile(r"ph"), "f"),
    (re.compile(r"ge(?=[aou])|g(?=[eiy])"), "j"),
    (re.compile(r"e?au"), "o"),
    (re.compile(r"qu|q|ck|c(?=[aou])|k"), "k"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"z"), "s"),
    (re.compile(r"y"), "i"),
    (re.compile(r"ai|ei"), "e"),  # Aveyron, avairon
    (re.compile(r"h"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"(?<=..)(?:er|ez|et|ai)s?$"), "e"),
    (re.compile(r"(?<=..[aeo])n$"), ""),
    (re.compile(r"(?<=.)[es]+$"), ""),
)


@lru_cache(maxsize=65536)
def sound(word: str) -> str:
    """A rough French sound key of a folded word, so that SMS spelling finds the word.

    "mediatek" and "mediatheque", "carcasone" and "carcassonne", "toulouze" and "toulouse",
    "fijac" and "figeac", "pamie" and "pamiers", "perpigna" and "perpignan", "mande" and
    "mende", "avairon" and "aveyron", "hero" and "herault" share a key. Keys are only compared for equality, after an edit-distance check fails.
    """
    key = word
    for pattern, repl in _PHONETIC_RULES:
        key = pattern.sub(repl, key)
    return key
