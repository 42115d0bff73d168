"""What a facilitator switches: posting (whole workshop or one field), joining, pre-moderation."""

from sqlmodel import Session

from app.access import Moderator
from app.events import FieldPostingChanged, PostingChanged, record
from app.models import Field, Workshop


def set_posting_open(*, session: Session, workshop: Workshop, posting_open: bool,
                     moderator: Moderator | None = None) -> Workshop:
    """Open or close card posting for every field; boards and phones learn it live."""
    if moderator is not None:
        moderator.require_whole_workshop()
    workshop.posting_open = posting_open
    session.add(workshop)
    assert workshop.id is not None
    record(session, PostingChanged(workshop_id=workshop.id, posting_open=posting_open))
    session.commit()
    return workshop


def set_field_posting_open(*, session: Session, workshop: Workshop, field: Field,
                           posting_open: bool, moderator: Moderator) -> Field:
    """Open or close posting for one field (one working group)."""
    assert field.id is not None and workshop.id is not None
    moderator.require_field(field.id)
    field.posting_open = posting_open
    session.add(field)
    record(session, FieldPostingChanged(workshop_id=workshop.id, field=field.key,
                                        posting_open=posting_open))
    session.commit()
    return field


def set_joining_open(*, session: Session, workshop: Workshop, joining_open: bool,
                     moderator: Moderator | None = None) -> Workshop:
    """Close the join code after the event, so no new participants arrive."""
    if moderator is not None:
        moderator.require_whole_workshop()
    workshop.joining_open = joining_open
    session.add(workshop)
    session.commit()
    return workshop


def set_open_online(*, session: Session, workshop: Workshop, enabled: bool,
                    moderator: Moderator) -> Workshop:
    """The join link is shared beyond the room (a poster, a press release): joins from one
    address are limited much more strictly, since people join from their own connections."""
    moderator.require_whole_workshop()
    workshop.open_online = enabled
    session.add(workshop)
    session.commit()
    return workshop


def set_premoderation(*, session: Session, workshop: Workshop, enabled: bool,
                      moderator: Moderator) -> Workshop:
    """With pre-moderation on, participants' new cards wait for approval."""
    moderator.require_whole_workshop()
    workshop.premoderation = enabled
    session.add(workshop)
    session.commit()
    return workshop
