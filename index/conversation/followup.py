"""Follow-ups: a message that refines the previous search instead of starting a new one.

"plus" pages on; "et le samedi ?", "et à Auch ?", "seulement pour les jeunes" keep the
previous search and change one thing. A message is a refinement when it starts like one
("et", "seulement", "plutôt", "mais"…) or says only a day, an area or a public while
the previous search said more.
"""

from __future__ import annotations

from index.normalise import fold
from index.understand import Query

MORE_WORDS = frozenset({"plus", "encore", "suite", "suivant", "suivants", "autres", "d autres", "la suite",
                        "plus de resultats", "autres resultats", "et plus", "more", "voir plus", "next", "+"})
REFINE_STARTS = ("et ", "seulement ", "uniquement ", "plutot ", "mais ", "avec ", "sans ", "que ",
                 "juste ", "only ", "ouvert ", "ouverte ")


def is_more(text: str) -> bool:
    folded = fold(text)
    return folded in MORE_WORDS or text.strip() == "+"


def is_refinement(text: str, new: Query, previous: Query | None) -> bool:
    if previous is None or previous.is_empty:
        return False
    folded = fold(text) + " "
    if folded.startswith(REFINE_STARTS):
        return True
    # Only a modifier, and no need of its own: "samedi", "à Auch", "pour les jeunes".
    needs_only_publics = all(c.facet == "publics" for c in new.concepts)
    return needs_only_publics and not new.name_words and bool(new.days or new.area or new.concepts or new.wifi) \
        and bool(previous.concepts or previous.name_words)


def refine(previous: Query, new: Query) -> Query:
    """``previous`` with what ``new`` states: its area, days, wifi, and needs replacing those of the same facet."""
    concepts = list(previous.concepts)
    for concept in new.concepts:
        concepts = [c for c in concepts if c.facet != concept.facet]
    concepts += new.concepts
    return previous.with_changes(
        text=f"{previous.text} · {new.text}",
        area=new.area or previous.area,
        concepts=tuple(concepts),
        days=new.days or previous.days,
        any_day=new.any_day if new.days else previous.any_day,
        wifi=previous.wifi or new.wifi,
        words=previous.words + tuple(w for w in new.words if w not in previous.words),
        name_words=previous.name_words + tuple(w for w in new.name_words if w not in previous.name_words),
        notes=new.notes,
    )
