"""Small pure helpers that tidy one directory value: city case, postcode, phone, email, URL, codes.

Each helper takes the text as found in a file and returns the clean value, ``""`` when the
text is empty, or ``None`` when it is present but unusable (the reader then drops it with a
warning). They know no format, so every reader shares them.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping

from unidecode import unidecode

from index.normalise import fold

# Words written in lowercase inside a commune's name ("Villefranche de Rouergue").
_SMALL_WORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "sur", "sous", "en", "et", "a", "aux", "lès", "lez"}
)
_ELIDED = frozenset({"d", "l"})
_WORD_SPLIT = re.compile(r"([\s\-]+)")
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Characters that reorder the text around them (a right-to-left override makes « exe.txt »
read « txt.exe »), as a regular-expression class body: never meant in a directory."""
_INVISIBLE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")


def city_case(name: str) -> str:
    """``"MONTPELLIER"`` -> ``"Montpellier"``; names already in mixed case are kept as written.

    Hyphens and spaces stay where they are; small words (de, la, sur…) after the first word
    are lowercased, elided articles too (``"CASTELNAU-D'ESTRETEFONDS"`` -> ``"Castelnau-d'Estretefonds"``).
    """
    name = " ".join(name.split())
    if not name or not (name.isupper() or name.islower()):
        return name
    parts = _WORD_SPLIT.split(name.lower())
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a separator
            out.append(part)
            continue
        first = i == 0
        out.append(_case_word(part, first))
    return "".join(out)


def _case_word(word: str, first: bool) -> str:
    head, apostrophe, tail = word.partition("'")
    if not apostrophe:
        head, apostrophe, tail = word.partition("’")
    if apostrophe and head in _ELIDED and tail:
        head = head.capitalize() if first else head
        return head + apostrophe + tail.capitalize()
    if not first and word in _SMALL_WORDS:
        return word
    return word.capitalize()


def postcode(value: str) -> str | None:
    """Five digits; a 4-digit code lost its leading zero (``"9000"`` -> ``"09000"``)."""
    return _five_characters(re.sub(r"\s+", "", value or ""), r"\d{5}")


def insee(value: str) -> str | None:
    """A commune's INSEE code: five characters, Corsica's ``2A``/``2B`` included; zero-padded."""
    return _five_characters((value or "").strip().upper(), r"\d[\dAB]\d{3}")


def _five_characters(text: str, pattern: str) -> str | None:
    """A five-character code (postcode, INSEE), its leading zero given back where a spreadsheet
    ate it, if it matches ``pattern``; ``""`` when there is no text, None when it does not match."""
    if not text:
        return ""
    if re.fullmatch(r"\d{4}", text):
        text = "0" + text
    return text if re.fullmatch(pattern, text) else None


def departement(value: str) -> str | None:
    """``"9"`` -> ``"09"``, ``"2a"`` -> ``"2A"``, ``"971"`` kept; spreadsheet debris (``"=31="``) removed."""
    text = (value or "").strip().strip("=").strip().upper()
    if not text:
        return ""
    if re.fullmatch(r"\d", text):
        return "0" + text
    if re.fullmatch(r"\d\d|2[AB]|97[1-6]", text) and text not in ("00", "20", "96", "97", "98", "99"):
        return text
    return None


def departement_of_postcode(code: str) -> str:
    """The département a (clean) postcode points to; ``""`` where it is ambiguous (Corsica)."""
    if not code:
        return ""
    if code.startswith("97"):
        return code[:3]
    if code.startswith("20"):
        return ""
    return code[:2]


def departement_of(insee: str, postcode: str) -> str:
    """The département of a commune code, else of a postcode: ``"2A004"`` -> 2A, ``"97411"`` -> 974.

    Corsica's postcodes start with 20 in both départements: below 20200 is Corse-du-Sud.
    """
    for code in (insee, postcode):
        if not code or len(code) != 5:
            continue
        if code.startswith(("97", "98")):
            return code[:3]
        if code[:2] in ("2A", "2B"):
            return code[:2]
        if code.startswith("20") and code.isdigit():
            if code is insee:
                continue  # a numeric INSEE code starting 20 is malformed: try the postcode
            return "2A" if code < "20200" else "2B"
        if code.isdigit() and code[:2] != "00":
            return code[:2]
    return ""


_PHONE_CHUNK = re.compile(r"\+?\d[\d .\-()]*")


def phone(value: str) -> str | None:
    """French display format, ``"04 68 76 33 02"``; the first number when several are given.

    Accepts +33 / 0033, dots, dashes, a 9-digit number missing its leading zero, and short
    service numbers (``"3949"``).
    """
    text = (value or "").strip()
    if not text:
        return ""
    for match in _PHONE_CHUNK.finditer(text):
        number = _phone_number(match.group())
        if number:
            return number
    return None


def _phone_number(chunk: str) -> str:
    digits = re.sub(r"\D", "", chunk)
    if chunk.startswith("+33"):
        digits = digits[2:]
    elif digits.startswith("0033"):
        digits = digits[4:]
    else:
        if re.fullmatch(r"[13]\d{3}", digits):
            return digits  # short service number: 3949, 3646, 1xxx
        if len(digits) == 9 and digits[0] != "0":
            digits = "0" + digits
        elif len(digits) > 10 and len(digits) % 10 == 0 and digits[0] == "0":
            digits = digits[:10]  # several numbers run together
        return _display(digits)
    return _display("0" + digits.removeprefix("0"))


def _display(digits: str) -> str:
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        return ""
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}", re.IGNORECASE)


def email(value: str) -> str | None:
    """The first e-mail address in the text, lowercased."""
    text = (value or "").strip()
    if not text:
        return ""
    match = _EMAIL.search(text)
    return match.group().lower().strip(".") if match else None


_URL = re.compile(r"https?://[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)


def website(value: str) -> str | None:
    """A URL with its scheme (``"www.x.fr"`` -> ``"https://www.x.fr"``); an e-mail is not a website."""
    text = (value or "").strip()
    if not text:
        return ""
    url = text.split()[0].rstrip(".,;")
    if "://" not in url:
        if "@" in url.split("/", 1)[0]:
            return None
        url = "https://" + url
    return url if _URL.fullmatch(url) else None


def split_codes(
    values: Iterable[str],
    known: Iterable[str],
    synonyms: Mapping[str, str] | None = None,
    separators: str = r"-",
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Codes found in ``values``, upper-cased, de-duplicated, in order; and the unknown ones.

    ``split_codes(["J-J-J", "TP"], {"J", "TP"}) == (("J", "TP"), ())``. Accents are dropped
    before comparing (``"Étranger"`` -> ``"ETRANGER"``), then ``synonyms`` map spellings to codes.
    """
    known = set(known)
    synonyms = synonyms or {}
    found: dict[str, None] = {}
    unknown: dict[str, None] = {}
    for value in values:
        for token in re.split(separators, value or ""):
            token = token.strip()
            if not token:
                continue
            code = unidecode(token).upper()
            code = synonyms.get(code, code)
            if code in known:
                found[code] = None
            else:
                unknown[token] = None
    return tuple(found), tuple(unknown)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty stripped values, first occurrence kept."""
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/li|/div|hr)\s*/?>", re.IGNORECASE)


def visible(text: str) -> str:
    """``text`` without bidi controls and control characters (newlines and tabs kept): what a
    directory value may show, so a name cannot reorder or hide what a card says."""
    return _INVISIBLE.sub("", text)


def strip_html(text: str) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, spaces collapsed."""
    if not text or "<" not in text and "&" not in text:
        return " ".join((text or "").split())
    text = _BLOCK_TAG.sub(" ", text)
    text = html.unescape(_TAG.sub("", text))
    return " ".join(text.split())


def number(value: str) -> float | None:
    """A finite float, decimal comma accepted; None when absent or unreadable."""
    text = (value or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        result = float(text)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip


def iso_date(value: str) -> str:
    """``"Decembre 2018"`` -> ``"2018-12-01"``, ``"juil-22"``, ``"12/03/2021"``, ``"2021-03-12"``; else ``""``."""
    text = (value or "").strip()
    if not text:
        return ""
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})", text):
        day, month, year = int(m[1]), int(m[2]), _year(m[3])
    else:
        words = fold(text).split()
        if len(words) != 2 or words[0] not in _MONTHS or not re.fullmatch(r"\d{2}|\d{4}", words[1]):
            return ""
        day, month, year = 1, _MONTHS[words[0]], _year(words[1])
    if not (1 <= month <= 12 and 1 <= day <= _days_in(month, year) and 1990 <= year <= 2100):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31
