"""The conversation: a message (text and/or a location) in, a ``Reply`` of ``Card``s out.

This is where follow-ups, paging and wording live, once, below every front end: the
Telegram bot and the web chat only translate their channel to ``Conversation`` calls
and render the ``Reply``. No channel is known here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from index.asked import AskedLog
from index.cards import Card
from index.conversation import replies
from index.conversation.followup import is_more, is_refinement, refine, small_talk
from index.conversation.ranked import Ranked, matches_all
from index.conversation.session import Session, SessionStore, open_sessions
from index.conversation.sqlite_store import SqliteSessions
from index.datasource import served_source
from index.engine import Engine, Results
from index.errors import IndexUnavailable
from index.open_now import PARIS, is_holiday, paris_now
from index.rank import CLOSED_ALL_DAY, MET, Assessment
from index.settings import Settings
from index.understand import Area, Query
from index.vocabulary import OUT_OF_SCOPE

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
    """results, widened, none, not_understood, no_more, no_previous, unavailable, small_talk,
    out_of_scope, outside, did_you_mean."""
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
                 today: Callable[[], int] | None = None, asked: AskedLog | None = None,
                 now: Callable[[], datetime] = paris_now) -> None:
        self.engine, self.page_size, self.asked, self.now = engine, page_size, asked, now
        self.today = today if today is not None else lambda: self.now().weekday()
        self.sessions = sessions if sessions is not None else SqliteSessions(":memory:")

    @classmethod
    def from_settings(cls, engine: Engine, settings: Settings) -> Conversation:
        """The conversation every front end runs: page size and the session store from the settings, and
        the count of what was asked unless it is switched off."""
        return cls(engine, page_size=settings.page_size, sessions=open_sessions(settings),
                   asked=AskedLog.from_settings(settings))

    def close(self) -> None:
        """Close the conversation store, and write the question counts still in memory."""
        try:
            self.sessions.close()
        finally:
            if self.asked is not None:
                self.asked.close()

    def _observe(self, query: Query, results: Results) -> None:
        """Count each new question of a conversation (not its next pages, not the stateless searches
        typed letter by letter in inline mode) by what was understood of it."""
        if self.asked is not None:
            self.asked.record_search(query, results)

    def position(self, key: str) -> tuple[Query | None, int]:
        """Conversation ``key``'s current search and how many of its places were shown (to tell
        a stale "Plus de résultats" button from a current one)."""
        session = self.sessions.load(key)
        return session.query, session.offset

    def handle(self, key: str, text: str | None = None, location: tuple[float, float] | None = None,
               origin: str | None = None) -> Reply:
        """Answer one message of conversation ``key``: a question, a follow-up, "plus", or a location.

        ``origin`` is the client's address where the channel lets anyone start conversations at
        will (the web chat): it bounds how many new ones it may start (``SessionStore.max_new``)."""
        session = self.sessions.load(key, origin)
        reply = self._handle(session, text, location)
        self.sessions.save(session)
        return reply

    def more(self, key: str) -> Reply:
        """The next page of the conversation's last search."""
        session = self.sessions.load(key)
        reply = self._more(session)
        self.sessions.save(session)
        return reply

    def page(self, key: str, offset: int) -> Reply | None:
        """The page of the conversation's current search that starts at ``offset``, without moving
        on (a front end redrawing a page it showed); None when there is no search."""
        session = self.sessions.load(key)
        if session.query is None:
            return None
        try:
            ranked, page = self._answer(session, offset)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        return self._render(session.query, ranked, page, offset)

    def _handle(self, session: Session, text: str | None, location: tuple[float, float] | None) -> Reply:
        now = self.sessions.clock()
        if location is not None:
            session.location, session.location_at = location, now
        text = (text or "").strip()
        if len(text) > MAX_MESSAGE:
            return Reply(replies.MESSAGE_TOO_LONG, kind="too_long")
        if text and is_more(text):
            return self._more(session)
        pending, session.pending = session.pending, None
        talk = small_talk(text) if location is None else ""
        if talk == "yes" and pending is not None:  # « Vouliez-vous dire Béziers ? » « oui »
            session.ask(replace(pending, doubt=""))
            return self._page(session)
        if talk:
            return Reply(replies.NOT_THAT if talk == "no" and pending else replies.SMALL_TALK[talk], kind="small_talk")
        where = location or session.recent_location(now)
        try:
            query = self._understand(text, where, session.query.area if session.query else None)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        if query.off_topic and not query.has_needs:
            labels = [t.label for t in OUT_OF_SCOPE if t.code in query.off_topic]
            return Reply(replies.off_topic(labels), kind="out_of_scope")
        if query.area and not self.engine.covers(query.area):
            where = replies.YOUR_POSITION if query.area.user_location else query.area.label
            return Reply(replies.outside(where, self.engine.coverage()), kind="outside", understood=query.describe())
        if query.doubt:
            session.pending = query
            return Reply(replies.did_you_mean(query.doubt), kind="did_you_mean", understood=query.describe())
        if is_refinement(text, query, session.query):  # "et le samedi ?", or a location after "atelier"
            query = refine(session.query, query)
        if query.near_me and not (query.area and query.area.user_location):
            session.ask(query)  # the position, when it comes, completes it
            return Reply(replies.NEED_LOCATION, kind="ask_location", understood=query.describe())
        if query.is_empty and not (query.area and query.area.user_location):
            return Reply(replies.NOT_UNDERSTOOD, kind="not_understood")
        session.ask(query)
        return self._page(session, intro=replies.LOCATION_THANKS if location is not None and not text else "")

    def _more(self, session: Session) -> Reply:
        if session.query is None:
            return Reply(replies.NO_PREVIOUS, kind="no_previous")
        return self._page(session)

    def search(self, text: str, location: tuple[float, float] | None = None, limit: int = 10,
               offset: int = 0) -> Reply:
        """A stateless search (inline queries, the web API): one page of ``limit`` cards from ``offset``."""
        try:
            query = self._understand(text, location)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        if query.is_empty and not (query.area and query.area.user_location):
            return Reply(replies.NOT_UNDERSTOOD, kind="not_understood")
        results = self.engine.search(query)
        return self._render(query, Ranked.of(query, results), results.hits[offset:offset + limit], offset)

    def _understand(self, text: str, where: tuple[float, float] | None, previous: Area | None = None) -> Query:
        """The message as searched, by the conversation and the stateless search alike: read at this
        moment, with only the words the directory holds (a name typed, « madame durand », matches no
        place: it is neither searched, nor said as understood, nor stored for the follow-ups)."""
        query = self.engine.parse(text, *(where or (None, None)), today=self.today(), previous=previous)
        return self.engine.searchable(self.at_moment(query))

    def at_moment(self, query: Query) -> Query:
        """« ouvert maintenant »: the moment of the search, from the clock, becomes the query's window.
        « aujourd'hui », « demain », « maintenant » on a French public holiday: no window is open then
        (``CLOSED_ALL_DAY``), as every card says « Fermé (jour férié) »."""
        if not query.when or not query.dated:
            return query
        now = self.now().astimezone(PARIS)
        if query.when[1] < 0:
            minute = now.hour * 60 + now.minute
            query = replace(query, days=(now.weekday(),), when=(query.when[0], minute, minute + 1))
        dates = [now.date() + timedelta(days=(d - now.weekday()) % 7) for d in query.days]
        if dates and all(is_holiday(day) for day in dates):
            return replace(query, when=(query.when[0], *CLOSED_ALL_DAY))
        return query

    def attribution(self) -> str:
        """Who publishes the served data and its month, for the front ends to show; "" with no index."""
        try:
            served = served_source(self.engine.store.meta)
        except IndexUnavailable:
            return ""
        return replies.attribution(served.publisher, served.date, served.sample)

    def card(self, place_id: str) -> Card | None:
        """The card of one place of the current index, or None."""
        entry = self.engine.store.by_id.get(place_id)
        if entry is None:
            return None
        return replies.card(Assessment(entry=entry), self.now())

    def _page(self, session: Session, intro: str = "") -> Reply:
        try:
            ranked, page = self._answer(session, session.offset, observe=True)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        reply = self._render(session.query, ranked, page, session.offset, intro=intro)
        if reply.kind == "no_more":
            beyond = self._beyond(session.query, ranked) if session.offset == reply.total else None
            session.offset += 1  # past the end: the next "plus" says it is all
            return beyond or reply
        session.offset += len(reply.cards)
        if not reply.more and self._beyond_query(session.query, ranked) is not None:
            reply.more = True  # the area is done: "plus" offers the nearest places beyond it
        return reply

    def _answer(self, session: Session, offset: int, observe: bool = False) -> tuple[Ranked, list[Assessment]]:
        """The answer to the session's search and its page from ``offset``: the answer kept with the
        conversation when there is one of the version served (only the page's places are assessed
        again), else a search (counted as a question when ``observe``), kept for the next pages."""
        query, ranked = session.query, session.ranked
        if offset and ranked is not None:
            page = self.engine.assess_again(query, ranked.version, ranked.centre,
                                            ranked.found(offset, offset + self.page_size))
            if page is not None:
                return ranked, page
        results = self.engine.search(query)
        if observe and offset == 0:
            self._observe(query, results)
        session.ranked = Ranked.of(query, results)
        return session.ranked, results.hits[offset:offset + self.page_size]

    @staticmethod
    def _beyond_query(query: Query, ranked: Ranked) -> Query | None:
        """Around a commune whose places were all shown: the same needs around its centre."""
        area = query.area
        if ranked.widened or area is None or area.kind != "commune" or area.lat is None or area.lon is None:
            return None
        return replace(query, area=replace(area, kind="point", label=f"autour de {area.label}",
                                           radius_km=BEYOND_KM, strict=False))

    def _beyond(self, query: Query, ranked: Ranked) -> Reply | None:
        """One page of the nearest places beyond the area that meet the request, none already shown."""
        around = self._beyond_query(query, ranked)
        if around is None:
            return None
        shown = set(ranked.ids)
        try:
            found = self.engine.search(around)
        except IndexUnavailable:
            return Reply(replies.UNAVAILABLE, kind="unavailable")
        hits = [h for h in found.hits if h.entry.place.id not in shown and (not query.has_needs or h.tier == MET)]
        if not hits:
            return None
        page = hits[:self.page_size]
        reply = self._render(around, Ranked.of(around, replace(found, hits=page)), page, 0)
        reply.text, reply.kind = replies.beyond(query), "beyond"
        return reply

    def _render(self, query: Query, ranked: Ranked, page: list[Assessment], offset: int, intro: str = "") -> Reply:
        """``page``, the places of ``ranked`` from ``offset``, as a reply. The header counts only the
        places meeting the whole request; places shown to fill the page (their need not documented)
        are flagged and come under their own label."""
        total, matching = ranked.total, ranked.matching
        area = query.area
        origin = (area.lat, area.lon) if area and area.user_location else None
        distance_from = replies.of_area(area)
        now = self.now()
        matches = [matches_all(query, h.tier, h.named) for h in page]
        cards = [
            replies.card(h, now, origin=origin, distance_from=distance_from,
                         show_distance=bool(area and (area.kind == "point" or not h.inside)), matches=m)
            for h, m in zip(page, matches, strict=True)
        ]
        understood = query.describe()
        if not total:
            return Reply(replies.nothing_found(query), kind="none", understood=understood)
        if not page:  # a page past the last one: said so, never « (101 sur 100) »
            return Reply(replies.NO_MORE, kind="no_more", understood=understood, total=total, offset=offset,
                         matching=matching)
        # Shown though closed on the day or at the moment asked: the label says so, not « non précisés ».
        label = replies.padded_label(query, ranked.closed) if matching and matching < total else ""
        if ranked.widened:
            text = replies.widened(query, ranked.area_empty, inside=ranked.first_inside, closed=ranked.closed)
            kind = "widened"
        else:
            shown = [offset + i + 1 for i, m in enumerate(matches) if m]
            text = replies.header(query, matching, shown[0], shown[-1]) if shown else replies.header(query, matching)
            kind = "results"
        if intro:
            text = f"{intro}\n{text}" if kind != "results" else intro
        return Reply(text, cards, more=offset + len(page) < total, kind=kind, understood=understood,
                     total=total, offset=offset, matching=matching, padded_label=label,
                     refinements=replies.refinements(query))
