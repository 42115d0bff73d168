"""A workshop's definition read back, changed and copied: the organizer's preparation."""

import datetime as dt

import pytest
from sqlmodel import Session

from app import plenary, workshops
from app.definition import parse_definition, to_toml
from app.errors import Conflict, InvalidInput
from app.models import Workshop
from app.preparation import copy_workshop, export_definition, update_workshop
from tests.factories import make_card, make_participant, make_workshop


def test_the_definition_reads_back_to_the_same_workshop(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    exported = export_definition(session=session, workshop=workshop)
    again = parse_definition(to_toml(exported), source="export.toml")
    assert again == exported
    assert [f.key for f in again.fields] == ["hf1", "hf2", "hf3", "hf4", "hf5"]
    assert [s.key for s in again.fields[3].subfields] == ["hf4a", "hf4b"]
    assert again.fields[0].themes[0].text == "Wohnen & Arbeiten"
    assert again.surveys and again.surveys[0].questions
    assert again.join_code == workshop.join_code and again.slug == workshop.slug


def test_a_copy_has_the_structure_but_no_cards_and_its_own_code(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    make_card(session, workshop, make_participant(session, workshop), text="Nur im Original")
    copy = copy_workshop(session=session, workshop=workshop, title="Zukunftskonferenz 2027")
    session.commit()
    assert copy.slug != workshop.slug and copy.join_code != workshop.join_code
    assert copy.title == "Zukunftskonferenz 2027" and copy.date is None
    original = export_definition(session=session, workshop=workshop)
    copied = export_definition(session=session, workshop=copy)
    assert copied.fields == original.fields and copied.surveys == original.surveys
    from app.cards import list_cards
    assert list_cards(session=session, workshop=copy) == []


def test_changes_apply_by_key_and_keep_the_cards(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    card = make_card(session, workshop, make_participant(session, workshop), text="Bleibt")
    definition = export_definition(session=session, workshop=workshop)
    hf1 = definition.fields[0]
    themes = [hf1.themes[1].model_copy(update={"kind": "mandatory"}), hf1.themes[0]]
    changed = definition.model_copy(update={
        "date": dt.date(2026, 9, 1), "place": "Dorfgemeinschaftshaus",
        "fields": [hf1.model_copy(update={"title": "Gutes Leben", "themes": themes}),
                   *definition.fields[1:]]})
    update_workshop(session=session, workshop=workshop, definition=changed, version=1)
    session.commit()
    assert workshop.definition_version == 2 and workshop.place == "Dorfgemeinschaftshaus"
    field = workshops.get_field(session=session, workshop=workshop, key="hf1")
    assert field.title == "Gutes Leben"
    column = plenary.columns(session=session, workshop=workshop)[0]
    assert [(t.text, t.kind) for t in column.themes] == [(themes[0].text, "mandatory"),
                                                         (themes[1].text, themes[1].kind)]
    from app.cards import list_cards
    assert [c.id for c in list_cards(session=session, workshop=workshop)] == [card.id]


def test_a_second_save_from_an_old_version_is_refused(session: Session) -> None:
    workshop = make_workshop(session)
    definition = export_definition(session=session, workshop=workshop)
    update_workshop(session=session, workshop=workshop,
                    definition=definition.model_copy(update={"place": "Saal"}), version=1)
    with pytest.raises(Conflict, match="inzwischen geändert"):
        update_workshop(session=session, workshop=workshop,
                        definition=definition.model_copy(update={"place": "Aula"}), version=1)
    assert workshop.place == "Saal"


def test_fields_and_columns_with_cards_are_not_removed(session: Session) -> None:
    workshop = make_workshop(session)
    make_card(session, workshop, make_participant(session, workshop), field="hf1",
              category="strengths")
    definition = export_definition(session=session, workshop=workshop)
    with pytest.raises(InvalidInput, match="hat schon Karten"):
        update_workshop(session=session, workshop=workshop, version=None,
                        definition=definition.model_copy(update={"fields": definition.fields[1:]}))
    session.rollback()
    with pytest.raises(InvalidInput, match="Spalte „Stärken“"):
        update_workshop(session=session, workshop=workshop, version=None,
                        definition=definition.model_copy(
                            update={"categories": definition.categories[1:]}))
    session.rollback()
    # A field without cards can go, a new one comes.
    new = definition.fields[1].model_copy(update={"key": "neu", "title": "Neues Feld"})
    update_workshop(session=session, workshop=workshop, version=None,
                    definition=definition.model_copy(update={
                        "fields": [definition.fields[0], new]}))
    session.commit()
    keys = [f.key for f in workshops.fields_of(session=session, workshop=workshop)]
    assert keys == ["hf1", "neu"]


def test_an_archived_workshop_is_read_only(session: Session) -> None:
    from app.retention import archive

    workshop = make_workshop(session)
    archive(session=session, workshop=workshop)
    with pytest.raises(Conflict, match="archiviert"):
        update_workshop(session=session, workshop=workshop, version=None,
                        definition=export_definition(session=session, workshop=workshop))
    assert isinstance(workshop, Workshop)
