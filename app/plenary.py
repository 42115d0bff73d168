"""The plenary: every field's themes, proposals from phones, cross-cutting remarks, and dots.

A theme's importance is its number of dots (a merged theme adds the dots of the themes merged
into it). Participants act while the phase is `plenary`; facilitators decide on proposals.
"""

from collections import Counter
from collections.abc import Callable

from sqlmodel import Session, col, delete, func, select

from app.access import Facilitator
from app.errors import N_, Conflict, InvalidInput, NotFound
from app.live.events import (
    PlenaryChanged,
    PlenaryColumn,
    ProposalsChanged,
    RemarksChanged,
    RemarkSnapshot,
    ThemeSnapshot,
    hydrates,
    record,
)
from app.models import Dot, Field, Participant, Remark, Theme, ThemeProposal, Workshop, utcnow
from app.text import clean_text
from app.workshops import field_named, fields_of

THEME_MAX = 120
REMARK_MAX = 300
# What one phone may add in a workshop: enough for everything a person has to say, not enough
# to bury the room's remarks or the facilitator's list of proposals.
REMARKS_PER_PARTICIPANT = 10
PROPOSALS_PER_PARTICIPANT = 15


RateLimit = Callable[[str], None]  # asked with the participant's public id; raises when over


def require_plenary(workshop: Workshop) -> None:
    if workshop.phase != "plenary":
        raise Conflict("Die Plenumsrunde ist gerade nicht offen.")


THEME_EMPTY = N_("Bitte schreiben Sie ein Thema.")
REMARK_EMPTY = N_("Bitte schreiben Sie eine Bemerkung.")


def _clean(text: str, limit: int, empty: str) -> str:
    cleaned = clean_text(text or "", multiline=False)
    if not cleaned:
        raise InvalidInput(empty)
    if len(cleaned) > limit:
        raise InvalidInput("Höchstens {max} Zeichen, bitte kürzen ({length} Zeichen).",
                           max=limit, length=len(cleaned))
    return cleaned


def theme_of(session: Session, workshop: Workshop, theme_id: int, *, active: bool = True) -> Theme:
    theme = session.get(Theme, theme_id)
    field = session.get(Field, theme.field_id) if theme else None
    if theme is None or field is None or field.workshop_id != workshop.id:
        raise NotFound("Dieses Thema gibt es nicht (mehr).")
    if active and (theme.hidden_at is not None or theme.merged_into_id is not None):
        raise Conflict("Dieses Thema wurde ausgeblendet oder mit einem anderen zusammengefasst.")
    return theme


def column_field(session: Session, field_id: int) -> Field:
    """The top-level field whose plenary column shows themes of `field_id`."""
    field = session.get(Field, field_id)
    assert field is not None
    if field.parent_id is None:
        return field
    parent = session.get(Field, field.parent_id)
    return parent or field


def dot_totals(session: Session, workshop: Workshop) -> Counter[int]:
    """Dots per theme, with merged themes' dots counted on the theme they went into."""
    rows = session.exec(
        select(Dot.theme_id, func.count(col(Dot.id)))
        .where(Dot.workshop_id == workshop.id).group_by(col(Dot.theme_id))
    ).all()
    merged: dict[int | None, int | None] = dict(session.exec(
        select(Theme.id, Theme.merged_into_id)
        .join(Field, col(Field.id) == Theme.field_id)
        .where(Field.workshop_id == workshop.id, col(Theme.merged_into_id).is_not(None))
    ).all())
    totals: Counter[int] = Counter()
    for theme_id, count in rows:
        target: int | None = theme_id
        seen: set[int | None] = set()
        while target in merged and target not in seen:
            seen.add(target)
            target = merged[target]
        if target is not None:
            totals[target] += count
    return totals


def columns(*, session: Session, workshop: Workshop, field_ids: set[int] | None = None,
            totals: Counter[int] | None = None) -> list[PlenaryColumn]:
    """One column per top-level field, with the active themes of it and of its sub-fields."""
    fields = fields_of(session=session, workshop=workshop)
    totals = dot_totals(session, workshop) if totals is None else totals
    themes = session.exec(
        select(Theme).join(Field, col(Field.id) == Theme.field_id)
        .where(Field.workshop_id == workshop.id, col(Theme.hidden_at).is_(None),
               col(Theme.merged_into_id).is_(None))
        .order_by(col(Field.position), col(Theme.position), col(Theme.id))
    ).all()
    by_field: dict[int, list[Theme]] = {}
    for theme in themes:
        by_field.setdefault(theme.field_id, []).append(theme)
    result = []
    for field in fields:
        if field.parent_id is not None or (field_ids is not None and field.id not in field_ids):
            continue
        members = [field] + [f for f in fields if f.parent_id == field.id]
        snapshots = [
            ThemeSnapshot(id=t.id or 0, text=t.text, kind=t.kind, dots=totals[t.id or 0],
                          subfield=member.number if member.parent_id else "")
            for member in members for t in by_field.get(member.id or 0, [])
        ]
        result.append(PlenaryColumn(field=field.key, number=field.number, title=field.title,
                                    themes=snapshots))
    return result


def my_proposals(*, session: Session, participant: Participant) -> list[ThemeProposal]:
    """What this participant proposed in the plenary, in order."""
    return list(session.exec(select(ThemeProposal).where(
        ThemeProposal.participant_id == participant.id).order_by(col(ThemeProposal.id))))


def propose_theme(*, session: Session, workshop: Workshop, participant: Participant,
                  field: str, text: str, rate_limit: RateLimit | None = None) -> ThemeProposal:
    """Propose a new theme for a field; the facilitator decides."""
    require_plenary(workshop)
    target = field_named(session=session, workshop=workshop, key=field)
    return _propose(session, workshop, participant, kind="new", field=target,
                    text=_clean(text, THEME_MAX, THEME_EMPTY), rate_limit=rate_limit)


def propose_move(*, session: Session, workshop: Workshop, participant: Participant,
                 theme_id: int, field: str, rate_limit: RateLimit | None = None
                 ) -> ThemeProposal:
    """Propose to show a theme under another field."""
    require_plenary(workshop)
    theme = theme_of(session, workshop, theme_id)
    target = field_named(session=session, workshop=workshop, key=field)
    if target.id == theme.field_id:
        raise InvalidInput("Das Thema steht schon in diesem Handlungsfeld.")
    return _propose(session, workshop, participant, kind="move", field=target, text=theme.text,
                    theme=theme, rate_limit=rate_limit)


def _propose(session: Session, workshop: Workshop, participant: Participant, *, kind: str,
             field: Field, text: str, theme: Theme | None = None,
             rate_limit: RateLimit | None = None) -> ThemeProposal:
    assert workshop.id is not None and participant.id is not None and field.id is not None
    mine = session.exec(select(func.count(col(ThemeProposal.id))).where(
        ThemeProposal.participant_id == participant.id)).one()
    if mine >= PROPOSALS_PER_PARTICIPANT:
        raise Conflict("Sie haben schon {max} Vorschläge gemacht; mehr geht nicht.",
                       max=PROPOSALS_PER_PARTICIPANT)
    if rate_limit is not None:
        rate_limit(participant.public_id)
    proposal = ThemeProposal(workshop_id=workshop.id, participant_id=participant.id, kind=kind,
                             field_id=field.id, theme_id=theme.id if theme else None, text=text)
    session.add(proposal)
    session.flush()
    _record_proposals(session, workshop)
    return proposal


def pending_proposals(*, session: Session, workshop: Workshop) -> list[ThemeProposal]:
    return list(session.exec(select(ThemeProposal).where(
        ThemeProposal.workshop_id == workshop.id, ThemeProposal.status == "pending"
    ).order_by(col(ThemeProposal.id))))


def _record_proposals(session: Session, workshop: Workshop) -> None:
    assert workshop.id is not None
    record(session, ProposalsChanged(
        workshop_id=workshop.id,
        pending=len(pending_proposals(session=session, workshop=workshop))))


def add_remark(*, session: Session, workshop: Workshop, participant: Participant | None,
               text: str, rate_limit: RateLimit | None = None) -> Remark:
    """A cross-cutting remark ("Digitalisierung überall mitdenken!"), shown at once."""
    cleaned = _clean(text, REMARK_MAX, REMARK_EMPTY)
    if participant is not None:
        require_plenary(workshop)
        mine = session.exec(select(func.count(col(Remark.id))).where(
            Remark.participant_id == participant.id)).one()
        if mine >= REMARKS_PER_PARTICIPANT:
            raise Conflict("Sie haben schon {max} Bemerkungen geschrieben; mehr geht nicht.",
                           max=REMARKS_PER_PARTICIPANT)
        if rate_limit is not None:
            rate_limit(participant.public_id)
    assert workshop.id is not None
    remark = Remark(workshop_id=workshop.id, participant_id=participant.id if participant else None,
                    text=cleaned)
    session.add(remark)
    session.flush()
    _record_remarks(session, workshop, remark)
    return remark


def remarks(*, session: Session, workshop: Workshop, hidden: bool = False) -> list[Remark]:
    query = select(Remark).where(Remark.workshop_id == workshop.id)
    if not hidden:
        query = query.where(col(Remark.hidden_at).is_(None))
    return list(session.exec(query.order_by(col(Remark.id))))


def _remark_snapshots(session: Session, workshop: Workshop) -> list[RemarkSnapshot]:
    return [RemarkSnapshot(id=r.id or 0, text=r.text)
            for r in remarks(session=session, workshop=workshop)]


def _record_remarks(session: Session, workshop: Workshop, remark: Remark) -> None:
    """The table keeps the remark that changed; the views get the whole visible list."""
    assert workshop.id is not None and remark.id is not None
    record(session, RemarksChanged(
        workshop_id=workshop.id, remark=RemarkSnapshot(id=remark.id, text=remark.text),
        hidden=remark.hidden_at is not None, remarks=_remark_snapshots(session, workshop)))


@hydrates(RemarksChanged)
def _hydrate_remarks(session: Session, event: RemarksChanged) -> RemarksChanged:
    workshop = session.get(Workshop, event.workshop_id)
    if workshop is None:
        return event
    return event.model_copy(update={"remarks": _remark_snapshots(session, workshop)})


def set_remark_hidden(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                      remark_id: int, hidden: bool) -> None:
    facilitator.require_whole_workshop()
    remark = session.get(Remark, remark_id)
    if remark is None or remark.workshop_id != workshop.id:
        raise NotFound("Diese Bemerkung gibt es nicht (mehr).")
    remark.hidden_at = utcnow() if hidden else None
    session.add(remark)
    session.flush()
    _record_remarks(session, workshop, remark)


def _proposal(session: Session, workshop: Workshop, proposal_id: int) -> ThemeProposal:
    proposal = session.get(ThemeProposal, proposal_id)
    if proposal is None or proposal.workshop_id != workshop.id:
        raise NotFound("Diesen Vorschlag gibt es nicht (mehr).")
    if proposal.status != "pending":
        raise Conflict("Über diesen Vorschlag wurde schon entschieden.")
    return proposal


def accept_proposal(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                    proposal_id: int, text: str | None = None) -> Theme:
    """A new theme becomes a `conference` theme; a move moves the theme."""
    facilitator.require_whole_workshop()
    proposal = _proposal(session, workshop, proposal_id)
    changed = {column_field(session, proposal.field_id).id}
    if proposal.kind == "move":
        assert proposal.theme_id is not None
        theme = theme_of(session, workshop, proposal.theme_id)
        changed.add(column_field(session, theme.field_id).id)
        theme.field_id = proposal.field_id
        theme.position = _end(session, proposal.field_id)
    else:
        theme = Theme(field_id=proposal.field_id, kind="conference",
                      text=_clean(text or proposal.text, THEME_MAX, THEME_EMPTY),
                      position=_end(session, proposal.field_id))
    session.add(theme)
    proposal.status = "accepted"
    session.add(proposal)
    session.flush()
    record_columns(session, workshop, changed)
    _record_proposals(session, workshop)
    return theme


def _end(session: Session, field_id: int) -> int:
    positions = session.exec(select(Theme.position).where(Theme.field_id == field_id)).all()
    return max(positions, default=0) + 1


def reject_proposal(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                    proposal_id: int) -> None:
    facilitator.require_whole_workshop()
    proposal = _proposal(session, workshop, proposal_id)
    proposal.status = "rejected"
    session.add(proposal)
    session.flush()
    _record_proposals(session, workshop)


def edit_theme(*, session: Session, workshop: Workshop, facilitator: Facilitator, theme_id: int,
               text: str) -> Theme:
    facilitator.require_whole_workshop()
    theme = theme_of(session, workshop, theme_id)
    theme.text = _clean(text, THEME_MAX, THEME_EMPTY)
    session.add(theme)
    session.flush()
    record_columns(session, workshop, {column_field(session, theme.field_id).id})
    return theme


def hide_theme(*, session: Session, workshop: Workshop, facilitator: Facilitator,
               theme_id: int) -> None:
    """Take a theme off the board; its dots go back to the participants."""
    facilitator.require_whole_workshop()
    theme = theme_of(session, workshop, theme_id)
    theme.hidden_at = utcnow()
    session.add(theme)
    session.exec(delete(Dot).where(col(Dot.theme_id) == theme_id))
    session.flush()
    record_columns(session, workshop, {column_field(session, theme.field_id).id})


def merge_themes(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                 theme_ids: list[int], text: str | None = None) -> Theme:
    """Merge duplicates into the first theme; their dots count for it from now on."""
    facilitator.require_whole_workshop()
    themes = [theme_of(session, workshop, t) for t in dict.fromkeys(theme_ids)]
    if len(themes) < 2:
        raise InvalidInput("Zum Zusammenfassen braucht es mindestens zwei Themen.")
    target, others = themes[0], themes[1:]
    if text and text.strip():
        target.text = _clean(text, THEME_MAX, THEME_EMPTY)
    changed = {column_field(session, t.field_id).id for t in themes}
    for theme in others:
        theme.merged_into_id = target.id
        session.add(theme)
    session.add(target)
    session.flush()
    record_columns(session, workshop, changed)
    return target


def record_columns(session: Session, workshop: Workshop, field_ids: set[int | None]) -> None:
    """The plenary boards redraw these fields' columns (themes, their kinds and dots)."""
    assert workshop.id is not None
    ids = {f for f in field_ids if f is not None}
    totals = dot_totals(session, workshop)
    record(session, PlenaryChanged(
        workshop_id=workshop.id,
        columns=columns(session=session, workshop=workshop, field_ids=ids, totals=totals),
        max_dots=max(totals.values(), default=0)))
