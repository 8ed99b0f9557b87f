"""A parser step for moments: « ouvert maintenant », « aujourd'hui », « demain », « ce matin »,
« cet après-midi », « après 17 h ».

It runs before the day-names step and claims its words, setting ``Reading.days`` (today or
tomorrow) and ``Reading.when``: (what was understood in French, start, end) in minutes of
that day, start -1 meaning "at the moment of the search", which only the conversation knows
(its clock), so it fills it in. Ranking then puts places open at that moment first.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from index.places import DAYS

if TYPE_CHECKING:  # steps.py imports this step into its tuple
    from index.understand.steps import Reading

NOW = (("en", "ce", "moment"), ("maintenant",), ("actuellement",), ("tout", "de", "suite"))
TODAY = (("aujourd", "hui"), ("aujourdhui",), ("auj",), ("ce", "jour"))
TOMORROW = (("demain",),)
MORNING = (("ce", "matin"), ("le", "matin"), ("matin",), ("matinee",))
AFTERNOON = (("cet", "apres", "midi"), ("l", "apres", "midi"), ("apres", "midi"), ("cet", "aprem"), ("aprem",),
             ("cette", "apres", "midi"))
OPEN_WORDS = frozenset({"ouvert", "ouverte", "ouverts", "ouvertes"})
OPENS = frozenset({"ouvre", "ouvrent", "ouvrant", "ouverture"})
SHORT_MESSAGE = 6
"""Words of a message short enough for « maintenant » alone to be the moment asked."""
HOUR_WORDS = frozenset({"h", "heure", "heures"})
UNITS = frozenset({"an", "ans", "mois", "jour", "jours", "semaine", "semaines", "minute", "minutes", "min",
                   "km", "kilometres", "metres", "euro", "euros", "eur", "personnes", "places"})
"""Words after a bare number that make it a quantity, not an hour: « à partir de 14 ans »."""
_HOUR = re.compile(r"(\d{1,2})(?:h(\d{2})?)?")
MORNING_WINDOW, AFTERNOON_WINDOW = (0, 12 * 60), (12 * 60, 24 * 60)


def when(r: Reading) -> None:
    """Claim the moment words; ``r.when`` says what was understood and the window it means."""
    day_words = ""
    if r.match_phrases(set(TOMORROW)):
        r.days.append((r.today + 1) % 7)
        day_words = "demain"
    elif r.match_phrases(set(TODAY)):
        r.days.append(r.today)
        day_words = "aujourd'hui"
    if _asks_opening(r) and r.match_phrases(set(NOW)):
        r.days.append(r.today)
        r.when, r.dated = ("ouvert maintenant", -1, -1), True
        _claim_open_words(r)
        return
    named_day = next((DAYS[DAYS.index(w.rstrip("s"))] for w in r.words if w.rstrip("s") in DAYS), "")
    if named_day and not day_words:
        day_words = f"le {named_day}"  # « samedi matin »: the days step reads the day
    window, said = None, ""
    if r.match_phrases(set(MORNING)):
        window, said = MORNING_WINDOW, "matin" if day_words else "ce matin"
    elif r.match_phrases(set(AFTERNOON)):
        window, said = AFTERNOON_WINDOW, "après-midi" if day_words else "cet après-midi"
    after = _after_hour(r)
    if after is not None:
        window, said = (after, 24 * 60), f"après {_say(after)}"
    if window is None and not day_words:
        return
    r.dated = not named_day or bool(r.days)  # « ce matin », « demain »: dates; « le samedi matin »: Saturdays
    if not day_words:
        r.days.append(r.today)
    elif named_day and not r.days:
        r.days.append(DAYS.index(named_day))
    words = " ".join(w for w in ("ouvert", day_words, said) if w)
    r.when = (words, *(window or (0, 24 * 60)))
    r.days = sorted(set(r.days))
    _claim_open_words(r)


def _after_hour(r: Reading) -> int | None:
    """« après 17 h », « après 17h30 », « à partir de 17 h »: the minute named, claimed."""
    for i, w in enumerate(r.words):
        if w not in ("apres", "partir") or not r.free(i):
            continue
        j = i + 1
        if w == "partir":
            if i == 0 or r.words[i - 1] != "a" or j >= len(r.words) or r.words[j] != "de":
                continue
            j += 1
        if j >= len(r.words) or not r.free(j):
            continue
        match = _HOUR.fullmatch(r.words[j])
        if not match:
            continue
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        n = j + 1 - i
        after = r.words[j + 1] if j + 1 < len(r.words) else ""
        if after in HOUR_WORDS:
            n += 1
            if j + 2 < len(r.words) and r.words[j + 2].isdigit() and len(r.words[j + 2]) == 2:
                minute, n = int(r.words[j + 2]), n + 1
        elif "h" not in match.group(0) and (hour < 7 or after in UNITS):
            continue  # « après 2 », « à partir de 14 ans », « après 20 minutes » are no time of day
        if hour > 23 or minute > 59:
            continue
        r.claim(i - (1 if w == "partir" else 0), n + (1 if w == "partir" else 0))
        return hour * 60 + minute
    return None


def _asks_opening(r: Reading) -> bool:
    """« en ce moment », « maintenant », « actuellement » are the moment asked in a message about
    opening (« ouvert », « ouvre ») or a short one (« maintenant à Tarbes »); in a longer one they
    tell the person's situation (« sans logement en ce moment », « il doit maintenant déclarer »)."""
    return len(r.words) <= SHORT_MESSAGE or any(w in OPEN_WORDS or w in OPENS for w in r.words)


def _claim_open_words(r: Reading) -> None:
    for i, w in enumerate(r.words):
        if w in OPEN_WORDS and r.free(i):
            r.claim(i)


def _say(minute: int) -> str:
    h, m = divmod(minute, 60)
    return f"{h} h {m:02d}" if m else f"{h} h"
