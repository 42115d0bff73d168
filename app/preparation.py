"""What an organizer does with a workshop's definition (app/definition.py) once the workshop
exists: read it back (to download it as TOML, to copy the workshop), apply a changed one, and
make a copy for next year's event. The TOML file is the import and export, not the interface.
"""

import re
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import Session, col, delete, func, select

from app.definition import (
    STORED,
    AgendaItemDef,
    CategoryDef,
    FieldDef,
    SubFieldDef,
    ThemeDef,
    WorkshopDef,
    load_definition,
    problems,
    stored,
)
from app.errors import Conflict, InvalidInput
from app.live.events import FieldHeading, HeadingsChanged, record
from app.models import (
    Card,
    Category,
    Dot,
    Field,
    Photo,
    Statement,
    StatementProposal,
    Theme,
    ThemeProposal,
    Workshop,
    utcnow,
)
from app.plenary import record_columns
from app.surveys import QuestionDef, SurveyDef, questions_of, surveys_of
from app.workshops import categories_of, create_workshop, fields_of

# What a new workshop can start from (workshops/*.toml beside the app).
STARTERS = {"blank": "blank.toml", "westharz": "westharz-zukunftskonferenz.toml"}
STARTER_DIR = Path(__file__).resolve().parent.parent / "workshops"


def starter(name: str) -> WorkshopDef:
    """A new workshop's definition: empty (one field to rename) or the Westharz example."""
    if name not in STARTERS:
        raise InvalidInput("Diese Vorlage gibt es nicht: {name}.", name=name[:20])
    return load_definition(STARTER_DIR / STARTERS[name])


def _themes(session: Session, field: Field) -> list[Theme]:
    """The field's themes as its plenary column shows them (not hidden, not merged)."""
    return list(session.exec(
        select(Theme).where(Theme.field_id == field.id, col(Theme.hidden_at).is_(None),
                            col(Theme.merged_into_id).is_(None))
        .order_by(col(Theme.position), col(Theme.id))))


def _field_def(session: Session, field: Field) -> dict[str, object]:
    return {"key": field.key, "number": field.number, "title": field.title,
            "topics": field.topics, "statement_stem": field.statement_stem,
            "themes": [ThemeDef(text=t.text, kind=t.kind) for t in _themes(session, field)]}


def export_definition(*, session: Session, workshop: Workshop) -> WorkshopDef:
    """The workshop's definition as it stands now, themes added in the plenary included."""
    fields = fields_of(session=session, workshop=workshop)
    tops = []
    for field in fields:
        if field.parent_id is not None:
            continue
        subs = [SubFieldDef(**_field_def(session, sub))
                for sub in fields if sub.parent_id == field.id]
        tops.append(FieldDef(**_field_def(session, field), subfields=subs))
    surveys = [SurveyDef(title=survey.title, questions=[
        QuestionDef(kind=q.kind, text=q.text, required=q.required, options=q.options,
                    max_choices=q.max_choices, scale_min=q.scale_min, scale_max=q.scale_max,
                    label_min=q.label_min, label_max=q.label_max)
        for q in questions_of(session=session, survey=survey)])
        for survey in surveys_of(session=session, workshop=workshop)]
    return WorkshopDef(
        slug=workshop.slug, join_code=workshop.join_code, dots=workshop.dots_per_participant,
        categories=[CategoryDef(key=c.key, label=c.label)
                    for c in categories_of(session=session, workshop=workshop)],
        fields=tops, surveys=surveys,
        **{name: getattr(workshop, name) for name in STORED})


def copy_workshop(*, session: Session, workshop: Workshop, title: str | None = None) -> Workshop:
    """A new workshop with this one's structure, themes, questions and surveys – no cards, no
    participants, a new join code and address."""
    definition = export_definition(session=session, workshop=workshop).model_copy(
        update={"slug": None, "join_code": None, "date": None,
                **({"title": title.strip()} if title and title.strip() else {})})
    return create_workshop(session=session, definition=definition)


def _used(session: Session, field: Field) -> bool:
    """Whether anything of the event hangs on the field (it is then kept)."""
    for model, column in ((Card, Card.field_id), (Photo, Photo.field_id),
                          (StatementProposal, StatementProposal.field_id),
                          (Statement, Statement.field_id), (ThemeProposal, ThemeProposal.field_id)):
        if session.exec(select(func.count()).select_from(model).where(column == field.id)).one():
            return True
    return False


def require_version(workshop: Workshop, version: int | None) -> None:
    """The editor started from `version`: refused if someone saved since (None: no check)."""
    if version is not None and version != workshop.definition_version:
        raise Conflict("Der Workshop wurde inzwischen geändert (von jemand anderem oder in "
                       "einem anderen Fenster). Ihre Fassung ist nicht gespeichert: Bitte "
                       "laden Sie ihn neu und übernehmen Sie Ihre Änderungen noch einmal.")


def update_workshop(*, session: Session, workshop: Workshop, definition: WorkshopDef,
                    version: int | None) -> Workshop:
    """Apply a changed definition: the workshop's texts and numbers, its columns, fields and
    themes (matched by key, themes by their text). `version` is the definition version the
    editor started from: if someone saved in between, nothing is saved. Removing a column or
    field that already has cards is refused; a theme no longer listed is hidden (its dots go
    back to the participants). Surveys are edited in the survey editor, not here."""
    if workshop.archived_at is not None:
        raise Conflict("Dieser Workshop ist archiviert und lässt sich nicht mehr ändern.")
    require_version(workshop, version)
    assert workshop.id is not None
    for name, value in stored(definition).items():
        setattr(workshop, name, value)
    if definition.join_code and definition.join_code != workshop.join_code:
        taken = session.exec(select(Workshop.id).where(
            Workshop.join_code == definition.join_code)).first()
        if taken is not None:
            raise InvalidInput("Den Code „{code}“ hat schon ein anderer Workshop.",
                               code=definition.join_code)
        workshop.join_code = definition.join_code
    _apply_categories(session, workshop, definition)
    _apply_fields(session, workshop, definition)
    workshop.definition_version += 1
    session.add(workshop)
    session.flush()
    # Open boards redraw their headings, plenary boards every column (themes, order, kinds).
    fields = fields_of(session=session, workshop=workshop)
    record(session, HeadingsChanged(workshop_id=workshop.id, title=workshop.title, fields=[
        FieldHeading(key=f.key, number=f.number, title=f.title, topics=f.topics)
        for f in fields]))
    record_columns(session, workshop, {f.id for f in fields})
    return workshop


def _apply_categories(session: Session, workshop: Workshop, definition: WorkshopDef) -> None:
    assert workshop.id is not None
    existing = {c.key: c for c in categories_of(session=session, workshop=workshop)}
    for position, wanted in enumerate(definition.categories):
        row = existing.pop(wanted.key, None) or Category(workshop_id=workshop.id, key=wanted.key,
                                                         label=wanted.label)
        row.label, row.position = wanted.label, position
        session.add(row)
    for row in existing.values():
        cards = session.exec(select(func.count()).select_from(Card).where(
            Card.category_id == row.id)).one()
        if cards:
            raise InvalidInput("Die Spalte „{label}“ hat schon Karten und bleibt deshalb; "
                               "Sie können sie umbenennen.", label=row.label)
        session.delete(row)


def _apply_fields(session: Session, workshop: Workshop, definition: WorkshopDef) -> None:
    assert workshop.id is not None
    existing = {f.key: f for f in fields_of(session=session, workshop=workshop)}
    position = 0
    for top in definition.fields:
        parent = _apply_field(session, workshop, existing, top, None, position)
        position += 1
        for sub in top.subfields:
            _apply_field(session, workshop, existing, sub, parent.id, position)
            position += 1
    for field in sorted(existing.values(), key=lambda f: f.parent_id is None):
        if _used(session, field):
            raise InvalidInput("Das Handlungsfeld „{title}“ hat schon Karten oder Vorschläge "
                               "und bleibt deshalb; Sie können es umbenennen.",
                               title=field.title)
        themes = [t.id for t in session.exec(select(Theme).where(Theme.field_id == field.id))]
        session.exec(delete(Dot).where(col(Dot.theme_id).in_(themes)))
        session.exec(delete(Theme).where(col(Theme.field_id) == field.id))
        session.delete(field)
    session.flush()


def _apply_field(session: Session, workshop: Workshop, existing: dict[str, Field],
                 wanted: SubFieldDef, parent_id: int | None, position: int) -> Field:
    assert workshop.id is not None
    field = existing.pop(wanted.key, None) or Field(workshop_id=workshop.id, key=wanted.key,
                                                     title=wanted.title)
    field.number, field.title, field.topics = wanted.number, wanted.title, wanted.topics
    field.statement_stem, field.parent_id, field.position = (wanted.statement_stem, parent_id,
                                                             position)
    session.add(field)
    session.flush()
    _apply_themes(session, field, wanted.themes)
    return field


def _apply_themes(session: Session, field: Field, wanted: list[ThemeDef]) -> None:
    assert field.id is not None
    shown = {theme.text.casefold(): theme for theme in _themes(session, field)}
    for position, theme_def in enumerate(wanted):
        theme = shown.pop(theme_def.text.casefold(), None) or Theme(
            field_id=field.id, text=theme_def.text, kind=theme_def.kind)
        theme.text, theme.kind, theme.position = theme_def.text, theme_def.kind, position
        session.add(theme)
    for theme in shown.values():  # no longer listed: off the plenary, its dots given back
        theme.hidden_at = utcnow()
        session.add(theme)
        session.exec(delete(Dot).where(col(Dot.theme_id) == theme.id))


# The form editor (/admin/workshops/<slug>): the same definition as the file, in fields. A
# theme is one line, its kind a letter before it: "V: …" (Verpflichtend, by the Land), "L: …"
# (named by the LAG, the default), "K: …" (added at the Konferenz).
KIND_LETTER = {"mandatory": "V", "lag": "L", "conference": "K"}
LETTER_KIND = {letter: kind for kind, letter in KIND_LETTER.items()}


def themes_text(themes: list[ThemeDef]) -> str:
    return "\n".join(f"{KIND_LETTER[theme.kind]}: {theme.text}" for theme in themes)


def parse_themes(text: str) -> list[dict[str, str]]:
    themes = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        letter, colon, rest = line.partition(":")
        kind = LETTER_KIND.get(letter.strip().upper()) if colon else None
        themes.append({"text": rest.strip() if kind else line, "kind": kind or "lag"})
    return themes


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# Looser than the definition's clock on purpose: "25:00 …" is read as a time, so that the
# definition refuses it with a message instead of taking it as part of the title.
_CLOCK = r"\d{1,2}[:.]\d{2}"
_AGENDA_LINE = re.compile(rf"^(?P<time>{_CLOCK}(\s*[–-]\s*{_CLOCK})?)?\s*(?P<title>.*)$")


def _agenda_item(line: str) -> dict[str, str]:
    """„10:00–11:30 Arbeitsgruppen, Runde 1“: the time (optional), then the step."""
    match = _AGENDA_LINE.match(line)
    assert match is not None  # every line matches: both parts are optional
    return {"time": match["time"] or "", "title": match["title"].strip()}


def agenda_text(items: list[AgendaItemDef]) -> str:
    """The agenda as the form shows it: one step per line, its time first."""
    return "\n".join(f"{i.time} {i.title}".strip() for i in items)


def definition_from_form(current: WorkshopDef, form: dict[str, str]) -> WorkshopDef:
    """The current definition with what the form changed; every problem in one InvalidInput
    (the keys named as in the file: `fields[1].title: darf nicht leer sein`)."""
    data = current.model_dump()
    for name in ("title", "region", "region_name", "place", "leitbild", "statement_stem",
                 "rounds", "dots", "dots_per_theme"):
        if name in form:
            data[name] = form[name]
    if "date" in form:
        data["date"] = form["date"] or None
    for name in ("goals", "questions"):
        if name in form:
            data[name] = _lines(form[name])
    for name in ("method", "timezone"):
        data[name] = form.get(name, data[name])
    if "agenda" in form:  # a step's explanation (TOML only) stays with its title
        texts = {item["title"]: item["text"] for item in data["agenda"]}
        data["agenda"] = [{**item, "text": texts.get(item["title"], "")}
                          for item in map(_agenda_item, _lines(form["agenda"]))]
    for name in ("groups", "ages", "municipalities"):
        if f"participation-{name}" in form:
            data["participation"][name] = _lines(form[f"participation-{name}"])
    if "participation-ask_on_phone" in form:
        data["participation"]["ask_on_phone"] = form["participation-ask_on_phone"] == "true"
    for name in ("organizer", "contact", "privacy", "accessibility"):
        data["legal"][name] = form.get(f"legal-{name}", data["legal"][name])
    for category in data["categories"]:
        category["label"] = form.get(f"category-{category['key']}", category["label"])

    def edited(field: dict[str, object]) -> dict[str, object]:
        prefix = f"field-{field['key']}-"
        for name in ("number", "title", "topics"):
            field[name] = form.get(prefix + name, field[name])
        if prefix + "themes" in form:
            field["themes"] = parse_themes(form[prefix + "themes"])
        return field

    kept = [f for f in data["fields"] if not form.get(f"field-{f['key']}-remove")]
    for field in kept:
        field["subfields"] = [edited(s) for s in field["subfields"]
                              if not form.get(f"field-{s['key']}-remove")]
    data["fields"] = [edited(f) for f in kept]
    if form.get("new-title", "").strip():
        data["fields"].append({"key": form.get("new-key", "").strip(),
                               "number": form.get("new-number", "").strip(),
                               "title": form["new-title"], "themes": []})
    try:
        return WorkshopDef.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("{problems}", problems=problems(exc)) from exc
