"""What a facilitator switches for the whole workshop: posting and joining."""

from sqlmodel import Session

from app.events import PostingChanged, record
from app.models import Workshop


def set_posting_open(*, session: Session, workshop: Workshop, posting_open: bool) -> Workshop:
    """Open or close card posting for every field; boards and phones learn it live."""
    workshop.posting_open = posting_open
    session.add(workshop)
    assert workshop.id is not None
    record(session, PostingChanged(workshop_id=workshop.id, posting_open=posting_open))
    session.commit()
    return workshop


def set_joining_open(*, session: Session, workshop: Workshop, joining_open: bool) -> Workshop:
    """Close the join code after the event, so no new participants arrive."""
    workshop.joining_open = joining_open
    session.add(workshop)
    session.commit()
    return workshop
