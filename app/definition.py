"""Workshop definition files (`workshops/*.toml`): the format, validated with messages that
name the file, the key and what is wrong."""

import datetime as dt
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic import Field as Constraint

from app.errors import describe_validation
from app.surveys import SurveyDef
from app.text import clean_strings

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


class LegalDef(_Strict):
    """Who publishes the workshop and what public bodies must publish: the privacy notice and
    the accessibility statement (empty: generated from the rest, see templates/legal/)."""

    organizer: Annotated[str, StringConstraints(max_length=300)] = ""  # Verantwortliche Stelle
    contact: Annotated[str, StringConstraints(max_length=500)] = ""  # address, e-mail, phone
    privacy: Annotated[str, StringConstraints(max_length=20_000)] = ""
    accessibility: Annotated[str, StringConstraints(max_length=20_000)] = ""


Label = Annotated[str, StringConstraints(min_length=1, max_length=80)]
_CLOCK = r"([01]?\d|2[0-3])[:.][0-5]\d"


class AgendaItemDef(_Strict):
    """One step of the day as the documentation's method section shows it."""

    time: Annotated[str, StringConstraints(pattern=rf"^({_CLOCK}(\s*[–-]\s*{_CLOCK})?)?$")] = ""
    title: Line
    text: Annotated[str, StringConstraints(max_length=500)] = ""


class ParticipationDef(_Strict):
    """How participation is counted: the stakeholder and age groups the organizer counts by
    (and that phones offer when `ask_on_phone`), and the municipalities of the region."""

    groups: list[Label] = ["Wirtschaft", "Zivilgesellschaft", "Verwaltung/Politik", "Sonstige"]
    ages: list[Label] = ["unter 18", "18–29", "30–49", "50–64", "65 und älter"]
    municipalities: list[Label] = []
    ask_on_phone: bool = False  # one tap on the phone, may be skipped


def _timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unbekannte Zeitzone „{value}“ (zum Beispiel Europe/Berlin)") from exc
    return value


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
    legal: LegalDef = LegalDef()
    timezone: Annotated[str, StringConstraints(max_length=60), AfterValidator(_timezone)] = (
        "Europe/Berlin")
    method: Annotated[str, StringConstraints(max_length=3000)] = ""  # "": from the structure
    agenda: list[AgendaItemDef] = []
    participation: ParticipationDef = ParticipationDef()
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


# What a definition sets on the workshop row under the same name (the rest: categories, fields,
# themes, remarks and surveys are rows of their own; `dots` is `dots_per_participant`).
STORED = ("title", "region", "region_name", "date", "place", "leitbild", "goals",
          "statement_stem", "questions", "rounds", "dots_per_theme", "survey_min_respondents",
          "timezone", "method", "legal", "agenda", "participation")


def stored(definition: WorkshopDef) -> dict[str, Any]:
    """The workshop row's values from a definition."""
    return {**definition.model_dump(mode="json", include=set(STORED)),
            "date": definition.date, "dots_per_participant": definition.dots}


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
    hint = _PATTERN_HINTS.get(str((error.get("loc") or ("",))[-1]),
                              "Kleinbuchstaben, Ziffern, - und _, höchstens 40 Zeichen")
    where, text = describe_validation(error, hint=hint)
    if not where and error.get("type") == "value_error":
        return text  # a check of the whole file says what it is about itself
    return f"{where or 'Datei'}: {text}"


def problems(exc: ValidationError, *, source: str = "") -> str:
    """Every problem of a definition, one per line, each naming the key."""
    prefix = f"{source}: " if source else ""
    return "\n".join(prefix + _describe(error) for error in exc.errors())


def parse_definition(text: str, *, source: str = "<text>") -> WorkshopDef:
    """Parse TOML text into a definition or raise DefinitionError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{source}: kein gültiges TOML: {exc}") from exc
    try:
        return WorkshopDef.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(problems(exc, source=source)) from exc


def load_definition(path: Path) -> WorkshopDef:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DefinitionError(f"{path}: Datei nicht gefunden") from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"{path}: die Datei ist nicht in UTF-8 gespeichert") from exc
    return parse_definition(text, source=str(path))


def to_toml(definition: WorkshopDef) -> str:
    """The definition as a workshop file, read back by `parse_definition` to the same."""
    header = ("# Workshop-Definition (Zukunftskonferenz). Bearbeiten und wieder hochladen, oder\n"
              "# prüfen mit: zukunft validate DATEI\n\n")
    return header + tomli_w.dumps(definition.model_dump(exclude_none=True))
