"""Workshop definition files (`workshops/*.toml`): parse, validate, and create a workshop."""

import datetime as dt
import re
import secrets
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic import Field as Constraint
from sqlalchemy import String, bindparam
from sqlmodel import Session, col, select

from app.db.locks import lock_if_writing
from app.errors import VALIDATION_MESSAGES, Conflict, InvalidInput, NotFound
from app.models import Category, Field, Remark, Theme, Workshop
from app.surveys import SurveyDef, create_survey
from app.text import clean_strings, clean_text

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


def _stem(value: str) -> str:
    """A guiding-sentence stem may name the region as {region}; no other braces."""
    if re.search(r"[{}]", value.replace("{region}", "")):
        raise ValueError("darf in geschweiften Klammern nur {region} enthalten "
                         "(für die Region), sonst keine { oder }")
    return value


Stem = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(_stem)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ThemeKind = Literal["mandatory", "lag", "conference"]

DEFAULT_STEM = "Mit diesem Handlungsfeld wollen wir für {region} erreichen, dass …"
DEFAULT_QUESTIONS = [
    "Finden Sie Ihre Anliegen in diesen Handlungsfeldern wieder?",
    "Treffen die Handlungsfelder und Themen den Bedarf der Region {region_name}?",
    "Gibt es weitere Themen oder möchten Sie Themen anders zuordnen?",
]
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a hall


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _cleaned(cls, data: Any) -> Any:
        return clean_strings(data)  # no NUL bytes or control characters into the database


class CategoryDef(_Strict):
    key: Key
    label: Annotated[str, StringConstraints(min_length=1, max_length=80)]


class ThemeDef(_Strict):
    text: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    kind: ThemeKind = "lag"


class SubFieldDef(_Strict):
    key: Key
    number: Annotated[str, StringConstraints(max_length=20)] = ""
    title: Line
    topics: Annotated[str, StringConstraints(max_length=1000)] = ""
    statement_stem: Stem | None = None
    themes: list[ThemeDef] = []


class FieldDef(SubFieldDef):
    subfields: list[SubFieldDef] = []


DEFAULT_CATEGORIES = [
    CategoryDef(key="strengths", label="Stärken"),
    CategoryDef(key="weaknesses", label="Schwächen"),
    CategoryDef(key="potentials", label="Potentiale"),
    CategoryDef(key="ideas", label="Ideen"),
]


class WorkshopDef(_Strict):
    """What a definition file holds; see workshops/blank.toml for a commented example."""

    slug: Key | None = None
    title: Line
    region: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    region_name: Annotated[str, StringConstraints(max_length=120)] = ""
    date: dt.date | None = None
    place: Annotated[str, StringConstraints(max_length=200)] = ""
    leitbild: Annotated[str, StringConstraints(max_length=500)] = ""
    goals: list[Line] = []
    statement_stem: Stem = DEFAULT_STEM
    questions: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = (
        DEFAULT_QUESTIONS
    )
    join_code: Annotated[str, StringConstraints(pattern=r"^[A-Z2-9]{4,12}$")] | None = None
    rounds: Annotated[int, Constraint(ge=1, le=5)] = 2
    dots: Annotated[int, Constraint(ge=1, le=20)] = 5
    dots_per_theme: Annotated[int, Constraint(ge=1, le=20)] = 3
    remarks: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = []
    survey_min_respondents: Annotated[int, Constraint(ge=1, le=100)] = 5
    surveys: list[SurveyDef] = []
    categories: list[CategoryDef] = DEFAULT_CATEGORIES
    fields: list[FieldDef]

    @model_validator(mode="after")
    def _region_name(self) -> "WorkshopDef":
        if not self.region_name:
            # "den Westharz" → "Westharz": the phrase without its article.
            words = self.region.split()
            article = words[0].lower() in ("den", "die", "das", "dem", "der", "unsere", "unser")
            self.region_name = " ".join(words[1:] if article and len(words) > 1 else words)
        self.questions = [q.replace("{region_name}", self.region_name) for q in self.questions]
        return self

    @model_validator(mode="after")
    def _keys_unique(self) -> "WorkshopDef":
        if not self.fields:
            raise ValueError("fields: mindestens ein Handlungsfeld ist nötig")
        if not self.categories:
            raise ValueError("categories: mindestens eine Kategorie ist nötig")
        _unique("categories", [c.key for c in self.categories])
        keys = [f.key for f in self.fields] + [s.key for f in self.fields for s in f.subfields]
        _unique("fields", keys)
        return self


def _unique(where: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{where}: der Schlüssel „{key}“ kommt mehrfach vor")
        seen.add(key)


class DefinitionError(Exception):
    """A definition file that cannot be used; the message names the file, key and problem."""


_PATTERN_HINTS = {
    "join_code": "4–12 Großbuchstaben oder Ziffern 2–9",
}


def _describe(error: Any) -> str:
    loc = error["loc"]
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
    if error["type"] == "value_error":
        message = str(error["ctx"]["error"])
        return f"{key}: {message}" if key else message
    template = VALIDATION_MESSAGES.get(error["type"])
    if template is None:
        return f"{key}: {error['msg']}"
    ctx = dict(error.get("ctx") or {})
    ctx.setdefault(
        "hint",
        _PATTERN_HINTS.get(str(loc[-1]), "Kleinbuchstaben, Ziffern, - und _, höchstens 40 Zeichen"),
    )
    return f"{key or 'Datei'}: {template.format(**ctx)}"


def parse_definition(text: str, *, source: str = "<text>") -> WorkshopDef:
    """Parse TOML text into a definition or raise DefinitionError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{source}: kein gültiges TOML: {exc}") from exc
    try:
        return WorkshopDef.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(f"{source}: {_describe(e)}" for e in exc.errors())
        raise DefinitionError(problems) from exc


def load_definition(path: Path) -> WorkshopDef:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DefinitionError(f"{path}: Datei nicht gefunden") from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"{path}: die Datei ist nicht in UTF-8 gespeichert") from exc
    return parse_definition(text, source=str(path))


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
        **definition.model_dump(include={"title", "region", "region_name", "date", "place",
                                         "leitbild", "goals", "statement_stem", "questions",
                                         "rounds", "dots_per_theme", "survey_min_respondents"}),
        dots_per_participant=definition.dots,
    )
    session.add(workshop)
    session.flush()
    assert workshop.id is not None
    for position, category in enumerate(definition.categories):
        session.add(Category(workshop_id=workshop.id, position=position, **category.model_dump()))
    for text in definition.remarks:
        session.add(Remark(workshop_id=workshop.id, text=text))
    for index, survey in enumerate(definition.surveys):
        create_survey(session=session, workshop=workshop, definition=survey, position=index,
                      commit=False)
    position = 0
    for field_def in definition.fields:
        parent = _add_field(session, workshop.id, field_def, None, position)
        position += 1
        for sub in field_def.subfields:
            _add_field(session, workshop.id, sub, parent.id, position)
            position += 1
    session.commit()
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


# Asked with nearly every request: built once (see cards._COUNTS).
_BY_SLUG = select(Workshop).where(Workshop.slug == bindparam("slug", type_=String()))
# What slugs, keys and codes can look like: anything else is not looked up at all (a NUL byte
# or a stray surrogate would make the database driver fail instead of finding nothing).
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_CODE = re.compile(r"[A-Z0-9]{1,20}")


def get_workshop(*, session: Session, slug: str, lock: bool = True) -> Workshop:
    """The workshop; in a session that writes, its lock is taken too unless `lock` is False
    (the caller's service then takes it itself, right before it reads what its write needs)."""
    workshop = (session.exec(_BY_SLUG, params={"slug": slug}).first()
                if _SLUG.fullmatch(slug) else None)
    if workshop is None:
        raise NotFound("Diesen Workshop gibt es nicht (mehr). Prüfen Sie die Adresse.")
    assert workshop.id is not None
    if lock:
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
