"""What the REK asks the documentation to evidence: attendance counted in the room beside the
app's own counts, stakeholder groups said on phones, method and agenda, a data-protection note,
times in the workshop's zone, and survey sources combined without undoing the small-number
rule. Services, the report in HTML and Word, and the organizer's form, API and phone."""

import io
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import attendance, phases, plenary, statements, surveys, weighting
from app.access import MAIN
from app.definition import WorkshopDef, load_definition
from app.errors import Conflict, InvalidInput
from app.models import Workshop
from app.preparation import definition_from_form, export_definition, update_workshop
from app.report import build_report
from app.report.writers import write_docx, write_html
from app.survey_import import import_responses
from app.workshops import fields_of
from tests.factories import WESTHARZ, make_card, make_participant, make_workshop
from tests.routes.test_organizing_api import bearer, make_token

FORM = {"counted": "120", "group-0": "30", "group-1": "50", "age-4": "40",
        "municipalities-more": "Bad Grund: 25\nLangelsheim: 12", "field-hf1": "22",
        "note": "Dazu kamen 8 Kinder in der Kinderbetreuung."}


@pytest.fixture
def westharz(session: Session) -> Workshop:
    return make_workshop(session, westharz=True)


def _fields(session: Session, workshop: Workshop):  # type: ignore[no-untyped-def]
    return [f for f in fields_of(session=session, workshop=workshop) if f.parent_id is None]


def test_the_counted_attendance_is_read_from_the_form(session: Session,
                                                      westharz: Workshop) -> None:
    counted = attendance.attendance_from_form(westharz, _fields(session, westharz), FORM)
    assert counted.counted == 120 and counted.by_field == {"hf1": 22}
    assert counted.by_group == {"Wirtschaft": 30, "Zivilgesellschaft": 50}
    assert counted.by_age == {"65 und älter": 40}
    assert counted.by_municipality == {"Bad Grund": 25, "Langelsheim": 12}
    attendance.set_attendance(session=session, workshop=westharz, attendance=counted)
    session.commit()
    assert attendance.attendance_of(westharz) == counted


def test_bad_numbers_are_all_named_and_nothing_is_kept(session: Session,
                                                      westharz: Workshop) -> None:
    bad = {**FORM, "counted": "zwölf", "age-0": "-3", "municipalities-more": "Bad Grund 25",
           "field-hf2": "1000000", "group-2": "²", "group-3": "9" * 5000, "note": "x" * 2001}
    with pytest.raises(InvalidInput) as caught:
        attendance.attendance_from_form(westharz, _fields(session, westharz), bad)
    message = caught.value.render(lambda s: s)
    for part in ("Personen im Raum: bitte eine ganze Zahl", "unter 18: bitte",
                 "Verwaltung/Politik: bitte", "Sonstige: bitte", "Anmerkung: höchstens 2000",
                 "„Bad Grund 25“: bitte als „Gemeinde: Anzahl“", "HF 2: bitte"):
        assert part in message, part
    too_many = {"counted": "50", "group-0": "30", "group-1": "30"}
    with pytest.raises(InvalidInput, match="Gruppen: zusammen 60 Personen, im Raum gezählt "
                                           "wurden aber 50"):
        attendance.attendance_from_form(westharz, _fields(session, westharz), too_many)
    assert westharz.attendance == {}


def test_phones_name_their_group_once_or_skip_it(session: Session) -> None:
    definition = load_definition(WESTHARZ)
    definition.participation.ask_on_phone = True
    from app.workshops import create_workshop

    workshop = create_workshop(session=session, definition=definition)
    session.commit()
    anna, ben, cem = (make_participant(session, workshop) for _ in range(3))
    assert attendance.asks(workshop, anna)
    for person, group in ((anna, "Wirtschaft"), (ben, "Wirtschaft"), (cem, "")):
        attendance.set_group(session=session, workshop=workshop, participant=person, group=group)
    session.commit()
    assert not attendance.asks(workshop, cem)  # skipped: not asked again
    assert attendance.phone_groups(session, workshop) == {"Wirtschaft": 2}
    with pytest.raises(InvalidInput, match="Diese Gruppe gibt es hier nicht"):
        attendance.set_group(session=session, workshop=workshop, participant=anna, group="Mafia")
    workshop.participation = {**workshop.participation, "ask_on_phone": False}
    with pytest.raises(Conflict, match="wird in diesem Workshop nicht gefragt"):  # crafted
        attendance.set_group(session=session, workshop=workshop, participant=anna,
                             group="Wirtschaft")


def test_the_documentation_shows_counted_beside_counted_by_the_app(session: Session,
                                                                   westharz: Workshop) -> None:
    westharz.participation = {"ask_on_phone": True}
    anna = make_participant(session, westharz)
    attendance.set_group(session=session, workshop=westharz, participant=anna,
                         group="Zivilgesellschaft")
    make_card(session, westharz, anna, text="Dorfladen")
    make_card(session, westharz, anna, field="hf2", text="Radweg")
    attendance.set_attendance(session=session, workshop=westharz, attendance=(
        attendance.attendance_from_form(westharz, _fields(session, westharz), FORM)))
    proposal = statements.propose(session=session, workshop=westharz, participant=anna,
                                  field="hf1", text="alle gut leben")
    statements.support(session=session, workshop=westharz,
                       participant=make_participant(session, westharz),
                       proposal_id=proposal.id or 0)
    phases.set_phase(session=session, workshop=westharz, facilitator=MAIN, phase="plenary")
    [theme] = plenary.columns(session=session, workshop=westharz)[0].themes[:1]
    weighting.place_dot(session=session, workshop=westharz, participant=anna, theme_id=theme.id)
    session.commit()
    report = build_report(session=session, workshop=westharz)
    p = report.participation
    assert (p.counted, p.phones, p.people, p.dots, p.dot_givers) == (120, 2, 120, 1, 1)
    assert (p.proposals, p.supports, p.supporters) == (1, 1, 1)
    assert p.phone_groups == {"Zivilgesellschaft": 1} and p.by_field == {"HF 1": 22}
    assert report.stats.per_field_round["HF 1"] == {1: 1}

    page = BeautifulSoup(write_html(report), "html.parser")
    appendix = page.select_one(".appendix")
    assert appendix is not None
    assert "120 Personen im Raum (gezählt)" in appendix.text
    assert "2 Smartphones angemeldet" in appendix.text
    groups = {tr.th.text: [td.text for td in tr.select("td")]
              for tr in appendix.select("table.participation")[0].select("tbody tr")}
    assert groups["Wirtschaft"] == ["30", "–"] and groups["Zivilgesellschaft"] == ["50", "1"]
    assert "Dazu kamen 8 Kinder" in appendix.text
    assert "120 Teilnehmende" in page.select_one(".title-page").text  # counted, not phones

    document = Document(io.BytesIO(write_docx(report)))
    texts = [p.text for p in document.paragraphs]
    assert "Nach Gruppe" in texts and "Nach Gemeinde" in texts
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "Gruppe")
    assert [c.text for c in grid.rows[2].cells] == ["Zivilgesellschaft", "50", "1"]
    assert grid.rows[0]._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None


def test_without_counting_the_document_says_whose_numbers_they_are(
        session: Session, westharz: Workshop) -> None:
    make_participant(session, westharz)
    report = build_report(session=session, workshop=westharz)
    assert not report.participation.entered and report.participation.people == 1
    assert "wurden nicht gezählt" in write_html(report)


def test_method_and_agenda_from_the_structure_or_the_definition(session: Session,
                                                                westharz: Workshop) -> None:
    report = build_report(session=session, workshop=westharz)
    assert "In der Arbeitsphase sammelten 5 Arbeitsgruppen" in report.method
    assert "in 2 Runden Stärken, Schwächen, Potentiale und Ideen" in report.method
    assert [a.title for a in report.agenda][-3:] == [
        "Arbeitsgruppen, Runde 1", "Arbeitsgruppen, Runde 2",
        "Abschlussplenum: Vorstellung der Ergebnisse"]
    form = {"version": str(westharz.definition_version), "method": "Ein World Café.",
            "agenda": "10:00 Begrüßung\n10:15–11:30 Plenum\nAbschluss",
            "participation-ask_on_phone": "true", "participation-groups": "Landwirtschaft\nJugend"}
    current = export_definition(session=session, workshop=westharz)
    update_workshop(session=session, workshop=westharz,
                    definition=definition_from_form(current, form), version=None)
    session.commit()
    again = export_definition(session=session, workshop=westharz)
    assert again.participation.groups == ["Landwirtschaft", "Jugend"]
    assert again.participation.ask_on_phone and again.method == "Ein World Café."
    report = build_report(session=session, workshop=westharz)
    assert [(a.time, a.title) for a in report.agenda] == [
        ("10:00", "Begrüßung"), ("10:15–11:30", "Plenum"), ("", "Abschluss")]
    page = BeautifulSoup(write_html(report), "html.parser")
    method = page.select_one("section.method")
    assert method is not None and "Ein World Café." in method.text
    assert [td.text for td in method.select("tbody tr")[1].select("td")] == ["10:15–11:30",
                                                                             "Plenum"]
    document = Document(io.BytesIO(write_docx(report)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("Methode und Ablauf") < headings.index(
        "Ergebnisse der Diskussionsrunde im Plenum")
    assert headings[-1] == "Hinweise zum Datenschutz"


def test_a_bad_agenda_time_or_time_zone_is_refused(session: Session, westharz: Workshop) -> None:
    current = export_definition(session=session, workshop=westharz)
    with pytest.raises(InvalidInput) as caught:
        definition_from_form(current, {"timezone": "Mars/Olympus",
                                       "agenda": "25:00 Mitternachtsplenum"})
    message = caught.value.render(lambda s: s)
    assert "unbekannte Zeitzone „Mars/Olympus“" in message and "agenda" in message
    assert WorkshopDef.model_validate({**current.model_dump(), "timezone": "Europe/Lisbon"})


def test_times_are_in_the_workshops_time_zone(session: Session, westharz: Workshop) -> None:
    westharz.timezone = "America/New_York"
    session.add(westharz)
    session.commit()
    report = build_report(session=session, workshop=westharz)
    local = report.exported_at.astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%d.%m.%Y, %H:%M") in write_html(report)
    assert local.strftime("%d.%m.%Y, %H:%M") in "\n".join(
        p.text for p in Document(io.BytesIO(write_docx(report))).paragraphs)


def test_the_privacy_note_says_what_was_published(session: Session, westharz: Workshop) -> None:
    from app.report import ReportOptions

    westharz.legal = {**westharz.legal, "organizer": "LAG Westharz"}
    anonymous = build_report(session=session, workshop=westharz)
    named = build_report(session=session, workshop=westharz,
                         options=ReportOptions(authors=True))
    assert "ohne Namen" in " ".join(anonymous.privacy)
    assert "ausdrücklich zugestimmt" in " ".join(named.privacy)
    assert "weniger als 5 Antworten" in " ".join(anonymous.privacy)
    assert "Verantwortlich für die Verarbeitung: LAG Westharz" in " ".join(anonymous.privacy)


def test_live_and_imported_answers_combined_but_never_a_small_source(
        session: Session, westharz: Workshop) -> None:
    [survey] = surveys.surveys_of(session=session, workshop=westharz)
    surveys.set_status(session=session, workshop=westharz, facilitator=MAIN, survey=survey,
                       status="open")
    questions = surveys.questions_of(session=session, survey=survey)
    first = questions[0]
    for n in range(6):
        surveys.answer(session=session, workshop=westharz,
                       participant=make_participant(session, westharz), survey=survey,
                       values={first.id: n % 2})
    header = first.text.replace(";", ",")
    rows = "\n".join([header] + [first.options[0]] * 5)
    import_responses(session=session, workshop=westharz, facilitator=MAIN, survey=survey,
                     data=rows, mapping={first.id: 0}, label="Online vorab")
    session.commit()
    [report_survey] = build_report(session=session, workshop=westharz).surveys
    together = report_survey.sources[-1]
    assert together.combined == ["Live", "Online vorab"] and together.respondents == 11
    assert together.charts[0].result.counts[:2] == [8, 3]
    assert "Zusammen: Live, Online vorab" in write_html(build_report(session=session,
                                                                     workshop=westharz))
    # Three more on paper: too few to show (3 < 5), so kept out of the total as well – else
    # the total minus the others would give their answers away.
    import_responses(session=session, workshop=westharz, facilitator=MAIN, survey=survey,
                     data="\n".join([header] + [first.options[1]] * 3), mapping={first.id: 0},
                     label="Papier")
    session.commit()
    results = surveys.results(session=session, workshop=westharz, survey=survey, combined=True)
    assert results["Papier"][0].suppressed
    assert results[surveys.COMBINED][0].respondents == 11
    assert results[surveys.COMBINED][0].counts[:2] == [8, 3]


def test_the_organizer_enters_attendance_in_the_browser(client: TestClient, app: FastAPI,
                                                        app_workshop: Workshop) -> None:
    make_token(app)  # the account "admin"
    assert client.post("/admin/login", data={"name": "admin",
                                             "password": "ein langes Passwort"}
                       ).status_code == 303
    url = f"/admin/workshops/{app_workshop.slug}/attendance"
    page = BeautifulSoup(client.get(url).text, "html.parser")
    assert page.select_one("label[for=a-counted]") is not None
    assert page.select_one("input#a-group-0")["type"] == "number"
    bad = client.post(url, data={**FORM, "counted": "viele"})
    assert bad.status_code == 422 and "Personen im Raum: bitte eine ganze Zahl" in bad.text
    kept = BeautifulSoup(bad.text, "html.parser")
    assert kept.select_one("#a-counted")["value"] == "viele"  # nothing typed is lost
    assert "Dazu kamen 8 Kinder" in kept.select_one("#a-note").text
    assert client.post(url, data=FORM).headers["location"] == url + "?saved=true"
    shown = BeautifulSoup(client.get(url + "?saved=true").text, "html.parser")
    assert shown.select_one("#a-counted")["value"] == "120"
    assert "Bad Grund: 25" in shown.select_one("#a-municipalities-more").text
    workshop_page = client.get(f"/admin/workshops/{app_workshop.slug}").text
    assert url in workshop_page


def test_the_attendance_api_is_for_the_organizer(client: TestClient, app: FastAPI,
                                                 app_workshop: Workshop) -> None:
    token = make_token(app)
    url = f"/api/v1/workshops/{app_workshop.slug}/attendance"
    assert client.get(url).status_code == 401
    put = client.put(url, json={"counted": 80, "by_group": {"Wirtschaft": 20}},
                     headers=bearer(token))
    assert put.status_code == 200 and put.json()["counted"] == 80
    assert client.get(url, headers=bearer(token)).json()["by_group"] == {"Wirtschaft": 20}
    assert client.put(url, json={"counted": -1}, headers=bearer(token)).status_code == 422
    assert client.put(url, json={"counted": 10, "by_age": {"18–29": 11}},
                      headers=bearer(token)).status_code == 422  # more than were counted
    assert client.put(url, json={"by_field": {"hf99": 3}}, headers=bearer(token)).status_code == 422
    assert client.put(url, json={"by_group": {"x" * 81: 1}},
                      headers=bearer(token)).status_code == 422
    cleaned = client.put(url, json={"by_group": {"Wirt\u0000schaft\u202e": 2},
                                    "note": "ok\u0007"}, headers=bearer(token)).json()
    assert cleaned["by_group"] == {"Wirtschaft": 2} and cleaned["note"] == "ok"
    other = make_token(app, name="andere")
    assert client.get(url, headers=bearer(other)).status_code == 403


def test_a_phone_asks_for_the_group_once(client: TestClient, app: FastAPI,
                                         app_workshop: Workshop) -> None:
    with app.state.context.db.transaction() as session:
        workshop = session.get(Workshop, app_workshop.id)
        assert workshop is not None
        workshop.participation = {"ask_on_phone": True}
    response = client.post(f"/j/{app_workshop.join_code}", data={"name": ""})
    assert response.status_code == 303
    me = f"/w/{app_workshop.slug}/me"
    page = BeautifulSoup(client.get(me).text, "html.parser")
    question = page.select_one("form.group-question")
    assert question is not None and question.select_one("legend") is not None
    assert [b.text for b in question.select("button")][-1] == "Keine Angabe"
    answered = client.post(f"/w/{app_workshop.slug}/group",
                           data={"group": "Wirtschaft", "back": me})
    assert answered.status_code == 303 and answered.headers["location"] == me
    assert BeautifulSoup(client.get(me).text, "html.parser").select_one(
        "form.group-question") is None
    assert client.post(f"/w/{app_workshop.slug}/group",
                       data={"group": "<b>x</b>"}).status_code == 422
    with app.state.context.db.transaction() as session:
        assert attendance.phone_groups(session, session.get(Workshop, app_workshop.id)) == {
            "Wirtschaft": 1}
