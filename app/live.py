"""Live updates: the event bus, and the server-sent event streams that boards and tools follow.

A service's event reaches the bus after its commit; every subscriber of that workshop gets it
on an asyncio queue. Each kind of view (a field's board in one language, the JSON API) turns
the event into SSE messages once, and all subscribers of that view share the result.
"""

import asyncio
import json
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sse_starlette import ServerSentEvent
from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.events import (
    BoardChanged,
    CardDeleted,
    CardEdited,
    CardPosted,
    CardSnapshot,
    Counts,
    DomainEvent,
    FieldPostingChanged,
    ParticipantJoined,
    PhaseChanged,
    PlenaryChanged,
    PostingChanged,
    ProposalsChanged,
    RemarksChanged,
    StatementChanged,
    SurveyChanged,
    ThemeDotsChanged,
    TimerChanged,
    events_since,
)
from app.templating import Templates

QUEUE_LIMIT = 2000  # a board this far behind is dropped and catches up from the table
REPLAY_PAGE = 1000
RETRY_MS = 2000


@dataclass(eq=False)
class Subscription:
    queue: asyncio.Queue[DomainEvent] = field(default_factory=asyncio.Queue)
    overflowed: bool = False
    # Asked before an event is queued: a stream that would send nothing is not woken. In a
    # room each card concerns one field's boards and phones, not the other four fields' ones.
    wants: Callable[[DomainEvent], bool] | None = None


class LocalBus:
    """The in-process event bus: services publish from worker threads, streams await."""

    def __init__(self) -> None:
        self._subscribers: dict[int, set[Subscription]] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish(self, event: DomainEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(event.workshop_id, ()))
        if subscribers and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(_deliver, subscribers, event)

    @asynccontextmanager
    async def subscribe(self, workshop_id: int, wants: Callable[[DomainEvent], bool] | None = None
                        ) -> AsyncIterator[Subscription]:
        subscription = Subscription(wants=wants)
        with self._lock:
            self._subscribers.setdefault(workshop_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscribers.get(workshop_id, set()).discard(subscription)

    def subscriber_count(self, workshop_id: int) -> int:
        with self._lock:
            return len(self._subscribers.get(workshop_id, ()))


def _deliver(subscribers: list[Subscription], event: DomainEvent) -> None:
    for subscription in subscribers:
        try:
            if subscription.wants is not None and not subscription.wants(event):
                continue
        except Exception:  # the stream renders it again itself and fails alone, as before
            pass
        if subscription.queue.qsize() >= QUEUE_LIMIT:
            subscription.overflowed = True
        else:
            subscription.queue.put_nowait(event)


@dataclass(frozen=True)
class BoardView:
    """The board of one field in one language, all rounds or one; phones embed it too."""

    field: str
    locale: str
    round: int | None = None

    def shows(self, card: CardSnapshot) -> bool:
        return card.field == self.field and (self.round is None or card.round == self.round)


@dataclass(frozen=True)
class ConsoleView:
    """A field's moderation console: told that something changed, it reloads its list."""

    field: str


@dataclass(frozen=True)
class StatementView:
    """A phone's view of its field's guiding sentence, with that participant's support."""

    field: str
    locale: str
    viewer: str  # the participant's public id
    slug: str


@dataclass(frozen=True)
class PlenaryView:
    """The plenary board in one language; on phones (`phone`) only what is the same for all."""

    locale: str
    phone: bool = False


@dataclass(frozen=True)
class PlenaryConsoleView:
    """The plenary console: told that proposals, themes, dots or remarks changed."""


@dataclass(frozen=True)
class SurveyView:
    """A survey's projector page: told when its results changed, it refetches them."""

    survey: int


@dataclass(frozen=True)
class ApiView:
    """Every event of the workshop as JSON."""


View = (BoardView | ConsoleView | StatementView | PlenaryView | PlenaryConsoleView | SurveyView
        | ApiView)
_PLENARY_EVENTS = (PlenaryChanged, ThemeDotsChanged, RemarksChanged, ProposalsChanged)
Messages = list[ServerSentEvent]


class Views:
    """Turns events into SSE messages, once per (event, view)."""

    def __init__(self, templates: Templates, cache_size: int = 4096) -> None:
        self.templates = templates
        self._cache: OrderedDict[tuple[int, View], tuple[Messages, bytes]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def render(self, event: DomainEvent, view: View) -> Messages:
        return self._rendered(event, view)[0]

    def chunk(self, event: DomainEvent, view: View) -> bytes:
        """The messages as they go over the wire, encoded once for every subscriber: each
        stream sends them in one write (a phone gets a new card and the counts at once)."""
        return self._rendered(event, view)[1]

    def _rendered(self, event: DomainEvent, view: View) -> tuple[Messages, bytes]:
        key = (event.id, view)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        if isinstance(view, ApiView):
            messages = self._api(event)
        elif isinstance(view, ConsoleView):
            messages = self._console(event, view)
        elif isinstance(view, PlenaryConsoleView):
            changed = isinstance(event, _PLENARY_EVENTS)
            messages = [ServerSentEvent(data="", event="changed")] if changed else []
        elif isinstance(view, PlenaryView):
            messages = self._plenary(event, view)
        elif isinstance(view, SurveyView):
            concerned = isinstance(event, SurveyChanged) and event.survey == view.survey
            messages = [ServerSentEvent(data="", event="changed")] if concerned else []
        elif isinstance(view, StatementView):
            messages = []
            if isinstance(event, StatementChanged) and event.field == view.field:
                html = self._fragment(view.locale)("statements/_phone.html", s=event,
                                                   viewer=view.viewer, s_slug=view.slug)
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

    @staticmethod
    def _api(event: DomainEvent) -> Messages:
        data = json.dumps({"id": event.id, "type": event.kind, "data": event.payload()},
                          ensure_ascii=False)
        return [ServerSentEvent(data=data, event=event.kind)]

    @staticmethod
    def _console(event: DomainEvent, view: ConsoleView) -> Messages:
        if isinstance(event, CardPosted | CardEdited | CardDeleted):
            concerned = event.card.field == view.field
        elif isinstance(event, BoardChanged):
            concerned = any(column.field == view.field for column in event.columns)
        elif isinstance(event, StatementChanged):
            return ([ServerSentEvent(data="", event="statement-changed")]
                    if event.field == view.field else [])
        else:
            concerned = isinstance(event, FieldPostingChanged) and event.field == view.field
        return [ServerSentEvent(data="", event="changed")] if concerned else []

    def _board(self, event: DomainEvent, view: BoardView) -> Messages:
        fragment = self._fragment(view.locale)
        if isinstance(event, CardPosted):
            if not (view.shows(event.card) and event.card.visible):
                return []
            return [
                ServerSentEvent(data=fragment("board/_card.html", card=event.card, arrived=True),
                                event=f"card-new-{event.card.category}"),
                self._stats(event.counts, view),
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
                    self._stats(event.counts, view)]
        if isinstance(event, BoardChanged):
            return self._columns(event, view)
        if isinstance(event, ParticipantJoined):
            return [self._stats(event.counts, view)]
        if isinstance(event, PostingChanged):
            html = fragment("board/_posting.html", posting_open=event.posting_open)
            return [ServerSentEvent(data=html, event="posting")]
        if isinstance(event, FieldPostingChanged) and event.field == view.field:
            html = fragment("board/_field_posting.html", field_posting_open=event.posting_open)
            return [ServerSentEvent(data=html, event="field-posting")]
        if isinstance(event, StatementChanged) and event.field == view.field:
            return [ServerSentEvent(data=fragment("statements/_board.html", s=event),
                                    event="statement")]
        if isinstance(event, PhaseChanged):
            html = fragment("board/_phase.html", phase=event.phase, round=event.round,
                            rounds=event.rounds)
            return [ServerSentEvent(data=html, event="phase")]
        if isinstance(event, TimerChanged):
            return [ServerSentEvent(data=fragment("board/_timer.html", timer=event.timer),
                                    event="timer")]
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
        if isinstance(event, PhaseChanged | TimerChanged):
            return self._board(event, BoardView(field="", locale=view.locale))
        return []

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
        return [*messages, self._stats(event.counts, view)] if messages else []

    def _stats(self, counts: Counts, view: BoardView) -> ServerSentEvent:
        html = self._fragment(view.locale)(
            "board/_stats.html", participants=counts.participants,
            card_count=counts.cards.get(view.field, 0),
        )
        return ServerSentEvent(data=html, event="stats")

    def _fragment(self, locale: str) -> Callable[..., str]:
        def render(name: str, **context: object) -> str:
            return self.templates.render(name, locale=locale, **context)

        return render


async def stream(
    *, bus: LocalBus, db: Database, views: Views, workshop_id: int, after: int, view: View
) -> AsyncIterator[ServerSentEvent | bytes]:
    """Replay what the client missed since `after`, then follow the bus until it disconnects."""
    async with bus.subscribe(workshop_id,
                             wants=lambda event: bool(views.chunk(event, view))) as subscription:
        yield ServerSentEvent(retry=RETRY_MS)  # reconnect quickly after a drop
        last = after
        while True:
            missed = await run_in_threadpool(load_since, db, workshop_id, last)
            for event in missed:
                if chunk := views.chunk(event, view):
                    yield chunk
                last = event.id
            if len(missed) < REPLAY_PAGE:
                break
        while not subscription.overflowed:
            queued = [await subscription.queue.get()]
            # What queued up while this stream waited for its turn goes out in one write: under
            # load the socket writes, not the rendering, are what each stream costs.
            while not subscription.queue.empty():
                queued.append(subscription.queue.get_nowait())
            # Events up to `last` were already sent during the replay.
            if chunk := b"".join(views.chunk(event, view) for event in queued if event.id > last):
                yield chunk
            last = max(last, *(event.id for event in queued))


def load_since(db: Database, workshop_id: int, after: int) -> list[DomainEvent]:
    """At most REPLAY_PAGE events after `after`, in a session that closes at once."""
    with db.session() as session:
        return events_since(session, workshop_id=workshop_id, after=after, limit=REPLAY_PAGE)
