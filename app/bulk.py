"""Bulk entry: type in what was written on paper, one card per line, a prefix picks the column.

    Stärken:
    • Vereinskultur
    S: Platz zum Verwirklichen
    Sch: Leerstand
    I: Reaktivierung der Bahnverbindung

A line that is only a prefix ("Stärken:") is a heading for the lines below it; a line with a
prefix and text is one card and also sets the column for the following lines. Bullets and
numbering at the start of a line are dropped ("- Leerstand", "1. Leerstand", not the minus of
"-30 % Leerstand"); empty lines are skipped. A short word before a colon that is no column
("Sw:") stays part of the text, and the preview says so.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from app.access import Facilitator
from app.cards import TEXT_MAX, clean_card_text
from app.errors import N_, InvalidInput
from app.models import Card, Category, ModerationAction, Workshop
from app.moderation import finish_action
from app.participants import facilitator_participant
from app.text import clean_text
from app.workshops import categories_of, field_named

LINES_MAX = 300
_PREFIXES = {
    "strengths": ("s", "st", "stärke", "stärken", "staerken", "strength", "strengths"),
    "weaknesses": ("w", "sch", "schw", "schwäche", "schwächen", "schwaechen", "weakness",
                   "weaknesses"),
    "potentials": ("p", "pot", "potential", "potentiale", "potenzial", "potenziale",
                   "potentials"),
    "ideas": ("i", "idee", "ideen", "idea", "ideas"),
}
# Dashes and numbers are bullets only when a space follows: "-30 %" keeps its minus.
_BULLET = re.compile(r"^\s*(?:[•●◦▪➢►→*]+\s*|[\-–—]+\s+|\d{1,3}[.)]\s+)")
_PREFIX = re.compile(r"^\s*([^\W\d_]{1,20})\s*:\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class BulkItem:
    line: int
    category: str
    text: str


@dataclass(frozen=True)
class BulkError:
    line: int
    message: str  # a msgid with {placeholders}, translated where it is shown
    params: tuple[tuple[str, int | str], ...] = ()

    def render(self, gettext: Callable[[str], str] | None = None) -> str:
        template = gettext(self.message) if gettext else self.message
        return template.format(**dict(self.params))


@dataclass
class BulkPreview:
    items: list[BulkItem] = field(default_factory=list)
    errors: list[BulkError] = field(default_factory=list)
    notes: list[BulkError] = field(default_factory=list)  # worth a look, saved anyway


def prefix_table(categories: list[Category]) -> dict[str, str]:
    """Prefix (lower case) → category key, from the defaults and the workshop's own labels."""
    table: dict[str, str] = {}
    keys = {c.key for c in categories}
    for key, prefixes in _PREFIXES.items():
        if key in keys:
            table.update(dict.fromkeys(prefixes, key))
    for category in categories:
        table[category.key.lower()] = category.key
        table[category.label.lower()] = category.key
    return table


def parse(text: str, prefixes: dict[str, str]) -> BulkPreview:
    """Read the typed text into cards and per-line problems; never raises."""
    preview = BulkPreview()
    current: str | None = None
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = clean_text(_BULLET.sub("", clean_text(raw, multiline=False), count=1),
                          multiline=False)
        if not line:
            continue
        match = _PREFIX.match(line)
        if match and match.group(1).lower() in prefixes:
            current = prefixes[match.group(1).lower()]
            line = clean_text(_BULLET.sub("", match.group(2), count=1), multiline=False)
            if not line:
                continue  # a heading for the lines below
        elif match and (near := _near(match.group(1).lower(), prefixes)):
            preview.notes.append(BulkError(number, N_(
                "„{prefix}:“ ist keine Spalte und bleibt Teil des Textes. Gemeint: „{near}:“?"),
                (("prefix", match.group(1)), ("near", near))))
        if current is None:
            preview.errors.append(BulkError(number, N_(
                "Spalte fehlt: schreiben Sie z. B. „S:“, „Sch:“, „P:“ oder „I:“ davor.")))
        elif len(line) > TEXT_MAX:
            preview.errors.append(BulkError(
                number, N_("zu lang ({length} Zeichen, höchstens {max})."),
                (("length", len(line)), ("max", TEXT_MAX))))
        else:
            preview.items.append(BulkItem(number, current, line))
    if len(preview.items) > LINES_MAX:
        preview.errors.append(BulkError(len(lines), N_("Höchstens {max} Karten auf einmal."),
                                        (("max", LINES_MAX),)))
    return preview


def _near(word: str, prefixes: dict[str, str]) -> str | None:
    """A column prefix that `word` looks like a typo of ("sw" → "s"), if any."""
    close = difflib.get_close_matches(word, prefixes, n=1, cutoff=0.6)
    if close:
        return close[0].capitalize()
    return next((p.capitalize() for p in prefixes if len(word) <= 3 and p.startswith(word[0])),
                None)


def preview(*, session: Session, workshop: Workshop, text: str) -> BulkPreview:
    return parse(text, prefix_table(categories_of(session=session, workshop=workshop)))


def create_cards(*, session: Session, workshop: Workshop, facilitator: Facilitator, field_key: str,
                 text: str) -> ModerationAction:
    """Create every card of the text in one step (one undo), or none if any line is wrong."""
    target = field_named(session=session, workshop=workshop, key=field_key)
    assert target.id is not None
    facilitator.require_field(target.id)
    parsed = preview(session=session, workshop=workshop, text=text)
    if parsed.errors:
        first = parsed.errors[0]
        raise InvalidInput("Zeile {line}: {problem} Es wurde nichts gespeichert.",
                           line=first.line, problem=first)
    if not parsed.items:
        raise InvalidInput("Keine Karten erkannt: bitte eine Karte pro Zeile eingeben.")
    categories = {c.key: c for c in categories_of(session=session, workshop=workshop)}
    author = facilitator_participant(session=session, workshop=workshop)
    assert workshop.id is not None and author.id is not None
    created = []
    for item in parsed.items:
        category_id = categories[item.category].id
        assert category_id is not None
        card = Card(workshop_id=workshop.id, field_id=target.id, category_id=category_id,
                    participant_id=author.id, text=clean_card_text(item.text),
                    round=workshop.current_round)
        session.add(card)
        created.append(card)
    session.flush()
    for card in created:
        assert card.id is not None
        card.position = card.id * 10
    return finish_action(session, workshop, facilitator, kind="bulk",
                   summary=f"{len(created)} Karten eingegeben", before=[], touched=[],
                   created=created)

