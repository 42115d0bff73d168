"""Cards: posting, limits, idempotency, permissions, and the events they publish."""

import threading

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app import cards
from app.db import Database
from app.errors import Conflict, InvalidInput, NotAllowed, NotFound
from app.live.events import CardPosted, events_since
from app.models import Card, EventRecord
from app.participants import facilitator_participant, join
from tests.conftest import RecordedEvents
from tests.factories import make_card, make_participant, make_workshop


def test_post_card_stores_cleaned_text_and_publishes_after_commit(
    session: Session, events: RecordedEvents
) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    card, created = cards.post_card(session=session, workshop=workshop, participant=participant,
                                    field="hf1", category="ideas", text="  <i>Dorfladen</i>\x07 ")
    assert events.published[-1].kind != "card-posted"  # nothing is published before the commit
    session.commit()
    assert created
    assert card.text == "<i>Dorfladen</i>"
    assert (card.field, card.category, card.author) == ("hf1", "ideas", participant.public_id)
    session.commit()
    posted = events.published[-1]
    assert isinstance(posted, CardPosted)
    assert posted.card == card
    assert posted.counts.cards == {"hf1": 1}
    stored = events_since(session, workshop_id=workshop.id or 0, after=0)
    assert stored[-1] == posted


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"text": "   "}, InvalidInput, "Bitte schreiben Sie einen Text"),
        ({"text": "\x00\x01"}, InvalidInput, "Bitte schreiben Sie einen Text"),
        ({"text": "x" * 501}, InvalidInput, "501 Zeichen lang; erlaubt sind höchstens 500"),
        ({"field": "hf9"}, InvalidInput, "Handlungsfeld „hf9“ gibt es"),
        ({"category": "risks"}, InvalidInput, "Kategorie „risks“ gibt es"),
        ({"client_id": "a b"}, InvalidInput, "client_id"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    session: Session, events: RecordedEvents, kwargs: dict[str, str], error: type[Exception],
    message: str,
) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    session.commit()
    before = len(events.published)
    arguments = {"field": "hf1", "category": "strengths", "text": "ok", **kwargs}
    session.commit()
    with pytest.raises(error, match=message):
        cards.post_card(session=session, workshop=workshop, participant=participant, **arguments)
    session.rollback()
    assert session.exec(select(Card)).all() == []
    session.commit()
    assert len(events.published) == before
    assert [r.kind for r in session.exec(select(EventRecord))] == ["participant-joined"]


def test_exactly_500_characters_are_allowed(session: Session) -> None:
    workshop = make_workshop(session)
    card = make_card(session, workshop, make_participant(session, workshop), text="ä" * 500)
    assert len(card.text) == 500


def test_same_client_id_returns_the_first_card(session: Session, events: RecordedEvents) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    first, created = cards.post_card(session=session, workshop=workshop, participant=participant,
                                     field="hf1", category="ideas", text="A", client_id="tap-1")
    session.commit()
    again, created_again = cards.post_card(session=session, workshop=workshop,
                                           participant=participant, field="hf1",
                                           category="ideas", text="A", client_id="tap-1")
    session.commit()
    assert created and not created_again
    assert again.id == first.id
    assert len(session.exec(select(Card)).all()) == 1
    session.commit()
    assert events.kinds().count("card-posted") == 1
    other = make_participant(session, workshop)
    theirs = make_card(session, workshop, other, client_id="tap-1")
    assert theirs.id != first.id  # client ids are per participant


def test_concurrent_retries_with_one_client_id_create_one_card(db: Database) -> None:
    with db.transaction() as session:
        workshop = make_workshop(session)
        participant = make_participant(session, workshop)
    results: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            with db.transaction() as own:
                card, _ = cards.post_card(session=own, workshop=workshop,
                                          participant=participant, field="hf1",
                                          category="ideas", text="Gleichzeitig",
                                          client_id="double-tap")
                own.commit()
                results.append(card.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 8
    with db.session() as session:
        assert len(session.exec(select(Card)).all()) == 1


def test_many_concurrent_posts_all_succeed(db: Database) -> None:
    with db.transaction() as session:
        workshop = make_workshop(session)
        people = [make_participant(session, workshop) for _ in range(10)]
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            for n in range(5):
                with db.transaction() as own:
                    cards.post_card(session=own, workshop=workshop, participant=people[index],
                                    field="hf1", category="ideas", text=f"{index}-{n}")
                    own.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.session() as session:
        assert len(session.exec(select(Card)).all()) == 50


def test_posting_closed_refuses_participants_but_not_facilitators(session: Session) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    workshop.posting_open = False
    session.add(workshop)
    session.commit()
    with pytest.raises(Conflict, match="geschlossen"):
        make_card(session, workshop, participant)
    session.rollback()
    facilitator = facilitator_participant(session=session, workshop=workshop)
    assert make_card(session, workshop, facilitator).author == facilitator.public_id


def test_a_retry_after_posting_closed_gets_the_stored_card(session: Session) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    first = make_card(session, workshop, participant, client_id="phone-1")
    workshop.posting_open = False
    session.add(workshop)
    session.commit()
    again, created = cards.post_card(session=session, workshop=workshop, participant=participant,
                                     field="hf1", category="strengths", text="Eine Karte",
                                     client_id="phone-1")
    assert (again.id, created) == (first.id, False)
    session.commit()
    with pytest.raises(Conflict, match="geschlossen"):
        make_card(session, workshop, participant, client_id="phone-2")


def test_unknown_field_or_category_is_named(session: Session) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    session.commit()
    with pytest.raises(InvalidInput, match="Handlungsfeld „hf9“"):
        make_card(session, workshop, participant, field="hf9")
    session.commit()
    with pytest.raises(InvalidInput, match="Kategorie „wishes“"):
        make_card(session, workshop, participant, category="wishes")


def test_counts_leave_out_hidden_cards(session: Session) -> None:
    workshop = make_workshop(session)
    author = make_participant(session, workshop)
    make_participant(session, workshop)
    kept = make_card(session, workshop, author, field="hf1")
    hidden = make_card(session, workshop, author, field="hf1")
    make_card(session, workshop, author, field="hf2")
    card = session.get(Card, hidden.id)
    assert card is not None
    card.hidden_at = card.created_at
    session.add(card)
    session.commit()
    assert cards.counts(session, workshop).cards == {"hf1": 1, "hf2": 1}
    assert cards.counts(session, workshop).participants == 2
    assert kept.id is not None


@pytest.mark.sqlite_only
def test_counts_read_only_the_index_of_visible_cards(session: Session) -> None:
    # The count runs inside every card's write transaction; it must stay an index-only read.
    workshop = make_workshop(session)
    statement = str(select(Card.field_id).where(Card.workshop_id == workshop.id,
                                                 cards.visible()).compile(session.get_bind()))
    plan = session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {statement}", (workshop.id,)).all()
    assert any("ix_card_visible" in str(row) for row in plan), plan


def test_edit_own_card_moves_column_and_publishes(session: Session, events: RecordedEvents) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    card = make_card(session, workshop, participant, category="strengths")
    edited = cards.edit_card(session=session, workshop=workshop, participant=participant,
                             card_id=card.id, text=" Neu ", category="weaknesses")
    session.commit()
    assert (edited.text, edited.category, edited.edited) == ("Neu", "weaknesses", True)
    session.commit()
    last = events.published[-1]
    assert last.kind == "card-edited"
    assert last.previous_category == "strengths"  # type: ignore[attr-defined]


def test_delete_own_card_hides_it_everywhere(session: Session, events: RecordedEvents) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    card = make_card(session, workshop, participant)
    cards.delete_card(session=session, workshop=workshop, participant=participant,
                      card_id=card.id)
    session.commit()
    assert cards.list_cards(session=session, workshop=workshop) == []
    session.commit()
    assert events.published[-1].counts.cards == {}  # type: ignore[attr-defined]
    session.commit()
    with pytest.raises(NotFound):
        cards.delete_card(session=session, workshop=workshop, participant=participant,
                          card_id=card.id)


def test_others_cards_cannot_be_changed(session: Session) -> None:
    workshop = make_workshop(session)
    owner, stranger = make_participant(session, workshop), make_participant(session, workshop)
    card = make_card(session, workshop, owner)
    session.commit()
    with pytest.raises(NotAllowed, match="eigenen Karten"):
        cards.edit_card(session=session, workshop=workshop, participant=stranger,
                        card_id=card.id, text="gekapert")
    session.commit()
    with pytest.raises(NotAllowed):
        cards.delete_card(session=session, workshop=workshop, participant=stranger,
                          card_id=card.id)
    other_workshop = make_workshop(session)
    outsider = join(session=session, workshop=other_workshop)
    session.commit()
    with pytest.raises(NotFound):
        cards.edit_card(session=session, workshop=other_workshop, participant=outsider,
                        card_id=card.id, text="x")
    assert cards.get_card(session=session, workshop=workshop, card_id=card.id).text == "Eine Karte"


def test_editing_is_closed_with_posting(session: Session) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    card = make_card(session, workshop, participant)
    workshop.posting_open = False
    session.add(workshop)
    session.commit()
    with pytest.raises(Conflict):
        cards.edit_card(session=session, workshop=workshop, participant=participant,
                        card_id=card.id, text="später")


def test_list_cards_filters_by_field_and_participant(session: Session) -> None:
    workshop = make_workshop(session)
    anna, ben = make_participant(session, workshop), make_participant(session, workshop)
    make_card(session, workshop, anna, field="hf1", text="1")
    make_card(session, workshop, ben, field="hf2", text="2")
    make_card(session, workshop, anna, field="hf2", text="3")
    assert [c.text for c in cards.list_cards(session=session, workshop=workshop)] == ["1", "2", "3"]
    assert [c.text for c in cards.list_cards(session=session, workshop=workshop,
                                             field="hf2")] == ["2", "3"]
    assert [c.text for c in cards.list_cards(session=session, workshop=workshop,
                                             participant=anna)] == ["1", "3"]


def test_own_cards_are_counted_in_the_fields_group(session: Session) -> None:
    workshop = make_workshop(session)
    anna, ben = make_participant(session, workshop), make_participant(session, workshop)
    make_card(session, workshop, anna, field="hf1", text="1")
    make_card(session, workshop, anna, field="hf1", text="2")
    make_card(session, workshop, ben, field="hf1", text="3")
    make_card(session, workshop, anna, field="hf2", text="4")
    assert cards.count_own(session=session, field="hf1", participant=anna) == 2
    assert cards.count_own(session=session, field="hf2", participant=ben) == 0
    other = make_workshop(session)
    assert cards.list_cards(session=session, workshop=other, participant=anna) == []


@pytest.mark.sqlite_only
def test_own_cards_are_read_by_the_participants_index(session: Session) -> None:
    # A phone's post lists and counts its own cards: by the participant's index, not by
    # reading every card of the workshop (that cost grew with each card in the room).
    workshop = make_workshop(session)
    anna = make_participant(session, workshop)
    make_card(session, workshop, anna, field="hf1")
    statements: list[tuple[str, object]] = []

    def grab(_conn: object, _cursor: object, statement: str, parameters: object,
             *_args: object) -> None:
        if statement.startswith("SELECT"):
            statements.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", grab)
    try:
        cards.list_cards(session=session, workshop=workshop, field="hf1", participant=anna)
        cards.count_own(session=session, field="hf1", participant=anna)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert len(statements) == 2
    for statement, parameters in statements:
        plan = " ".join(str(row) for row in session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters).all())  # type: ignore[arg-type]
        assert "SEARCH card USING INDEX ix_card_participant_id" in plan, plan


def test_own_cards_can_be_deleted_after_the_event_and_when_hidden(session: Session) -> None:
    """What one wrote stays one's own: deleting works with posting closed and after the
    facilitator hid the card; changing it does not."""
    from app import facilitation, moderation
    from app.access import MAIN
    from app.errors import Conflict

    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    first = make_card(session, workshop, participant, text="Eins")
    second = make_card(session, workshop, participant, text="Zwei")
    moderation.set_hidden(session=session, workshop=workshop, facilitator=MAIN,
                          card_ids=[second.id], hidden=True)
    facilitation.set_posting_open(session=session, workshop=workshop, posting_open=False)
    with pytest.raises(Conflict):
        cards.edit_card(session=session, workshop=workshop, participant=participant,
                        card_id=first.id, text="Geändert")
    for card in (first, second):
        cards.delete_card(session=session, workshop=workshop, participant=participant,
                          card_id=card.id)
    session.commit()
    assert cards.list_cards(session=session, workshop=workshop) == []
