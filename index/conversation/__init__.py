"""The conversation: a message (text and/or a location) in, a ``Reply`` of ``Card``s out.

This is where follow-ups, paging and wording live, once, below every front end: the
Telegram bot and the web chat only translate their channel to ``Conversation`` calls
and render the ``Reply``. No channel is known here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from index.cards import Card
from index.conversation import replies
from index.conversation.followup import is_more, is_refinement, refine
from index.conversation.session import SessionStore
from index.engine import Engine, Results
from index.errors import IndexUnavailable
from index.open_now import PARIS, paris_now
from index.rank import MET, Assessment
from index.settings import Settings
from index.understand import Query

log = logging.getLogger(__name__)

BEYOND_KM = 30.0
"""How far around a town whose places were all shown "plus" looks for the nearest others."""
MAX_MESSAGE = 500
"""Characters a question may have; longer is a pasted page, answered with a request to be brief."""


@dataclass
class Reply:
    """What to say: a French sentence, the cards, and whether "plus" would show more."""

    text: str
    cards: list[Card] = field(default_factory=list)
    more: bool = False
    kind: str = "results"
    """results, widened, none, not_understood, no_more, no_previous, unavailable."""
    understood: str = ""
    """``Query.describe()`` of the search answered, empty when there was none."""
    total: int = 0
    offset: int = 0
    matching: int = 0
    """Places that meet the whole request, the count the header says."""
    padded_label: str = ""
    """Heading of the places shown only to fill the page (cards with ``matches`` False), on every page."""
    refinements: tuple[int, ...] = ()
    """Indexes in ``replies.REFINEMENTS`` of the follow-ups that would change this answer."""

    def to_dict(self) -> dict:
        return {"reply": self.text, "cards": [c.to_dict() for c in self.cards], "more": self.more,
                "kind": self.kind, "understood": self.understood, "total": self.total, "offset": self.offset,
                "matching": self.matching, "padded_label": self.padded_label,
                "refinements": [{"label": replies.REFINEMENTS[i][0], "message": replies.REFINEMENTS[i][1],
                                 "near_me": replies.REFINEMENTS[i][2]} for i in self.refinements]}


class Conversation:
    """``now`` is the clock (Europe/Paris) that open-now badges and « ouvert maintenant » read;
    ``today`` (0 = Monday), its weekday unless given."""

    def __init__(self, engine: Engine, page_size: int = 3, sessions: SessionStore | None = None,
                 today: Callable[[], int] | None = None, now: Callable[[], datetime] = paris_now) -> None:
        self.engine, self.page_size, self.now = engine, page_size, now
        self.today = today if today is not None else lambda: self.now().weekday()
        self.sessions = sessions if sessions is not None else SessionStore()

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> Conversation:
        """The conversation every front end runs: page size and session bounds from the settings."""
        return cls(engine, page_size=settings.page_size,
                   sessions=SessionStore(settings.max_sessions, settings.session_ttl))

    def position(self, key: str) -> tuple[Query | None, int]:
        """Conversation ``key``'s current search and how many of its places were shown (to tell
        a stale "Plus de résultats" button from a current one)."""
        session = self.sessions.get(key)
        return session.query, session.offset

    def handle(self, key: str, text: str | None = None, location: tuple[float, float] | None = None) -> Reply:
        """Answer one message of conversation ``key``: a question, a follow-up, "plus", or a location."""
        session = self.sessions.get(key)
        now = self.sessions.clock()
        if location is not None:
            session.location, session.location_at = location, now
        text = (text or "").strip()
        if len(text) > MAX_MESSAGE:
            return Reply(replies.MESSAGE_TOO_LONG, kind="too_long")
        if text and is_more(text):
            return self.more(key)
        where = location or session.recent_location(now)
        try:
            query = self.at_moment(self.engine.parse(text, *(where or (None, None)), today=self.today()))
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        if is_refinement(text, query, session.query):  # "et le samedi ?", or a location after "atelier"
            query = refine(session.query, query)
        if query.near_me and not (query.area and query.area.user_location):
            session.query, session.offset = query, 0  # the position, when it comes, completes it
            return Reply(replies.NEED_LOCATION, kind="ask_location", understood=query.describe())
        if query.is_empty and not (query.area and query.area.user_location):
            return Reply(replies.NOT_UNDERSTOOD, kind="not_understood")
        session.query, session.offset = query, 0
        return self._page(session, intro=replies.LOCATION_THANKS if location is not None and not text else "")

    def page(self, key: str, offset: int) -> Reply | None:
        """The page of the conversation's current search that starts at ``offset``, without moving
        on (a front end redrawing a page it showed); None when there is no search."""
        session = self.sessions.get(key)
        if session.query is None:
            return None
        try:
            results = self.engine.search(session.query)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        return self._reply(session.query, results, offset, self.page_size)

    def more(self, key: str) -> Reply:
        """The next page of the conversation's last search."""
        session = self.sessions.get(key)
        if session.query is None:
            return Reply(replies.NO_PREVIOUS, kind="no_previous")
        return self._page(session)

    def search(self, text: str, location: tuple[float, float] | None = None, limit: int = 10,
               offset: int = 0) -> Reply:
        """A stateless search (inline queries, the web API): one page of ``limit`` cards from ``offset``."""
        try:
            query = self.at_moment(self.engine.parse(text, *(location or (None, None)), today=self.today()))
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        if query.is_empty and not (query.area and query.area.user_location):
            return Reply(replies.NOT_UNDERSTOOD, kind="not_understood")
        return self._reply(query, self.engine.search(query), offset, limit)

    def at_moment(self, query: Query) -> Query:
        """« ouvert maintenant »: the moment of the search, from the clock, becomes the query's window."""
        if not query.when or query.when[1] >= 0:
            return query
        now = self.now().astimezone(PARIS)
        minute = now.hour * 60 + now.minute
        return replace(query, days=(now.weekday(),), when=(query.when[0], minute, minute + 1))

    def card(self, place_id: str) -> Card | None:
        """The card of one place of the current index, or None."""
        entry = self.engine.store.by_id.get(place_id)
        if entry is None:
            return None
        return replies.card(Assessment(entry=entry), self.now())

    def _page(self, session, intro: str = "") -> Reply:
        try:
            results = self.engine.search(session.query)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        reply = self._reply(session.query, results, session.offset, self.page_size, intro)
        if session.offset and not reply.cards:
            beyond = self._beyond(session.query, results) if session.offset == reply.total else None
            session.offset += 1  # past the end: the next "plus" says it is all
            if beyond is not None:
                return beyond
            return Reply(replies.NO_MORE, kind="no_more", understood=reply.understood, total=reply.total)
        session.offset += len(reply.cards)
        if not reply.more and self._beyond_query(session.query, results) is not None:
            reply.more = True  # the area is done: "plus" offers the nearest places beyond it
        return reply

    @staticmethod
    def _beyond_query(query: Query, results: Results) -> Query | None:
        """Around a commune whose places were all shown: the same needs around its centre."""
        area = query.area
        if results.widened or area is None or area.kind != "commune" or area.lat is None or area.lon is None:
            return None
        return replace(query, area=replace(area, kind="point", label=f"autour de {area.label}",
                                           radius_km=BEYOND_KM, strict=False))

    def _beyond(self, query: Query, results: Results) -> Reply | None:
        """One page of the nearest places beyond the area that meet the request, none already shown."""
        around = self._beyond_query(query, results)
        if around is None:
            return None
        shown = {h.entry.place.id for h in results.hits}
        try:
            found = self.engine.search(around)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        has_needs = bool(query.concepts or query.days or query.wifi)
        hits = [h for h in found.hits if h.entry.place.id not in shown and (not has_needs or h.tier == MET)]
        if not hits:
            return None
        page = replace(found, hits=hits[:self.page_size])
        reply = self._reply(around, page, 0, self.page_size)
        reply.text, reply.kind = replies.beyond(query), "beyond"
        return reply

    def _reply(self, query: Query, results: Results, offset: int, limit: int, intro: str = "") -> Reply:
        """One page. The header counts only the places meeting the whole request; places shown to
        fill the page (their need not documented) are flagged and come under their own label."""
        hits = results.hits
        total = len(hits)
        page = hits[offset:offset + limit]
        area = query.area
        origin = (area.lat, area.lon) if area and area.user_location else None
        distance_from = replies.distance_origin(area)
        now = self.now()
        has_needs = bool(query.concepts or query.days or query.wifi)
        matches = [not has_needs or h.tier == MET or h.named for h in hits]
        matching = sum(matches)
        cards = [
            replies.card(h, now, origin=origin, distance_from=distance_from,
                         show_distance=bool(area and (area.kind == "point" or not h.inside)),
                         matches=matches[offset + i])
            for i, h in enumerate(page)
        ]
        understood = query.describe()
        if not hits:
            return Reply(replies.nothing_found(query), kind="none", understood=understood)
        label = replies.padded_label(query) if matching and matching < total else ""
        if results.widened:
            text, kind = replies.widened(query, results.area_empty, inside=hits[0].inside), "widened"
        else:
            shown = [offset + i + 1 for i in range(len(page)) if matches[offset + i]]
            text = replies.header(query, matching, shown[0], shown[-1]) if shown else replies.header(query, matching)
            kind = "results"
        if intro:
            text = f"{intro}\n{text}" if kind != "results" else intro
        return Reply(text, cards, more=offset + len(page) < total, kind=kind, understood=understood,
                     total=total, offset=offset, matching=matching, padded_label=label,
                     refinements=replies.refinements(query))
