"""What a facilitator switches: posting (whole workshop or one field), joining, pre-moderation."""

from sqlmodel import Session

from app.access import Facilitator
from app.live.events import FieldPostingChanged, PostingChanged, record
from app.models import Field, Workshop


def set_posting_open(*, session: Session, workshop: Workshop, posting_open: bool,
                     facilitator: Facilitator | None = None) -> Workshop:
    """Open or close card posting for every field; boards and phones learn it live."""
    if facilitator is not None:
        facilitator.require_whole_workshop()
    apply_posting(session, workshop, posting_open)
    return workshop


def apply_posting(session: Session, workshop: Workshop, posting_open: bool) -> None:
    """Posting opens or closes (by the switch, or with the phase): the one place that says so."""
    workshop.posting_open = posting_open
    session.add(workshop)
    assert workshop.id is not None
    record(session, PostingChanged(workshop_id=workshop.id, posting_open=posting_open))


def set_field_posting_open(*, session: Session, workshop: Workshop, field: Field,
                           posting_open: bool, facilitator: Facilitator) -> Field:
    """Open or close posting for one field (one working group)."""
    assert field.id is not None and workshop.id is not None
    facilitator.require_field(field.id)
    field.posting_open = posting_open
    session.add(field)
    record(session, FieldPostingChanged(workshop_id=workshop.id, field=field.key,
                                        posting_open=posting_open))
    return field


def set_joining_open(*, session: Session, workshop: Workshop, joining_open: bool,
                     facilitator: Facilitator | None = None) -> Workshop:
    """Close the join code after the event, so no new participants arrive."""
    if facilitator is not None:
        facilitator.require_whole_workshop()
    workshop.joining_open = joining_open
    session.add(workshop)
    return workshop


def set_open_online(*, session: Session, workshop: Workshop, enabled: bool,
                    facilitator: Facilitator) -> Workshop:
    """The join link is shared beyond the room (a poster, a press release): joins from one
    address are limited much more strictly, since people join from their own connections."""
    facilitator.require_whole_workshop()
    workshop.open_online = enabled
    session.add(workshop)
    return workshop


def set_premoderation(*, session: Session, workshop: Workshop, enabled: bool,
                      facilitator: Facilitator) -> Workshop:
    """With pre-moderation on, participants' new cards wait for approval."""
    facilitator.require_whole_workshop()
    workshop.premoderation = enabled
    session.add(workshop)
    return workshop
