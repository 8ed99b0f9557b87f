"""Follow-ups: a message that refines the previous search instead of starting a new one.

"plus" pages on; "et le samedi ?", "et à Auch ?", "seulement pour les jeunes" keep the
previous search and change one thing. A message is a refinement when it starts like one
("et", "seulement", "plutôt", "mais"…) or says only a day, an area or a public while
the previous search said more.
"""

from __future__ import annotations

from dataclasses import replace

from index.normalise import fold
from index.understand import Query
from index.vocabulary import SMALL_TALK, SMALL_TALK_FILLERS, STOP_WORDS

MORE_WORDS = frozenset({"plus", "encore", "suite", "suivant", "suivants", "autres", "autre", "resultats",
                        "more", "next", "voir", "montre", "montrez"})
"""Words asking for the next page; a message of these (and filler: « d'autres lieux svp ») is "plus"."""
REFINE_STARTS = ("et ", "seulement ", "uniquement ", "plutot ", "mais ", "avec ", "sans ", "juste ", "only ")


def is_more(text: str) -> bool:
    words = fold(text).split()
    if text.strip() == "+":
        return True
    return bool(words) and any(w in MORE_WORDS for w in words) \
        and all(w in MORE_WORDS or w in STOP_WORDS for w in words)


SMALL_TALK_PHRASES = {tuple(fold(p).split()): kind for kind, phrases in SMALL_TALK.items() for p in phrases}
LONGEST_TALK = max(len(p) for p in SMALL_TALK_PHRASES)
THANKS_SIGNS = frozenset({"👍", "🙏", "👌", "😊", "🙂", "❤️", "👍🏻", "👍🏼"})


def small_talk(text: str) -> str:
    """The kind of a message that asks nothing (« bonjour », « merci ! », « ok d'accord »):
    "greeting", "thanks", "yes", "no", "bye"; "" for anything else. The last kind said wins
    (« bonjour, merci » thanks)."""
    words = fold(text).split()
    kind, i = "", 0
    while i < len(words):
        for n in range(min(LONGEST_TALK, len(words) - i), 0, -1):
            found = SMALL_TALK_PHRASES.get(tuple(words[i:i + n]))
            if found:
                kind, i = found, i + n
                break
        else:
            if words[i] not in SMALL_TALK_FILLERS:
                return ""
            i += 1
    if not words:
        return "thanks" if text.strip() in THANKS_SIGNS else ""
    return kind


def is_refinement(text: str, new: Query, previous: Query | None) -> bool:
    """Does ``new`` (said as ``text``) change one thing of ``previous`` rather than ask anew?
    A shared location alone after a question is one: « atelier » then a position."""
    if previous is None or previous.is_empty:
        return False
    folded = fold(text) + " "
    if folded.startswith(REFINE_STARTS):
        return True
    # Only one modifier, and no need of its own: "samedi ?", "à Auch ?", "pour les jeunes". A message
    # with two ("ouvert le samedi à Tarbes") is a question of its own.
    modifiers = [bool(new.days), bool(new.area), bool(new.concepts), new.wifi]
    needs_only_publics = all(c.facet == "publics" for c in new.concepts)
    return needs_only_publics and not new.name_words and sum(modifiers) == 1 \
        and bool(previous.concepts or previous.name_words or previous.days or previous.wifi)


def refine(previous: Query, new: Query) -> Query:
    """``previous`` with what ``new`` states: its area, days, wifi, and needs replacing those of the same facet."""
    concepts = list(previous.concepts)
    for concept in new.concepts:
        concepts = [c for c in concepts if c.facet != concept.facet]
    concepts += new.concepts
    return replace(previous,
        area=new.area or previous.area,
        concepts=tuple(concepts),
        days=new.days or previous.days,
        any_day=new.any_day if new.days else previous.any_day,
        when=new.when if new.days else previous.when,  # « et demain ? » replaces « ouvert maintenant »
        dated=new.dated if new.days else previous.dated,
        wifi=previous.wifi or new.wifi,
        words=previous.words + tuple(w for w in new.words if w not in previous.words),
        name_words=previous.name_words + tuple(w for w in new.name_words if w not in previous.name_words),
        notes=new.notes,
        near_me=new.near_me and not (new.area and new.area.user_location),
    )
