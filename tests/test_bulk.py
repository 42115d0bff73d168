"""Bulk entry: parsing (with property-based tests) and creating a batch with one undo."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from app import bulk, cards, undo
from app.access import MAIN
from app.errors import InvalidInput
from app.models import Category
from tests.factories import make_workshop

CATEGORIES = [Category(workshop_id=1, key=k, label=label) for k, label in [
    ("strengths", "Stärken"), ("weaknesses", "Schwächen"), ("potentials", "Potentiale"),
    ("ideas", "Ideen")]]
PREFIXES = bulk.prefix_table(CATEGORIES)


def parse(text: str) -> bulk.BulkPreview:
    return bulk.parse(text, PREFIXES)


def test_prefixes_headings_bullets_and_blank_lines() -> None:
    result = parse("""Stärken:
• Vereinskultur
- Platz zum Verwirklichen

Sch: Leerstand
1. keine gute Vernetzung im ÖPNV
P: Praxisräume sind vorhanden
Idee: Reaktivierung der Bahnverbindung
i: Hatix = Ansatz: ÖPNV""")
    assert result.errors == []
    assert [(i.line, i.category, i.text) for i in result.items] == [
        (2, "strengths", "Vereinskultur"),
        (3, "strengths", "Platz zum Verwirklichen"),
        (5, "weaknesses", "Leerstand"),
        (6, "weaknesses", "keine gute Vernetzung im ÖPNV"),
        (7, "potentials", "Praxisräume sind vorhanden"),
        (8, "ideas", "Reaktivierung der Bahnverbindung"),
        (9, "ideas", "Hatix = Ansatz: ÖPNV"),
    ]


def test_a_minus_is_not_a_bullet_and_a_mistyped_prefix_is_pointed_out() -> None:
    result = parse("Sch: Leerstand\n-30 % Leerstand seit 2010\n- Bahn\n1.5 Mio Euro fehlen\n"
                   "Sw: Schwimmbad geschlossen\nStärkn: Vereinskultur")
    assert [i.text for i in result.items] == [
        "Leerstand", "-30 % Leerstand seit 2010", "Bahn", "1.5 Mio Euro fehlen",
        "Sw: Schwimmbad geschlossen", "Stärkn: Vereinskultur"]
    assert [(n.line, n.render()) for n in result.notes] == [
        (5, "„Sw:“ ist keine Spalte und bleibt Teil des Textes. Gemeint: „W:“?"),
        (6, "„Stärkn:“ ist keine Spalte und bleibt Teil des Textes. Gemeint: „Stärken:“?")]


def test_lines_without_column_and_too_long_lines_are_reported() -> None:
    result = parse("ohne Spalte\nS: ok\nS: " + "x" * 501)
    assert [(e.line, e.render()) for e in result.errors] == [
        (1, "Spalte fehlt: schreiben Sie z. B. „S:“, „Sch:“, „P:“ oder „I:“ davor."),
        (3, "zu lang (501 Zeichen, höchstens 500)."),
    ]
    assert [i.text for i in result.items] == ["ok"]


@given(st.text())
@settings(max_examples=300)
def test_parser_never_fails_and_accounts_for_every_line(text: str) -> None:
    result = parse(text)
    lines = {i.line for i in result.items} | {e.line for e in result.errors}
    assert all(1 <= n <= len(text.splitlines()) + 1 for n in lines)
    assert all(0 < len(i.text) <= 500 for i in result.items)
    assert all("\n" not in i.text for i in result.items)


card_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
    max_size=80,
).map(lambda t: " ".join(t.split())).filter(
    lambda t: t and not bulk._BULLET.match(t) and not bulk._PREFIX.match(t))


@given(st.lists(st.tuples(st.sampled_from(["S", "Sch", "P", "I", "Ideen", "stärken"]),
                          card_text), min_size=1, max_size=20))
def test_what_is_typed_with_prefixes_comes_back(entries: list[tuple[str, str]]) -> None:
    text = "\n".join(f"{prefix}: {body}" for prefix, body in entries)
    result = parse(text)
    assert result.errors == []
    assert [(i.category, i.text) for i in result.items] == [
        (PREFIXES[prefix.lower()], bulk.clean_text(body, multiline=False))
        for prefix, body in entries]


def test_create_is_one_step_with_one_undo(session: Session) -> None:
    workshop = make_workshop(session)
    action = bulk.create_cards(session=session, workshop=workshop, facilitator=MAIN,
                               field_key="hf1", text="S: eins\nzwei\nI: drei")
    assert len(action.created) == 3
    listed = cards.list_cards(session=session, workshop=workshop, field="hf1")
    assert [(c.category, c.text) for c in listed] == [
        ("strengths", "eins"), ("strengths", "zwei"), ("ideas", "drei")]
    undo.undo(session=session, workshop=workshop, facilitator=MAIN)
    assert cards.list_cards(session=session, workshop=workshop) == []


@pytest.mark.parametrize(("text", "message"), [
    ("", "Keine Karten erkannt"),
    ("\n  \n", "Keine Karten erkannt"),
    ("S: gut\nohne", None),
    ("S: gut\nohne Spalte davor", None),
])
def test_bad_batches_change_nothing(session: Session, text: str, message: str | None) -> None:
    workshop = make_workshop(session)
    if message is None:
        # "ohne" after "S:" belongs to the strengths: that batch is fine.
        bulk.create_cards(session=session, workshop=workshop, facilitator=MAIN, field_key="hf1",
                          text=text)
        return
    with pytest.raises(InvalidInput, match=message):
        bulk.create_cards(session=session, workshop=workshop, facilitator=MAIN, field_key="hf1",
                          text=text)
    session.rollback()
    assert cards.list_cards(session=session, workshop=workshop) == []


def test_one_bad_line_saves_nothing(session: Session) -> None:
    workshop = make_workshop(session)
    with pytest.raises(InvalidInput, match="Zeile 1: Spalte fehlt"):
        bulk.create_cards(session=session, workshop=workshop, facilitator=MAIN, field_key="hf1",
                          text="ohne Spalte\nS: gut")
    session.rollback()
    with pytest.raises(InvalidInput, match="„hf9“"):
        bulk.create_cards(session=session, workshop=workshop, facilitator=MAIN, field_key="hf9",
                          text="S: gut")
    session.rollback()
    assert cards.list_cards(session=session, workshop=workshop) == []
