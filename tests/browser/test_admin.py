"""A new organizer, in the browser only: the setup link, a workshop from the Westharz
template, a field's title and a theme's kind changed – and the plenary board follows live."""

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from sqlmodel import delete

from app import db as database
from app.auth import Tokens
from app.models import Organizer, OrganizerSession, OrganizerToken
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def test_from_the_setup_link_to_a_changed_board(browser: Browser, projector: BrowserContext,
                                                live_server: ServerProcess) -> None:
    live_db = database.Database(live_server.database_url)
    with live_db.transaction() as session:  # a server nobody has set up yet
        for table in (OrganizerSession, OrganizerToken, Organizer):
            session.exec(delete(table))  # type: ignore[call-overload]
    live_db.dispose()
    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    try:
        page = office.new_page()
        page.goto(f"{live_server.base_url}/admin/setup?token={Tokens(SECRET).setup_token()}")
        page.get_by_label("Neues Passwort (mindestens 10 Zeichen)").fill("unser Regionalbüro")
        page.get_by_label("Noch einmal").fill("unser Regionalbüro")
        page.get_by_role("button", name="Passwort setzen und anmelden").click()
        expect(page.get_by_role("status")).to_have_text("Das Passwort ist gesetzt. Willkommen!")
        page.get_by_label("dem Beispiel Westharz", exact=False).check()
        page.get_by_label("Titel (leer: der der Vorlage)").fill("Zukunftskonferenz Oberharz")
        page.get_by_role("button", name="Anlegen").click()
        expect(page.get_by_role("status")).to_have_text("Der Workshop ist angelegt.")
        slug = re.search(r"/admin/workshops/([a-z0-9-]+)", page.url).group(1)  # type: ignore[union-attr]
        board = projector.new_page()
        board.goto(f"{live_server.base_url}/w/{slug}/plenary")
        expect(board.locator("body[data-live=connected]")).to_have_count(1, timeout=5000)
        field_board = projector.new_page()
        field_board.goto(f"{live_server.base_url}/w/{slug}/board/hf1")
        expect(field_board.locator("body[data-live=connected]")).to_have_count(1, timeout=5000)
        field_board.evaluate("window.__notReloaded = true")
        theme = board.locator(".theme", has_text="Wohnen & Arbeiten")
        expect(theme).not_to_have_class(re.compile("kind-mandatory"))
        editor = page.get_by_label("Definition (TOML)")
        text = editor.input_value()
        text = text.replace('title = "Gutes Leben in der Region"',
                            'title = "Gutes Leben im Oberharz"', 1)
        text = text.replace('text = "Wohnen & Arbeiten"\nkind = "lag"',
                            'text = "Wohnen & Arbeiten"\nkind = "mandatory"', 1)
        editor.fill(text)
        page.get_by_role("button", name="Speichern", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Gespeichert")
        expect(theme).to_have_class(re.compile("kind-mandatory"), timeout=3000)
        expect(field_board.locator("h1")).to_contain_text("Gutes Leben im Oberharz",
                                                          timeout=3000)
        assert field_board.evaluate("window.__notReloaded") is True  # live, not reloaded
    finally:
        office.close()
