"""The rhythm of a Zukunftskonferenz: phases, rounds of the working phase, and the timer."""

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from app.access import Facilitator
from app.errors import InvalidInput
from app.facilitation import apply_posting
from app.live.events import PhaseChanged, TimerChanged, TimerState, record
from app.models import Workshop, as_utc, utcnow

PHASES = ("plenary", "working", "closing")
TIMER_MAX_MINUTES = 180
EXTEND_MAX_MINUTES = 60


def set_phase(*, session: Session, workshop: Workshop, facilitator: Facilitator,
              phase: str) -> Workshop:
    """Switch the phase; the working phase opens posting, the plenaries close it."""
    facilitator.require_whole_workshop()
    if phase not in PHASES:
        raise InvalidInput("Diese Phase gibt es nicht: {phase}.", phase=phase[:20])
    workshop.phase = phase
    session.add(workshop)
    _record_phase(session, workshop)
    apply_posting(session, workshop, phase == "working")
    return workshop


def set_round(*, session: Session, workshop: Workshop, facilitator: Facilitator,
              round_number: int) -> Workshop:
    """Go to another round of the working phase; new cards remember their round."""
    facilitator.require_whole_workshop()
    if not 1 <= round_number <= workshop.rounds:
        raise InvalidInput("Runde {round} gibt es nicht; dieser Workshop hat {rounds} Runden.",
                           round=round_number, rounds=workshop.rounds)
    workshop.current_round = round_number
    session.add(workshop)
    _record_phase(session, workshop)
    return workshop


def _record_phase(session: Session, workshop: Workshop) -> None:
    assert workshop.id is not None
    record(session, PhaseChanged(workshop_id=workshop.id, phase=workshop.phase,
                                 round=workshop.current_round, rounds=workshop.rounds))


class Clock:
    """The wall clock (stored, shown as "bis 14:35 Uhr") and the monotonic clock (counted down
    with). A server whose clock is set an hour forward or back – by hand, by a bad time server,
    at a daylight-saving mistake – neither ends a running timer nor adds an hour to it: once a
    process has seen a timer, it counts the time left on the monotonic clock."""

    def __init__(self, wall: Callable[[], datetime] = utcnow,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.wall = wall
        self.monotonic = monotonic
        # workshop id -> (the end as stored, the monotonic moment it stands for)
        self._anchors: dict[int, tuple[datetime, float]] = {}
        self._lock = threading.Lock()

    def left(self, workshop: Workshop) -> float | None:
        """Seconds left of the running timer (None when none runs)."""
        ends_at = _ends_at(workshop)
        if ends_at is None or workshop.id is None:
            return None
        with self._lock:
            anchor = self._anchors.get(workshop.id)
            if anchor is None or anchor[0] != ends_at:
                # Started by another process, or before a restart: the wall clock says how
                # much is left, once; from now on the monotonic clock counts.
                anchor = (ends_at, self.monotonic() + (ends_at - self.wall()).total_seconds())
                self._anchors[workshop.id] = anchor
            return max(0.0, anchor[1] - self.monotonic())

    def run_for(self, workshop: Workshop, seconds: float) -> None:
        """Start (or continue) the timer with `seconds` left."""
        assert workshop.id is not None
        ends_at = self.wall() + timedelta(seconds=seconds)
        workshop.timer_ends_at = ends_at
        with self._lock:
            self._anchors[workshop.id] = (ends_at, self.monotonic() + seconds)


CLOCK = Clock()


def _ends_at(workshop: Workshop) -> datetime | None:
    return None if workshop.timer_ends_at is None else as_utc(workshop.timer_ends_at)


def timer_state(workshop: Workshop, clock: Clock = CLOCK) -> TimerState:
    ends_at = _ends_at(workshop)
    left = clock.left(workshop)
    return TimerState(running=ends_at is not None,
                      ends_at=ends_at.isoformat() if ends_at else None,
                      left_ms=round(left * 1000) if left is not None else None,
                      remaining_s=workshop.timer_remaining_s, total_s=workshop.timer_total_s)


def _minutes(value: float, limit: int) -> int:
    if not 0 < value <= limit:
        raise InvalidInput("Bitte eine Dauer zwischen 1 Sekunde und {limit} Minuten angeben.",
                           limit=limit)
    return round(value * 60)


def start_timer(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                minutes: float, clock: Clock = CLOCK) -> TimerState:
    """Start a countdown (replacing a running one)."""
    facilitator.require_whole_workshop()
    seconds = _minutes(minutes, TIMER_MAX_MINUTES)
    workshop.timer_total_s = seconds
    clock.run_for(workshop, seconds)
    workshop.timer_remaining_s = None
    return _save_timer(session, workshop, clock)


def pause_timer(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                clock: Clock = CLOCK) -> TimerState:
    facilitator.require_whole_workshop()
    left = clock.left(workshop)
    if left is not None:
        workshop.timer_remaining_s = max(0, round(left))
        workshop.timer_ends_at = None
    return _save_timer(session, workshop, clock)


def resume_timer(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                 clock: Clock = CLOCK) -> TimerState:
    facilitator.require_whole_workshop()
    if workshop.timer_remaining_s is not None:
        clock.run_for(workshop, workshop.timer_remaining_s)
        workshop.timer_remaining_s = None
    return _save_timer(session, workshop, clock)


def extend_timer(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                 minutes: float, clock: Clock = CLOCK) -> TimerState:
    """Add time to a running or paused countdown."""
    facilitator.require_whole_workshop()
    seconds = _minutes(minutes, EXTEND_MAX_MINUTES)
    if not timer_state(workshop, clock).active:
        raise InvalidInput("Es läuft gerade kein Timer, der sich verlängern ließe.")
    if (workshop.timer_total_s or 0) + seconds > TIMER_MAX_MINUTES * 60:
        raise InvalidInput("Länger als {limit} Minuten geht der Timer nicht.",
                           limit=TIMER_MAX_MINUTES)
    workshop.timer_total_s = (workshop.timer_total_s or 0) + seconds
    left = clock.left(workshop)
    if left is not None:
        clock.run_for(workshop, left + seconds)
    elif workshop.timer_remaining_s is not None:
        workshop.timer_remaining_s += seconds
    return _save_timer(session, workshop, clock)


def stop_timer(*, session: Session, workshop: Workshop, facilitator: Facilitator,
               clock: Clock = CLOCK) -> TimerState:
    facilitator.require_whole_workshop()
    workshop.timer_ends_at = workshop.timer_remaining_s = workshop.timer_total_s = None
    return _save_timer(session, workshop, clock)


def _save_timer(session: Session, workshop: Workshop, clock: Clock) -> TimerState:
    session.add(workshop)
    state = timer_state(workshop, clock)
    assert workshop.id is not None
    record(session, TimerChanged(workshop_id=workshop.id, timer=state))
    return state
