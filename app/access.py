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
from app.errors import Conflict, InvalidInput, NotAllowed, NotFound
from app.models import (
    FacilitatorLink,
    Field,
    Organizer,
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


NAME_MAX = 80
ADMIN = "admin"  # the first account's name (`zukunft admin set-password` without --name)


def _account_name(name: str) -> str:
    cleaned = clean_text(name, multiline=False)
    if not cleaned:
        raise InvalidInput("Bitte geben Sie einen Namen für das Konto an.")
    if len(cleaned) > NAME_MAX:
        raise InvalidInput("Der Name ist zu lang (höchstens {max} Zeichen).", max=NAME_MAX)
    return cleaned


def _password_hash(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise InvalidInput("Das Passwort muss mindestens {min} Zeichen lang sein.",
                           min=PASSWORD_MIN)
    return _hasher.hash(password)


def set_organizer_password(*, session: Session, password: str, name: str = ADMIN) -> Organizer:
    """Set an account's password (argon2 hash), creating the account if needed; the first
    account is an admin. A new password signs that account out everywhere."""
    cleaned = _account_name(name)
    row = session.exec(select(Organizer).where(Organizer.name == cleaned)).first()
    if row is None:
        first = session.exec(select(Organizer.id)).first() is None
        row = Organizer(name=cleaned, password_hash="", is_admin=first)
    row.password_hash = _password_hash(password)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    session.exec(delete(OrganizerSession).where(col(OrganizerSession.organizer_id) == row.id))
    return row


def create_account(*, session: Session, name: str, password: str, is_admin: bool) -> Organizer:
    """A further organizer (another region on the same server); names are unique."""
    cleaned = _account_name(name)
    if session.exec(select(Organizer.id).where(Organizer.name == cleaned)).first() is not None:
        raise Conflict("Ein Konto „{name}“ gibt es schon.", name=cleaned)
    row = Organizer(name=cleaned, password_hash=_password_hash(password), is_admin=is_admin)
    session.add(row)
    session.flush()
    return row


def accounts(*, session: Session) -> list[Organizer]:
    return list(session.exec(select(Organizer).order_by(col(Organizer.name))))


def delete_account(*, session: Session, account_id: int, by: Organizer) -> None:
    """Remove an account with its sessions and tokens; its workshops stay (admins see them)."""
    row = session.get(Organizer, account_id)
    if row is None:
        raise NotFound("Dieses Konto gibt es nicht (mehr).")
    if row.id == by.id:
        raise Conflict("Das eigene Konto lässt sich nicht löschen.")
    session.exec(delete(OrganizerSession).where(col(OrganizerSession.organizer_id) == row.id))
    session.exec(delete(OrganizerToken).where(col(OrganizerToken.organizer_id) == row.id))
    for workshop in session.exec(select(Workshop)):
        if row.id in workshop.organizer_ids:
            workshop.organizer_ids = [i for i in workshop.organizer_ids if i != row.id]
            session.add(workshop)
    session.delete(row)


def require_admin(organizer: Organizer) -> None:
    if not organizer.is_admin:
        raise NotAllowed("Nur die Verwaltung des Servers (ein Konto mit Adminrechten) darf "
                         "Konten verwalten.")


def may_manage(organizer: Organizer, workshop: Workshop) -> bool:
    """An admin manages every workshop, an organizer the ones they created or were given."""
    return organizer.is_admin or (organizer.id is not None
                                  and organizer.id in workshop.organizer_ids)


def require_manage(organizer: Organizer, workshop: Workshop) -> None:
    if not may_manage(organizer, workshop):
        raise NotAllowed("Dieser Workshop gehört zu einem anderen Konto der Organisation.")


def give_workshop(*, session: Session, workshop: Workshop, by: Organizer, name: str) -> None:
    """Let another account manage the workshop too."""
    require_manage(by, workshop)
    row = session.exec(select(Organizer).where(Organizer.name == _account_name(name))).first()
    if row is None or row.id is None:
        raise NotFound("Ein Konto „{name}“ gibt es nicht.", name=clean_text(name)[:NAME_MAX])
    if row.id not in workshop.organizer_ids:
        workshop.organizer_ids = [*workshop.organizer_ids, row.id]
        session.add(workshop)


def organizer_configured(*, session: Session) -> bool:
    return session.exec(select(Organizer.id)).first() is not None


def account_for_sign_in(*, session: Session, name: str) -> Organizer | None:
    """The account a sign-in names; without a name, the only account if there is one."""
    cleaned = clean_text(name, multiline=False)[:NAME_MAX]
    if cleaned:
        return session.exec(select(Organizer).where(Organizer.name == cleaned)).first()
    rows = session.exec(select(Organizer).limit(2)).all()
    return rows[0] if len(rows) == 1 else None


def check_password(password_hash: str | None, password: str) -> bool:
    """argon2 on purpose takes tens of milliseconds: callers run it outside any transaction."""
    if password_hash is None or not password:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_organizer_password(*, session: Session, password: str, name: str = "") -> bool:
    account = account_for_sign_in(session=session, name=name)
    return check_password(account.password_hash if account else None, password)


# Organizer sessions end after two hours without use and twelve hours after signing in.
ORGANIZER_IDLE = timedelta(hours=2)
ORGANIZER_ABSOLUTE = timedelta(hours=12)
_SEEN_EVERY = timedelta(minutes=1)  # how often "still in use" is written down


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_organizer_session(*, session: Session, organizer_id: int) -> str:
    """A new signed-in browser; returns the cookie's value (only its hash is stored). The
    caller commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.exec(delete(OrganizerSession).where(
        col(OrganizerSession.created_at) < now - ORGANIZER_ABSOLUTE))
    session.add(OrganizerSession(organizer_id=organizer_id, token_hash=_digest(token),
                                 created_at=now, last_seen_at=now))
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


def create_organizer_token(*, session: Session, label: str,
                           organizer_id: int) -> tuple[OrganizerToken, str]:
    """A token for scripts; the returned text is shown once, only its hash is stored."""
    cleaned = clean_text(label, multiline=False)
    if not cleaned:
        raise InvalidInput("Bitte geben Sie an, wofür der Zugang ist (z. B. „Auswertung“).")
    if len(cleaned) > LABEL_MAX:
        raise InvalidInput("Die Bezeichnung ist zu lang (höchstens {max} Zeichen).",
                           max=LABEL_MAX)
    token = ORGANIZER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = OrganizerToken(organizer_id=organizer_id, label=cleaned, token_hash=_digest(token))
    session.add(row)
    session.flush()
    return row, token


def organizer_tokens(*, session: Session, organizer_id: int) -> list[OrganizerToken]:
    return list(session.exec(select(OrganizerToken).where(
        OrganizerToken.organizer_id == organizer_id).order_by(col(OrganizerToken.id).desc())))


def revoke_organizer_token(*, session: Session, token_id: int, organizer_id: int) -> None:
    row = session.get(OrganizerToken, token_id)
    if row is None or row.organizer_id != organizer_id:
        raise NotFound("Diesen Zugang gibt es nicht (mehr).")
    row.revoked_at = row.revoked_at or utcnow()
    session.add(row)


def organizer_for_token(*, session: Session, token: str | None) -> Organizer | None:
    """The account of an organizer token that has not been revoked."""
    if not token or not token.startswith(ORGANIZER_TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        return None
    row = session.exec(select(OrganizerToken).where(
        OrganizerToken.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return session.get(Organizer, row.organizer_id)


def organizer_token_valid(*, session: Session, token: str | None) -> bool:
    return organizer_for_token(session=session, token=token) is not None
