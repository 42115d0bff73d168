"""Surveys over HTTP: phone form without JavaScript, projector, charts, editor, CSV import."""

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.conftest import AuthActions


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def open_survey(client: TestClient, auth: AuthActions) -> str:
    auth.facilitate_in_browser()
    client.post(f"/w/{auth.workshop.slug}/surveys", data={"op": "open:1"})
    return f"/w/{auth.workshop.slug}/surveys/1/me"


def ids(client: TestClient, auth: AuthActions) -> list[int]:
    page = soup(client.get(f"/w/{auth.workshop.slug}/surveys/1/me").text)
    names = [i["name"] for i in page.select("[name^=q-]")]
    return sorted({int(n.split("-")[1]) for n in names})


def answers(q: list[int], rating: str = "4") -> dict[str, object]:
    return {f"q-{q[0]}": "2", f"q-{q[1]}": "1", f"q-{q[2]}": "Münchehof",
            **{f"q-{q[3]}-rank-{i}": str(p) for i, p in enumerate([2, 1, 3, 4, 5])},
            f"q-{q[4]}": ["0", "1"], f"q-{q[5]}": rating}


def test_phone_answers_without_javascript_and_changes_them(client: TestClient,
                                                          auth: AuthActions) -> None:
    url = open_survey(client, auth)
    auth.join_in_browser()
    fields = soup(client.get(f"/w/{auth.workshop.slug}/me").text)
    assert fields.select_one(f"a[href='{url}']") is not None
    q = ids(client, auth)
    response = client.post(url, data=answers(q))
    assert response.status_code == 303
    page = soup(client.get(response.headers["location"]).text)
    assert page.select_one("[role=status]").text == "Danke, Ihre Antworten sind gespeichert."
    assert page.select_one(f"input[name=q-{q[5]}][value='4']").has_attr("checked")
    assert page.select_one(f"#q-{q[3]}-rank-1 option[selected]")["value"] == "1"
    client.post(url, data=answers(q, rating="5"))
    page = soup(client.get(url).text)
    assert page.select_one(f"input[name=q-{q[5]}][value='5']").has_attr("checked")


def test_bad_answers_keep_the_form(client: TestClient, auth: AuthActions) -> None:
    url = open_survey(client, auth)
    auth.join_in_browser()
    q = ids(client, auth)
    too_many = client.post(url, data={**answers(q), f"q-{q[4]}": ["0", "1", "2"]})
    assert too_many.status_code == 422
    page = soup(too_many.text)
    assert "höchstens 2 Antworten" in page.select_one("[role=alert]").text
    assert page.select_one(f"textarea[name=q-{q[2]}]").text == "Münchehof"
    missing = client.post(url, data={k: v for k, v in answers(q).items() if k != f"q-{q[0]}"})
    assert missing.status_code == 422 and "braucht eine Antwort" in missing.text


def test_closed_survey_refuses(client: TestClient, auth: AuthActions) -> None:
    auth.facilitate_in_browser()
    auth.join_in_browser()
    q = ids(client, auth)
    closed = client.post(f"/w/{auth.workshop.slug}/surveys/1/me", data=answers(q))
    assert closed.status_code == 409 and "nicht offen" in closed.text


def test_projector_results_and_charts(client: TestClient, auth: AuthActions) -> None:
    open_survey(client, auth)
    api = f"/api/v1/workshops/{auth.workshop.slug}/surveys/1"
    q = [r["question_id"] for r in client.get(f"{api}/results").json()["results"][""]]
    for n in range(5):
        headers = auth.participant_headers()
        response = client.post(f"{api}/responses", headers=headers, json={"answers": {
            q[0]: 2, q[1]: n % 2, q[2]: f"Ort {n}", q[3]: [0, 1, 2, 3, 4], q[4]: [3],
            q[5]: 3 + n % 3}})
        assert response.status_code == 201, response.text
    results = client.get(f"{api}/results").json()
    assert results["respondents"] == {"": 5}
    single = results["results"][""][0]
    assert single["counts"] == [0, 0, 5, 0, 0] and single["percents"][2] == 100.0
    page = soup(client.get(f"/w/{auth.workshop.slug}/survey/1").text)
    images = [img["src"] for img in page.select(".survey-chart img")]
    assert len(images) == 5  # every question but the free text
    assert "HF 3: Gelebte Landschaft – Aktiver Klimaschutz: 5" in page.select_one(
        ".survey-chart img")["alt"]
    assert [li.text for li in page.select(".text-answers li")] == [f"Ort {n}" for n in range(5)]
    svg = client.get(images[0])
    assert svg.headers["content-type"] == "image/svg+xml" and "5 (100 %)" in svg.text
    png = client.get(images[0].replace(".svg", ".png"))
    assert png.content.startswith(b"\x89PNG")
    assert client.get(images[0].replace(".svg", ".gif")).status_code == 422


def test_editor_creates_and_import_maps_columns(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.facilitate_in_browser()
    created = client.post(f"/w/{slug}/surveys", data={
        "op": "create", "title": "Vorab-Umfrage", "kind": "single", "text": "Wie alt sind Sie?",
        "options": "jung\nalt"})
    assert created.status_code == 303
    bad = client.post(f"/w/{slug}/surveys", data={"op": "add:2", "kind": "single",
                                                  "text": "Nur eine Option", "options": "a"})
    assert bad.status_code == 422
    assert "mindestens zwei Antwortmöglichkeiten" in soup(bad.text).select_one(
        "[role=alert]").text
    csv = "Wie alt sind Sie?;Ort\r\njung;Goslar\r\nalt;Braunlage\r\n".encode("cp1252")
    step = client.post(f"/w/{slug}/surveys/2/import", data={"label": "Papier"},
                       files={"file": ("umfrage.csv", csv, "text/csv")})
    page = soup(step.text)
    [select] = page.select("select[name^=map-]")
    assert select.select_one("option[selected]").text == "Wie alt sind Sie?"
    form = {"label": "Papier", "csv": page.select_one("textarea[name=csv]").text,
            select["name"]: "0"}
    done = client.post(f"/w/{slug}/surveys/2/import/confirm", data=form)
    assert done.status_code == 303
    results = client.get(f"/api/v1/workshops/{slug}/surveys/2/results").json()
    assert results["respondents"]["Papier"] == 2
    broken = client.post(f"/w/{slug}/surveys/2/import/confirm",
                         data={**form, "csv": "Wie alt sind Sie?\r\nmittel\r\n"})
    assert broken.status_code == 422
    assert "Zeile 2, Spalte „Wie alt sind Sie?“" in soup(broken.text).select_one(
        "[role=alert]").text
    assert client.get(f"/api/v1/workshops/{slug}/surveys/2/results").json()[
        "respondents"]["Papier"] == 2


def test_participants_cannot_edit_or_import(client: TestClient, auth: AuthActions) -> None:
    auth.join_in_browser()
    slug = auth.workshop.slug
    assert client.get(f"/w/{slug}/surveys").status_code == 403
    assert client.post(f"/w/{slug}/surveys", data={"op": "open:1"}).status_code == 403
    upload = client.post(f"/w/{slug}/surveys/1/import", data={"label": "x"},
                         files={"file": ("a.csv", b"a\nb\n", "text/csv")})
    assert upload.status_code == 403


@pytest.mark.sqlite_only  # the form's way, not the database's
def test_import_of_a_file_of_several_megabytes(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    auth.facilitate_in_browser()
    client.post(f"/w/{slug}/surveys", data={"op": "create", "title": "Groß", "kind": "text",
                                            "text": "Was wünschen Sie sich?"})
    rows = [f"Wunsch Nummer {n}: mehr Grün, Bänke und Radwege " + "ä" * 420 for n in range(5000)]
    data = ("Was wünschen Sie sich?\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252")
    assert 2 * 1024 * 1024 < len(data) < 5 * 1024 * 1024
    step = client.post(f"/w/{slug}/surveys/2/import", data={"label": "Online"},
                       files={"file": ("gross.csv", data, "text/csv")})
    assert step.status_code == 200, step.text[:300]
    page = soup(step.text)
    form = page.select_one("form[action$='/import/confirm']")
    assert form["enctype"] == "multipart/form-data"
    [select] = page.select("select[name^=map-]")
    fields = {"label": (None, "Online"), select["name"]: (None, "0"),
              "csv": (None, page.select_one("textarea[name=csv]").text)}
    done = client.post(f"/w/{slug}/surveys/2/import/confirm", files=fields)
    assert done.status_code == 303, soup(done.text).text[:300]
    results = client.get(f"/api/v1/workshops/{slug}/surveys/2/results").json()
    assert results["respondents"]["Online"] == 5000
