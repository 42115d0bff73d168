"""Joining a workshop: anonymous participants with an optional display name."""

import secrets
from dataclasses import dataclass

from sqlalchemy import Integer, String, bindparam
from sqlalchemy import select as select_rows
from sqlmodel import Session, select

from app.cards import counts
from app.errors import Conflict, InvalidInput
from app.live.events import ParticipantJoined, record
from app.models import FACILITATOR, Participant, Workshop
from app.text import clean_text

NAME_MAX = 40


def join(*, session: Session, workshop: Workshop, display_name: str = "") -> Participant:
    """Create a participant; the name is optional and the only personal datum we keep."""
    name = clean_text(display_name or "", multiline=False)
    if len(name) > NAME_MAX:
        raise InvalidInput("Der Name darf höchstens {max} Zeichen lang sein.", max=NAME_MAX)
    if not workshop.joining_open:  # asked again inside the write: a close just now counts
        raise Conflict("Dieser Workshop nimmt keine neuen Teilnehmenden mehr auf.")
    assert workshop.id is not None
    participant = Participant(
        workshop_id=workshop.id, public_id=secrets.token_urlsafe(12), display_name=name
    )
    session.add(participant)
    session.flush()
    record(session, ParticipantJoined(workshop_id=workshop.id, counts=counts(session, workshop)))
    return participant


def set_name(*, session: Session, participant: Participant, display_name: str,
             in_report: bool) -> Participant:
    """The optional name, and whether the documentation may show it beside one's cards."""
    name = clean_text(display_name or "", multiline=False)
    if len(name) > NAME_MAX:
        raise InvalidInput("Der Name darf höchstens {max} Zeichen lang sein.", max=NAME_MAX)
    participant.display_name = name
    participant.name_in_report = in_report and bool(name)
    session.add(participant)
    return participant


def facilitator_participant(*, session: Session, workshop: Workshop) -> Participant:
    """The author of cards a facilitator posts, created on first use."""
    found = session.exec(
        select(Participant).where(
            Participant.workshop_id == workshop.id, Participant.role == FACILITATOR
        )
    ).first()
    if found:
        return found
    assert workshop.id is not None
    participant = Participant(
        workshop_id=workshop.id, public_id=secrets.token_urlsafe(12),
        display_name="Moderation", role=FACILITATOR,
    )
    session.add(participant)
    session.flush()
    return participant


# Asked with every request a participant makes: built once (see card_counts._COUNTS).
_PARTICIPANTS = Participant.__table__  # type: ignore[attr-defined]
_BY_PUBLIC_ID = select(Participant).where(
    Participant.public_id == bindparam("public_id", type_=String()),
    Participant.workshop_id == bindparam("workshop_id", type_=Integer()),
)


@dataclass(frozen=True)
class Author:
    """A participant as the card route needs it: three columns, no ORM object (loading one
    cost a tenth of a card)."""

    id: int
    role: str
    public_id: str


_AUTHOR = select_rows(_PARTICIPANTS.c.id, _PARTICIPANTS.c.role, _PARTICIPANTS.c.public_id).where(
    _PARTICIPANTS.c.public_id == bindparam("public_id", type_=String()),
    _PARTICIPANTS.c.workshop_id == bindparam("workshop_id", type_=Integer()),
)


def author_by_public_id(*, session: Session, workshop: Workshop, public_id: str | None
                        ) -> Author | None:
    if not public_id:
        return None
    row = session.connection().execute(_AUTHOR, {"public_id": public_id,
                                                 "workshop_id": workshop.id}).first()
    return Author(row.id, row.role, row.public_id) if row else None


def participant_by_public_id(
    *, session: Session, workshop: Workshop, public_id: str | None
) -> Participant | None:
    if not public_id:
        return None
    return session.exec(_BY_PUBLIC_ID, params={"public_id": public_id,
                                              "workshop_id": workshop.id}).first()
