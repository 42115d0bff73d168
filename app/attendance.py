"""Participation evidence for the REK: who was in the room, counted by the organizer (also
those without a phone), by stakeholder group, age group, municipality and working group – and
the stakeholder group participants may name on their phone (one tap, skippable).

LEADER strategies must describe and evidence how the population took part; the documentation
shows these figures beside what the app counted itself (see report/builder.py)."""

import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, BaseModel, StringConstraints, ValidationError
from pydantic import Field as Constraint
from sqlmodel import Session, col, func, select

from app.definition import ParticipationDef
from app.errors import Conflict, InvalidInput
from app.models import Field, Participant, Workshop
from app.text import clean_text

MAX_PEOPLE = 100_000
SKIPPED = "-"  # the phone's "keine Angabe": asked once, not again

MAX_NOTE = 2000
People = Annotated[int, Constraint(ge=0, le=MAX_PEOPLE)]


def _one_line(value: str) -> str:
    return clean_text(value, multiline=False)


def _note(value: str) -> str:
    return clean_text(value, multiline=True)


# A group, age group, municipality or field key: one clean line (no control or bidi characters).
Name = Annotated[str, AfterValidator(_one_line), StringConstraints(min_length=1, max_length=80)]
Counts = Annotated[dict[Name, People], Constraint(max_length=200)]


class Attendance(BaseModel):
    """What the organizer counted, as stored in `Workshop.attendance`; missing: not counted."""

    counted: People | None = None
    by_group: Counts = {}
    by_age: Counts = {}
    by_municipality: Counts = {}
    by_field: Counts = {}  # field key → people in its working group
    note: Annotated[str, AfterValidator(_note), StringConstraints(max_length=MAX_NOTE)] = ""

    def problems(self) -> list[str]:
        """Parts that add up to more people than were counted in the room."""
        found = []
        for name, values in (("Gruppen", self.by_group), ("Altersgruppen", self.by_age),
                             ("Gemeinden", self.by_municipality)):
            if self.counted is not None and sum(values.values()) > self.counted:
                found.append(f"{name}: zusammen {sum(values.values())} Personen, im Raum "
                             f"gezählt wurden aber {self.counted}")
        return found


def settings_of(workshop: Workshop) -> ParticipationDef:
    return ParticipationDef.model_validate(workshop.participation or {})


def attendance_of(workshop: Workshop) -> Attendance:
    return Attendance.model_validate(workshop.attendance or {})


def _number(text: str, label: str, problems: list[str]) -> int | None:
    text = text.strip().replace(".", "").replace(" ", "")
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) > MAX_PEOPLE:
        problems.append(f"{label}: bitte eine ganze Zahl von 0 bis {MAX_PEOPLE:,}".replace(
            ",", "."))
        return None
    return int(text)


def _extra_lines(text: str, problems: list[str]) -> dict[str, int]:
    """„Name: Anzahl“ per line – municipalities the definition does not list."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, number = line.rpartition(":")
        name = clean_text(name, multiline=False)[:80]
        if not sep or not name:
            problems.append(f"„{line.strip()[:40]}“: bitte als „Gemeinde: Anzahl“ schreiben")
            continue
        value = _number(number, name, problems)
        if value is not None:
            found[name] = found.get(name, 0) + value
    return found


def attendance_from_form(workshop: Workshop, fields: list[Field],
                         form: Mapping[str, str]) -> Attendance:
    """The attendance form's values; every problem named in one InvalidInput, nothing saved."""
    settings = settings_of(workshop)
    problems: list[str] = []
    counted = _number(form.get("counted", ""), "Personen im Raum", problems)

    def part(prefix: str, labels: list[str]) -> dict[str, int]:
        values = {label: _number(form.get(f"{prefix}-{index}", ""), label, problems)
                  for index, label in enumerate(labels)}
        return {label: value for label, value in values.items() if value is not None}

    by_municipality = part("municipality", settings.municipalities)
    for name, value in _extra_lines(form.get("municipalities-more", ""), problems).items():
        by_municipality[name] = by_municipality.get(name, 0) + value
    by_field: dict[str, int] = {}
    for field in fields:
        people = _number(form.get(f"field-{field.key}", ""), field.number or field.title,
                         problems)
        if people is not None:
            by_field[field.key] = people
    by_group, by_age = part("group", settings.groups), part("age", settings.ages)
    note = form.get("note", "")
    if len(note) > MAX_NOTE:
        problems.append(f"Anmerkung: höchstens {MAX_NOTE} Zeichen (jetzt {len(note)})")
    if problems:
        raise InvalidInput("{problems}", problems="; ".join(problems))
    return _checked(dict(counted=counted, by_group=by_group, by_age=by_age,
                         by_municipality=by_municipality, by_field=by_field, note=note))


def _checked(values: Mapping[str, object]) -> Attendance:
    try:
        attendance = Attendance.model_validate(values)
    except ValidationError as exc:  # the same limits for the form and the API
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput("Die Zahlen passen nicht: {problems}",
                           problems=f"{where}: {first['msg']}") from exc
    if attendance.problems():
        raise InvalidInput("{problems}", problems="; ".join(attendance.problems()))
    return attendance


def set_attendance(*, session: Session, workshop: Workshop, attendance: Attendance) -> None:
    """Store the counts (checked again: the API sends them without the form)."""
    checked = _checked(attendance.model_dump())
    fields = {f.key for f in session.exec(select(Field).where(
        Field.workshop_id == workshop.id)).all()}
    unknown = sorted(set(checked.by_field) - fields)
    if unknown:
        raise InvalidInput("Diese Handlungsfelder gibt es hier nicht: {keys}",
                           keys=", ".join(unknown)[:200])
    workshop.attendance = checked.model_dump(mode="json", exclude_defaults=True)
    session.add(workshop)


def set_group(*, session: Session, workshop: Workshop, participant: Participant,
              group: str) -> None:
    """The stakeholder group a participant names on the phone; "" or SKIPPED: no answer."""
    settings = settings_of(workshop)
    if not settings.ask_on_phone:
        raise Conflict("Nach der Gruppe wird in diesem Workshop nicht gefragt.")
    if group not in (*settings.groups, "", SKIPPED):
        raise InvalidInput("Diese Gruppe gibt es hier nicht.")
    participant.stakeholder_group = group or SKIPPED
    session.add(participant)


def asks(workshop: Workshop, participant: Participant) -> bool:
    """Whether the phone shows the one-tap question (on, and not answered or skipped yet)."""
    return settings_of(workshop).ask_on_phone and not participant.stakeholder_group


def phone_groups(session: Session, workshop: Workshop) -> dict[str, int]:
    """How many phones named each group (in the definition's order; skips left out)."""
    rows = dict(session.exec(
        select(Participant.stakeholder_group, func.count()).where(
            Participant.workshop_id == workshop.id,
            col(Participant.stakeholder_group).not_in(["", SKIPPED]))
        .group_by(col(Participant.stakeholder_group))).all())
    order = settings_of(workshop).groups
    return {g: rows[g] for g in [*order, *sorted(set(rows) - set(order))] if g in rows}
