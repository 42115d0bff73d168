"""Surveys: answers per question kind, results with small-number protection, charts, import."""

import re
import threading
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import Session, select

from app import charts, surveys
from app.access import MAIN
from app.db import Database
from app.errors import Conflict, InvalidInput
from app.models import Answer, SurveyResponse, Workshop
from app.survey_import import decode, import_responses, read_table, suggest_mapping
from tests.factories import make_participant, make_workshop


@pytest.fixture
def westharz(session: Session) -> Workshop:
    return make_workshop(session, westharz=True)


def survey_and_questions(session: Session, workshop: Workshop):  # type: ignore[no-untyped-def]
    [survey] = surveys.surveys_of(session=session, workshop=workshop)
    return survey, {q.kind + ("" if q.kind != "single" else str(q.position)): q
                    for q in surveys.questions_of(session=session, survey=survey)}


def opened(session: Session, workshop: Workshop):  # type: ignore[no-untyped-def]
    survey, questions = survey_and_questions(session, workshop)
    surveys.set_status(session=session, workshop=workshop, facilitator=MAIN, survey=survey,
                       status="open")
    return survey, questions


def full_answer(q: dict, **overrides: object) -> dict[int, object]:  # type: ignore[type-arg]
    values = {q["single0"].id: "HF 3: Gelebte Landschaft – Aktiver Klimaschutz",
              q["single1"].id: 2, q["text"].id: "Goslar",
              q["ranking"].id: [2, 0, 1, 3, 4], q["multiple"].id: [0, 1],
              q["rating"].id: "4"}
    values.update({q[k].id: v for k, v in overrides.items()})
    return values


def test_the_demo_survey_comes_from_the_workshop_file(session: Session,
                                                      westharz: Workshop) -> None:
    survey, q = survey_and_questions(session, westharz)
    assert survey.title == "Umfrage zur Zukunftskonferenz" and survey.status == "draft"
    assert sorted(q) == ["multiple", "ranking", "rating", "single0", "single1", "text"]
    assert q["multiple"].max_choices == 2 and q["rating"].label_max == "sehr"


def test_answers_are_checked_and_can_be_changed(session: Session, westharz: Workshop) -> None:
    anna = make_participant(session, westharz)
    survey, q = survey_and_questions(session, westharz)
    session.commit()
    with pytest.raises(Conflict, match="nicht offen"):
        surveys.answer(session=session, workshop=westharz, participant=anna, survey=survey,
                       values=full_answer(q))
    session.rollback()
    survey, q = opened(session, westharz)
    bad = [
        ({"multiple": [0, 1, 2]}, "höchstens 2"),
        ({"rating": 6}, "von 1 bis 5"),
        ({"rating": "viel"}, "keine Zahl"),
        ({"single0": "HF 9"}, "keine der Antwortmöglichkeiten"),
        ({"ranking": [0, 0, 1, 2, 3]}, "jeden Platz genau einmal"),
        ({"single0": ""}, "braucht eine Antwort"),
        ({"text": "x" * 501}, "höchstens 500"),
    ]
    for overrides, message in bad:
        session.commit()
        with pytest.raises(InvalidInput, match=message):
            surveys.answer(session=session, workshop=westharz, participant=anna, survey=survey,
                           values=full_answer(q, **overrides))
        session.rollback()
    session.commit()
    with pytest.raises(InvalidInput, match="gibt es in der Umfrage nicht"):
        surveys.answer(session=session, workshop=westharz, participant=anna, survey=survey,
                       values={**full_answer(q), 99999: "x"})
    session.rollback()
    assert session.exec(select(SurveyResponse)).all() == []
    surveys.answer(session=session, workshop=westharz, participant=anna, survey=survey,
                   values=full_answer(q))
    surveys.answer(session=session, workshop=westharz, participant=anna, survey=survey,
                   values=full_answer(q, rating=5))
    assert surveys.my_answers(session=session, survey=survey, participant=anna)[
        q["rating"].id] == 5
    assert len(session.exec(select(SurveyResponse)).all()) == 1


def test_results_per_kind_and_small_numbers(session: Session, westharz: Workshop) -> None:
    survey, q = opened(session, westharz)
    people = [make_participant(session, westharz) for _ in range(5)]
    ratings = [5, 4, 4, 3, 1]
    for person, rating in zip(people[:4], ratings, strict=False):
        surveys.answer(session=session, workshop=westharz, participant=person, survey=survey,
                       values=full_answer(q, rating=rating))
    few = surveys.results(session=session, workshop=westharz, survey=survey)[""]
    assert all(r.suppressed and r.respondents == 4 for r in few)
    assert few[0].counts == [] and few[0].respondents == 4
    surveys.answer(session=session, workshop=westharz, participant=people[4], survey=survey,
                   values=full_answer(q, rating=1, single0="HF 1: Gutes Leben in der Region",
                                      multiple=[3], ranking=[0, 1, 2, 3, 4]))
    live = {r.kind + str(i): r for i, r in enumerate(
        surveys.results(session=session, workshop=westharz, survey=survey)[""])}
    single = live["single0"]
    assert single.counts == [1, 0, 4, 0, 0] and single.percents == [20.0, 0, 80.0, 0, 0]
    multiple = live["multiple4"]
    assert multiple.counts == [4, 4, 0, 1]
    rating = live["rating5"]
    assert rating.distribution == {1: 1, 2: 0, 3: 1, 4: 2, 5: 1}
    assert (rating.mean, rating.median) == (3.4, 4.0)
    ranking = live["ranking3"]
    assert ranking.average_ranks == [1.8, 2.8, 1.4, 4.0, 5.0]
    assert [t for _, t in live["text2"].texts] == ["Goslar"] * 5


def test_charts_carry_the_numbers(session: Session, westharz: Workshop) -> None:
    survey, q = opened(session, westharz)
    for _ in range(5):
        surveys.answer(session=session, workshop=westharz,
                       participant=make_participant(session, westharz), survey=survey,
                       values=full_answer(q))
    by_kind = {r.kind: r for r in surveys.results(session=session, workshop=westharz,
                                                  survey=survey)[""]}
    single = next(r for r in surveys.results(session=session, workshop=westharz,
                                             survey=survey)[""] if r.kind == "single")
    svg = charts.svg(single)
    assert svg is not None
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "5 (100 %)" in texts and "0 (0 %)" in texts
    assert "HF 3: Gelebte Landschaft" in texts
    rating_svg = charts.svg(by_kind["rating"]) or ""
    assert "Mittelwert 4,00 · Median 4" in rating_svg
    png = charts.png(by_kind["ranking"])
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert re.search(r"Ø Platz 1,0", charts.svg(by_kind["ranking"]) or "")
    assert charts.svg(by_kind["text"]) is None


def test_concurrent_answers_of_one_participant_make_one_response(db: Database) -> None:
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
        survey, q = opened(session, workshop)
        anna = make_participant(session, workshop)
    outcomes: list[str] = []

    def send() -> None:  # as a request does: its write takes the workshop's turn
        with db.session() as own, db.write(own, workshop.id):
            try:
                surveys.answer(session=own, workshop=workshop, participant=anna, survey=survey,
                               values=full_answer(q))
                outcomes.append("ok")
            except Conflict:
                outcomes.append("again")

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "ok" in outcomes
    with db.session() as session:
        assert len(session.exec(select(SurveyResponse)).all()) == 1
        # The last answer replaced the others completely (no doubled answers).
        assert len(session.exec(select(Answer)).all()) == len(full_answer(q))


CSV_HEADER = ("Welches Handlungsfeld ist Ihnen am wichtigsten?;Wie alt sind Sie?;"
              "Aus welcher Gemeinde kommen Sie?;Wie zufrieden sind Sie mit der "
              "Zukunftskonferenz?\r\n")


def excel_file(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(r + "\r\n" for r in rows)).encode("cp1252")


def test_import_windows_1252_semicolons_with_umlauts(session: Session,
                                                     westharz: Workshop) -> None:
    survey, q = survey_and_questions(session, westharz)
    data = excel_file(*["HF 3: Gelebte Landschaft – Aktiver Klimaschutz;30–49;Münchehof;4",
                        "HF 1: Gutes Leben in der Region;65 und älter;Bad Grund;5"] * 3)
    table = read_table(decode(data))
    assert table.delimiter == ";" and table.headers[2] == "Aus welcher Gemeinde kommen Sie?"
    mapping = suggest_mapping(surveys.questions_of(session=session, survey=survey),
                              table.headers)
    assert mapping[q["single0"].id] == 0 and mapping[q["rating"].id] == 3
    assert mapping[q["ranking"].id] is None
    count = import_responses(session=session, workshop=westharz, facilitator=MAIN, survey=survey,
                             data=data, mapping=mapping, label="Online-Umfrage März")
    assert count == 6
    results = surveys.results(session=session, workshop=westharz, survey=survey)
    assert list(results) == ["", "Online-Umfrage März"]
    imported = {r.kind + str(i): r for i, r in enumerate(results["Online-Umfrage März"])}
    assert imported["single0"].counts == [3, 0, 3, 0, 0]
    assert [t for _, t in imported["text2"].texts][:2] == ["Münchehof", "Bad Grund"]
    assert surveys.respondent_count(session=session, survey=survey,
                                    source="Online-Umfrage März") == 6


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_import_utf8_with_and_without_bom_and_commas(session: Session, westharz: Workshop,
                                                     encoding: str) -> None:
    survey, _q = survey_and_questions(session, westharz)
    text = ('"Wie alt sind Sie?","Wie möchten Sie sich weiter beteiligen?"\n'
            '"18–29","Newsletter|Projektidee einreichen"\n')
    table = read_table(decode(text.encode(encoding)))
    assert table.headers[0] == "Wie alt sind Sie?" and table.delimiter == ","
    mapping = suggest_mapping(surveys.questions_of(session=session, survey=survey),
                              table.headers)
    import_responses(session=session, workshop=westharz, facilitator=MAIN, survey=survey,
                     data=text.encode(encoding), mapping=mapping, label="Papierbogen")
    assert surveys.respondent_count(session=session, survey=survey, source="Papierbogen") == 1


def test_a_bad_cell_imports_nothing_and_names_row_and_column(session: Session,
                                                             westharz: Workshop) -> None:
    survey, _ = survey_and_questions(session, westharz)
    data = excel_file("HF 1: Gutes Leben in der Region;18–29;Goslar;4",
                      "HF 1: Gutes Leben in der Region;18–29;Goslar;sehr gut",
                      "HF 7: Raumfahrt;18–29;Goslar;3")
    mapping = suggest_mapping(surveys.questions_of(session=session, survey=survey),
                              read_table(decode(data)).headers)
    session.commit()
    with pytest.raises(InvalidInput) as excinfo:
        import_responses(session=session, workshop=westharz, facilitator=MAIN, survey=survey,
                         data=data, mapping=mapping, label="Excel")
    message = excinfo.value.render()
    assert "Zeile 3, Spalte „Wie zufrieden sind Sie mit der Zukunftskonferenz?“" in message
    assert "„sehr gut“ ist keine Zahl" in message
    assert "Zeile 4, Spalte „Welches Handlungsfeld ist Ihnen am wichtigsten?“" in message
    session.rollback()
    assert session.exec(select(SurveyResponse)).all() == []


@pytest.mark.parametrize(("data", "message"), [
    (b"", "leer"),
    (b"nur eine Kopfzeile\n", "mindestens eine Antwortzeile"),
    (b"\x81\x8d\x8f\x90\x9d", "weder UTF-8 noch Windows-1252"),
])
def test_unusable_files(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_table(decode(data))


def test_import_old_mac_line_endings(session: Session, westharz: Workshop) -> None:
    survey, _q = survey_and_questions(session, westharz)
    data = excel_file("HF 1: Gutes Leben in der Region;18–29;Goslar;4",
                      "HF 1: Gutes Leben in der Region;30–49;Clausthal;5").replace(b"\r\n", b"\r")
    table = read_table(decode(data))
    assert len(table.rows) == 2 and table.headers[1] == "Wie alt sind Sie?"
    mapping = suggest_mapping(surveys.questions_of(session=session, survey=survey),
                              table.headers)
    assert import_responses(session=session, workshop=westharz, facilitator=MAIN, survey=survey,
                            data=data, mapping=mapping, label="Mac") == 2


def test_import_a_cell_over_128_kib_is_a_clear_refusal(session: Session) -> None:
    data = ("Frage\n" + "x" * (200 * 1024) + "\n").encode()
    session.commit()
    with pytest.raises(InvalidInput, match="länger als 131072 Zeichen"):
        read_table(decode(data))
