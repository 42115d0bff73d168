"""Signs of one person acting as many: votes that come mostly from fresh, silent joiners."""

from sqlmodel import Session

from app import bursts, phases, plenary, statements, weighting
from app.access import MAIN
from tests.factories import make_card, make_participant, make_workshop


def test_support_from_fresh_silent_joiners_is_a_burst(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    author = make_participant(session, workshop)
    proposal = statements.propose(session=session, workshop=workshop, participant=author,
                                  field="hf1", text="alle mitreden")
    for _ in range(6):  # six browsers of one person: joined, supported, nothing else
        statements.support(session=session, workshop=workshop,
                           participant=make_participant(session, workshop),
                           proposal_id=proposal.id or 0)
    [burst] = bursts.vote_bursts(session=session, workshop=workshop)
    assert (burst.what, burst.text, burst.field, burst.votes, burst.fresh) == (
        "proposal", "alle mitreden", "HF 1", 6, 6)


def test_people_who_took_part_are_no_burst(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    author = make_participant(session, workshop)
    proposal = statements.propose(session=session, workshop=workshop, participant=author,
                                  field="hf1", text="alle mitreden")
    for n in range(8):
        someone = make_participant(session, workshop)
        make_card(session, workshop, someone, text=f"Karte {n}")
        statements.support(session=session, workshop=workshop, participant=someone,
                           proposal_id=proposal.id or 0)
    assert bursts.vote_bursts(session=session, workshop=workshop) == []


def test_dots_from_fresh_joiners_are_a_burst(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="plenary")
    theme = plenary.columns(session=session, workshop=workshop)[0].themes[0]
    for _ in range(5):
        weighting.place_dot(session=session, workshop=workshop,
                          participant=make_participant(session, workshop), theme_id=theme.id)
    [burst] = bursts.vote_bursts(session=session, workshop=workshop)
    assert (burst.what, burst.text, burst.fresh) == ("theme", theme.text, 5)
