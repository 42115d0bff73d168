"""The event bus across server processes: PostgreSQL's LISTEN/NOTIFY, with the event table as truth.

A transaction that records an event (`events.record`) takes its workshop's advisory lock first,
so the events of one workshop get their ids in commit order, and sends
`NOTIFY zukunft_events, '<workshop>:<id>'`, which PostgreSQL delivers at commit. Every process
listens on one connection of its own. A notification only says "there is news up to this id":
the listener reads the events after the last one it delivered from the table, so a notification
lost while the connection was down costs nothing; after reconnecting it catches up the same way.
"""

import logging
import threading

import psycopg
from sqlalchemy.engine import make_url

from app.db import Database
from app.live.events import CHANNEL, DomainEvent
from app.live.stream import REPLAY_PAGE, LocalBus, load_since

log = logging.getLogger(__name__)

LISTENER_NAME = "zukunft-listener"  # in pg_stat_activity


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg expects it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresBus(LocalBus):
    """Delivers to this process's streams what any process committed.

    `publish` (called after a local commit) does nothing: the local events come back through
    the listener like everybody else's, so a stream sees each workshop's events in id order.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self._conninfo = libpq_url(url)
        self._db: Database | None = None
        self._baseline: int | None = None  # the newest event when the listener first connected
        self._cursors: dict[int, int] = {}  # workshop id -> last event id read for it
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def start(self, db: Database) -> None:
        """Listen in a thread of its own, reading new events from `db`."""
        self._db = db
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="event-listener", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def publish(self, event: DomainEvent) -> None:
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True,
                                     application_name=LISTENER_NAME) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if self._baseline is None:
                        row = conn.execute("SELECT coalesce(max(id), 0) FROM event").fetchone()
                        self._baseline = int(row[0]) if row else 0
                    for workshop_id in list(self._cursors):
                        self._catch_up(workshop_id)  # what was committed while we were away
                    self.connected.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.2):
                            workshop, _, event = note.payload.partition(":")
                            if workshop.isdigit() and event.isdigit():
                                self._notified(int(workshop), int(event))
            except Exception:
                # The listening connection or a catch-up read failed (database restarted,
                # network gone): nothing is lost, the next connection catches up from the table.
                self.connected.clear()
                if not self._stop.is_set():
                    log.warning("event listener interrupted; reconnecting", exc_info=True)
                    self._stop.wait(1)

    def _notified(self, workshop_id: int, event_id: int) -> None:
        if self._cursors.get(workshop_id, self._baseline or 0) >= event_id:
            return  # read together with an earlier notification
        if self.subscriber_count(workshop_id) == 0:
            # Nobody here follows this workshop; a stream that starts later replays the table.
            self._cursors[workshop_id] = event_id
            return
        self._catch_up(workshop_id)

    def _catch_up(self, workshop_id: int) -> None:
        assert self._db is not None
        while True:
            events = load_since(self._db, workshop_id,
                                self._cursors.get(workshop_id, self._baseline or 0))
            for event in events:
                LocalBus.publish(self, event)
                self._cursors[workshop_id] = event.id
            if len(events) < REPLAY_PAGE:
                return
