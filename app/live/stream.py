"""The live way of an event: the in-process bus (services publish from worker threads after
their commit; the event is rendered once per view and put, as sent, on the asyncio queue of
every stream of that view that would send something), and a stream:
the client's catch-up (the view's current state, never the history), then the bus until it
disconnects or, for a facilitator's stream, until their session or link ends."""

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sse_starlette import ServerSentEvent
from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.live.events import (
    DomainEvent,
    events_since,
    latest_event_id,
)
from app.live.render import Views
from app.live.views import View
from app.models import Workshop

QUEUE_LIMIT = 2000  # a board this far behind is dropped and catches up from the table
log = logging.getLogger(__name__)

Render = Callable[[DomainEvent], bytes]
# What a subscriber gets: the event, and what its view sends for it (None: not rendered here).
Delivery = tuple[DomainEvent, bytes | None]


@dataclass(eq=False)
class Subscription:
    queue: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)
    overflowed: bool = False


@dataclass(eq=False)
class _Audience:
    """The subscribers of one view: an event is rendered once for all of them, and not at all
    when it is not of the kinds the view can show (a card for a phone's guiding sentence)."""

    render: Render | None
    kinds: tuple[type[DomainEvent], ...] | None
    members: set[Subscription] = field(default_factory=set)


class LocalBus:
    """The in-process event bus: services publish from worker threads, streams await.

    Subscribers are grouped by what they watch (`key`, a view): in a room each card concerns
    one field's boards and phones, and 1,000 phones of five fields are a handful of views.
    """

    def __init__(self) -> None:
        self._audiences: dict[int, dict[Hashable, _Audience]] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish(self, event: DomainEvent) -> None:
        with self._lock:
            audiences = list(self._audiences.get(event.workshop_id, {}).values())
        if audiences and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(_deliver, audiences, event)

    @asynccontextmanager
    async def subscribe(self, workshop_id: int, key: Hashable = None, render: Render | None = None,
                        kinds: tuple[type[DomainEvent], ...] | None = None
                        ) -> AsyncIterator[Subscription]:
        """Follow a workshop's events as `key` sees them: `render` turns one into what it sends
        (b"": nothing, and the subscriber is not woken); `kinds`: the only events it shows."""
        subscription = Subscription()
        name = subscription if key is None else key
        with self._lock:
            audiences = self._audiences.setdefault(workshop_id, {})
            audience = audiences.get(name)
            if audience is None:
                audience = audiences[name] = _Audience(render, kinds)
            audience.members.add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                audience.members.discard(subscription)
                audiences = self._audiences.get(workshop_id, {})
                if not audience.members and audiences.get(name) is audience:
                    del audiences[name]
                    if not audiences:
                        self._audiences.pop(workshop_id, None)

    def subscriber_count(self, workshop_id: int) -> int:
        with self._lock:
            return sum(len(a.members) for a in self._audiences.get(workshop_id, {}).values())


def _deliver(audiences: list[_Audience], event: DomainEvent) -> None:
    for audience in audiences:
        if audience.kinds is not None and not isinstance(event, audience.kinds):
            continue
        chunk: bytes | None = None
        if audience.render is not None:
            try:
                chunk = audience.render(event)
            except Exception:  # each stream renders it again itself and fails alone
                log.exception("rendering event %s failed", event.id)
                chunk = None
            else:
                if not chunk:
                    continue  # nothing to send: not woken
        for subscription in list(audience.members):
            if subscription.queue.qsize() >= QUEUE_LIMIT:
                subscription.overflowed = True
            else:
                subscription.queue.put_nowait((event, chunk))


REPLAY_PAGE = 1000
RETRY_MS = 2000

# A facilitator's stream asks again whether they may follow it: before it sends anything, once
# a second at most, and every few seconds while quiet.
RECHECK_SECONDS = 1.0
IDLE_RECHECK_SECONDS = 5.0


async def stream(
    *, bus: LocalBus, db: Database, views: Views, workshop_id: int, after: int, view: View,
    still_allowed: Callable[[], bool] | None = None,
) -> AsyncIterator[ServerSentEvent | bytes]:
    """Bring the client up to date if it missed anything since `after`, then follow the bus
    until it disconnects – or, for a stream only facilitators may follow (`still_allowed`),
    until their session or link ends: asked before anything is sent, and while quiet."""
    checked = time.monotonic()

    async def allowed() -> bool:
        nonlocal checked
        if still_allowed is None or time.monotonic() - checked < RECHECK_SECONDS:
            return True
        checked = time.monotonic()
        return await run_in_threadpool(still_allowed)

    async with bus.subscribe(workshop_id, view, lambda event: views.chunk(event, view),
                             kinds=view.kinds()) as subscription:
        yield ServerSentEvent(retry=RETRY_MS)  # reconnect quickly after a drop
        chunk, last = await run_in_threadpool(catch_up, db, views, workshop_id, after, view)
        if chunk:
            yield chunk
        while not subscription.overflowed:
            if still_allowed is None:  # the public's streams: nothing to check, no timer
                queued = [await subscription.queue.get()]
            else:
                try:
                    queued = [await asyncio.wait_for(subscription.queue.get(),
                                                     timeout=IDLE_RECHECK_SECONDS)]
                except TimeoutError:
                    if not await allowed():
                        return
                    continue
            # What queued up while this stream waited for its turn goes out in one write: under
            # load the socket writes, not the rendering, are what each stream costs.
            while not subscription.queue.empty():
                queued.append(subscription.queue.get_nowait())
            if not await allowed():
                return  # signed out or link revoked: nothing more of the workshop
            # Events up to `last` are part of the state sent on connecting.
            if chunk := b"".join(views.chunk(event, view) if rendered is None else rendered
                                 for event, rendered in queued if event.id > last):
                yield chunk
            last = max(last, *(event.id for event, _ in queued))


def catch_up(db: Database, views: Views, workshop_id: int, after: int, view: View
             ) -> tuple[bytes, int]:
    """The view's state if anything happened after `after`, and the event id it is at.

    The id is read before the state, in the same transaction: on SQLite both see one snapshot;
    on PostgreSQL the state may already hold an event after it, which then also arrives live
    and is applied twice (a board skips a card it shows; everything else is redrawn whole).
    """
    with db.session() as session:
        latest = latest_event_id(session, workshop_id=workshop_id)
        if latest == after:
            return b"", after
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            return b"", after
        return views.catch_up(session, workshop, view, after=after, latest=latest), latest


def load_since(db: Database, workshop_id: int, after: int) -> list[DomainEvent]:
    """At most REPLAY_PAGE events after `after`, in a session that closes at once."""
    with db.session() as session:
        return events_since(session, workshop_id=workshop_id, after=after, limit=REPLAY_PAGE)
