"""The guiding sentence (Leitsatz) per field: proposals, support, a live draft, adoption.

"Mit diesem Handlungsfeld wollen wir für {region} erreichen, dass …" is the stem; participants
propose completions, support each other's (once per proposal), the facilitator shapes a draft
from them and adopts it. Adopting again keeps the earlier versions.
"""

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.access import Facilitator
from app.db.unit import savepoint
from app.errors import AlreadyDone, Conflict, InvalidInput, NotFound
from app.live.events import (
    GuidingSentence,
    StatementChanged,
    StatementProposalSnapshot,
    hydrates,
    record,
)
from app.models import (
    Field,
    Participant,
    Statement,
    StatementProposal,
    StatementSupport,
    Workshop,
)
from app.text import clean_text
from app.workshops import field_named, find_field

TEXT_MAX = 400
PROPOSALS_PER_PARTICIPANT = 5  # per field: one person cannot flood a field's proposals
_ELLIPSIS = " .…"


def stem(workshop: Workshop, field: Field | None) -> str:
    """The stem with the region filled in, e.g. "… für den Westharz erreichen, dass …"."""
    own = field.statement_stem if field is not None else None
    return (own or workshop.statement_stem).replace("{region}", workshop.region)


def is_open(workshop: Workshop, field: Field) -> bool:
    if field.statement_open is not None:
        return field.statement_open
    return workshop.phase == "working"


def _text(text: str) -> str:
    cleaned = clean_text(text or "", multiline=False).lstrip(_ELLIPSIS).strip()
    if not cleaned:
        raise InvalidInput("Bitte ergänzen Sie den Satz.")
    if len(cleaned) > TEXT_MAX:
        raise InvalidInput("Höchstens {max} Zeichen, bitte kürzen ({length} Zeichen).",
                           max=TEXT_MAX, length=len(cleaned))
    return cleaned


def propose(*, session: Session, workshop: Workshop, participant: Participant, field: str,
            text: str, rate_limit: Callable[[str], None] | None = None) -> StatementProposal:
    """Propose a completion of the field's guiding sentence (a few per person and field)."""
    target = field_named(session=session, workshop=workshop, key=field)
    if not is_open(workshop, target):
        raise Conflict("Für dieses Handlungsfeld werden gerade keine Leitsätze gesammelt.")
    assert workshop.id is not None and target.id is not None and participant.id is not None
    cleaned = _text(text)
    mine = session.exec(select(func.count(col(StatementProposal.id))).where(
        StatementProposal.field_id == target.id,
        StatementProposal.participant_id == participant.id)).one()
    if mine >= PROPOSALS_PER_PARTICIPANT:
        raise Conflict("Sie haben für dieses Handlungsfeld schon {max} Vorschläge gemacht. "
                       "Unterstützen Sie gern die der anderen.", max=PROPOSALS_PER_PARTICIPANT)
    if rate_limit is not None:
        rate_limit(participant.public_id)
    proposal = StatementProposal(workshop_id=workshop.id, field_id=target.id,
                                 participant_id=participant.id, text=cleaned)
    session.add(proposal)
    session.flush()
    _record(session, workshop, target, "proposed", proposal.id)
    return proposal


def _proposal(session: Session, workshop: Workshop, proposal_id: int) -> StatementProposal:
    proposal = session.get(StatementProposal, proposal_id)
    if proposal is None or proposal.workshop_id != workshop.id:
        raise NotFound("Diesen Vorschlag gibt es nicht (mehr).")
    return proposal


def proposal_in(*, session: Session, field: Field, proposal_id: int) -> StatementProposal:
    """A proposal of this field, for the facilitator to take into the draft."""
    proposal = session.get(StatementProposal, proposal_id)
    if proposal is None or proposal.field_id != field.id:
        raise InvalidInput("Diesen Vorschlag gibt es nicht (mehr).")
    return proposal


def field_of_proposal(*, session: Session, workshop: Workshop, proposal_id: int) -> str:
    """The key of the field a proposal belongs to."""
    proposal = _proposal(session, workshop, proposal_id)
    field = session.get(Field, proposal.field_id)
    assert field is not None
    return field.key


def support(*, session: Session, workshop: Workshop, participant: Participant,
            proposal_id: int, rate_limit: Callable[[str], None] | None = None) -> None:
    """Support a proposal, one's own too, but each only once."""
    proposal = _proposal(session, workshop, proposal_id)
    field = session.get(Field, proposal.field_id)
    assert field is not None and participant.id is not None
    if not is_open(workshop, field):
        raise Conflict("Für dieses Handlungsfeld werden gerade keine Leitsätze gesammelt.")
    if rate_limit is not None:
        rate_limit(participant.public_id)
    try:
        with savepoint(session):  # the rest of the caller's transaction stays valid
            session.add(StatementSupport(proposal_id=proposal_id, participant_id=participant.id))
            session.flush()
    except IntegrityError as exc:
        raise AlreadyDone("Sie unterstützen diesen Vorschlag schon.") from exc
    _record(session, workshop, field, "supported", proposal_id)


def withdraw(*, session: Session, workshop: Workshop, participant: Participant,
             proposal_id: int, rate_limit: Callable[[str], None] | None = None) -> None:
    """Take one's support back."""
    proposal = _proposal(session, workshop, proposal_id)
    if rate_limit is not None:
        rate_limit(participant.public_id)
    row = session.exec(select(StatementSupport).where(
        StatementSupport.proposal_id == proposal_id,
        StatementSupport.participant_id == participant.id)).first()
    if row is None:
        raise AlreadyDone("Sie unterstützen diesen Vorschlag nicht.")
    session.delete(row)
    session.flush()
    field = session.get(Field, proposal.field_id)
    assert field is not None
    _record(session, workshop, field, "withdrawn", proposal_id)


def ranked(*, session: Session, field: Field) -> list[StatementProposalSnapshot]:
    """The field's proposals, most supported first (then oldest first)."""
    rows = session.exec(
        select(StatementProposal, Participant.public_id)
        .join(Participant, col(Participant.id) == StatementProposal.participant_id)
        .where(StatementProposal.field_id == field.id)
        .order_by(col(StatementProposal.id))
    ).all()
    supporters: dict[int, list[str]] = {}
    for proposal_id, public_id in session.exec(
        select(StatementSupport.proposal_id, Participant.public_id)
        .join(Participant, col(Participant.id) == StatementSupport.participant_id)
        .join(StatementProposal, col(StatementProposal.id) == StatementSupport.proposal_id)
        .where(StatementProposal.field_id == field.id)
    ):
        supporters.setdefault(proposal_id, []).append(public_id)
    snapshots = [
        StatementProposalSnapshot(id=p.id or 0, text=p.text, author=author,
                                  support=len(supporters.get(p.id or 0, [])),
                                  supporters=supporters.get(p.id or 0, []))
        for p, author in rows
    ]
    return sorted(snapshots, key=lambda s: (-s.support, s.id))


def adopted(*, session: Session, field: Field) -> Statement | None:
    return session.exec(select(Statement).where(Statement.field_id == field.id)
                        .order_by(col(Statement.version).desc()).limit(1)).first()


def history(*, session: Session, field: Field) -> list[Statement]:
    return list(session.exec(select(Statement).where(Statement.field_id == field.id)
                             .order_by(col(Statement.version))))


def set_draft(*, session: Session, workshop: Workshop, facilitator: Facilitator, field: Field,
              text: str) -> Field:
    """The facilitator's working text; boards show it while it is being shaped."""
    assert field.id is not None
    facilitator.require_field(field.id)
    draft = clean_text(text or "", multiline=False)
    if len(draft) > TEXT_MAX:
        raise InvalidInput("Höchstens {max} Zeichen, bitte kürzen ({length} Zeichen).",
                           max=TEXT_MAX, length=len(draft))
    field.statement_draft = draft
    session.add(field)
    session.flush()
    _record(session, workshop, field, "draft")
    return field


def adopt(*, session: Session, workshop: Workshop, facilitator: Facilitator, field: Field,
          text: str) -> Statement:
    """Adopt the sentence for the field; an earlier one stays in the history."""
    assert field.id is not None and workshop.id is not None
    facilitator.require_field(field.id)
    version = session.exec(select(func.count(col(Statement.id))).where(
        Statement.field_id == field.id)).one() + 1
    statement = Statement(workshop_id=workshop.id, field_id=field.id, version=version,
                          text=_text(text))
    session.add(statement)
    field.statement_draft = ""
    session.add(field)
    session.flush()
    _record(session, workshop, field, "adopted")
    return statement


def set_open(*, session: Session, workshop: Workshop, facilitator: Facilitator, field: Field,
             open_: bool | None) -> Field:
    """Open or close collecting proposals for a field (None: follow the working phase)."""
    assert field.id is not None
    facilitator.require_field(field.id)
    field.statement_open = open_
    session.add(field)
    session.flush()
    _record(session, workshop, field, "opened")
    return field


def snapshot(session: Session, workshop: Workshop, field: Field) -> GuidingSentence:
    """The field's guiding sentence as it stands now."""
    current = adopted(session=session, field=field)
    return GuidingSentence(
        field=field.key, stem=stem(workshop, field), proposals=ranked(session=session, field=field),
        draft=field.statement_draft, adopted=current.text if current else None,
        version=current.version if current else 0, open=is_open(workshop, field))


def _record(session: Session, workshop: Workshop, field: Field, change: str,
            proposal: int | None = None) -> None:
    assert workshop.id is not None
    record(session, StatementChanged(workshop_id=workshop.id, field=field.key, change=change,
                                     proposal=proposal, state=snapshot(session, workshop, field)))


@hydrates(StatementChanged)
def _hydrate(session: Session, event: StatementChanged) -> StatementChanged:
    workshop = session.get(Workshop, event.workshop_id)
    field = find_field(session=session, workshop=workshop, key=event.field) if workshop else None
    if workshop is None or field is None:
        return event
    return event.model_copy(update={"state": snapshot(session, workshop, field)})
