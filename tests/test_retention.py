"""Keep and delete (DSGVO): a deleted workshop leaves no row in any table and no text in the
SQLite file; retention dates, expiry, archive and the refusal while a workshop is live."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from app import (
    access,
    facilitation,
    moderation,
    phases,
    plenary,
    retention,
    statements,
    surveys,
    weighting,
)
from app.access import MAIN
from app.db import Database
from app.errors import Conflict
from app.models import Workshop
from app.workshops import get_field
from tests.factories import make_card, make_participant, make_workshop
from tests.test_surveys import full_answer, opened

SECRET_TEXT = "Geheimnis-im-Dorfgemeinschaftshaus-4711"


def counts(session: Session) -> dict[str, int]:
    return {table.name: session.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()
            for table in SQLModel.metadata.sorted_tables}


def everything(session: Session, workshop: Workshop) -> None:
    """Every kind of row a workshop has: cards merged and hidden, a sentence, dots, answers,
    proposals and supports, theme proposals, remarks, facilitator links, events."""
    ben = make_participant(session, workshop, name="Ben")
    ids = [make_card(session, workshop, ben, text=t).id for t in (SECRET_TEXT, "Arzt", "Ärzte")]
    moderation.merge(session=session, workshop=workshop, facilitator=MAIN, card_ids=ids[1:])
    moderation.set_hidden(session=session, workshop=workshop, facilitator=MAIN,
                          card_ids=[ids[0]], hidden=True)
    statements.adopt(session=session, workshop=workshop, facilitator=MAIN,
                     field=get_field(session=session, workshop=workshop, key="hf1"),
                     text="die Region lebenswert bleibt.")
    survey, q = opened(session, workshop)
    surveys.answer(session=session, workshop=workshop, participant=ben, survey=survey,
                   values=full_answer(q))
    workshop.phase = "working"
    proposal = statements.propose(session=session, workshop=workshop, participant=ben,
                                  field="hf2", text="alle mitreden können.")
    statements.support(session=session, workshop=workshop, participant=ben,
                       proposal_id=proposal.id or 0)
    phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="plenary")
    theme = plenary.columns(session=session, workshop=workshop)[0].themes[0].id
    weighting.place_dot(session=session, workshop=workshop, participant=ben, theme_id=theme)
    plenary.propose_theme(session=session, workshop=workshop, participant=ben, field="hf1",
                          text="Dorfladen")
    plenary.add_remark(session=session, workshop=workshop, participant=ben,
                       text="Digitalisierung überall mitdenken!")
    access.create_link(session=session, workshop=workshop, label="Tisch 1", field=None)
    session.commit()


def test_deleting_a_workshop_leaves_no_row_of_it_in_any_table(
        session: Session, db: Database) -> None:
    other = make_workshop(session)
    make_card(session, other, make_participant(session, other), text="Bleibt")
    before = counts(session)
    workshop = make_workshop(session, westharz=True)
    everything(session, workshop)
    grown = {name for name, n in counts(session).items() if n > before[name]}
    assert {"card", "event", "participant", "answer", "survey_response", "statement_proposal",
            "statement_support", "statement", "theme_proposal", "remark", "facilitator_link",
            "moderation_action", "dot", "field", "theme", "category", "survey", "question",
            "workshop"} <= grown
    facilitation.set_joining_open(session=session, workshop=workshop, joining_open=False)
    removed = retention.delete_workshop(session=session, workshop=workshop,
                                        confirm=workshop.title)
    session.commit()
    db.scrub()
    assert removed > 100
    assert counts(session) == before  # table by table: nothing of it is left, the other stays


@pytest.mark.sqlite_only
def test_deleted_texts_are_not_left_in_the_sqlite_file(session: Session, db: Database,
                                                       db_url: str) -> None:
    workshop = make_workshop(session)
    make_card(session, workshop, make_participant(session, workshop), text=SECRET_TEXT)
    facilitation.set_joining_open(session=session, workshop=workshop, joining_open=False)
    session.commit()
    path = Path(db_url.removeprefix("sqlite:///"))
    db.scrub()
    assert SECRET_TEXT.encode() in path.read_bytes()
    retention.delete_workshop(session=session, workshop=workshop, confirm=workshop.slug)
    session.commit()
    session.close()
    db.scrub()
    files = [path, path.with_name(path.name + "-wal")]
    assert all(SECRET_TEXT.encode() not in f.read_bytes() for f in files if f.exists())


def test_a_live_workshop_is_not_deleted_and_the_confirmation_must_name_it(
        session: Session) -> None:
    workshop = make_workshop(session)
    make_participant(session, workshop)
    assert retention.state(session=session, workshop=workshop).key == "live"
    with pytest.raises(Conflict, match="Namen des Workshops"):
        retention.delete_workshop(session=session, workshop=workshop, confirm="falsch")
    with pytest.raises(Conflict, match="läuft noch"):
        retention.delete_workshop(session=session, workshop=workshop, confirm=workshop.title)
    facilitation.set_joining_open(session=session, workshop=workshop, joining_open=False)
    assert retention.state(session=session, workshop=workshop).key == "closed"
    retention.delete_workshop(session=session, workshop=workshop, confirm=workshop.title)
    session.commit()
    assert session.get(Workshop, workshop.id) is None


def test_retention_dates_expiry_and_archive(session: Session) -> None:
    assert retention.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert retention.add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    workshop = make_workshop(session, date=dt.date(2026, 5, 14))
    fresh = make_workshop(session, title="Zweiter Workshop")
    assert retention.retained_until(workshop) == dt.date(2026, 11, 14)
    assert retention.state(session=session, workshop=fresh).key == "preparation"
    assert [w.id for w in retention.expired(session=session, today=dt.date(2026, 11, 15))] == [
        workshop.id]
    workshop.retain_until = dt.date(2027, 1, 31)
    assert retention.expired(session=session, today=dt.date(2026, 11, 15)) == []
    retention.archive(session=session, workshop=workshop)
    assert retention.state(session=session, workshop=workshop).key == "archived"
    assert not workshop.joining_open and not workshop.posting_open


def test_imported_answers_without_a_participant_go_with_the_workshop(session: Session) -> None:
    """A row belongs to the workshop by any of its references: imported responses have no
    participant, only their survey."""
    from app.survey_import import import_responses, read_table, suggest_mapping
    from tests.test_surveys import excel_file

    workshop = make_workshop(session, westharz=True)
    [survey] = surveys.surveys_of(session=session, workshop=workshop)
    data = excel_file("HF 1: Gutes Leben in der Region;18–29;Goslar;4")
    mapping = suggest_mapping(surveys.questions_of(session=session, survey=survey),
                              read_table(data.decode("cp1252")).headers)
    assert import_responses(session=session, workshop=workshop, facilitator=MAIN, survey=survey,
                            data=data, mapping=mapping, label="Papierbogen") == 1
    facilitation.set_joining_open(session=session, workshop=workshop, joining_open=False)
    retention.delete_workshop(session=session, workshop=workshop, confirm=workshop.title)
    session.commit()
    for table in ("survey_response", "answer", "question", "survey"):
        assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


def test_the_server_deletes_expired_workshops_by_itself(monkeypatch: pytest.MonkeyPatch,
                                                        settings: object) -> None:
    """No timer needed on a village-hall laptop: the running server purges once a day."""
    import time

    from fastapi.testclient import TestClient

    import app.main as main

    monkeypatch.setattr(main, "PURGE_FIRST_SECONDS", 0)
    application = main.create_app(settings, upgrade=False)  # type: ignore[arg-type]
    db = application.state.context.db
    with db.transaction() as session:
        old = make_workshop(session, date=dt.date(2020, 1, 1))
        kept = make_workshop(session, title="Noch aktuell")
    with TestClient(application):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with db.session() as session:
                if session.get(Workshop, old.id) is None:
                    break
            time.sleep(0.05)
        with db.session() as session:
            assert session.get(Workshop, old.id) is None
            assert session.get(Workshop, kept.id) is not None
