"""Workshops: created from their definition (app/definition.py), and looked up – by slug, by
join code, their fields and categories."""

import re
import secrets

from sqlalchemy import String, bindparam
from sqlmodel import Session, col, select

from app.db.locks import lock_if_writing
from app.db.unit import remembered
from app.definition import SubFieldDef, WorkshopDef, stored
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Category, Field, Remark, Theme, Workshop
from app.surveys import add_survey
from app.text import clean_text

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a hall


def slugify(text: str) -> str:
    umlauts: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
    text = text.lower().translate(str.maketrans(umlauts))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "workshop"


def _free_slug(session: Session, wanted: str) -> str:
    taken = set(session.exec(select(Workshop.slug).where(col(Workshop.slug).startswith(wanted))))
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def _free_join_code(session: Session, wanted: str | None) -> str:
    if wanted and session.exec(select(Workshop.id).where(Workshop.join_code == wanted)).first():
        wanted = None  # a second copy of the same file gets its own code
    while not wanted:
        candidate = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(6))
        if not session.exec(select(Workshop.id).where(Workshop.join_code == candidate)).first():
            wanted = candidate
    return wanted


def create_workshop(*, session: Session, definition: WorkshopDef) -> Workshop:
    """Create a workshop with its categories, fields and themes in one transaction."""
    workshop = Workshop(
        slug=_free_slug(session, definition.slug or slugify(definition.title)),
        join_code=_free_join_code(session, definition.join_code),
        **stored(definition),
    )
    session.add(workshop)
    session.flush()
    assert workshop.id is not None
    for position, category in enumerate(definition.categories):
        session.add(Category(workshop_id=workshop.id, position=position, **category.model_dump()))
    for text in definition.remarks:
        session.add(Remark(workshop_id=workshop.id, text=text))
    for index, survey in enumerate(definition.surveys):
        add_survey(session=session, workshop=workshop, definition=survey, position=index)
    position = 0
    for field_def in definition.fields:
        parent = _add_field(session, workshop.id, field_def, None, position)
        position += 1
        for sub in field_def.subfields:
            _add_field(session, workshop.id, sub, parent.id, position)
            position += 1
    return workshop


def _add_field(
    session: Session, workshop_id: int, field_def: SubFieldDef, parent_id: int | None, position: int
) -> Field:
    field = Field(
        workshop_id=workshop_id, parent_id=parent_id, position=position,
        **field_def.model_dump(include={"key", "number", "title", "topics", "statement_stem"}),
    )
    session.add(field)
    session.flush()
    assert field.id is not None
    for index, theme in enumerate(field_def.themes):
        session.add(Theme(field_id=field.id, position=index, **theme.model_dump()))
    return field


# Asked with nearly every request: built once (see card_counts._COUNTS).
_BY_SLUG = select(Workshop).where(Workshop.slug == bindparam("slug", type_=String()))
# What slugs, keys and codes can look like: anything else is not looked up at all (a NUL byte
# or a stray surrogate would make the database driver fail instead of finding nothing).
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_CODE = re.compile(r"[A-Z0-9]{1,20}")


def get_workshop(*, session: Session, slug: str) -> Workshop:
    """The workshop; in a session that writes, its turn is taken too (PostgreSQL's lock)."""
    workshop: Workshop | None = (remembered(session, ("workshop", slug),
                           lambda: session.exec(_BY_SLUG, params={"slug": slug}).first())
                if _SLUG.fullmatch(slug) else None)
    if workshop is None:
        raise NotFound("Diesen Workshop gibt es nicht (mehr). Prüfen Sie die Adresse.")
    assert workshop.id is not None
    lock_if_writing(session, workshop.id)
    return workshop


def normalize_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", code).upper()[:20]


def workshop_by_code(*, session: Session, code: str) -> Workshop:
    """The workshop a join code opens; unknown or closed codes say so in plain German."""
    normalized = normalize_code(code)
    found = session.exec(select(Workshop).where(Workshop.join_code == normalized)).first() if (
        _CODE.fullmatch(normalized)) else None
    if found is None:
        raise NotFound("Den Code „{code}“ kennen wir nicht. Bitte prüfen Sie ihn.",
                       code=clean_text(code, multiline=False)[:20])
    if not found.joining_open:
        raise Conflict("Dieser Workshop nimmt keine neuen Teilnehmenden mehr auf.")
    return found


def fields_of(*, session: Session, workshop: Workshop) -> list[Field]:
    return list(
        session.exec(
            select(Field).where(Field.workshop_id == workshop.id).order_by(col(Field.position))
        )
    )


def is_key(text: str) -> bool:
    """Whether `text` can be a field's or category's key at all."""
    return _KEY.fullmatch(text) is not None


def find_field(*, session: Session, workshop: Workshop, key: str) -> Field | None:
    if not _KEY.fullmatch(key):
        return None
    return session.exec(
        select(Field).where(Field.workshop_id == workshop.id, Field.key == key)
    ).first()


def parent_of(*, session: Session, field: Field) -> Field | None:
    """The field a sub-field (HF 4 A) belongs to; None for a top-level field."""
    return session.get(Field, field.parent_id) if field.parent_id is not None else None


def field_by_id(*, session: Session, field_id: int) -> Field:
    field = session.get(Field, field_id)
    if field is None:
        raise NotFound("Dieses Handlungsfeld gibt es nicht (mehr).")
    return field


def all_workshops(*, session: Session) -> list[Workshop]:
    """Every workshop on this server, the newest first (for the organizer)."""
    return list(session.exec(select(Workshop).order_by(col(Workshop.id).desc())))


def subfields_of(*, session: Session, field: Field) -> list[Field]:
    """A field's sub-fields (HF 4 A, HF 4 B), in their order."""
    return list(session.exec(select(Field).where(Field.parent_id == field.id)
                             .order_by(col(Field.position))))


def find_category(*, session: Session, workshop: Workshop, key: str) -> Category | None:
    if not _KEY.fullmatch(key):
        return None
    return session.exec(
        select(Category).where(Category.workshop_id == workshop.id, Category.key == key)
    ).first()


def field_named(*, session: Session, workshop: Workshop, key: str) -> Field:
    """A field named in a request's body or form: unknown is bad input (422), not a 404."""
    field = find_field(session=session, workshop=workshop, key=key)
    if field is None or field.id is None:
        raise InvalidInput("Das Handlungsfeld „{key}“ gibt es in diesem Workshop nicht.",
                           key=clean_text(key, multiline=False)[:40])
    return field


def category_named(*, session: Session, workshop: Workshop, key: str) -> Category:
    """A card category named in a request's body or form (422 when unknown)."""
    category = find_category(session=session, workshop=workshop, key=key)
    if category is None or category.id is None:
        raise InvalidInput("Die Kategorie „{key}“ gibt es in diesem Workshop nicht.",
                           key=clean_text(key, multiline=False)[:40])
    return category


def get_field(*, session: Session, workshop: Workshop, key: str) -> Field:
    """The field of a page address; an unknown key is a page that does not exist (404)."""
    field = find_field(session=session, workshop=workshop, key=key)
    if field is None:
        raise NotFound("Das Handlungsfeld „{key}“ gibt es in diesem Workshop nicht.",
                       key=clean_text(key, multiline=False)[:40])
    return field


def categories_of(*, session: Session, workshop: Workshop) -> list[Category]:
    return list(
        session.exec(
            select(Category)
            .where(Category.workshop_id == workshop.id)
            .order_by(col(Category.position))
        )
    )


def themes_by_field(*, session: Session, workshop: Workshop) -> dict[int, list[Theme]]:
    themes = session.exec(
        select(Theme)
        .join(Field, col(Field.id) == Theme.field_id)
        .where(Field.workshop_id == workshop.id)
        .order_by(col(Theme.field_id), col(Theme.position))
    )
    grouped: dict[int, list[Theme]] = {}
    for theme in themes:
        grouped.setdefault(theme.field_id, []).append(theme)
    return grouped
