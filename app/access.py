"""Who may facilitate: the workshop's main link, further links per table, the organizer.

Every facilitator token is derived from the secret key (nothing secret is stored): the main
link's from the workshop and its version, a further link's from the link row and its version.
Rotating raises the version, so the old link stops working at once.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, select

from app.auth import Tokens
from app.errors import InvalidInput, NotAllowed, NotFound
from app.models import (
    FacilitatorLink,
    Field,
    OrganizerPassword,
    OrganizerSession,
    OrganizerToken,
    Workshop,
    as_utc,
    utcnow,
)
from app.text import clean_text

LABEL_MAX = 80
PASSWORD_MIN = 10
TOKEN_MAX = 200  # no token we issue is longer; a longer one is not looked at
_LINK_TOKEN = re.compile(r"L([0-9]{1,10})\.[A-Za-z0-9_=-]{1,100}")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Facilitator:
    """A signed-in facilitator; `field_id` limits them to one field's cards."""

    label: str
    field_id: int | None = None
    link_id: int | None = None
    organizer: bool = False

    @property
    def actor(self) -> str:
        """Whose undo history an action belongs to."""
        if self.organizer:
            return "organizer"
        return f"L{self.link_id}" if self.link_id is not None else "main"

    @property
    def whole_workshop(self) -> bool:
        return self.field_id is None

    def require_field(self, field_id: int) -> None:
        if self.field_id is not None and self.field_id != field_id:
            raise NotAllowed("Ihr Moderationslink gilt nur für ein anderes Handlungsfeld.")

    def require_whole_workshop(self) -> None:
        if self.field_id is not None:
            raise NotAllowed("Das darf nur die Moderation des ganzen Workshops.")


MAIN = Facilitator(label="Moderation")
ORGANIZER = Facilitator(label="Organisation", organizer=True)


def link_token(tokens: Tokens, link: FacilitatorLink) -> str:
    return f"L{link.id}.{tokens.derive(f'facilitator-link:{link.id}:{link.version}')}"


def facilitator_for(*, session: Session, tokens: Tokens, workshop: Workshop,
                    token: str | None) -> Facilitator | None:
    """The facilitator a token stands for in this workshop, or None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    if tokens.is_facilitator(workshop, token):
        return MAIN
    match = _LINK_TOKEN.fullmatch(token)
    if match is None or int(match[1]) > 2**31 - 1:
        return None
    link = session.get(FacilitatorLink, int(match[1]))
    if link is None or link.workshop_id != workshop.id or link.revoked_at is not None:
        return None
    if not tokens.same(link_token(tokens, link), token):
        return None
    return Facilitator(label=link.label, field_id=link.field_id, link_id=link.id)


def create_link(*, session: Session, workshop: Workshop, label: str,
                field: Field | None) -> FacilitatorLink:
    """A further facilitator link, e.g. for one working-group table."""
    cleaned = clean_text(label, multiline=False)
    if not cleaned or len(cleaned) > LABEL_MAX:
        raise InvalidInput("Bitte geben Sie dem Link einen Namen (höchstens {max} Zeichen).",
                           max=LABEL_MAX)
    assert workshop.id is not None
    link = FacilitatorLink(workshop_id=workshop.id, label=cleaned,
                           field_id=field.id if field else None)
    session.add(link)
    return link


def links_of(*, session: Session, workshop: Workshop) -> list[FacilitatorLink]:
    return list(session.exec(
        select(FacilitatorLink)
        .where(FacilitatorLink.workshop_id == workshop.id,
               col(FacilitatorLink.revoked_at).is_(None))
        .order_by(col(FacilitatorLink.id))
    ))


def _link(session: Session, workshop: Workshop, link_id: int) -> FacilitatorLink:
    link = session.get(FacilitatorLink, link_id)
    if link is None or link.workshop_id != workshop.id or link.revoked_at is not None:
        raise NotFound("Diesen Moderationslink gibt es nicht (mehr).")
    return link


def rotate_link(*, session: Session, workshop: Workshop, link_id: int | None) -> None:
    """Issue a new token for a link (None: the main link); the old one stops working."""
    if link_id is None:
        workshop.facilitator_token_version += 1
        session.add(workshop)
    else:
        link = _link(session, workshop, link_id)
        link.version += 1
        session.add(link)


def revoke_link(*, session: Session, workshop: Workshop, link_id: int) -> None:
    link = _link(session, workshop, link_id)
    link.revoked_at = utcnow()
    session.add(link)


def set_organizer_password(*, session: Session, password: str) -> None:
    """Set the password that reaches every workshop; kept as an argon2 hash."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput("Das Passwort muss mindestens {min} Zeichen lang sein.",
                           min=PASSWORD_MIN)
    row = session.exec(select(OrganizerPassword)).first() or OrganizerPassword(password_hash="")
    row.password_hash = _hasher.hash(password)
    row.updated_at = utcnow()
    session.add(row)
    session.exec(delete(OrganizerSession))  # a new password signs everyone out


def organizer_configured(*, session: Session) -> bool:
    return session.exec(select(OrganizerPassword.id)).first() is not None


def organizer_password_hash(*, session: Session) -> str | None:
    row = session.exec(select(OrganizerPassword)).first()
    return row.password_hash if row else None


def check_password(password_hash: str | None, password: str) -> bool:
    """argon2 on purpose takes tens of milliseconds: callers run it outside any transaction."""
    if password_hash is None or not password:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_organizer_password(*, session: Session, password: str) -> bool:
    return check_password(organizer_password_hash(session=session), password)


# Organizer sessions end after two hours without use and twelve hours after signing in.
ORGANIZER_IDLE = timedelta(hours=2)
ORGANIZER_ABSOLUTE = timedelta(hours=12)
_SEEN_EVERY = timedelta(minutes=1)  # how often "still in use" is written down


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_organizer_session(*, session: Session) -> str:
    """A new signed-in browser; returns the cookie's value (only its hash is stored). The
    caller commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.exec(delete(OrganizerSession).where(
        col(OrganizerSession.created_at) < now - ORGANIZER_ABSOLUTE))
    session.add(OrganizerSession(token_hash=_digest(token), created_at=now, last_seen_at=now))
    return token


def organizer_session(*, session: Session, token: str | None,
                      now: datetime | None = None) -> OrganizerSession | None:
    """The session the cookie stands for, if it has not ended or expired."""
    if not token or len(token) > TOKEN_MAX:
        return None
    now = now or utcnow()
    row = session.exec(select(OrganizerSession).where(
        OrganizerSession.token_hash == _digest(token))).first()
    if row is None or now - as_utc(row.created_at) > ORGANIZER_ABSOLUTE or (
            now - as_utc(row.last_seen_at) > ORGANIZER_IDLE):
        return None
    return row


def needs_touch(row: OrganizerSession, now: datetime | None = None) -> bool:
    return (now or utcnow()) - as_utc(row.last_seen_at) > _SEEN_EVERY


def touch_organizer_session(*, session: Session, session_id: int) -> None:
    """Note that the session is still in use (the caller commits)."""
    row = session.get(OrganizerSession, session_id)
    if row is not None:
        row.last_seen_at = utcnow()
        session.add(row)


def end_organizer_session(*, session: Session, token: str | None) -> None:
    """Sign out: the cookie stops working everywhere at once (the caller commits)."""
    if token and len(token) <= TOKEN_MAX:
        session.exec(delete(OrganizerSession).where(
            col(OrganizerSession.token_hash) == _digest(token)))


ORGANIZER_TOKEN_PREFIX = "zko_"  # tells an organizer token apart from all others at a glance


def create_organizer_token(*, session: Session, label: str) -> tuple[OrganizerToken, str]:
    """A token for scripts; the returned text is shown once, only its hash is stored."""
    cleaned = clean_text(label, multiline=False)
    if not cleaned:
        raise InvalidInput("Bitte geben Sie an, wofür der Zugang ist (z. B. „Auswertung“).")
    if len(cleaned) > LABEL_MAX:
        raise InvalidInput("Die Bezeichnung ist zu lang (höchstens {max} Zeichen).",
                           max=LABEL_MAX)
    token = ORGANIZER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = OrganizerToken(label=cleaned, token_hash=_digest(token))
    session.add(row)
    session.flush()
    return row, token


def organizer_tokens(*, session: Session) -> list[OrganizerToken]:
    return list(session.exec(select(OrganizerToken).order_by(col(OrganizerToken.id).desc())))


def revoke_organizer_token(*, session: Session, token_id: int) -> None:
    row = session.get(OrganizerToken, token_id)
    if row is None:
        raise NotFound("Diesen Zugang gibt es nicht (mehr).")
    row.revoked_at = row.revoked_at or utcnow()
    session.add(row)


def organizer_token_valid(*, session: Session, token: str | None) -> bool:
    """Whether `token` is an organizer token that has not been revoked."""
    if not token or not token.startswith(ORGANIZER_TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        return False
    row = session.exec(select(OrganizerToken).where(
        OrganizerToken.token_hash == _digest(token))).first()
    return row is not None and row.revoked_at is None
