"""Workshop definitions: the format, the seed conference, and messages for broken files."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.definition import DefinitionError, load_definition, parse_definition
from app.errors import Conflict, NotFound
from app.models import Category, Field, Theme, Workshop
from app.workshops import create_workshop, fields_of, themes_by_field, workshop_by_code
from tests.conftest import AuthActions
from tests.factories import ROOT, SMALL, WESTHARZ, make_workshop

SEED = next((ROOT.parent / "shared" / "seeds").glob("002_*.txt"), None)


def test_westharz_has_the_seed_fields_with_topics_and_themes(session: Session) -> None:
    workshop = make_workshop(session, westharz=True)
    fields = fields_of(session=session, workshop=workshop)
    top = [f for f in fields if f.parent_id is None]
    assert [f.number for f in top] == ["HF 1", "HF 2", "HF 3", "HF 4", "HF 5"]
    assert top[0].title == "Gutes Leben in der Region"
    assert top[2].title == "Gelebte Landschaft – Aktiver Klimaschutz"
    assert top[0].topics.startswith("Wohnen und arbeiten, Generationengerechtes")
    assert "Tourismus: Trends und Potentiale nutzen" in top[3].topics
    sub = [f for f in fields if f.parent_id == top[3].id]
    assert [f.number for f in sub] == ["HF 4 A", "HF 4 B"]
    themes = themes_by_field(session=session, workshop=workshop)
    assert [len(themes[f.id or 0]) for f in top] == [11, 10, 12, 14, 13]
    assert themes[top[0].id or 0][0].text == "Wohnen & Arbeiten"
    assert themes[top[4].id or 0][-1].text == "Museen und Kulturerbe, Kulturgüterschutz"
    kinds = {t.kind for ts in themes.values() for t in ts}
    assert kinds == {"mandatory", "lag", "conference"}
    assert workshop.region == "den Westharz"
    assert workshop.leitbild == "Aus Tradition innovativ!"
    assert len(workshop.goals) == 6
    assert workshop.questions[0] == "Finden Sie Ihre Anliegen in diesen Handlungsfeldern wieder?"
    categories = session.exec(select(Category).where(Category.workshop_id == workshop.id)).all()
    assert [c.label for c in sorted(categories, key=lambda c: c.position)] == [
        "Stärken", "Schwächen", "Potentiale", "Ideen"]


@pytest.mark.skipif(SEED is None, reason="shared/seeds is not beside the checkout")
def test_every_westharz_theme_stands_in_the_seed_document() -> None:
    assert SEED is not None
    seed = "".join(SEED.read_text(encoding="utf-8").split())
    seed = seed.replace("-", "").replace("•", "")
    definition = load_definition(WESTHARZ)
    for field in definition.fields:
        assert "".join(field.title.split()).replace("-", "") in seed or field.key == "hf3"
        for theme in field.themes:
            squeezed = "".join(theme.text.split()).replace("-", "")
            assert squeezed in seed, theme.text


def test_blank_template_is_valid() -> None:
    definition = load_definition(ROOT / "workshops" / "blank.toml")
    assert definition.fields[0].key == "hf1"
    assert [c.key for c in definition.categories] == [
        "strengths", "weaknesses", "potentials", "ideas"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title = 'x'\n[[fields]]\nkey='a'\ntitle='t'", "bad.toml: region: fehlt"),
        ("title='x'\nregion='r'\nfields=[]", "bad.toml: fields: mindestens ein Handlungsfeld"),
        ("title='x'\nregion='r'\n[[fields]]\nkey='A B'\ntitle='t'",
         "bad.toml: fields[0].key: hat nicht die erlaubte Form"),
        ("title='x'\nregion='r'\n[[fields]]\nkey='a'\ntitle='t'\nthemes=[{text='t', kind='big'}]",
         "bad.toml: fields[0].themes[0].kind: muss einer dieser Werte sein"),
        ("title='x'\nregion='r'\ncolour='red'\n[[fields]]\nkey='a'\ntitle='t'",
         "bad.toml: colour: ist unbekannt"),
        ("title='x'\nregion='r'\n[[fields]]\nkey='a'\ntitle='t'\n[[fields]]\nkey='a'\ntitle='u'",
         "der Schlüssel „a“ kommt mehrfach vor"),
        ("title='x'\nregion='r'\ndate='morgen'\n[[fields]]\nkey='a'\ntitle='t'",
         "bad.toml: date: muss ein Datum sein"),
        ("title = 'x", "bad.toml: kein gültiges TOML"),
        ("title='x'\nregion='r'\nrounds=9\n[[fields]]\nkey='a'\ntitle='t'",
         "bad.toml: rounds: darf höchstens 5 sein"),
    ],
)
def test_broken_definitions_name_file_key_and_problem(text: str, expected: str) -> None:
    with pytest.raises(DefinitionError) as excinfo:
        parse_definition(text, source="bad.toml")
    assert expected in str(excinfo.value)


def test_missing_file_and_wrong_encoding(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="nicht gefunden"):
        load_definition(tmp_path / "none.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("title = 'Stärken'".encode("cp1252"))
    with pytest.raises(DefinitionError, match="UTF-8"):
        load_definition(latin)


def test_second_copy_gets_its_own_slug_and_code(session: Session) -> None:
    first = make_workshop(session, westharz=True)
    second = make_workshop(session, westharz=True)
    assert (first.slug, second.slug) == ("westharz", "westharz-2")
    assert first.join_code != second.join_code
    assert len(second.join_code) == 6


def test_create_is_all_or_nothing(session: Session) -> None:
    definition = parse_definition(SMALL)
    # Bypass validation: the database's unique key on (workshop, field key) refuses the copy.
    broken = definition.model_copy(update={"fields": [*definition.fields, definition.fields[0]]})
    with pytest.raises(IntegrityError):
        create_workshop(session=session, definition=broken)
    session.rollback()
    assert session.exec(select(Workshop)).all() == []
    assert session.exec(select(Field)).all() == []
    assert session.exec(select(Theme)).all() == []


def test_join_code_lookup_is_forgiving_and_closed_codes_say_so(session: Session) -> None:
    workshop = make_workshop(session)
    spaced = f" {workshop.join_code[:3].lower()}-{workshop.join_code[3:]} "
    assert workshop_by_code(session=session, code=spaced).id == workshop.id
    with pytest.raises(NotFound, match="kennen wir nicht"):
        workshop_by_code(session=session, code="ZZZZZZ")
    workshop.joining_open = False
    session.add(workshop)
    session.commit()
    with pytest.raises(Conflict, match="keine neuen Teilnehmenden"):
        workshop_by_code(session=session, code=workshop.join_code)


@pytest.mark.parametrize("stem", ["Mit {0} wollen wir für {region} erreichen, dass …",
                                  "Für {region} erreichen wir, dass { …", "Für } {region"])
def test_a_stem_with_other_braces_is_refused(stem: str) -> None:
    top = SMALL.replace('region = "die Testregion"\n',
                        f'region = "die Testregion"\nstatement_stem = "{stem}"\n')
    with pytest.raises(DefinitionError, match=r"x.toml: statement_stem: .*nur \{region\}"):
        parse_definition(top, source="x.toml")
    in_field = SMALL + f'statement_stem = "{stem}"\n'  # the last field's own stem
    with pytest.raises(DefinitionError, match=r"fields\[1\].statement_stem: .*nur"):
        parse_definition(in_field, source="x.toml")


def test_a_stem_with_braces_from_an_older_file_does_not_break_the_api(
        client: TestClient, auth: AuthActions, app) -> None:  # type: ignore[no-untyped-def]
    with app.state.context.db.transaction() as session:
        workshop = session.get(Workshop, auth.workshop.id)
        assert workshop is not None
        workshop.statement_stem = "Mit {0} wollen wir für {region} erreichen, dass {"
        session.add(workshop)
        session.commit()
    response = client.get(f"/api/v1/workshops/{auth.workshop.slug}")
    assert response.status_code == 200
    assert response.json()["statement_stem"] == ("Mit {0} wollen wir für den Westharz "
                                                 "erreichen, dass {")
