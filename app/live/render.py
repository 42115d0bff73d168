"""What a live view is sent: each kind of view (a field's board in one language, the JSON API)
turns an event into SSE messages once, and all subscribers of that view share the result.

A client that connects after something happened (a board whose Wi-Fi dropped, a page opened
a while ago) gets the view's current state, not the history: the history holds texts that were
deleted, hidden or edited since, and replaying it would cost what the whole workshop cost.
"""

import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from sqlmodel import Session, col, select
from sse_starlette import ServerSentEvent

from app import cards, phases, plenary, statements, surveys, workshops
from app.live import public
from app.live.console import console_messages
from app.live.events import (
    BoardChanged,
    CardDeleted,
    CardEdited,
    CardPosted,
    Counts,
    DomainEvent,
    FieldPostingChanged,
    HeadingsChanged,
    ParticipantJoined,
    PhaseChanged,
    PlenaryChanged,
    PostingChanged,
    ProposalsChanged,
    RemarksChanged,
    StatementChanged,
    SurveyChanged,
    SurveyOffer,
    ThemeDotsChanged,
    TimerChanged,
)
from app.live.views import (
    ApiView,
    BoardView,
    ConsoleView,
    PlenaryConsoleView,
    PlenaryView,
    StatementView,
    SurveyView,
    View,
    WordsView,
)
from app.models import EventRecord, Workshop
from app.web.templating import Templates

_PLENARY_EVENTS = (PlenaryChanged, ThemeDotsChanged, RemarksChanged, ProposalsChanged)
Messages = list[ServerSentEvent]

class Views:
    """Turns events into SSE messages, once per (event, view)."""

    def __init__(self, templates: Templates, cache_size: int = 4096) -> None:
        self.templates = templates
        self._cache: OrderedDict[tuple[int, object], tuple[Messages, bytes]] = OrderedDict()
        self._cache_size = cache_size
        # A view's state at an event id is the same for all its clients: a room whose Wi-Fi
        # came back asks for a handful of them, once each.
        self._states: OrderedDict[tuple[int, View], bytes] = OrderedDict()
        # Per guiding-sentence event: participant -> (own proposals, supported proposals).
        self._relations: OrderedDict[int, dict[str, tuple[set[int], set[int]]]] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, event: DomainEvent, view: View) -> Messages:
        return self._rendered(event, view)[0]

    def chunk(self, event: DomainEvent, view: View) -> bytes:
        """The messages as they go over the wire, encoded once for every subscriber: each
        stream sends them in one write (a phone gets a new card and the counts at once)."""
        return self._rendered(event, view)[1]

    def _rendered(self, event: DomainEvent, view: View) -> tuple[Messages, bytes]:
        key: tuple[int, object] = (event.id, view)
        if isinstance(view, StatementView):
            if not (isinstance(event, StatementChanged) and event.field == view.field
                    and event.state is not None):
                return [], b""
            # Every phone of the field gets the sentence with its own proposals and supports
            # marked; phones that propose and support the same are one rendering, not one each
            # (a support in a room of 300 phones: a handful, not 300).
            key = (event.id, (view.field, view.locale, view.slug, self._relation(event, view)))
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        if isinstance(view, ApiView):
            messages = self._api(event, view)
        elif isinstance(view, ConsoleView):
            messages = console_messages(event, view, self._fragment(view.locale))
        elif isinstance(view, PlenaryConsoleView):
            changed = isinstance(event, _PLENARY_EVENTS)
            messages = [ServerSentEvent(data="", event="changed")] if changed else []
        elif isinstance(view, PlenaryView):
            messages = self._plenary(event, view)
        elif isinstance(view, SurveyView | WordsView):  # told to refetch what it shows
            messages = [ServerSentEvent(data="", event="changed")] if view.changed_by(event) else []
        elif isinstance(view, StatementView):
            messages = []
            if isinstance(event, StatementChanged) and event.state is not None:
                html = self._fragment(view.locale)("statements/_phone.html", statement=event.state,
                                                   viewer=view.viewer, workshop_slug=view.slug)
                messages = [ServerSentEvent(data=html, event="statement")]
        else:
            messages = self._board(event, view)
        for message in messages:
            message.id = str(event.id)
        rendered = messages, b"".join(message.encode() for message in messages)
        if not messages:
            # Most views have nothing to send for most events (each phone's own guiding-sentence
            # view for every card): deciding that is cheap, and caching it would push out the
            # fragments that are worth keeping.
            return rendered
        with self._lock:
            self._cache[key] = rendered
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return rendered

    def _relation(self, event: StatementChanged, view: StatementView
                  ) -> tuple[frozenset[int], frozenset[int]]:
        """The proposals that are the viewer's own and those they support."""
        with self._lock:
            index = self._relations.get(event.id)
        if index is None:
            index = {}
            assert event.state is not None
            for proposal in event.state.proposals:
                own, supported = index.setdefault(proposal.author, (set(), set()))
                own.add(proposal.id)
                for supporter in proposal.supporters:
                    index.setdefault(supporter, (set(), set()))[1].add(proposal.id)
            with self._lock:
                self._relations[event.id] = index
                while len(self._relations) > 64:
                    self._relations.popitem(last=False)
        own, supported = index.get(view.viewer, (set(), set()))
        return frozenset(own), frozenset(supported)

    @staticmethod
    def _api(event: DomainEvent, view: ApiView) -> Messages:
        data = public.event_data(event, view.audience)
        if data is None:
            return []
        return [ServerSentEvent(data=json.dumps({"id": event.id, "type": event.kind,
                                                 "data": data}, ensure_ascii=False),
                                event=event.kind)]

    def _board(self, event: DomainEvent, view: BoardView) -> Messages:
        kinds = view.kinds()
        if kinds is not None and not isinstance(event, kinds):
            return []  # a phone's part of the board (see BoardView.part)
        fragment = self._fragment(view.locale)
        if isinstance(event, CardPosted):
            if not (view.shows(event.card) and event.card.visible):
                return []
            return [
                ServerSentEvent(data=fragment("board/_card.html", card=event.card, arrived=True),
                                event=f"card-new-{event.card.category}"),
                *self._stats(event.counts, view),
            ]
        if isinstance(event, CardEdited) and view.shows(event.card) and event.card.visible:
            if event.previous_category == event.card.category:
                return [ServerSentEvent(data=fragment("board/_card_body.html", card=event.card),
                                        event=f"card-{event.card.id}")]
            html = fragment("board/_card.html", card=event.card, arrived=True)
            return [ServerSentEvent(data="", event=f"card-gone-{event.card.id}"),
                    ServerSentEvent(data=html, event=f"card-new-{event.card.category}")]
        if isinstance(event, CardDeleted) and view.shows(event.card):
            return [ServerSentEvent(data="", event=f"card-gone-{event.card.id}"),
                    *self._stats(event.counts, view)]
        if isinstance(event, BoardChanged):
            return self._columns(event, view)
        if isinstance(event, ParticipantJoined):
            return self._stats(event.counts, view)
        if isinstance(event, PostingChanged):
            html = fragment("board/_posting.html", posting_open=event.posting_open)
            return [ServerSentEvent(data=html, event="posting")]
        if isinstance(event, FieldPostingChanged) and event.field == view.field:
            html = fragment("board/_field_posting.html", field_posting_open=event.posting_open)
            return [ServerSentEvent(data=html, event="field-posting")]
        if (isinstance(event, StatementChanged) and event.field == view.field
                and event.state is not None):
            return [ServerSentEvent(data=fragment("statements/_board.html", statement=event.state),
                                    event="statement")]
        if isinstance(event, HeadingsChanged):
            heading = next((f for f in event.fields if f.key == view.field), None)
            if heading is None:
                return []
            html = fragment("board/_heading.html", workshop_title=event.title, field=heading)
            return [ServerSentEvent(data=html, event="heading")]
        if isinstance(event, PhaseChanged):
            html = fragment("board/_phase.html", phase=event.phase, round=event.round,
                            rounds=event.rounds)
            return [ServerSentEvent(data=html, event="phase"),
                    self._follow(event.phase, view.slug, "group", view.locale)]
        if isinstance(event, TimerChanged):
            return [ServerSentEvent(data=fragment("board/_timer.html", timer=event.timer),
                                    event="timer")]
        if isinstance(event, SurveyChanged) and event.offers is not None:
            return [self._offers(event.offers, view.slug, view.locale)]
        return []

    def _plenary(self, event: DomainEvent, view: PlenaryView) -> Messages:
        fragment = self._fragment(view.locale)
        if isinstance(event, PlenaryChanged):
            if view.phone:
                return [ServerSentEvent(data=fragment("plenary/_notice.html"),
                                        event="plenary-notice")]
            return [*(ServerSentEvent(data=fragment("plenary/_themes.html", column=column),
                                      event=f"plenary-column-{column.field}")
                      for column in event.columns),
                    self._dot_scale(event.max_dots, view)]
        if isinstance(event, ThemeDotsChanged) and not view.phone:
            body = fragment("plenary/_theme_body.html", theme=event.theme)
            return [ServerSentEvent(data=body, event=f"theme-{event.theme.id}"),
                    self._dot_scale(event.max_dots, view)]
        if isinstance(event, RemarksChanged):
            return [ServerSentEvent(data=fragment("plenary/_remarks.html",
                                                  remarks=event.remarks), event="remarks")]
        if isinstance(event, PhaseChanged):
            html = fragment("board/_phase.html", phase=event.phase, round=event.round,
                            rounds=event.rounds)
            follow = [self._follow(event.phase, view.slug, view.page, view.locale)] if (
                view.phone) else []
            return [ServerSentEvent(data=html, event="phase"), *follow]
        if isinstance(event, TimerChanged):
            return [ServerSentEvent(data=fragment("board/_timer.html", timer=event.timer),
                                    event="timer")]
        if isinstance(event, SurveyChanged) and event.offers is not None and view.phone:
            return [self._offers(event.offers, view.slug, view.locale)]
        return []

    def _follow(self, phase: str, slug: str, here: str, locale: str) -> ServerSentEvent:
        html = self._fragment(locale)("participant/_follow.html", phase=phase, slug=slug,
                                      here=here)
        return ServerSentEvent(data=html, event="follow")

    def _offers(self, offers: list[SurveyOffer], slug: str, locale: str) -> ServerSentEvent:
        html = self._fragment(locale)("participant/_survey_offers.html", offers=offers, slug=slug)
        return ServerSentEvent(data=html, event="survey-offers")

    def _dot_scale(self, max_dots: int, view: PlenaryView) -> ServerSentEvent:
        html = self._fragment(view.locale)("plenary/_dot_scale.html", max_dots=max_dots)
        return ServerSentEvent(data=html, event="dot-scale")

    def _columns(self, event: BoardChanged, view: BoardView) -> Messages:
        fragment = self._fragment(view.locale)
        messages = [
            ServerSentEvent(
                data=fragment("board/_column.html", category=column.category,
                              cards=[c for c in column.cards if view.shows(c)]),
                event=f"column-{column.category}")
            for column in event.columns if column.field == view.field
        ]
        return [*messages, *self._stats(event.counts, view)] if messages else []

    def _stats(self, counts: Counts, view: BoardView) -> Messages:
        if view.part:
            return []  # the projector's figures; phones do not show them
        html = self._fragment(view.locale)(
            "board/_stats.html", participants=counts.participants,
            card_count=counts.cards.get(view.field, 0),
        )
        return [ServerSentEvent(data=html, event="stats")]

    def _fragment(self, locale: str) -> Callable[..., str]:
        def render(name: str, **context: object) -> str:
            return self.templates.render(name, locale=locale, **context)

        return render

    def catch_up(self, session: Session, workshop: Workshop, view: View, *, after: int,
                 latest: int) -> bytes:
        """What brings a client that has seen events up to `after` to the state at `latest`.

        Shared by every client of the view at that event id, except what changes without an
        event: the time left on the timer is taken anew for each client. A phone's plenary page
        is told whether themes changed since *it* last looked; the JSON state holds the timer.
        """
        key = (latest, view)
        phone_plenary = isinstance(view, PlenaryView) and view.phone
        shared = not (isinstance(view, ApiView) or phone_plenary)
        with self._lock:
            chunk = self._states.get(key) if shared else None
        if chunk is None:
            messages = self._state(session, workshop, view, after)
            for message in messages:
                message.id = str(latest)
            chunk = b"".join(message.encode() for message in messages)
            if shared:
                with self._lock:
                    self._states[key] = chunk
                    while len(self._states) > 256:
                        self._states.popitem(last=False)
        if isinstance(view, PlenaryView) or (isinstance(view, BoardView) and view.part != "cards"):
            timer = ServerSentEvent(data=self._fragment(view.locale)(
                "board/_timer.html", timer=phases.timer_state(workshop)), event="timer",
                id=str(latest))
            chunk += timer.encode()
        return chunk

    def _state(self, session: Session, workshop: Workshop, view: View, after: int) -> Messages:
        if isinstance(view, ApiView):
            data = public.state(session, workshop, view.audience)
            return [ServerSentEvent(data=json.dumps({"type": "state", "data": data},
                                                    ensure_ascii=False), event="state")]
        if isinstance(view, ConsoleView):  # it missed something: it loads its cards anew
            return [ServerSentEvent(data="", event="console-reload"),
                    ServerSentEvent(data="", event="statement-changed")]
        if isinstance(view, PlenaryConsoleView | SurveyView | WordsView):
            return [ServerSentEvent(data="", event="changed")]
        if isinstance(view, StatementView):
            found = workshops.find_field(session=session, workshop=workshop, key=view.field)
            if found is None:
                return []
            html = self._fragment(view.locale)(
                "statements/_phone.html", statement=statements.snapshot(session, workshop, found),
                viewer=view.viewer, workshop_slug=view.slug)
            return [ServerSentEvent(data=html, event="statement")]
        if isinstance(view, PlenaryView):
            return self._plenary_state(session, workshop, view, after)
        return self._board_state(session, workshop, view)

    def _live_status(self, workshop: Workshop, locale: str) -> Messages:
        """The phase (the timer is added fresh to each client's state, see catch_up)."""
        fragment = self._fragment(locale)
        return [ServerSentEvent(data=fragment("board/_phase.html", phase=workshop.phase,
                                              round=workshop.current_round,
                                              rounds=workshop.rounds), event="phase")]

    def _board_state(self, session: Session, workshop: Workshop, view: BoardView) -> Messages:
        found = workshops.find_field(session=session, workshop=workshop, key=view.field)
        if found is None:
            return []
        fragment = self._fragment(view.locale)

        def columns() -> Messages:
            shown = cards.list_cards(session=session, workshop=workshop, field=found.key,
                                     rounds=(view.round,) if view.round else None)
            return [ServerSentEvent(data=fragment("board/_column.html", category=category.key,
                                                  cards=[c for c in shown
                                                         if c.category == category.key]),
                                    event=f"column-{category.key}")
                    for category in workshops.categories_of(session=session, workshop=workshop)]

        if view.part == "cards":
            return columns()
        status = [
            *self._live_status(workshop, view.locale),
            ServerSentEvent(data=fragment("board/_posting.html",
                                          posting_open=workshop.posting_open), event="posting"),
            ServerSentEvent(data=fragment("board/_field_posting.html",
                                          field_posting_open=found.posting_open),
                            event="field-posting"),
            self._follow(workshop.phase, view.slug, "group", view.locale),
            self._offers(surveys.offers(session=session, workshop=workshop), view.slug,
                         view.locale),
        ]
        if view.part == "status":
            return status
        return [*columns(), *self._stats(cards.counts(session, workshop), view), *status,
                ServerSentEvent(data=fragment("statements/_board.html",
                                              statement=statements.snapshot(session, workshop,
                                                                            found)),
                                event="statement")]

    def _plenary_state(self, session: Session, workshop: Workshop, view: PlenaryView,
                       after: int) -> Messages:
        fragment = self._fragment(view.locale)
        remarks = [ServerSentEvent(data=fragment("plenary/_remarks.html", remarks=plenary.remarks(
            session=session, workshop=workshop)), event="remarks")]
        status = self._live_status(workshop, view.locale)
        if view.phone:
            status += [self._follow(workshop.phase, view.slug, view.page, view.locale),
                       self._offers(surveys.offers(session=session, workshop=workshop),
                                    view.slug, view.locale)]
            # The phone's themes are not live (each carries its own dot buttons): it is told
            # that there are new ones, as it would have been while connected.
            changed = session.exec(select(EventRecord.id).where(
                EventRecord.workshop_id == workshop.id, col(EventRecord.id) > after,
                EventRecord.kind == PlenaryChanged.kind).limit(1)).first()
            notice = ([ServerSentEvent(data=fragment("plenary/_notice.html"),
                                       event="plenary-notice")] if changed else [])
            return [*status, *notice, *remarks]
        totals = plenary.dot_totals(session, workshop)
        columns = [ServerSentEvent(data=fragment("plenary/_themes.html", column=column),
                                   event=f"plenary-column-{column.field}")
                   for column in plenary.columns(session=session, workshop=workshop,
                                                 totals=totals)]
        return [*columns, self._dot_scale(max(totals.values(), default=0), view), *status,
                *remarks]
