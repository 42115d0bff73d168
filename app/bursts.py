"""Signs that one person acts as many: joins and votes that come in bursts.

Anonymous participation cannot tell one person with ten browsers from ten people; it can show
the facilitator when a proposal's support or a theme's dots come mostly from people who joined
minutes before and did nothing else, and how many joined lately through one network address
(normal when the whole room shares the venue's Wi-Fi, a hint otherwise).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from app.models import (
    Card,
    Dot,
    Field,
    Participant,
    StatementProposal,
    StatementSupport,
    Theme,
    Workshop,
    as_utc,
    utcnow,
)

WINDOW = timedelta(minutes=10)
FRESH = timedelta(minutes=10)  # joined this shortly before voting
SUSPICIOUS = 5  # votes of fresh, otherwise silent participants on one item


@dataclass(frozen=True)
class Burst:
    """Votes on one item, most of them from participants who had just joined."""

    what: str  # "proposal" (guiding sentence) or "theme" (plenary dots)
    text: str
    field: str  # "HF 1"
    votes: int  # in the window
    fresh: int  # of them from participants who joined just before and posted no card


@dataclass(frozen=True)
class Joins:
    total: int  # joins in the window (this server process)
    one_address: int  # the most of them from a single address


def vote_bursts(*, session: Session, workshop: Workshop, now: datetime | None = None
                ) -> list[Burst]:
    """Items whose recent votes come mostly from fresh, otherwise silent participants."""
    since = (now or utcnow()) - WINDOW
    posted = set(session.exec(select(Card.participant_id).where(
        Card.workshop_id == workshop.id).distinct()))
    supports = session.execute(
        columns(col(StatementProposal.id), col(StatementProposal.text), col(Field.number),
                col(StatementSupport.created_at), col(Participant.id),
                col(Participant.created_at))
        .join(StatementProposal, col(StatementProposal.id) == StatementSupport.proposal_id)
        .join(Field, col(Field.id) == StatementProposal.field_id)
        .join(Participant, col(Participant.id) == StatementSupport.participant_id)
        .where(col(StatementProposal.workshop_id) == workshop.id,
               col(StatementSupport.created_at) >= since)).all()
    dots = session.execute(
        columns(col(Theme.id), col(Theme.text), col(Field.number), col(Dot.created_at),
                col(Participant.id), col(Participant.created_at))
        .join(Theme, col(Theme.id) == Dot.theme_id)
        .join(Field, col(Field.id) == Theme.field_id)
        .join(Participant, col(Participant.id) == Dot.participant_id)
        .where(col(Dot.workshop_id) == workshop.id, col(Dot.created_at) >= since)).all()
    bursts = []
    for what, rows in (("proposal", supports), ("theme", dots)):
        items: dict[int, tuple[str, str, list[bool]]] = {}
        for item, text, number, voted, who, joined in rows:
            fresh = (as_utc(voted) - as_utc(joined) <= FRESH) and who not in posted
            items.setdefault(item, (text, number, []))[2].append(fresh)
        for text, number, votes in items.values():
            if sum(votes) >= SUSPICIOUS and sum(votes) * 2 > len(votes):
                bursts.append(Burst(what=what, text=text, field=number, votes=len(votes),
                                    fresh=sum(votes)))
    return sorted(bursts, key=lambda b: -b.fresh)
