"""The rhythm of a Zukunftskonferenz: phases, rounds of the working phase, and the timer."""

from datetime import datetime, timedelta

from sqlmodel import Session

from app.access import Moderator
from app.errors import InvalidInput
from app.events import PhaseChanged, PostingChanged, TimerChanged, TimerState, record
from app.models import Workshop, as_utc, utcnow

PHASES = ("plenary", "working", "closing")
TIMER_MAX_MINUTES = 180
EXTEND_MAX_MINUTES = 60


def set_phase(*, session: Session, workshop: Workshop, moderator: Moderator,
              phase: str) -> Workshop:
    """Switch the phase; the working phase opens posting, the plenaries close it."""
    moderator.require_whole_workshop()
    if phase not in PHASES:
        raise InvalidInput("Diese Phase gibt es nicht: {phase}.", phase=phase[:20])
    workshop.phase = phase
    workshop.posting_open = phase == "working"
    session.add(workshop)
    _record_phase(session, workshop)
    assert workshop.id is not None
    record(session, PostingChanged(workshop_id=workshop.id, posting_open=workshop.posting_open))
    session.commit()
    return workshop


def set_round(*, session: Session, workshop: Workshop, moderator: Moderator,
              round_number: int) -> Workshop:
    """Go to another round of the working phase; new cards remember their round."""
    moderator.require_whole_workshop()
    if not 1 <= round_number <= workshop.rounds:
        raise InvalidInput("Runde {round} gibt es nicht; dieser Workshop hat {rounds} Runden.",
                           round=round_number, rounds=workshop.rounds)
    workshop.current_round = round_number
    session.add(workshop)
    _record_phase(session, workshop)
    session.commit()
    return workshop


def _record_phase(session: Session, workshop: Workshop) -> None:
    assert workshop.id is not None
    record(session, PhaseChanged(workshop_id=workshop.id, phase=workshop.phase,
                                 round=workshop.current_round, rounds=workshop.rounds))


def _ends_at(workshop: Workshop) -> datetime | None:
    return None if workshop.timer_ends_at is None else as_utc(workshop.timer_ends_at)


def timer_state(workshop: Workshop) -> TimerState:
    ends_at = _ends_at(workshop)
    return TimerState(running=ends_at is not None,
                      ends_at=ends_at.isoformat() if ends_at else None,
                      remaining_s=workshop.timer_remaining_s, total_s=workshop.timer_total_s)


def _minutes(value: float, limit: int) -> int:
    if not 0 < value <= limit:
        raise InvalidInput("Bitte eine Dauer zwischen 1 Sekunde und {limit} Minuten angeben.",
                           limit=limit)
    return round(value * 60)


def start_timer(*, session: Session, workshop: Workshop, moderator: Moderator,
                minutes: float) -> TimerState:
    """Start a countdown (replacing a running one)."""
    moderator.require_whole_workshop()
    seconds = _minutes(minutes, TIMER_MAX_MINUTES)
    workshop.timer_total_s = seconds
    workshop.timer_ends_at = utcnow() + timedelta(seconds=seconds)
    workshop.timer_remaining_s = None
    return _save_timer(session, workshop)


def pause_timer(*, session: Session, workshop: Workshop, moderator: Moderator) -> TimerState:
    moderator.require_whole_workshop()
    ends_at = _ends_at(workshop)
    if ends_at is not None:
        left = (ends_at - utcnow()).total_seconds()
        workshop.timer_remaining_s = max(0, round(left))
        workshop.timer_ends_at = None
    return _save_timer(session, workshop)


def resume_timer(*, session: Session, workshop: Workshop, moderator: Moderator) -> TimerState:
    moderator.require_whole_workshop()
    if workshop.timer_remaining_s is not None:
        workshop.timer_ends_at = utcnow() + timedelta(seconds=workshop.timer_remaining_s)
        workshop.timer_remaining_s = None
    return _save_timer(session, workshop)


def extend_timer(*, session: Session, workshop: Workshop, moderator: Moderator,
                 minutes: float) -> TimerState:
    """Add time to a running or paused countdown."""
    moderator.require_whole_workshop()
    seconds = _minutes(minutes, EXTEND_MAX_MINUTES)
    if not timer_state(workshop).active:
        raise InvalidInput("Es läuft gerade kein Timer, der sich verlängern ließe.")
    if (workshop.timer_total_s or 0) + seconds > TIMER_MAX_MINUTES * 60:
        raise InvalidInput("Länger als {limit} Minuten geht der Timer nicht.",
                           limit=TIMER_MAX_MINUTES)
    workshop.timer_total_s = (workshop.timer_total_s or 0) + seconds
    ends_at = _ends_at(workshop)
    if ends_at is not None:
        workshop.timer_ends_at = ends_at + timedelta(seconds=seconds)
    elif workshop.timer_remaining_s is not None:
        workshop.timer_remaining_s += seconds
    return _save_timer(session, workshop)


def stop_timer(*, session: Session, workshop: Workshop, moderator: Moderator) -> TimerState:
    moderator.require_whole_workshop()
    workshop.timer_ends_at = workshop.timer_remaining_s = workshop.timer_total_s = None
    return _save_timer(session, workshop)


def _save_timer(session: Session, workshop: Workshop) -> TimerState:
    session.add(workshop)
    state = timer_state(workshop)
    assert workshop.id is not None
    record(session, TimerChanged(workshop_id=workshop.id, timer=state))
    session.commit()
    return state
