"""Weighting in the plenary: each participant's dots on the themes, within the workshop's
allowance (so many in all, so many on one theme), and the facilitator's setting of it."""

from collections import Counter

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, func, select

from app.access import Facilitator
from app.errors import Conflict, InvalidInput
from app.live.events import (
    ThemeDotsChanged,
    ThemeSnapshot,
    record,
)
from app.models import Dot, Field, Participant, Theme, Workshop
from app.plenary import RateLimit, column_field, dot_totals, require_plenary, theme_of

DOTS_LIMIT = 20


class DotAllowance(BaseModel):
    model_config = ConfigDict(frozen=True)

    used: int
    total: int
    per_theme: int

    @property
    def left(self) -> int:
        return max(0, self.total - self.used)


def allowance(*, session: Session, workshop: Workshop, participant: Participant) -> DotAllowance:
    used = session.exec(select(func.count(col(Dot.id))).where(
        Dot.participant_id == participant.id)).one()
    return DotAllowance(used=used, total=workshop.dots_per_participant,
                        per_theme=workshop.dots_per_theme)


def my_dots(*, session: Session, participant: Participant) -> Counter[int]:
    return Counter(session.exec(select(Dot.theme_id).where(
        Dot.participant_id == participant.id)).all())


def place_dot(*, session: Session, workshop: Workshop, participant: Participant,
              theme_id: int, rate_limit: RateLimit | None = None,
              have: int | None = None) -> DotAllowance:
    """Put one of the participant's dots on a theme, within both allowances.

    `have` is the number of own dots on the theme the phone showed when it was tapped: a phone
    that resends a tap whose answer was lost sends the same number, and once the count moved
    on, nothing changes a second time."""
    require_plenary(workshop)
    if rate_limit is not None:
        rate_limit(participant.public_id)
    # Many taps at once never exceed the allowance: the write holds the workshop's turn
    # (SQLite's single writer, PostgreSQL's advisory lock: Database.write).
    theme = theme_of(session, workshop, theme_id)
    on_theme = session.exec(select(func.count(col(Dot.id))).where(
        Dot.participant_id == participant.id, Dot.theme_id == theme_id)).one()
    current = allowance(session=session, workshop=workshop, participant=participant)
    if have is not None and on_theme != have:
        return current
    if current.left == 0:
        raise Conflict("Sie haben alle {total} Punkte vergeben. Nehmen Sie einen zurück, um "
                       "ihn anders zu setzen.", total=current.total)
    if on_theme >= workshop.dots_per_theme:
        raise Conflict("Auf ein Thema passen höchstens {max} Ihrer Punkte.",
                       max=workshop.dots_per_theme)
    assert workshop.id is not None and participant.id is not None
    session.add(Dot(workshop_id=workshop.id, participant_id=participant.id, theme_id=theme_id))
    session.flush()
    _record_dots(session, workshop, theme)
    return current.model_copy(update={"used": current.used + 1})  # no second count


def remove_dot(*, session: Session, workshop: Workshop, participant: Participant,
               theme_id: int, rate_limit: RateLimit | None = None,
               have: int | None = None) -> DotAllowance:
    """Take one of the participant's dots back from a theme (`have`: as for `place_dot`)."""
    require_plenary(workshop)
    if rate_limit is not None:
        rate_limit(participant.public_id)
    theme = theme_of(session, workshop, theme_id, active=False)
    mine = session.exec(select(Dot).where(Dot.participant_id == participant.id,
                                          Dot.theme_id == theme_id)
                        .order_by(col(Dot.id).desc())).all()
    if have is not None and len(mine) != have:
        return allowance(session=session, workshop=workshop, participant=participant)
    dot = mine[0] if mine else None
    if dot is None:
        raise Conflict("Auf diesem Thema liegt kein Punkt von Ihnen.")
    current = allowance(session=session, workshop=workshop, participant=participant)
    session.delete(dot)
    session.flush()
    _record_dots(session, workshop, theme)
    return current.model_copy(update={"used": current.used - 1})


def _record_dots(session: Session, workshop: Workshop, theme: Theme) -> None:
    target, seen = theme, {theme.id}
    while target.merged_into_id is not None and target.merged_into_id not in seen:
        following = session.get(Theme, target.merged_into_id)
        if following is None:
            break
        seen.add(following.id)
        target = following
    totals = dot_totals(session, workshop)
    field = column_field(session, target.field_id)
    member = session.get(Field, target.field_id)
    assert workshop.id is not None and target.id is not None and member is not None
    record(session, ThemeDotsChanged(
        workshop_id=workshop.id, field=field.key, max_dots=max(totals.values(), default=0),
        theme=ThemeSnapshot(id=target.id, text=target.text, kind=target.kind,
                            dots=totals[target.id],
                            subfield=member.number if member.parent_id else "")))


def set_dot_allowance(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                      dots: int, per_theme: int) -> Workshop:
    facilitator.require_whole_workshop()
    if not (1 <= dots <= DOTS_LIMIT and 1 <= per_theme <= DOTS_LIMIT):
        raise InvalidInput("Punkte: jeweils 1 bis {max}.", max=DOTS_LIMIT)
    workshop.dots_per_participant, workshop.dots_per_theme = dots, per_theme
    session.add(workshop)
    return workshop
