"""Phases, rounds and the timer."""

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from app import cards, phases
from app.access import MAIN, Facilitator
from app.errors import InvalidInput, NotAllowed
from app.live.events import PhaseChanged, PostingChanged, TimerChanged
from app.models import utcnow
from tests.conftest import RecordedEvents
from tests.factories import make_card, make_participant, make_workshop


def test_phases_switch_posting(session: Session, events: RecordedEvents) -> None:
    workshop = make_workshop(session)
    phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="plenary")
    assert (workshop.phase, workshop.posting_open) == ("plenary", False)
    session.commit()
    phase, posting = events.published[-2:]
    assert isinstance(phase, PhaseChanged) and phase.phase == "plenary"
    assert isinstance(posting, PostingChanged) and posting.posting_open is False
    phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="working")
    assert workshop.posting_open
    session.commit()
    with pytest.raises(InvalidInput, match="Phase gibt es nicht"):
        phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="pause")


def test_cards_remember_their_round(session: Session) -> None:
    workshop = make_workshop(session)
    participant = make_participant(session, workshop)
    first = make_card(session, workshop, participant, text="eins")
    phases.set_round(session=session, workshop=workshop, facilitator=MAIN, round_number=2)
    second = make_card(session, workshop, participant, text="zwei")
    assert (first.round, second.round) == (1, 2)
    only_first = cards.list_cards(session=session, workshop=workshop, rounds=(1,))
    assert [c.text for c in only_first] == ["eins"]
    session.commit()
    with pytest.raises(InvalidInput, match="Runde 3 gibt es nicht"):
        phases.set_round(session=session, workshop=workshop, facilitator=MAIN, round_number=3)


def test_timer_start_pause_resume_extend_stop(session: Session,
                                              events: RecordedEvents) -> None:
    workshop = make_workshop(session)
    started = phases.start_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=10)
    assert started.running and started.total_s == 600
    assert started.ends_at is not None
    left = (datetime.fromisoformat(started.ends_at) - utcnow()).total_seconds()
    assert 598 <= left <= 600
    paused = phases.pause_timer(session=session, workshop=workshop, facilitator=MAIN)
    assert not paused.running and paused.remaining_s is not None
    assert 598 <= paused.remaining_s <= 600
    extended = phases.extend_timer(session=session, workshop=workshop, facilitator=MAIN,
                                   minutes=5)
    assert extended.remaining_s is not None and extended.remaining_s >= 898
    assert extended.total_s == 900
    resumed = phases.resume_timer(session=session, workshop=workshop, facilitator=MAIN)
    assert resumed.running and resumed.remaining_s is None
    stopped = phases.stop_timer(session=session, workshop=workshop, facilitator=MAIN)
    assert not stopped.active
    session.commit()
    assert [e.kind for e in events.published if isinstance(e, TimerChanged)] == [
        "timer-changed"] * 5
    # The state survives a reload from the database (naive datetimes in SQLite).
    phases.start_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=1)
    session.expire_all()
    assert phases.timer_state(session.get(type(workshop), workshop.id)).running


@pytest.mark.parametrize("minutes", [0, -5, 181, 10_000])
def test_absurd_durations_are_refused(session: Session, minutes: float) -> None:
    workshop = make_workshop(session)
    session.commit()
    with pytest.raises(InvalidInput, match="Dauer zwischen"):
        phases.start_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=minutes)


def test_extend_needs_a_timer_and_stays_bounded(session: Session) -> None:
    workshop = make_workshop(session)
    session.commit()
    with pytest.raises(InvalidInput, match="kein Timer"):
        phases.extend_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=5)
    phases.start_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=170)
    session.commit()
    with pytest.raises(InvalidInput, match="Länger als 180"):
        phases.extend_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=20)


def test_table_facilitators_cannot_steer_the_workshop(session: Session) -> None:
    workshop = make_workshop(session)
    table = Facilitator(label="Tisch", field_id=1, link_id=1)
    session.commit()
    with pytest.raises(NotAllowed):
        phases.set_phase(session=session, workshop=workshop, facilitator=table, phase="closing")
    session.commit()
    with pytest.raises(NotAllowed):
        phases.start_timer(session=session, workshop=workshop, facilitator=table, minutes=5)


class ShiftedClock(phases.Clock):
    """The real clocks, with the wall clock set forward or back at will (as an admin or a bad
    time server would); the monotonic clock goes on as the machine's does."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        super().__init__(wall=lambda: utcnow() + self.offset)


@pytest.mark.parametrize("jump", [timedelta(hours=1), timedelta(hours=-1)])
def test_a_clock_jump_neither_ends_nor_lengthens_the_timer(session: Session,
                                                           jump: timedelta) -> None:
    workshop = make_workshop(session)
    clock = ShiftedClock()
    phases.start_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=10,
                       clock=clock)
    clock.offset = jump
    state = phases.timer_state(workshop, clock)
    assert state.running and state.left_ms is not None
    assert 599_000 <= state.left_ms <= 600_000  # not 0, not 70 minutes
    paused = phases.pause_timer(session=session, workshop=workshop, facilitator=MAIN, clock=clock)
    assert paused.remaining_s is not None and 598 <= paused.remaining_s <= 600
    resumed = phases.resume_timer(session=session, workshop=workshop, facilitator=MAIN,
                                  clock=clock)
    assert resumed.left_ms is not None and 598_000 <= resumed.left_ms <= 600_000
    extended = phases.extend_timer(session=session, workshop=workshop, facilitator=MAIN,
                                   minutes=5, clock=clock)
    assert extended.left_ms is not None and 898_000 <= extended.left_ms <= 900_000


def test_a_process_that_did_not_start_the_timer_counts_on_from_the_stored_end(
        session: Session) -> None:
    workshop = make_workshop(session)
    phases.start_timer(session=session, workshop=workshop, facilitator=MAIN, minutes=3,
                       clock=phases.Clock())
    other = ShiftedClock()  # another server process, or this one after a restart
    first = phases.timer_state(workshop, other).left_ms
    other.offset = timedelta(hours=1)  # its clock jumps after it first saw the timer
    later = phases.timer_state(workshop, other).left_ms
    assert first is not None and later is not None and 0 <= first - later < 1000
