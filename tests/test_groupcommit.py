"""Group commit: card posts that arrive while a commit is being written share the next one."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app import cards
from app.db import Database
from app.db.database import GroupCommit
from app.db.unit import savepoint
from app.errors import InvalidInput
from app.live.events import CardPosted, CardSnapshot
from app.models import Card, EventRecord, Participant, Workshop
from app.workshops import get_workshop
from tests.conftest import RecordedEvents
from tests.factories import make_participant, make_workshop

pytestmark = pytest.mark.sqlite_only  # PostgreSQL commits side by side: no group there


def _setup(db: Database, people: int) -> tuple[str, list[int]]:
    with db.transaction() as session:
        workshop = make_workshop(session)
        ids = [make_participant(session, workshop, f"P{n}").id for n in range(people)]
        return workshop.slug, [i for i in ids if i is not None]


def _poster(slug: str, participant_id: int, text_: str, client_id: str | None = None,
            rate_limit: Callable[[str], None] | None = None
            ) -> Callable[[Session], tuple[CardSnapshot, bool]]:
    def work(session: Session) -> tuple[CardSnapshot, bool]:
        participant = session.get(Participant, participant_id)
        assert participant is not None
        return cards.post_card(session=session,
                               workshop=get_workshop(session=session, slug=slug),
                               participant=participant, field="hf1", category="ideas",
                               text=text_, client_id=client_id, rate_limit=rate_limit)
    return work


class Batch:
    """Holds the first call inside its transaction until the others have queued behind it."""

    def __init__(self, db: Database) -> None:
        assert db.group_commit is not None
        self.group: GroupCommit = db.group_commit
        self.db = db
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.results: dict[int, Any] = {}
        self.threads: list[threading.Thread] = []

    def first(self, work: Callable[[Session], Any]) -> None:
        def held(session: Session) -> Any:
            result = work(session)
            self.entered.set()
            assert self.gate.wait(10)
            return result
        self._start(0, held)
        assert self.entered.wait(5)

    def then(self, works: list[Callable[[Session], Any]]) -> None:
        for n, work in enumerate(works, start=1):
            self._start(n, work)
            # one by one, so that they queue in this order
            deadline = time.monotonic() + 5
            while self._queued() < n and time.monotonic() < deadline:
                time.sleep(0.002)
            assert self._queued() == n

    def finish(self) -> dict[int, Any]:
        self.gate.set()
        for thread in self.threads:
            thread.join(10)
        return self.results

    def _queued(self) -> int:
        return len(self.group._queue)

    def _start(self, n: int, work: Callable[[Session], Any]) -> None:
        def run() -> None:
            try:
                self.results[n] = self.db.commit_together(work)
            except Exception as exc:
                self.results[n] = exc
        thread = threading.Thread(target=run)
        thread.start()
        self.threads.append(thread)


def test_posts_that_arrive_during_a_commit_share_the_next_one(
        db: Database, events: RecordedEvents) -> None:
    """Eleven posts, two transactions: the first alone, then the ten that queued behind it."""
    slug, people = _setup(db, 11)
    events.published.clear()
    batch = Batch(db)
    batch.first(_poster(slug, people[0], "Erste"))
    batch.then([_poster(slug, people[n], f"Karte {n}") for n in range(1, 11)])
    results = batch.finish()

    assert db.group_commit is not None
    assert (db.group_commit.batches, db.group_commit.calls) == (2, 11)
    posted = [results[n][0] for n in range(11)]
    assert all(created for _, created in results.values())
    with db.session() as session:
        stored = session.exec(select(Card.id, Card.text).order_by(col(Card.id))).all()
    assert [(card.id, card.text) for card in posted] == [tuple(row) for row in stored]
    # One event per card, in commit order, each counting the cards up to its own.
    published = [event for event in events.published if isinstance(event, CardPosted)]
    assert [event.card.id for event in published] == [card.id for card in posted]
    assert [event.counts.cards["hf1"] for event in published] == list(range(1, 12))
    assert [event.id for event in published] == sorted(event.id for event in published)


def test_a_failing_post_fails_alone(db: Database, events: RecordedEvents) -> None:
    """An empty card and a rate-limited one in the middle of a batch: the rest is stored."""
    slug, people = _setup(db, 4)
    events.published.clear()

    def limited(public_id: str) -> None:
        raise InvalidInput("Zu viele Karten.")

    batch = Batch(db)
    batch.first(_poster(slug, people[0], "Erste"))
    batch.then([_poster(slug, people[1], "   "),
                _poster(slug, people[3], "Zu viel", rate_limit=limited),
                _poster(slug, people[2], "Dritte")])
    results = batch.finish()

    assert isinstance(results[1], InvalidInput)
    assert isinstance(results[2], InvalidInput)
    with db.session() as session:
        assert session.exec(select(Card.text).order_by(col(Card.id))).all() == ["Erste", "Dritte"]
        assert session.exec(select(func.count()).select_from(EventRecord)
                            .where(EventRecord.kind == "card-posted")).one() == 2
    published = [event.card.text for event in events.published if isinstance(event, CardPosted)]
    assert published == ["Erste", "Dritte"]


def test_a_retried_client_id_in_the_same_batch_gets_the_first_card(db: Database) -> None:
    """A double tap whose two posts land in one transaction stores one card."""
    slug, people = _setup(db, 1)
    batch = Batch(db)
    batch.first(_poster(slug, people[0], "Vorweg"))
    batch.then([_poster(slug, people[0], "Doppelt", "tap-1"),
                _poster(slug, people[0], "Doppelt", "tap-1")])
    results = batch.finish()

    first, again = results[1], results[2]
    assert first[1] is True and again == (first[0], False)
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Card)
                            .where(Card.client_id == "tap-1")).one() == 1


def test_a_failed_commit_fails_its_whole_batch_and_the_next_batch_works(
        db: Database, events: RecordedEvents) -> None:
    """Nobody is told a card was stored whose transaction did not commit."""
    slug, people = _setup(db, 3)
    events.published.clear()

    def breaks_the_commit(session: Session) -> None:
        # A deferred foreign key is checked at COMMIT, which then fails for the whole batch.
        session.execute(text("PRAGMA defer_foreign_keys=ON"))
        session.execute(text("UPDATE card SET participant_id = 999999 WHERE id = "
                             "(SELECT max(id) FROM card)"))

    batch = Batch(db)
    batch.first(_poster(slug, people[0], "Erste"))
    batch.then([_poster(slug, people[1], "Zweite"), breaks_the_commit])
    results = batch.finish()

    assert isinstance(results[0], tuple)  # the first batch committed
    assert isinstance(results[1], IntegrityError)
    assert isinstance(results[2], IntegrityError)
    assert [event.card.text for event in events.published
            if isinstance(event, CardPosted)] == ["Erste"]
    posted, created = db.commit_together(_poster(slug, people[2], "Danach"))
    assert created and posted.text == "Danach"
    with db.session() as session:
        assert session.exec(select(Card.text).order_by(col(Card.id))).all() == ["Erste", "Danach"]


def test_concurrent_posts_from_many_threads_are_all_stored_once(
        db: Database, events: RecordedEvents) -> None:
    """Forty posts from eight threads at once: every one stored and published exactly once."""
    slug, people = _setup(db, 8)
    events.published.clear()
    answers: list[CardSnapshot] = []
    lock = threading.Lock()

    def post_five(n: int) -> None:
        for k in range(5):
            card, _ = db.commit_together(_poster(slug, people[n], f"{n}-{k}", f"c{n}-{k}"))
            with lock:
                answers.append(card)

    threads = [threading.Thread(target=post_five, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert db.group_commit is not None and db.group_commit.calls == 40
    assert db.group_commit.batches <= 40
    published = [event for event in events.published if isinstance(event, CardPosted)]
    assert sorted(card.id for card in answers) == [event.card.id for event in published]
    assert [event.counts.cards["hf1"] for event in published] == list(range(1, 41))
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Card)).one() == 40


def test_savepoint_keeps_events_until_the_commit(db: Database, events: RecordedEvents) -> None:
    """A released SAVEPOINT publishes nothing yet; a rolled-back one drops only its events."""
    with db.transaction() as session:
        workshop = make_workshop(session)
        author = make_participant(session, workshop)
    events.published.clear()

    def post(session: Session, words: str) -> None:
        workshop_ = session.get(Workshop, workshop.id)
        author_ = session.get(Participant, author.id)
        assert workshop_ is not None and author_ is not None
        cards.post_card(session=session, workshop=workshop_, participant=author_, field="hf1",
                        category="ideas", text=words)

    with db.session(write=True) as session:
        with savepoint(session):
            post(session, "Bleibt")
        assert events.published == []
        with pytest.raises(RuntimeError), savepoint(session):
            post(session, "Fällt weg")
            raise RuntimeError("abgebrochen")
        assert session.in_transaction() and not session.in_nested_transaction()
        session.commit()
    assert [event.card.text for event in events.published
            if isinstance(event, CardPosted)] == ["Bleibt"]
