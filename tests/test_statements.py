"""Guiding sentences: propose, support and withdraw (also concurrently), draft, adopt, history."""

import threading

import pytest
from sqlmodel import Session, select

from app import phases, statements
from app.access import MAIN, Facilitator
from app.db import Database
from app.errors import Conflict, InvalidInput, NotAllowed
from app.live.events import StatementChanged, events_since
from app.models import EventRecord, StatementSupport, Workshop
from app.text import join_sentence
from app.workshops import get_field
from tests.conftest import RecordedEvents
from tests.factories import make_participant, make_workshop


@pytest.fixture
def westharz(session: Session) -> Workshop:
    return make_workshop(session, westharz=True)


def test_stem_and_full_sentence(session: Session, westharz: Workshop) -> None:
    field = get_field(session=session, workshop=westharz, key="hf1")
    stem = statements.stem(westharz, field)
    assert stem == "Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass …"
    completion = ("die Region attraktiv und lebenswert für alle Generationen bleibt und wir "
                  "neue Konzeptideen verwirklichen können.")
    assert join_sentence(stem, "… " + completion) == (
        "Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass " + completion)


def test_propose_support_rank_and_withdraw(session: Session, westharz: Workshop,
                                           events: RecordedEvents) -> None:
    anna, ben, cem = (make_participant(session, westharz) for _ in range(3))
    first = statements.propose(session=session, workshop=westharz, participant=anna,
                               field="hf1", text="… die Region <lebenswert> bleibt.")
    assert first.text == "die Region <lebenswert> bleibt."
    second = statements.propose(session=session, workshop=westharz, participant=ben,
                                field="hf1", text="alle Generationen gut leben.")
    for person in (anna, ben, cem):
        statements.support(session=session, workshop=westharz, participant=person,
                           proposal_id=second.id or 0)
    statements.support(session=session, workshop=westharz, participant=anna,
                       proposal_id=first.id or 0)
    session.commit()
    with pytest.raises(Conflict, match="schon"):
        statements.support(session=session, workshop=westharz, participant=anna,
                           proposal_id=first.id or 0)
    field = get_field(session=session, workshop=westharz, key="hf1")
    ranked = statements.ranked(session=session, field=field)
    assert [(p.text, p.support) for p in ranked] == [("alle Generationen gut leben.", 3),
                                                     ("die Region <lebenswert> bleibt.", 1)]
    statements.withdraw(session=session, workshop=westharz, participant=ben,
                        proposal_id=second.id or 0)
    assert statements.ranked(session=session, field=field)[0].support == 2
    session.commit()
    with pytest.raises(Conflict, match="nicht"):
        statements.withdraw(session=session, workshop=westharz, participant=ben,
                            proposal_id=second.id or 0)
    session.commit()
    last = events.published[-1]
    assert isinstance(last, StatementChanged) and last.field == "hf1" and last.state.open


@pytest.mark.parametrize(("text", "message"), [("  ", "ergänzen Sie den Satz"),
                                               ("… ", "ergänzen Sie den Satz"),
                                               ("x" * 401, "Höchstens 400")])
def test_bad_proposals(session: Session, westharz: Workshop, text: str, message: str) -> None:
    anna = make_participant(session, westharz)
    session.commit()
    with pytest.raises(InvalidInput, match=message):
        statements.propose(session=session, workshop=westharz, participant=anna, field="hf1",
                           text=text)


def test_closed_statement_phase(session: Session, westharz: Workshop) -> None:
    anna = make_participant(session, westharz)
    phases.set_phase(session=session, workshop=westharz, facilitator=MAIN, phase="plenary")
    session.commit()
    with pytest.raises(Conflict, match="keine Leitsätze"):
        statements.propose(session=session, workshop=westharz, participant=anna, field="hf2",
                           text="x")
    session.rollback()
    field = get_field(session=session, workshop=westharz, key="hf2")
    statements.set_open(session=session, workshop=westharz, facilitator=MAIN, field=field,
                        open_=True)
    statements.propose(session=session, workshop=westharz, participant=anna, field="hf2",
                       text="x")
    session.commit()
    with pytest.raises(InvalidInput, match="„hf9“"):
        statements.propose(session=session, workshop=westharz, participant=anna, field="hf9",
                           text="x")


def test_draft_adopt_and_history(session: Session, westharz: Workshop,
                                 events: RecordedEvents) -> None:
    field = get_field(session=session, workshop=westharz, key="hf1")
    statements.set_draft(session=session, workshop=westharz, facilitator=MAIN, field=field,
                         text="die Region attraktiv bleibt")
    session.commit()
    assert events.published[-1].state.draft == "die Region attraktiv bleibt"  # type: ignore[attr-defined]
    first = statements.adopt(session=session, workshop=westharz, facilitator=MAIN, field=field,
                             text="die Region attraktiv bleibt.")
    second = statements.adopt(session=session, workshop=westharz, facilitator=MAIN, field=field,
                              text="die Region attraktiv und lebenswert bleibt.")
    assert (first.version, second.version) == (1, 2)
    assert statements.adopted(session=session, field=field).text == (  # type: ignore[union-attr]
        "die Region attraktiv und lebenswert bleibt.")
    assert [s.version for s in statements.history(session=session, field=field)] == [1, 2]
    session.commit()
    changed = events.published[-1]
    assert isinstance(changed, StatementChanged)
    assert (changed.state.adopted, changed.state.version, changed.state.draft) == (
        "die Region attraktiv und lebenswert bleibt.", 2, "")
    table = Facilitator(label="Tisch", field_id=get_field(session=session, workshop=westharz,
                                                          key="hf2").id, link_id=1)
    session.commit()
    with pytest.raises(NotAllowed):
        statements.adopt(session=session, workshop=westharz, facilitator=table, field=field,
                         text="x")


def test_concurrent_support_counts_once(db: Database) -> None:
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
        anna = make_participant(session, workshop)
        proposal = statements.propose(session=session, workshop=workshop, participant=anna,
                                      field="hf1", text="gemeinsam")
    outcomes: list[str] = []

    def tap() -> None:
        with db.transaction() as own:
            try:
                statements.support(session=own, workshop=workshop, participant=anna,
                                   proposal_id=proposal.id or 0)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("again")

    threads = [threading.Thread(target=tap) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["again"] * 9 + ["ok"]
    with db.session() as session:
        assert len(session.exec(select(StatementSupport)).all()) == 1


def test_a_field_takes_a_few_proposals_per_person(session: Session, westharz: Workshop) -> None:
    anna = make_participant(session, westharz)
    for n in range(statements.PROPOSALS_PER_PARTICIPANT):
        statements.propose(session=session, workshop=westharz, participant=anna, field="hf1",
                           text=f"Vorschlag {n}")
    session.commit()
    with pytest.raises(Conflict, match="schon 5 Vorschläge"):
        statements.propose(session=session, workshop=westharz, participant=anna, field="hf1",
                           text="noch einer")
    statements.propose(session=session, workshop=westharz, participant=anna, field="hf2",
                       text="in einem anderen Feld geht es")


def test_stored_statement_events_keep_the_change_not_the_list(session: Session,
                                                              westharz: Workshop) -> None:
    authors = [make_participant(session, westharz) for _ in range(12)]
    for n, author in enumerate(authors):
        statements.propose(session=session, workshop=westharz, participant=author, field="hf1",
                           text=f"Vorschlag Nummer {n}: " + "lang " * 60)
    proposal = statements.ranked(session=session, field=get_field(
        session=session, workshop=westharz, key="hf1"))[0].id
    for supporter in authors:
        statements.support(session=session, workshop=westharz, participant=supporter,
                           proposal_id=proposal)
    rows = session.exec(select(EventRecord).where(EventRecord.kind == "statement-changed")).all()
    assert len(rows) == 24
    assert max(len(str(row.payload)) for row in rows) < 100
    last = events_since(session, workshop_id=westharz.id or 0, after=0)[-1]
    assert isinstance(last, StatementChanged)  # read back, it has the whole state again
    assert len(last.state.proposals) == 12 and last.state.proposals[0].support == 12
    assert last.state.stem.startswith("Mit diesem Handlungsfeld")


def test_supports_are_rate_limited(session: Session, westharz: Workshop) -> None:
    from app.ratelimit import Limits, TooManyRequests

    anna, ben = make_participant(session, westharz), make_participant(session, westharz)
    proposal = statements.propose(session=session, workshop=westharz, participant=anna,
                                  field="hf1", text="alle mitreden")
    limits = Limits(votes_per_minute=3)
    for _ in range(1):
        statements.support(session=session, workshop=westharz, participant=ben,
                           proposal_id=proposal.id or 0, rate_limit=limits.vote)
        statements.withdraw(session=session, workshop=westharz, participant=ben,
                            proposal_id=proposal.id or 0, rate_limit=limits.vote)
    statements.support(session=session, workshop=westharz, participant=ben,
                       proposal_id=proposal.id or 0, rate_limit=limits.vote)
    session.commit()
    with pytest.raises(TooManyRequests, match="sehr oft abgestimmt"):
        statements.withdraw(session=session, workshop=westharz, participant=ben,
                            proposal_id=proposal.id or 0, rate_limit=limits.vote)
