"""Who is asking through the API: a participant's token, or a facilitator posting as the
workshop's own participant."""

from typing import Annotated

from fastapi import Request
from pydantic import Field
from sqlmodel import Session

from app import (
    participants,
)
from app.cards import Poster
from app.errors import NotSignedIn
from app.models import Participant, Workshop
from app.text import MAX_ID
from app.web.deps import (
    ContextDep,
    facilitator_of,
    participant_of,
    public_id_of,
)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # a number no table can hold is refused (422)



def _author(request: Request, context: ContextDep, session: Session, workshop: Workshop
            ) -> Participant:
    participant = participant_of(request, context, session, workshop)
    if participant is not None:
        return participant
    if facilitator_of(request, context, session, workshop) is not None:
        return participants.facilitator_participant(session=session, workshop=workshop)
    raise NotSignedIn("Bitte treten Sie dem Workshop bei (POST /api/v1/join) und senden Sie "
                      "das Token als „Authorization: Bearer …“.")


def _poster(request: Request, context: ContextDep, session: Session, workshop: Workshop
            ) -> Poster:
    """`_author` for posting a card: a participant's three columns, not the ORM object."""
    author = participants.author_by_public_id(
        session=session, workshop=workshop, public_id=public_id_of(request, context))
    return author if author is not None else _author(request, context, session, workshop)


def _participant(request: Request, context: ContextDep, session: Session,
                 workshop: Workshop) -> Participant:
    participant = participant_of(request, context, session, workshop)
    if participant is None:
        raise NotSignedIn("Bitte treten Sie dem Workshop bei (POST /api/v1/join) und senden Sie "
                          "das Token als „Authorization: Bearer …“.")
    return participant
