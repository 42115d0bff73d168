"""The organizer's whole job in the browser: the one-time setup link, creating a workshop
from a template, a copy or a file, changing its definition, keeping, archiving, deleting it,
and tokens for scripts."""

import datetime as dt
import re
import time

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app import access
from app.auth import SETUP_HOURS, Tokens
from tests.conftest import SECRET, AuthActions
from tests.factories import WESTHARZ

PASSWORD = "ein langes Passwort"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


@pytest.fixture
def signed_in(client: TestClient, app: FastAPI) -> TestClient:
    with app.state.context.db.transaction() as session:
        access.set_organizer_password(session=session, password=PASSWORD)
    assert client.post("/admin/login", data={"password": PASSWORD}).status_code == 303
    return client


def test_the_setup_link_works_once_and_signs_in(client: TestClient) -> None:
    token = Tokens(SECRET).setup_token()
    page = client.get("/admin/setup", params={"token": token})
    assert page.status_code == 200 and soup(page.text).select_one("input[name=password]")
    different = client.post("/admin/setup", data={"token": token, "password": PASSWORD,
                                                  "again": PASSWORD + "x"})
    assert different.status_code == 422 and "nicht gleich" in different.text
    short = client.post("/admin/setup", data={"token": token, "password": "kurz",
                                              "again": "kurz"})
    assert short.status_code == 422 and "mindestens 10 Zeichen" in short.text
    done = client.post("/admin/setup", data={"token": token, "password": PASSWORD,
                                             "again": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/admin?done=password"
    assert "Abmelden" in client.get("/admin").text  # signed in at once
    twice = client.post("/admin/setup", data={"token": token, "password": "noch ein Passwort!",
                                              "again": "noch ein Passwort!"})
    assert twice.status_code == 410 and "schon abgeschlossen" in twice.text


def test_a_wrong_or_expired_setup_link_says_so(client: TestClient) -> None:
    wrong = client.get("/admin/setup", params={"token": "falsch"})
    assert wrong.status_code == 410 and "stimmt nicht" in wrong.text
    class Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - SETUP_HOURS * 3600 - 60

    old = URLSafeTimedSerializer(SECRET, salt="first-organizer", signer=Yesterday).dumps("setup")
    expired = client.get("/admin/setup", params={"token": old})
    assert expired.status_code == 410 and "abgelaufen" in expired.text


def test_admin_pages_need_the_organizer(client: TestClient, auth: AuthActions) -> None:
    slug = auth.workshop.slug
    for method, url in [("get", f"/admin/workshops/{slug}"),
                        ("get", f"/admin/workshops/{slug}/definition.toml"),
                        ("post", f"/admin/workshops/{slug}/delete"),
                        ("post", f"/admin/workshops/{slug}/definition"),
                        ("post", "/admin/workshops/new"), ("get", "/admin/tokens")]:
        response = client.request(method, url)
        assert response.status_code == 303 and response.headers["location"] == "/admin", url


def test_create_edit_keep_and_delete_in_the_browser(signed_in: TestClient) -> None:
    client = signed_in
    made = client.post("/admin/workshops/new", data={"start": "westharz",
                                                     "title": "Zukunftskonferenz Harz 2027"})
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    page = soup(client.get(made.headers["location"]).text)
    assert page.select_one("[role=status]").get_text(strip=True) == "Der Workshop ist angelegt."
    text = page.select_one("textarea[name=text]").get_text()
    version = page.select_one("input[name=version]")["value"]
    assert 'title = "Zukunftskonferenz Harz 2027"' in text
    broken = client.post(f"{url}/definition", data={"text": text.replace('key = "hf1"',
                                                                          'key = "HF 1"'),
                                                    "version": version})
    assert broken.status_code == 422 and "fields[0].key" in broken.text
    assert 'key = "HF 1"' in soup(broken.text).select_one("textarea[name=text]").get_text()
    changed = text.replace('place = ""', 'place = "Dorfgemeinschaftshaus"', 1)
    if changed == text:
        changed = text.replace("title = ", 'place = "Dorfgemeinschaftshaus"\ntitle = ', 1)
    saved = client.post(f"{url}/definition", data={"text": changed, "version": version})
    assert saved.status_code == 303, soup(saved.text).select_one("[role=alert]")
    stale = client.post(f"{url}/definition", data={"text": changed, "version": version})
    assert stale.status_code == 409 and "inzwischen geändert" in stale.text
    toml = client.get(f"{url}/definition.toml")
    assert 'place = "Dorfgemeinschaftshaus"' in toml.text
    assert "attachment" in toml.headers["content-disposition"]
    until = dt.date.today() + dt.timedelta(days=30)
    kept = client.post(f"{url}/keep", data={"until": until.isoformat(), "action": "keep"})
    assert kept.status_code == 303
    listing = client.get("/admin").text
    assert until.strftime("%d.%m.%Y") in listing
    past = client.post(f"{url}/keep", data={"until": "2020-01-01", "action": "keep"})
    assert past.status_code == 422 and "Vergangenheit" in past.text
    wrong = client.post(f"{url}/delete", data={"confirm": "irgendwas"})
    assert wrong.status_code == 409 and "Namen des Workshops" in wrong.text
    gone = client.post(f"{url}/delete", data={"confirm": "Zukunftskonferenz Harz 2027"})
    assert gone.status_code == 303 and gone.headers["location"] == "/admin?done=deleted"
    assert client.get(url).status_code == 404


def test_copy_and_upload_make_new_workshops(signed_in: TestClient, auth: AuthActions) -> None:
    client = signed_in
    copied = client.post("/admin/workshops/new", data={"start": f"copy:{auth.workshop.slug}",
                                                       "title": "Nächstes Jahr"})
    assert copied.status_code == 303, soup(copied.text).select_one("[role=alert]")
    uploaded = client.post("/admin/workshops/new", data={"start": "file"},
                           files={"file": ("westharz.toml", WESTHARZ.read_bytes(),
                                           "application/toml")})
    assert uploaded.status_code == 303
    bad = client.post("/admin/workshops/new", data={"start": "file"},
                      files={"file": ("kaputt.toml", b"title = 1\n", "application/toml")})
    assert bad.status_code == 422 and "region: fehlt" in bad.text
    rows = soup(client.get("/admin").text).select("tbody tr")
    titles = [re.sub(r"\s+", " ", r.select_one("th").get_text(" ", strip=True)) for r in rows]
    assert any("Nächstes Jahr" in t for t in titles) and len(rows) == 3


def test_tokens_are_made_shown_once_and_revoked(signed_in: TestClient) -> None:
    client = signed_in
    made = soup(client.post("/admin/tokens", data={"label": "Auswertung"}).text)
    secret = made.select_one("[data-token]").get_text(strip=True)
    assert secret.startswith("zko_")
    assert client.get("/api/v1/workshops", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 200
    page = client.get("/admin/tokens").text
    assert secret not in page and "Auswertung" in page  # shown once, listed by its label
    token_id = soup(page).select_one("button[name=revoke]")["value"]
    client.post("/admin/tokens", data={"revoke": token_id})
    assert client.get("/api/v1/workshops", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 403


def test_the_join_kit_downloads_as_pdf(signed_in: TestClient, auth: AuthActions) -> None:
    response = signed_in.get(f"/admin/workshops/{auth.workshop.slug}/kit.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]


def test_the_form_edits_everything_without_a_file(signed_in: TestClient) -> None:
    """Title, date, place, publisher, a column, a field's title, a theme's kind and a new
    field – in form fields, validated like the file, nothing lost on a mistake."""
    client = signed_in
    url = client.post("/admin/workshops/new", data={"start": "westharz"}
                      ).headers["location"].split("?")[0]
    page = soup(client.get(url).text)
    form = {field["name"]: field.get("value", "") for field in page.select(
        "form.definition-form input") if field.get("type") != "checkbox"}
    form |= {area["name"]: area.get_text() for area in page.select("form.definition-form textarea")}
    assert form["field-hf1-themes"].splitlines()[0] == "L: Wohnen & Arbeiten"
    themes = form["field-hf1-themes"].replace("L: Wohnen & Arbeiten", "V: Wohnen & Arbeiten")
    changed = {**form, "title": "Zukunftskonferenz Westharz 2027", "date": "2027-05-14",
               "place": "Clausthal-Zellerfeld", "legal-organizer": "LAG Westharz",
               "category-ideas": "Ideen und Projekte", "field-hf1-title": "Gutes Leben",
               "field-hf1-themes": themes + "\nK: Dorfladen", "new-key": "hf6",
               "new-number": "HF 6", "new-title": "Jugend"}
    broken = client.post(f"{url}/edit", data={**changed, "field-hf2-title": "", "dots": "99"})
    assert broken.status_code == 422
    alert = soup(broken.text).select_one("[role=alert]").get_text()
    assert "fields[1].title" in alert and "dots: darf höchstens 20 sein" in alert
    kept = soup(broken.text)
    assert kept.select_one("#f-place")["value"] == "Clausthal-Zellerfeld"  # nothing lost
    assert client.post(f"{url}/edit", data=changed).status_code == 303
    definition = client.get(f"{url}/definition.toml").text
    for expected in ('title = "Zukunftskonferenz Westharz 2027"', "date = 2027-05-14",
                     'place = "Clausthal-Zellerfeld"', 'organizer = "LAG Westharz"',
                     'label = "Ideen und Projekte"', 'title = "Gutes Leben"',
                     'text = "Wohnen & Arbeiten"\nkind = "mandatory"',
                     'text = "Dorfladen"\nkind = "conference"', 'key = "hf6"'):
        assert expected in definition, expected
    stale = client.post(f"{url}/edit", data=changed)
    assert stale.status_code == 409 and "inzwischen geändert" in stale.text


def test_accounts_for_several_regions(signed_in: TestClient, app: FastAPI) -> None:
    """The admin makes an account for another region; it signs in with its name, sees only
    its own workshops, is refused another's, and can be given one."""
    admin = signed_in
    theirs = admin.post("/admin/workshops/new", data={"start": "blank", "title": "Harz"}
                        ).headers["location"].split("?")[0]
    made = admin.post("/admin/accounts", data={"name": "Vogelsberg", "password": PASSWORD})
    assert made.status_code == 200 and "Das Konto ist angelegt." in made.text
    twice = admin.post("/admin/accounts", data={"name": "Vogelsberg", "password": PASSWORD})
    assert twice.status_code == 409 and "gibt es schon" in twice.text
    with TestClient(app, follow_redirects=False) as region:
        assert region.post("/admin/login", data={"password": PASSWORD}).status_code == 401
        assert region.post("/admin/login", data={"name": "Vogelsberg", "password": PASSWORD}
                           ).status_code == 303
        assert region.get("/admin/accounts").status_code == 403  # not an admin
        mine = region.post("/admin/workshops/new", data={"start": "blank", "title": "Vogelsberg"}
                           ).headers["location"].split("?")[0]
        rows = soup(region.get("/admin").text).select("tbody th a")
        assert [a.get_text() for a in rows] == ["Vogelsberg"]
        assert region.get(theirs).status_code == 403
        slug = theirs.rsplit("/", 1)[1]
        assert region.get(f"/w/{slug}/facilitate/hf1").status_code in (401, 403)
        shared = admin.post(f"{theirs}/share", data={"name": "Vogelsberg"})
        assert shared.status_code == 303
        assert region.get(theirs).status_code == 200
        assert region.get(mine).status_code == 200
    listing = soup(admin.get("/admin").text).select("tbody th a")
    assert {a.get_text() for a in listing} == {"Harz", "Vogelsberg"}  # the admin sees all


def test_an_uploaded_file_updates_a_workshop(signed_in: TestClient) -> None:
    client = signed_in
    url = client.post("/admin/workshops/new", data={"start": "westharz"}
                      ).headers["location"].split("?")[0]
    version = soup(client.get(url).text).select_one("input[name=version]")["value"]
    data = WESTHARZ.read_bytes().replace(b'title = "Zukunftskonferenz Westharz"',
                                         b'title = "Aus der Datei"', 1)
    saved = client.post(f"{url}/definition", data={"text": "", "version": version},
                        files={"file": ("westharz.toml", data, "application/toml")})
    assert saved.status_code == 303, saved.text
    assert soup(client.get(url).text).select_one("h1").get_text() == "Aus der Datei"
    privacy = client.post(f"{url}/edit", data={
        "version": str(int(version) + 1), "legal-privacy": "Unser Text zum Datenschutz."})
    assert privacy.status_code == 303
    slug = url.rsplit("/", 1)[1]
    assert "Unser Text zum Datenschutz." in client.get(f"/w/{slug}/datenschutz").text


def test_an_archived_workshop_is_read_only_but_own_cards_can_go(signed_in: TestClient,
                                                                auth: AuthActions) -> None:
    client = signed_in
    slug = auth.workshop.slug
    author = auth.participant_headers()
    cards = f"/api/v1/workshops/{slug}/cards"
    card = client.post(cards, headers=author, json={"field": "hf1", "category": "ideas",
                                                    "text": "Vor dem Archiv"}).json()
    assert client.post(f"/admin/workshops/{slug}/keep", data={"action": "archive"}
                       ).status_code == 303
    refused = client.post(cards, headers=author, json={"field": "hf1", "category": "ideas",
                                                       "text": "Danach"})
    assert refused.status_code == 409 and "geschlossen" in refused.json()["detail"]
    facilitator = auth.facilitator_headers()
    moderation = client.post(f"/api/v1/workshops/{slug}/moderation", headers=facilitator,
                             json={"action": "hide", "card_ids": [card["id"]]})
    assert moderation.status_code == 409 and "archiviert" in moderation.json()["detail"]
    assert client.get(f"/w/{slug}/export/md").status_code == 200  # exports still work
    gone = client.delete(f"{cards}/{card['id']}", headers=author)
    assert gone.status_code == 204, gone.text


def test_a_large_definition_form_is_not_refused_as_too_large(signed_in: TestClient,
                                                             settings: object) -> None:
    """The form editor sends the whole definition: it may be larger than a card's body."""
    client = signed_in
    url = client.post("/admin/workshops/new", data={"start": "westharz"}
                      ).headers["location"].split("?")[0]
    version = soup(client.get(url).text).select_one("input[name=version]")["value"]
    themes = "\n".join(f"L: Thema {n} " + "x" * 150 for n in range(120))  # ~20 KB > 16 KB
    saved = client.post(f"{url}/edit", data={"version": version, "field-hf1-themes": themes})
    assert saved.status_code == 303, saved.text[:300]
    assert client.post("/w/x/cards/1/edit", data={"text": "x" * 40_000}).status_code == 413
