"""Import of external survey results from CSV (one row per respondent, one column a question).

German Excel writes Windows-1252 with semicolons; online tools write UTF-8 (with or without a
byte order mark) with commas. Every row is checked before anything is stored: a file with one
bad cell imports nothing, and the message names the row and the column.
"""

import csv
import io
from dataclasses import dataclass

from sqlmodel import Session

from app.access import Facilitator
from app.errors import DomainError, InvalidInput
from app.models import Answer, Question, Survey, SurveyResponse, Workshop
from app.surveys import parse_value, questions_of, record_change
from app.text import clean_text

ROWS_MAX = 20_000
ERRORS_SHOWN = 5


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    delimiter: str


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; anything else is refused."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("Die Datei ist weder UTF-8 noch Windows-1252 kodiert. Bitte als CSV "
                       "(UTF-8) speichern.")


def read_table(text: str) -> Table:
    if not text.strip():
        raise InvalidInput("Die Datei ist leer.")
    sample = text[:10_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0]
        delimiter = max(";,\t", key=first.count)
    try:
        # newline="": every line ending counts, the old Mac's lone CR too.
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        problem = str(exc)
        if "field larger than field limit" in problem:
            raise InvalidInput("Eine Zelle der Datei ist länger als {max} Zeichen; so lange "
                               "Antworten kann der Import nicht lesen.",
                               max=csv.field_size_limit()) from exc
        raise InvalidInput("Die Datei lässt sich nicht als CSV lesen ({problem}). Bitte als CSV "
                           "(UTF-8, Trennzeichen ; oder ,) speichern.", problem=problem) from exc
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise InvalidInput("Die Datei braucht eine Kopfzeile und mindestens eine Antwortzeile.")
    if len(rows) - 1 > ROWS_MAX:
        raise InvalidInput("Höchstens {max} Zeilen auf einmal.", max=ROWS_MAX)
    headers = [clean_text(h, multiline=False) for h in rows[0]]
    return Table(headers=headers, rows=rows[1:], delimiter=delimiter)


def suggest_mapping(questions: list[Question], headers: list[str]) -> dict[int, int | None]:
    """For each question the column whose heading matches its text best, if any."""
    def norm(text: str) -> str:
        return "".join(ch for ch in text.casefold() if ch.isalnum())

    mapping: dict[int, int | None] = {}
    for question in questions:
        wanted = norm(question.text)
        found = next((i for i, h in enumerate(headers) if norm(h) == wanted), None)
        if found is None:
            found = next((i for i, h in enumerate(headers)
                          if norm(h) and (norm(h) in wanted or wanted in norm(h))), None)
        mapping[question.id or 0] = found
    return mapping


def _cell_value(question: Question, cell: str) -> object:
    cell = cell.strip()
    if question.kind == "multiple":
        return [part.strip() for part in cell.replace("|", ",").replace(";", ",").split(",")
                if part.strip()]
    if question.kind == "ranking":
        separator = ">" if ">" in cell else ","
        return [part.strip() for part in cell.split(separator) if part.strip()]
    return cell


@dataclass(frozen=True)
class CheckedImport:
    """Every row of a file checked against the survey's questions, ready to be stored."""

    source: str  # where the answers come from ("Online-Umfrage März 2026")
    rows: list[dict[int, object]]  # per respondent: question id -> value


def import_responses(*, session: Session, workshop: Workshop, facilitator: Facilitator,
                     survey: Survey, data: bytes | str, mapping: dict[int, int | None],
                     label: str) -> int:
    """Check every row, then store them all as responses from `label`; returns the count."""
    checked = check_responses(facilitator=facilitator, data=data, mapping=mapping, label=label,
                              questions=questions_of(session=session, survey=survey))
    return store_responses(session=session, workshop=workshop, survey=survey, checked=checked)


def check_responses(*, facilitator: Facilitator, questions: list[Question], data: bytes | str,
                    mapping: dict[int, int | None], label: str) -> CheckedImport:
    """Read and check the whole file (no database: a request does it before its write)."""
    facilitator.require_whole_workshop()
    source = clean_text(label, multiline=False)
    if not source:
        raise InvalidInput("Bitte geben Sie an, woher die Daten stammen (z. B. „Online-Umfrage "
                           "März 2026“).")
    table = read_table(decode(data) if isinstance(data, bytes) else data)
    by_id = {q.id or 0: q for q in questions}
    used = {qid: column for qid, column in mapping.items() if column is not None}
    if not used:
        raise InvalidInput("Bitte ordnen Sie mindestens einer Frage eine Spalte zu.")
    for qid, column in used.items():
        if qid not in by_id:
            raise InvalidInput("Diese Frage gibt es in der Umfrage nicht: {id}.", id=qid)
        if not 0 <= column < len(table.headers):
            raise InvalidInput("Die Spalte {column} gibt es in der Datei nicht.",
                               column=column + 1)
    parsed: list[dict[int, object]] = []
    problems: list[str] = []
    for number, row in enumerate(table.rows, start=2):
        answers: dict[int, object] = {}
        for qid, column in used.items():
            cell = row[column] if column < len(row) else ""
            if not cell.strip():
                continue
            question = by_id[qid]
            try:
                value = parse_value(question, _cell_value(question, cell),
                                    enforce_required=False)
            except DomainError as exc:
                problems.append(f"Zeile {number}, Spalte „{table.headers[column]}“: "
                                f"{exc.render()}")
                continue
            if value is not None:
                answers[qid] = value
        parsed.append(answers)
    if problems:
        more = len(problems) - ERRORS_SHOWN
        shown = "\n".join(problems[:ERRORS_SHOWN])
        raise InvalidInput("Nichts importiert. {problems}{more}", problems=shown,
                           more=f"\n… und {more} weitere Fehler." if more > 0 else "")
    return CheckedImport(source=source[:120], rows=parsed)


def store_responses(*, session: Session, workshop: Workshop, survey: Survey,
                    checked: CheckedImport) -> int:
    """Store checked rows as responses; returns how many."""
    assert survey.id is not None
    for answers in checked.rows:
        response = SurveyResponse(survey_id=survey.id, source=checked.source)
        session.add(response)
        session.flush()
        assert response.id is not None
        for qid, value in answers.items():
            session.add(Answer(response_id=response.id, question_id=qid, value=value))
    record_change(session, workshop, survey)
    return len(checked.rows)
