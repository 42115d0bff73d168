"""Moderation services: every action, its board event, and undo round trips."""

import pytest
from sqlmodel import Session

from app import cards, moderation, undo
from app.access import MAIN, Facilitator
from app.errors import Conflict, InvalidInput, NotAllowed, NotFound
from app.live.events import BoardChanged
from app.models import Workshop
from app.workshops import get_field
from tests.conftest import RecordedEvents
from tests.factories import make_card, make_participant, make_workshop


@pytest.fixture
def small(session: Session) -> Workshop:
    return make_workshop(session)


def texts(session: Session, workshop: Workshop, field: str = "hf1",
          category: str = "strengths") -> list[str]:
    return [c.text for c in cards.list_cards(session=session, workshop=workshop, field=field)
            if c.category == category]


def post(session: Session, workshop: Workshop, *items: str, **kwargs: str) -> list[int]:
    participant = make_participant(session, workshop)
    return [make_card(session, workshop, participant, text=t, **kwargs).id for t in items]


def test_hide_and_unhide_publish_the_column(session: Session, small: Workshop,
                                            events: RecordedEvents) -> None:
    a, _b = post(session, small, "A", "B")
    moderation.set_hidden(session=session, workshop=small, facilitator=MAIN, card_ids=[a],
                          hidden=True)
    assert texts(session, small) == ["B"]
    session.commit()
    event = events.published[-1]
    assert isinstance(event, BoardChanged)
    assert [(c.field, c.category, [card.text for card in c.cards]) for c in event.columns] == [
        ("hf1", "strengths", ["B"])]
    assert event.counts.cards == {"hf1": 1}
    hidden = moderation.console_cards(session=session, workshop=small,
                                      field=get_field(session=session, workshop=small, key="hf1"))
    assert [(c.text, c.hidden) for c in hidden] == [("A", True), ("B", False)]
    moderation.set_hidden(session=session, workshop=small, facilitator=MAIN, card_ids=[a],
                          hidden=False)
    assert texts(session, small) == ["A", "B"]


def test_edit_move_and_undo(session: Session, small: Workshop) -> None:
    [a] = post(session, small, "Vereinskutlur")
    moderation.edit(session=session, workshop=small, facilitator=MAIN, card_id=a,
                    text="Vereinskultur")
    assert texts(session, small) == ["Vereinskultur"]
    moderation.move(session=session, workshop=small, facilitator=MAIN, card_id=a, field="hf2",
                    category="ideas")
    assert texts(session, small) == []
    assert texts(session, small, "hf2", "ideas") == ["Vereinskultur"]
    undo.undo(session=session, workshop=small, facilitator=MAIN)
    assert texts(session, small) == ["Vereinskultur"]
    undo.undo(session=session, workshop=small, facilitator=MAIN)
    assert texts(session, small) == ["Vereinskutlur"]
    session.commit()
    with pytest.raises(Conflict, match="nichts rückgängig"):
        undo.undo(session=session, workshop=small, facilitator=MAIN)


def test_move_to_missing_field_changes_nothing(session: Session, small: Workshop) -> None:
    [a] = post(session, small, "A")
    session.commit()
    with pytest.raises(InvalidInput, match="„hf9“"):
        moderation.move(session=session, workshop=small, facilitator=MAIN, card_id=a,
                        field="hf9", category="ideas")
    session.rollback()
    session.commit()
    with pytest.raises(InvalidInput, match="Kategorie"):
        moderation.move(session=session, workshop=small, facilitator=MAIN, card_id=a,
                        field="hf2", category="nope")
    session.rollback()
    assert texts(session, small) == ["A"]


def test_pin_and_reorder(session: Session, small: Workshop) -> None:
    a, b, c = post(session, small, "A", "B", "C")
    moderation.pin(session=session, workshop=small, facilitator=MAIN, card_id=c, pinned=True)
    assert texts(session, small) == ["C", "A", "B"]
    moderation.reorder(session=session, workshop=small, facilitator=MAIN, card_id=b,
                       direction="up")
    assert texts(session, small) == ["C", "B", "A"]
    # A pinned card stays above; moving past it or past the end changes nothing.
    assert moderation.reorder(session=session, workshop=small, facilitator=MAIN, card_id=b,
                              direction="up") is None
    assert moderation.reorder(session=session, workshop=small, facilitator=MAIN, card_id=a,
                              direction="down") is None
    [d] = post(session, small, "D")
    assert texts(session, small) == ["C", "B", "A", "D"], "new cards come last"
    undo.undo(session=session, workshop=small, facilitator=MAIN)
    assert texts(session, small) == ["C", "A", "B", "D"]
    assert d


def test_merge_counts_and_unmerge_restores(session: Session, small: Workshop,
                                           events: RecordedEvents) -> None:
    a, b, c = post(session, small, "ÖPNV", "Bus fährt zu selten", "Bessere Busverbindungen")
    action = moderation.merge(session=session, workshop=small, facilitator=MAIN,
                              card_ids=[a, b, c])
    [merged] = cards.list_cards(session=session, workshop=small)
    assert merged.text == "Bessere Busverbindungen" and merged.weight == 3
    assert action.created == [merged.id]
    originals = moderation.merged_originals(session=session, merged_ids=[merged.id])
    assert [o.text for o in originals[merged.id]] == ["ÖPNV", "Bus fährt zu selten",
                                                     "Bessere Busverbindungen"]
    [d] = post(session, small, "Bus")
    twice = moderation.merge(session=session, workshop=small, facilitator=MAIN,
                             card_ids=[merged.id, d], text=" Mehr Busse ")
    [again] = cards.list_cards(session=session, workshop=small)
    assert (again.text, again.weight) == ("Mehr Busse", 4)
    assert twice.created == [again.id]
    moderation.unmerge(session=session, workshop=small, facilitator=MAIN, card_id=again.id)
    assert sorted(texts(session, small)) == ["Bessere Busverbindungen", "Bus"]
    moderation.unmerge(session=session, workshop=small, facilitator=MAIN, card_id=merged.id)
    assert texts(session, small) == ["ÖPNV", "Bus fährt zu selten", "Bessere Busverbindungen",
                                     "Bus"]
    # Undo the unmerge: the merged card is back with its weight.
    undo.undo(session=session, workshop=small, facilitator=MAIN)
    assert sorted(c.weight for c in cards.list_cards(session=session, workshop=small)) == [1, 3]
    session.commit()
    assert isinstance(events.published[-1], BoardChanged)


def test_merge_undo_deletes_the_merged_card(session: Session, small: Workshop) -> None:
    a, b = post(session, small, "A", "B")
    moderation.merge(session=session, workshop=small, facilitator=MAIN, card_ids=[a, b], text="AB")
    undo.undo(session=session, workshop=small, facilitator=MAIN)
    assert texts(session, small) == ["A", "B"]


def test_stale_and_foreign_cards_are_refused(session: Session, small: Workshop) -> None:
    a, b = post(session, small, "A", "B")
    moderation.merge(session=session, workshop=small, facilitator=MAIN, card_ids=[a, b])
    session.commit()
    with pytest.raises(Conflict, match="inzwischen zusammengefasst"):
        moderation.set_hidden(session=session, workshop=small, facilitator=MAIN, card_ids=[a],
                              hidden=True)
    session.rollback()
    other = make_workshop(session)
    [foreign] = post(session, other, "fremd")
    session.commit()
    with pytest.raises(NotFound):
        moderation.edit(session=session, workshop=small, facilitator=MAIN, card_id=foreign,
                        text="x")
    session.rollback()
    [single] = post(session, small, "C")
    session.commit()
    with pytest.raises(InvalidInput, match="mindestens zwei"):
        moderation.merge(session=session, workshop=small, facilitator=MAIN, card_ids=[single])
    session.rollback()
    session.commit()
    with pytest.raises(InvalidInput, match="mindestens eine"):
        moderation.approve(session=session, workshop=small, facilitator=MAIN, card_ids=[])


def test_field_limited_facilitator_stays_in_their_field(session: Session,
                                                        small: Workshop) -> None:
    hf1 = get_field(session=session, workshop=small, key="hf1")
    table = Facilitator(label="Tisch 1", field_id=hf1.id, link_id=1)
    [mine] = post(session, small, "hier")
    [theirs] = post(session, small, "dort", field="hf2")
    moderation.set_hidden(session=session, workshop=small, facilitator=table, card_ids=[mine],
                          hidden=True)
    session.commit()
    with pytest.raises(NotAllowed, match="anderes Handlungsfeld"):
        moderation.set_hidden(session=session, workshop=small, facilitator=table,
                              card_ids=[theirs], hidden=True)
    session.rollback()
    session.commit()
    with pytest.raises(NotAllowed):
        moderation.move(session=session, workshop=small, facilitator=table, card_id=mine,
                        field="hf2", category="ideas")
    session.rollback()
    # Undo is per facilitator: the main facilitator has nothing to undo here.
    session.commit()
    with pytest.raises(Conflict):
        undo.undo(session=session, workshop=small, facilitator=MAIN)
    session.rollback()
    undo.undo(session=session, workshop=small, facilitator=table)
    assert texts(session, small) == ["hier"]


def test_premoderation_holds_cards_until_approved(session: Session, small: Workshop) -> None:
    small.premoderation = True
    session.add(small)
    session.commit()
    participant = make_participant(session, small)
    card = make_card(session, small, participant, text="wartet")
    assert not card.approved
    assert texts(session, small) == []
    mine = cards.list_cards(session=session, workshop=small, participant=participant)
    assert [c.text for c in mine] == ["wartet"], "the author sees it waiting"
    moderation.approve(session=session, workshop=small, facilitator=MAIN, card_ids=[card.id])
    assert texts(session, small) == ["wartet"]


def test_undo_never_brings_back_a_card_its_author_deleted(session: Session,
                                                          small: Workshop) -> None:
    author = make_participant(session, small)
    card = make_card(session, small, author, text="Zurückgezogen")
    moderation.pin(session=session, workshop=small, facilitator=MAIN, card_id=card.id, pinned=True)
    cards.delete_card(session=session, workshop=small, participant=author, card_id=card.id)
    undo.undo(session=session, workshop=small, facilitator=MAIN)
    assert texts(session, small) == []


def test_undo_keeps_an_authors_later_edit(session: Session, small: Workshop) -> None:
    author = make_participant(session, small)
    card = make_card(session, small, author, text="Erste Fasung")
    moderation.edit(session=session, workshop=small, facilitator=MAIN, card_id=card.id,
                    text="Erste Fassung")
    moderation.pin(session=session, workshop=small, facilitator=MAIN, card_id=card.id, pinned=True)
    cards.edit_card(session=session, workshop=small, participant=author, card_id=card.id,
                    text="Meine neue Fassung")
    undo.undo(session=session, workshop=small, facilitator=MAIN)  # the pin
    undo.undo(session=session, workshop=small, facilitator=MAIN)  # the facilitator's edit
    [shown] = cards.list_cards(session=session, workshop=small, field="hf1")
    assert (shown.text, shown.pinned) == ("Meine neue Fassung", False)


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_undoing_a_split_does_not_revive_a_changed_original(session: Session, small: Workshop,
                                                            change: str) -> None:
    author = make_participant(session, small)
    first = make_card(session, small, author, text="Der lange ursprüngliche Text")
    second = make_card(session, small, author, text="kurz")
    merge = moderation.merge(session=session, workshop=small, facilitator=MAIN,
                             card_ids=[first.id, second.id])
    [merged] = merge.created
    moderation.unmerge(session=session, workshop=small, facilitator=MAIN, card_id=merged)
    if change == "edit":
        cards.edit_card(session=session, workshop=small, participant=author, card_id=first.id,
                        text="neu gefasst")
    else:
        cards.delete_card(session=session, workshop=small, participant=author, card_id=first.id)
    session.commit()
    with pytest.raises(Conflict, match="nicht mehr rückgängig"):
        undo.undo(session=session, workshop=small, facilitator=MAIN)
    session.rollback()
    assert "Der lange ursprüngliche Text" not in texts(session, small)


def test_a_fields_facilitator_moderates_its_sub_fields_and_boards_redraw_the_group(
        session: Session, events: RecordedEvents) -> None:
    workshop = make_workshop(session, westharz=True)
    author = make_participant(session, workshop)
    card = make_card(session, workshop, author, field="hf4a", text="Forschung vernetzen")
    hf4 = get_field(session=session, workshop=workshop, key="hf4")
    hf3 = get_field(session=session, workshop=workshop, key="hf3")
    moderation.set_hidden(session=session, workshop=workshop, facilitator=Facilitator(
        label="Tisch 4", field_id=hf4.id), card_ids=[card.id], hidden=True)
    session.commit()
    event = events.published[-1]
    assert isinstance(event, BoardChanged)
    assert [(c.field, c.category) for c in event.columns] == [("hf4", "strengths")]
    session.commit()
    with pytest.raises(NotAllowed):
        moderation.set_hidden(session=session, workshop=workshop, facilitator=Facilitator(
            label="Tisch 3", field_id=hf3.id), card_ids=[card.id], hidden=False)


def test_a_fields_console_undoes_only_its_own_fields_steps(session: Session,
                                                           small: Workshop) -> None:
    [a] = post(session, small, "Im ersten Feld")
    [b] = post(session, small, "Im zweiten Feld", field="hf2")
    hf1, hf2 = (get_field(session=session, workshop=small, key=k) for k in ("hf1", "hf2"))
    moderation.set_hidden(session=session, workshop=small, facilitator=MAIN, card_ids=[a],
                          hidden=True)
    moderation.pin(session=session, workshop=small, facilitator=MAIN, card_id=b, pinned=True)
    last = undo.last_action(session=session, workshop=small, facilitator=MAIN, field=hf1)
    assert last is not None and (last.kind, last.summary) == ("hide", "Im ersten Feld")
    undo.undo(session=session, workshop=small, facilitator=MAIN, field=hf1)
    assert texts(session, small) == ["Im ersten Feld"]  # shown again; hf2's pin stands
    assert [c.pinned for c in cards.list_cards(session=session, workshop=small, field="hf2")
            ] == [True]
    session.commit()
    with pytest.raises(Conflict, match="nichts rückgängig"):
        undo.undo(session=session, workshop=small, facilitator=MAIN, field=hf1)
    session.rollback()
    assert undo.last_action(session=session, workshop=small, facilitator=MAIN,
                                  field=hf2) is not None
