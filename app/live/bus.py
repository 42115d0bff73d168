"""The in-process event bus: services publish from worker threads after their commit, every
stream of the workshop gets the event on its asyncio queue."""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from app.live.events import (
    DomainEvent,
)

QUEUE_LIMIT = 2000  # a board this far behind is dropped and catches up from the table

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
