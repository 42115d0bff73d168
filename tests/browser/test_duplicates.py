"""The console's duplicate suggestions in the browser: a field tidied by keyboard alone, with
focus checked after each step, the panel updated live without taking the focus, axe clean."""

import pytest
from playwright.sync_api import Browser, Page, expect

from app.models import Workshop
from tests.browser.actions import post_cards, sign_in
from tests.browser.axe import Audit
from tests.browser.test_a11y_console import name_of
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

ACTIVE_GROUP = "document.activeElement.closest('[data-duplicate]')?.dataset.duplicate || null"


def focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def test_suggestions_merged_and_dismissed_by_keyboard_and_updated_live(
        browser: Browser, live_server: ServerProcess, live_workshop: Workshop) -> None:
    post_cards(live_server, live_workshop, "Bürgerbus einrichten", "Einen Bürgerbus einrichten",
               "Radwege ausbauen", "Ausbau der Radwege", "Leerstandskataster",
               categories=("ideas",))
    post_cards(live_server, live_workshop, "Leerstand", categories=("weaknesses",))
    audit = Audit()
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    try:
        page = laptop.new_page()
        sign_in(page, live_server, live_workshop)
        page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/hf1")
        page.wait_for_load_state()
        status = page.locator("#moderation-messages [data-status]")
        summary = page.locator("#duplicates summary")
        expect(summary).to_have_text("Ähnliche Karten (2)")
        audit.check(page, "field console, suggestions closed")
        summary.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#duplicates")).to_have_attribute("open", "")
        audit.check(page, "field console, suggestions open")

        # The first suggestion: its wording, then "Zusammenfassen".
        page.keyboard.press("Tab")
        assert name_of(page) == "Formulierung der zusammengefassten Karte"
        first = page.evaluate(ACTIVE_GROUP)
        page.keyboard.press("Control+A")
        page.keyboard.type("Bürgerbus für alle Dörfer")
        page.keyboard.press("Tab")
        assert name_of(page) == "Zusammenfassen"
        page.keyboard.press("Enter")
        expect(status).to_have_text("Zusammengefasst.")
        # Focus on the next suggestion's heading, the panel still open.
        expect(page.locator("#duplicates")).to_have_attribute("open", "")
        assert page.evaluate("document.activeElement.tagName") == "H3"
        second = page.evaluate(ACTIVE_GROUP)
        assert second and second != first
        expect(page.locator(".mod-text", has_text="Bürgerbus für alle Dörfer")).to_have_count(1)
        expect(page.locator("[data-duplicate]")).to_have_count(1)

        # Not duplicates: dismissed; focus on the panel's heading, nothing merged.
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert name_of(page) == "Keine Dubletten"
        page.keyboard.press("Enter")
        expect(status).to_have_text("Vorschlag verworfen.")
        assert focused(page) == "duplicates-title"
        expect(page.locator("#duplicate-list")).to_contain_text("Keine ähnlichen Karten")
        expect(page.locator(".mod-text", has_text="Ausbau der Radwege")).to_have_count(1)
        audit.check(page, "field console, suggestions dismissed")

        # Others post two cards that say the same: the panel shows them a few seconds later,
        # and the focus stays where it is.
        post_cards(live_server, live_workshop, "Mitfahrbank aufstellen",
                   "Mitfahrbänke aufstellen", categories=("ideas",))
        expect(page.locator("[data-duplicate]")).to_have_count(1, timeout=15_000)
        expect(page.locator("#duplicates-count")).to_have_text("(1)")
        assert focused(page) == "duplicates-title"
        audit.check(page, "field console, a suggestion arrived live")
        audit.assert_clean()
    finally:
        laptop.close()
