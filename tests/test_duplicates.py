"""Duplicate suggestions: their quality on a set built from the seed's cards, and the service
that suggests and dismisses groups of a field's cards."""

from itertools import combinations

import pytest
from sqlmodel import Session

from app import duplicates, moderation
from app.access import MAIN, Facilitator
from app.duplicates import Candidate, suggest
from app.errors import InvalidInput, NotAllowed, NotFound
from app.models import Card, Workshop
from app.workshops import get_field
from tests.duplicate_cards import GROUPS
from tests.factories import make_card, make_participant, make_workshop


def _seed_set() -> tuple[list[Candidate], set[frozenset[int]]]:
    cards: list[Candidate] = []
    truth: set[frozenset[int]] = set()
    for group in GROUPS:
        ids = []
        for column, text in group:
            cards.append(Candidate(len(cards) + 1, text, column))
            ids.append(len(cards))
        truth.update(frozenset(pair) for pair in combinations(ids, 2))
    return cards, truth


def test_precision_and_recall_on_the_seed_set() -> None:
    """Pairs of cards put in one group, against the hand-made truth (the issue asks for 0.8;
    measured 0.97 and 0.90, `make bench` prints them)."""
    cards, truth = _seed_set()
    groups = suggest(cards)
    suggested = {frozenset(pair) for group in groups for pair in combinations(group, 2)}
    precision = len(suggested & truth) / len(suggested)
    recall = len(suggested & truth) / len(truth)
    assert precision >= 0.9 and recall >= 0.85, (precision, recall)


def _groups_of(texts: list[str], columns: list[str] | None = None) -> list[list[str]]:
    cards = [Candidate(i, t, (columns or ["ideas"] * len(texts))[i])
             for i, t in enumerate(texts)]
    return [[texts[i] for i in group] for group in suggest(cards)]


def test_compounds_umlaut_spellings_and_word_order_are_one_group() -> None:
    groups = _groups_of(["Ärztehaus im Ort", "Aerztehaus im Ort", "Ein Haus für Ärzte im Ort",
                         "Radwege ausbauen", "Ausbau der Radwege", "Jugendzentrum"])
    assert sorted(map(sorted, groups)) == [
        ["Aerztehaus im Ort", "Ein Haus für Ärzte im Ort", "Ärztehaus im Ort"],
        ["Ausbau der Radwege", "Radwege ausbauen"]]


def test_cards_that_share_a_word_are_not_suggested() -> None:
    assert _groups_of(["Leerstand", "Leerstandskataster", "Fachkräfte gewinnen",
                       "Fachkräftemangel im ländlichen Raum", "Ehrenamtsbörse einrichten",
                       "starkes Ehrenamt"]) == []


def test_a_dismissed_group_is_not_suggested_again() -> None:
    cards = [Candidate(1, "Bürgerbus einrichten"), Candidate(2, "Einen Bürgerbus einrichten"),
             Candidate(3, "Buergerbus einrichten")]
    assert suggest(cards) == [[1, 2, 3]]
    assert suggest(cards, dismissed=[[1, 2, 3]]) == []
    assert suggest(cards, dismissed=[[1, 3]]) in ([[1, 2]], [[2, 3]])


def test_empty_and_odd_texts_do_not_fail() -> None:
    assert suggest([]) == []
    assert suggest([Candidate(1, "!!!"), Candidate(2, "und oder"), Candidate(3, "😀")]) == []


# The service, on a field's cards.

@pytest.fixture
def small(session: Session) -> Workshop:
    return make_workshop(session)


def _post(session: Session, workshop: Workshop, *items: tuple[str, str],
          field: str = "hf1") -> list[int]:
    participant = make_participant(session, workshop)
    return [make_card(session, workshop, participant, field=field, category=category,
                      text=text).id for category, text in items]


def _suggested(session: Session, workshop: Workshop) -> list[list[int]]:
    field = get_field(session=session, workshop=workshop, key="hf1")
    return [s.ids for s in duplicates.suggestions(session=session, workshop=workshop,
                                                  field=field)]


def test_suggestions_span_columns_and_rounds_and_start_in_the_main_column(
        session: Session, small: Workshop) -> None:
    a, b, c, _d = _post(session, small, ("ideas", "Radwege ausbauen"),
                        ("ideas", "Ausbau der Radwege"), ("weaknesses", "Radwege ausbauen!"),
                        ("strengths", "Schöne Dorfkerne"))
    card = session.get(Card, b)
    assert card is not None
    card.round = 2
    session.add(card)
    session.commit()
    [group] = duplicates.suggestions(session=session, workshop=small,
                                     field=get_field(session=session, workshop=small, key="hf1"))
    assert group.ids[2] == c and set(group.ids) == {a, b, c}  # the wrong column's card last
    assert group.wording == "Ausbau der Radwege"


def test_hidden_merged_and_other_fields_cards_are_left_out(session: Session,
                                                          small: Workshop) -> None:
    a, b, c = _post(session, small, ("ideas", "Dorfladen eröffnen"), ("ideas", "Dorfläden"),
                    ("ideas", "Dorfladen"))
    _post(session, small, ("ideas", "Dorfladen"), field="hf2")
    assert [set(g) for g in _suggested(session, small)] == [{a, b, c}]
    moderation.set_hidden(session=session, workshop=small, facilitator=MAIN, card_ids=[a],
                          hidden=True)
    session.commit()
    assert [set(g) for g in _suggested(session, small)] == [{b, c}]
    moderation.merge(session=session, workshop=small, facilitator=MAIN, card_ids=[b, c])
    session.commit()
    assert _suggested(session, small) == []


def test_dismissing_keeps_a_group_away_and_checks_the_cards(session: Session,
                                                           small: Workshop) -> None:
    a, b = _post(session, small, ("ideas", "Mitfahrbank aufstellen"),
                 ("ideas", "Mitfahrbänke aufstellen"))
    [other] = _post(session, small, ("ideas", "Mitfahrbank"), field="hf2")
    field = get_field(session=session, workshop=small, key="hf1")
    assert _suggested(session, small) == [[a, b]]
    with pytest.raises(InvalidInput):
        duplicates.dismiss(session=session, workshop=small, facilitator=MAIN, field=field,
                           card_ids=[a, a])
    with pytest.raises(InvalidInput):  # a card of another field
        duplicates.dismiss(session=session, workshop=small, facilitator=MAIN, field=field,
                           card_ids=[a, other])
    with pytest.raises(NotFound):
        duplicates.dismiss(session=session, workshop=small, facilitator=MAIN, field=field,
                           card_ids=[a, 999_999])
    hf2 = get_field(session=session, workshop=small, key="hf2")
    assert hf2.id is not None
    with pytest.raises(NotAllowed):  # a facilitator of another field
        duplicates.dismiss(session=session, workshop=small,
                           facilitator=Facilitator(label="HF 2", field_id=hf2.id), field=field,
                           card_ids=[a, b])
    session.rollback()
    duplicates.dismiss(session=session, workshop=small, facilitator=MAIN, field=field,
                       card_ids=[b, a])
    session.commit()
    assert _suggested(session, small) == []
    [c] = _post(session, small, ("ideas", "Mitfahrbank aufstellen!"))
    # The new card is suggested with one of them, never the dismissed two together again.
    assert [set(g) for g in _suggested(session, small)] in ([{a, c}], [{b, c}])
