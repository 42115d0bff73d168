"""Database tables (SQLModel). Schema changes go through Alembic migrations in app/db/migrations."""

import datetime as dt
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint, text
from sqlmodel import Field as Col
from sqlmodel import SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def moment(*, optional: bool = False) -> Any:
    """A point in time with its zone; now when not given (`optional`: none until set)."""
    if optional:
        return Col(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    return Col(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def as_utc(value: datetime) -> datetime:
    """SQLite gives stored times back without their zone; they are all UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Workshop(SQLModel, table=True):
    id: int | None = Col(default=None, primary_key=True)
    slug: str = Col(max_length=80, unique=True, index=True)
    title: str = Col(max_length=200)
    region: str = Col(max_length=120)
    region_name: str = Col(default="", max_length=120)  # "Westharz", for questions and titles
    date: dt.date | None = None
    place: str = Col(default="", max_length=200)
    leitbild: str = Col(default="", max_length=500)
    goals: list[str] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    statement_stem: str = Col(max_length=300)
    questions: list[str] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    join_code: str = Col(max_length=12, unique=True, index=True)
    joining_open: bool = True
    open_online: bool = False  # the join link is shared beyond the room: stricter join limits
    posting_open: bool = True
    premoderation: bool = False
    dots_per_participant: int = 5
    dots_per_theme: int = 3
    survey_min_respondents: int = 5  # fewer: results show counts only (anonymity)
    phase: str = Col(default="working", max_length=20)
    rounds: int = 2
    current_round: int = 1
    timer_total_s: int | None = None
    timer_ends_at: datetime | None = moment(optional=True)
    timer_remaining_s: int | None = None  # set while the timer is paused
    facilitator_token_version: int = 1
    created_at: datetime = moment()
    retain_until: dt.date | None = None  # then deleted with everything in it (DSGVO)
    legal: dict[str, str] = Col(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The organizers who manage it (who created it, who were given it); admins manage all.
    organizer_ids: list[int] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    archived_at: datetime | None = moment(optional=True)
    definition_version: int = 1  # raised by every change of its definition
    timezone: str = Col(default="Europe/Berlin", max_length=60)  # times in the documentation
    method: str = Col(default="", max_length=3000)  # the report's method text ("": generated)
    agenda: list[dict[str, str]] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Stakeholder groups, age groups, asked on phones or not (see definition.ParticipationDef).
    participation: dict[str, Any] = Col(default_factory=dict,
                                        sa_column=Column(JSON, nullable=False))
    # Counted in the room and entered afterwards (see app/attendance.py): the REK's evidence.
    attendance: dict[str, Any] = Col(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Category(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    key: str = Col(max_length=40)
    label: str = Col(max_length=80)
    position: int = 0


class Field(SQLModel, table=True):
    """A Handlungsfeld; a sub-field (HF 4 A) has a parent."""

    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    parent_id: int | None = Col(default=None, foreign_key="field.id")
    key: str = Col(max_length=40)
    number: str = Col(default="", max_length=20)
    title: str = Col(max_length=200)
    topics: str = Col(default="", max_length=1000)
    position: int = 0
    posting_open: bool = True
    statement_stem: str | None = Col(default=None, max_length=300)  # overrides the workshop's
    statement_open: bool | None = None  # None: proposals follow the working phase
    statement_draft: str = Col(default="", max_length=400)


class Theme(SQLModel, table=True):
    """A topic in a field's plenary column; kind says how it got there (see the legend)."""

    id: int | None = Col(default=None, primary_key=True)
    field_id: int = Col(foreign_key="field.id", index=True)
    text: str = Col(max_length=300)
    kind: str = Col(max_length=20)
    position: int = 0
    hidden_at: datetime | None = moment(optional=True)  # hidden by the facilitator
    merged_into_id: int | None = Col(default=None, foreign_key="theme.id")


class ThemeProposal(SQLModel, table=True):
    """A participant's proposal in the plenary: a new theme, or moving a theme elsewhere."""

    __tablename__ = "theme_proposal"

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    participant_id: int = Col(foreign_key="participant.id")
    kind: str = Col(max_length=10)  # new, move
    field_id: int = Col(foreign_key="field.id")  # where the theme should be
    theme_id: int | None = Col(default=None, foreign_key="theme.id")  # the theme to move
    text: str = Col(default="", max_length=120)
    status: str = Col(default="pending", max_length=10)  # pending, accepted, rejected
    created_at: datetime = moment()


class Remark(SQLModel, table=True):
    """A cross-cutting remark of the plenary that belongs to no field."""

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    participant_id: int | None = Col(default=None, foreign_key="participant.id")
    text: str = Col(max_length=300)
    hidden_at: datetime | None = moment(optional=True)
    created_at: datetime = moment()


class Dot(SQLModel, table=True):  # one importance dot a participant placed on a theme
    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    participant_id: int = Col(foreign_key="participant.id", index=True)
    theme_id: int = Col(foreign_key="theme.id", index=True)
    created_at: datetime = moment()


FACILITATOR = "facilitator"  # Participant.role of the author of cards a facilitator posts


class Participant(SQLModel, table=True):
    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    public_id: str = Col(max_length=40, unique=True, index=True)
    display_name: str = Col(default="", max_length=40)
    # The name may stand beside this person's cards in the documentation: only if they said so.
    name_in_report: bool = False
    role: str = Col(default="participant", max_length=20)
    stakeholder_group: str = Col(default="", max_length=80)  # said on the phone, may stay empty
    created_at: datetime = moment()


# As `cards.visible()` compiles on each database: a partial index serves only queries whose
# conditions read exactly like its own.
CARD_VISIBLE = ("deleted_at IS NULL AND hidden_at IS NULL AND merged_into_id IS NULL "
                "AND approved IS ")


class Card(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("participant_id", "client_id"),
        Index("ix_card_workshop_field", "workshop_id", "field_id"),
        # The board's card counts run with every posted card; they read only this index.
        Index("ix_card_visible", "workshop_id", "field_id",
              sqlite_where=text(CARD_VISIBLE + "1"),
              postgresql_where=text(CARD_VISIBLE + "true")),
    )

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id")
    field_id: int = Col(foreign_key="field.id")
    category_id: int = Col(foreign_key="category.id")
    participant_id: int = Col(foreign_key="participant.id", index=True)
    text: str = Col(max_length=500)
    client_id: str | None = Col(default=None, max_length=64)
    round: int = 1
    position: int = 0  # order within its column, after pinned cards; ties by id
    pinned: bool = False
    approved: bool = True  # False while it waits for pre-moderation
    weight: int = 1  # how many people said it: a merged card sums its originals
    merged_into_id: int | None = Col(default=None, foreign_key="card.id")
    hidden_at: datetime | None = moment(optional=True)
    created_at: datetime = moment()
    updated_at: datetime | None = moment(optional=True)
    deleted_at: datetime | None = moment(optional=True)


class EventRecord(SQLModel, table=True):
    """Every published event, so a board that reconnects can replay what it missed."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_workshop_id_id", "workshop_id", "id"),)

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id")
    kind: str = Col(max_length=40)
    payload: dict[str, Any] = Col(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = moment()


class FacilitatorLink(SQLModel, table=True):
    """A further facilitator link (one per working-group table), optionally for one field."""

    __tablename__ = "facilitator_link"

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    label: str = Col(max_length=80)
    field_id: int | None = Col(default=None, foreign_key="field.id")
    version: int = 1
    revoked_at: datetime | None = moment(optional=True)
    created_at: datetime = moment()


class ModerationAction(SQLModel, table=True):
    """One moderation step with the card states before it, so it can be undone."""

    __tablename__ = "moderation_action"

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    kind: str = Col(max_length=20)
    actor: str = Col(default="", max_length=40)  # whose undo this is: "main", "L3", "organizer"
    summary: str = Col(default="", max_length=200)
    before: list[dict[str, Any]] = Col(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # The same cards right after the action: undo puts back only what nobody changed since
    # (an author's later edit or deletion stands).
    after: list[dict[str, Any]] = Col(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    created: list[int] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = moment()
    undone_at: datetime | None = moment(optional=True)


class Organizer(SQLModel, table=True):
    """An organizer's account (name, argon2 hash). Admins manage accounts and see every
    workshop; the others the workshops they created or were given (`Workshop.organizer_ids`)."""

    id: int | None = Col(default=None, primary_key=True)
    name: str = Col(max_length=80, unique=True, index=True)
    password_hash: str = Col(max_length=200)
    is_admin: bool = False
    updated_at: datetime = moment()


class OrganizerToken(SQLModel, table=True):
    """A token for the organizer's scripts (`Bearer zko_…`): shown once, its hash kept."""

    __tablename__ = "organizer_token"

    id: int | None = Col(default=None, primary_key=True)
    organizer_id: int = Col(foreign_key="organizer.id", index=True)
    label: str = Col(max_length=80)
    token_hash: str = Col(max_length=64, unique=True, index=True)
    created_at: datetime = moment()
    revoked_at: datetime | None = moment(optional=True)


class OrganizerSession(SQLModel, table=True):
    """A signed-in organizer browser: the cookie's random id, hashed (logout ends it)."""

    __tablename__ = "organizer_session"

    id: int | None = Col(default=None, primary_key=True)
    organizer_id: int = Col(foreign_key="organizer.id", index=True)
    token_hash: str = Col(max_length=64, unique=True, index=True)
    created_at: datetime = moment()
    last_seen_at: datetime = moment()


class StatementProposal(SQLModel, table=True):
    """A participant's completion of the guiding sentence for a field."""

    __tablename__ = "statement_proposal"

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    field_id: int = Col(foreign_key="field.id", index=True)
    participant_id: int = Col(foreign_key="participant.id")
    text: str = Col(max_length=400)
    created_at: datetime = moment()


class StatementSupport(SQLModel, table=True):
    __tablename__ = "statement_support"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)

    id: int | None = Col(default=None, primary_key=True)
    proposal_id: int = Col(foreign_key="statement_proposal.id", index=True)
    participant_id: int = Col(foreign_key="participant.id")
    created_at: datetime = moment()


class Statement(SQLModel, table=True):
    """An adopted guiding sentence; adopting again adds a version, the newest counts."""

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    field_id: int = Col(foreign_key="field.id", index=True)
    version: int
    text: str = Col(max_length=400)  # the completion after the stem
    adopted_at: datetime = moment()


class Survey(SQLModel, table=True):
    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    title: str = Col(max_length=200)
    status: str = Col(default="draft", max_length=10)  # draft, open, closed
    position: int = 0
    created_at: datetime = moment()


class Question(SQLModel, table=True):
    id: int | None = Col(default=None, primary_key=True)
    survey_id: int = Col(foreign_key="survey.id", index=True)
    position: int = 0
    kind: str = Col(max_length=10)  # single, multiple, rating, ranking, text, number
    text: str = Col(max_length=300)
    required: bool = False
    options: list[str] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    max_choices: int | None = None
    scale_min: int = 1
    scale_max: int = 5
    label_min: str = Col(default="", max_length=60)
    label_max: str = Col(default="", max_length=60)


class SurveyResponse(SQLModel, table=True):
    """One respondent's answers: a participant (live) or a row of an imported file."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "participant_id"),)

    id: int | None = Col(default=None, primary_key=True)
    survey_id: int = Col(foreign_key="survey.id", index=True)
    participant_id: int | None = Col(default=None, foreign_key="participant.id")
    source: str = Col(default="", max_length=120)  # "" live, else the import's label
    created_at: datetime = moment()


class Answer(SQLModel, table=True):
    id: int | None = Col(default=None, primary_key=True)
    response_id: int = Col(foreign_key="survey_response.id", index=True)
    question_id: int = Col(foreign_key="question.id", index=True)
    # Choices and rankings: option indexes; rating and number: one number; text: a string.
    value: Any = Col(default=None, sa_column=Column(JSON, nullable=True))
    hidden_at: datetime | None = moment(optional=True)  # free text hidden by the facilitator


class Photo(SQLModel, table=True):
    """A photo of a flipchart or pinboard (per field, or of the whole workshop: no field), or a
    logo for the documentation's cover: re-encoded, scaled, without EXIF or location."""

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    field_id: int | None = Col(default=None, foreign_key="field.id", index=True)
    kind: str = Col(default="photo", max_length=10)  # photo, logo
    caption: str = Col(default="", max_length=300)
    content: bytes
    media_type: str = Col(max_length=20)  # image/jpeg, image/png
    width: int
    height: int
    uploaded_by: str = Col(default="", max_length=40)  # a participant's public id, or a role
    position: int = 0
    hidden_at: datetime | None = moment(optional=True)
    created_at: datetime = moment()


class DuplicateDismissal(SQLModel, table=True):
    """Cards a facilitator said are not duplicates of each other: never suggested together."""

    __tablename__ = "duplicate_dismissal"

    id: int | None = Col(default=None, primary_key=True)
    workshop_id: int = Col(foreign_key="workshop.id", index=True)
    field_id: int = Col(foreign_key="field.id")
    card_ids: list[int] = Col(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = moment()
