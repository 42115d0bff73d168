"""Joining: anonymous participants, optional names, counts."""

import pytest
from sqlmodel import Session

from app.cards import counts
from app.errors import InvalidInput
from app.participants import facilitator_participant, join, participant_by_public_id
from tests.conftest import RecordedEvents
from tests.factories import make_card, make_workshop


def test_join_creates_anonymous_participant_and_publishes_count(
    session: Session, events: RecordedEvents
) -> None:
    workshop = make_workshop(session)
    first = join(session=session, workshop=workshop)
    second = join(session=session, workshop=workshop, display_name="  Anna\x00 ")
    assert first.display_name == ""
    assert second.display_name == "Anna"
    assert first.public_id != second.public_id and len(first.public_id) >= 16
    session.commit()
    assert events.kinds() == ["participant-joined", "participant-joined"]
    session.commit()
    assert events.published[-1].counts.participants == 2  # type: ignore[attr-defined]
    session.commit()
    assert events.published[-1].id > events.published[0].id


def test_name_longer_than_limit_is_refused(session: Session) -> None:
    workshop = make_workshop(session)
    session.commit()
    with pytest.raises(InvalidInput, match="höchstens 40"):
        join(session=session, workshop=workshop, display_name="x" * 41)


def test_participant_of_another_workshop_is_not_found(session: Session) -> None:
    one, other = make_workshop(session), make_workshop(session)
    participant = join(session=session, workshop=one)
    assert participant_by_public_id(session=session, workshop=other,
                                    public_id=participant.public_id) is None
    found = participant_by_public_id(session=session, workshop=one,
                                     public_id=participant.public_id)
    assert found is not None and found.id == participant.id


def test_counts_leave_out_facilitator_and_deleted_cards(session: Session) -> None:
    workshop = make_workshop(session)
    participant = join(session=session, workshop=workshop)
    facilitator = facilitator_participant(session=session, workshop=workshop)
    assert facilitator_participant(session=session, workshop=workshop).id == facilitator.id
    make_card(session, workshop, participant)
    make_card(session, workshop, facilitator, field="hf2")
    result = counts(session, workshop)
    assert result.participants == 1
    assert result.cards == {"hf1": 1, "hf2": 1}
