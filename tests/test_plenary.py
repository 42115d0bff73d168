"""Plenary services: themes by field, proposals, remarks, dots and their allowance."""

import threading

import pytest
from sqlmodel import Session, select

from app import phases, plenary, weighting
from app.access import MAIN
from app.db import Database
from app.errors import Conflict, InvalidInput, NotFound
from app.live.events import PlenaryChanged, RemarksChanged, ThemeDotsChanged, events_since
from app.models import Dot, EventRecord, Workshop
from app.ratelimit import Limits, TooManyRequests
from tests.conftest import RecordedEvents
from tests.factories import make_participant, make_workshop


def in_plenary(session: Session, workshop: Workshop) -> Workshop:
    return phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="plenary")


@pytest.fixture
def westharz(session: Session) -> Workshop:
    return in_plenary(session, make_workshop(session, westharz=True))


def theme_id(session: Session, workshop: Workshop, text: str) -> int:
    for column in plenary.columns(session=session, workshop=workshop):
        for theme in column.themes:
            if theme.text == text:
                return theme.id
    raise AssertionError(text)


def test_columns_follow_the_seed(session: Session, westharz: Workshop) -> None:
    columns = plenary.columns(session=session, workshop=westharz)
    assert [c.number for c in columns] == ["HF 1", "HF 2", "HF 3", "HF 4", "HF 5"]
    assert [t.text for t in columns[0].themes][:3] == [
        "Wohnen & Arbeiten", "Generationengerechtes, barrierefreies Wohnen (Demografische "
        "Entwicklung)", "gleichwertige Lebensverhältnisse und Daseinsvorsorge"]
    assert [r.text for r in plenary.remarks(session=session, workshop=westharz)] == [
        "Digitalisierung überall mitdenken!", "Netzabdeckung sicher stellen."]
    assert westharz.questions[1] == ("Treffen die Handlungsfelder und Themen den Bedarf von "
                                     "Liebenburg und Lutter am Barenberge?")


def test_proposal_accepted_becomes_a_conference_theme(session: Session, westharz: Workshop,
                                                      events: RecordedEvents) -> None:
    anna = make_participant(session, westharz)
    proposal = plenary.propose_theme(session=session, workshop=westharz, participant=anna,
                                     field="hf1", text="  Bürgerbus ")
    assert proposal.text == "Bürgerbus"
    assert [p.id for p in plenary.pending_proposals(session=session, workshop=westharz)] == [
        proposal.id]
    theme = plenary.accept_proposal(session=session, workshop=westharz, facilitator=MAIN,
                                    proposal_id=proposal.id or 0, text="Bürgerbus im Oberharz")
    assert (theme.kind, theme.text) == ("conference", "Bürgerbus im Oberharz")
    columns = plenary.columns(session=session, workshop=westharz)
    assert columns[0].themes[-1].text == "Bürgerbus im Oberharz"
    session.commit()
    changed = [e for e in events.published if isinstance(e, PlenaryChanged)][-1]
    assert [c.field for c in changed.columns] == ["hf1"]
    session.commit()
    with pytest.raises(Conflict, match="schon entschieden"):
        plenary.reject_proposal(session=session, workshop=westharz, facilitator=MAIN,
                                proposal_id=proposal.id or 0)


def test_move_proposal_moves_the_theme(session: Session, westharz: Workshop) -> None:
    anna = make_participant(session, westharz)
    recycling = theme_id(session, westharz, "Recycling")
    proposal = plenary.propose_move(session=session, workshop=westharz, participant=anna,
                                    theme_id=recycling, field="hf3")
    plenary.accept_proposal(session=session, workshop=westharz, facilitator=MAIN,
                            proposal_id=proposal.id or 0)
    columns = {c.field: [t.text for t in c.themes]
               for c in plenary.columns(session=session, workshop=westharz)}
    assert "Recycling" in columns["hf3"] and "Recycling" not in columns["hf4"]
    session.commit()
    with pytest.raises(InvalidInput, match="„hf9“"):
        plenary.propose_move(session=session, workshop=westharz, participant=anna,
                             theme_id=recycling, field="hf9")
    session.commit()
    with pytest.raises(InvalidInput, match="schon in diesem"):
        plenary.propose_move(session=session, workshop=westharz, participant=anna,
                             theme_id=recycling, field="hf3")


@pytest.mark.parametrize(("text", "message"), [("   ", "Bitte schreiben Sie ein Thema"),
                                               ("x" * 121, "Höchstens 120 Zeichen")])
def test_bad_theme_text_is_refused(session: Session, westharz: Workshop, text: str,
                                   message: str) -> None:
    anna = make_participant(session, westharz)
    session.commit()
    with pytest.raises(InvalidInput, match=message):
        plenary.propose_theme(session=session, workshop=westharz, participant=anna,
                              field="hf1", text=text)
    session.rollback()
    assert plenary.pending_proposals(session=session, workshop=westharz) == []


def test_nothing_is_accepted_outside_the_plenary(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)  # starts in the working phase
    anna = make_participant(session, workshop)
    session.commit()
    with pytest.raises(Conflict, match="Plenumsrunde ist gerade nicht offen"):
        plenary.propose_theme(session=session, workshop=workshop, participant=anna,
                              field="hf1", text="x")
    session.commit()
    with pytest.raises(Conflict):
        weighting.place_dot(session=session, workshop=workshop, participant=anna,
                          theme_id=theme_id(session, workshop, "Carsharing"))
    session.commit()
    with pytest.raises(Conflict):
        plenary.add_remark(session=session, workshop=workshop, participant=anna, text="x")


def test_dots_within_allowance_and_back(session: Session, westharz: Workshop,
                                        events: RecordedEvents) -> None:
    anna = make_participant(session, westharz)
    carsharing = theme_id(session, westharz, "Carsharing")
    for _ in range(3):
        weighting.place_dot(session=session, workshop=westharz, participant=anna,
                          theme_id=carsharing)
    session.commit()
    with pytest.raises(Conflict, match="höchstens 3 Ihrer Punkte"):
        weighting.place_dot(session=session, workshop=westharz, participant=anna,
                          theme_id=carsharing)
    session.rollback()
    other = theme_id(session, westharz, "Dorfläden")
    state = weighting.place_dot(session=session, workshop=westharz, participant=anna,
                              theme_id=other)
    state = weighting.place_dot(session=session, workshop=westharz, participant=anna,
                              theme_id=other)
    assert (state.used, state.left) == (5, 0)
    session.commit()
    with pytest.raises(Conflict, match="alle 5 Punkte"):
        weighting.place_dot(session=session, workshop=westharz, participant=anna,
                          theme_id=theme_id(session, westharz, "Nahversorgung"))
    session.rollback()
    state = weighting.remove_dot(session=session, workshop=westharz, participant=anna,
                               theme_id=carsharing)
    assert state.left == 1
    session.commit()
    with pytest.raises(Conflict, match="kein Punkt von Ihnen"):
        weighting.remove_dot(session=session, workshop=westharz, participant=anna,
                           theme_id=theme_id(session, westharz, "Recycling"))
    session.rollback()
    session.commit()
    last = [e for e in events.published if isinstance(e, ThemeDotsChanged)][-1]
    assert (last.theme.text, last.theme.dots, last.max_dots) == ("Carsharing", 2, 2)
    assert plenary.dot_totals(session, westharz)[carsharing] == 2


def test_hidden_and_merged_themes(session: Session, westharz: Workshop) -> None:
    anna = make_participant(session, westharz)
    a = theme_id(session, westharz, "Dorfläden")
    b = theme_id(session, westharz, "Nahversorgung")
    c = theme_id(session, westharz, "Carsharing")
    weighting.place_dot(session=session, workshop=westharz, participant=anna, theme_id=b)
    merged = plenary.merge_themes(session=session, workshop=westharz, facilitator=MAIN,
                                  theme_ids=[a, b], text="Nahversorgung & Dorfläden")
    assert plenary.dot_totals(session, westharz)[merged.id or 0] == 1
    session.commit()
    with pytest.raises(Conflict, match="zusammengefasst"):
        weighting.place_dot(session=session, workshop=westharz, participant=anna, theme_id=b)
    session.rollback()
    weighting.place_dot(session=session, workshop=westharz, participant=anna, theme_id=c)
    plenary.hide_theme(session=session, workshop=westharz, facilitator=MAIN, theme_id=c)
    assert weighting.allowance(session=session, workshop=westharz, participant=anna).used == 1
    session.commit()
    with pytest.raises(Conflict):
        weighting.place_dot(session=session, workshop=westharz, participant=anna, theme_id=c)
    session.rollback()
    session.commit()
    with pytest.raises(NotFound):
        weighting.place_dot(session=session, workshop=westharz, participant=anna, theme_id=99999)


def test_remarks_and_hiding(session: Session, westharz: Workshop) -> None:
    anna = make_participant(session, westharz)
    remark = plenary.add_remark(session=session, workshop=westharz, participant=anna,
                                text="Barrierefreiheit überall!")
    assert [r.text for r in plenary.remarks(session=session, workshop=westharz)][-1] == (
        "Barrierefreiheit überall!")
    plenary.set_remark_hidden(session=session, workshop=westharz, facilitator=MAIN,
                              remark_id=remark.id or 0, hidden=True)
    assert len(plenary.remarks(session=session, workshop=westharz)) == 2


def test_concurrent_dots_never_exceed_the_allowance(db: Database) -> None:
    with db.transaction() as session:
        workshop = in_plenary(session, make_workshop(session, westharz=True))
        participant = make_participant(session, workshop)
        themes = [theme_id(session, workshop, t) for t in
                  ("Carsharing", "Dorfläden", "Nahversorgung", "Recycling", "Tierwohl",
                   "Freibäder")]
    outcomes: list[str] = []

    def tap(target: int) -> None:  # as a request does: its write takes the workshop's turn
        with db.session() as own, db.write(own, workshop.id):
            try:
                weighting.place_dot(session=own, workshop=workshop, participant=participant,
                                  theme_id=target)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("refused")

    threads = [threading.Thread(target=tap, args=(themes[i % len(themes)],))
               for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 19
    with db.session() as session:
        assert len(session.exec(select(Dot)).all()) == 5


def test_dot_allowance_is_configurable(session: Session, westharz: Workshop) -> None:
    weighting.set_dot_allowance(session=session, workshop=westharz, facilitator=MAIN, dots=2,
                              per_theme=1)
    anna = make_participant(session, westharz)
    carsharing = theme_id(session, westharz, "Carsharing")
    weighting.place_dot(session=session, workshop=westharz, participant=anna, theme_id=carsharing)
    session.commit()
    with pytest.raises(Conflict, match="höchstens 1 Ihrer"):
        weighting.place_dot(session=session, workshop=westharz, participant=anna,
                          theme_id=carsharing)
    session.rollback()
    session.commit()
    with pytest.raises(InvalidInput):
        weighting.set_dot_allowance(session=session, workshop=westharz, facilitator=MAIN, dots=0,
                                  per_theme=1)


def test_one_phone_cannot_flood_remarks_or_the_event_table(session: Session) -> None:
    workshop = make_workshop(session)
    in_plenary(session, workshop)
    someone = make_participant(session, workshop)
    for n in range(plenary.REMARKS_PER_PARTICIPANT):
        plenary.add_remark(session=session, workshop=workshop, participant=someone,
                           text=f"Bemerkung Nummer {n} " + "x" * 200)
    session.commit()
    with pytest.raises(Conflict, match="schon 10 Bemerkungen"):
        plenary.add_remark(session=session, workshop=workshop, participant=someone,
                           text="noch eine")
    sizes = [len(str(row.payload)) for row in session.exec(
        select(EventRecord).where(EventRecord.kind == "remarks-changed"))]
    # Each row keeps the remark that changed, not the list so far.
    assert max(sizes) < 400 and max(sizes) - min(sizes) < 10
    [last] = events_since(session, workshop_id=workshop.id or 0, after=0)[-1:]
    assert isinstance(last, RemarksChanged)
    assert len(last.remarks) == 10  # read back from the table, it has the whole list again


def test_a_rate_limited_remark_is_refused_before_it_is_stored(session: Session) -> None:
    workshop = make_workshop(session)
    in_plenary(session, workshop)
    someone = make_participant(session, workshop)
    limits = Limits(contributions_per_minute=2)
    for n in range(2):
        plenary.add_remark(session=session, workshop=workshop, participant=someone,
                           text=f"Bemerkung {n}", rate_limit=limits.contribution)
    session.commit()
    with pytest.raises(TooManyRequests):
        plenary.add_remark(session=session, workshop=workshop, participant=someone,
                           text="zu schnell", rate_limit=limits.contribution)
    session.rollback()
    assert len(plenary.remarks(session=session, workshop=workshop)) == 2
