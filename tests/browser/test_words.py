"""A field's word cloud on the projector: live as cards arrive and leave, readable at 320 px,
its words with their counts for screen readers, axe clean, focus never moved by an update."""

import httpx
import pytest
from playwright.sync_api import Browser, expect

from app.models import Workshop
from tests.browser.actions import facilitator_headers, post_cards
from tests.browser.axe import Audit
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def test_word_cloud_follows_the_cards_live(browser: Browser, live_server: ServerProcess,
                                           live_workshop: Workshop) -> None:
    post_cards(live_server, live_workshop, "Leerstände beheben", "Leerstand nutzen",
               "Radwege ausbauen", categories=("ideas",))
    audit = Audit()
    url = f"{live_server.base_url}/w/{live_workshop.slug}/board/hf1/words"
    projector = browser.new_context(viewport={"width": 1280, "height": 720}, locale="de-DE")
    try:
        page = projector.new_page()
        page.goto(url)
        cloud = page.locator(".word-cloud")
        expect(cloud.locator("li", has_text="Leerstand")).to_have_count(1)
        expect(cloud).to_have_accessible_name("Wortwolke: Alle Spalten")
        # A screen reader hears each word with its count.
        expect(cloud.locator("li", has_text="Leerstand")).to_have_text("Leerstand (2)")
        audit.check(page, "word cloud, projector")
        page.get_by_role("link", name="Ideen").focus()
        post_cards(live_server, live_workshop, "Windkraft mit Bürgerbeteiligung",
                   categories=("ideas",))
        expect(cloud.locator("li", has_text="Windkraft")).to_have_count(1, timeout=10_000)
        assert page.evaluate("document.activeElement.textContent") == "Ideen"
        # A card hidden by the facilitator leaves the cloud.
        cards = httpx.get(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/cards",
                          params={"field": "hf1"}).json()
        windkraft = next(c["id"] for c in cards if c["text"].startswith("Windkraft"))
        httpx.post(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/moderation",
                   headers=facilitator_headers(live_workshop),
                   json={"action": "hide", "card_ids": [windkraft]}).raise_for_status()
        expect(page.locator(".word-cloud li", has_text="Windkraft")).to_have_count(
            0, timeout=10_000)
        page.keyboard.press("Enter")  # the column link: the cloud of the ideas alone
        expect(page.locator("#words-title")).to_have_text("Ideen · 3 Karten")
        audit.check(page, "word cloud, one column")
        phone = browser.new_context(viewport={"width": 320, "height": 740}, locale="de-DE")
        try:
            small = phone.new_page()
            small.goto(url)
            expect(small.locator(".word-cloud li").first).to_be_visible()
            assert small.evaluate("document.documentElement.scrollWidth") <= 320
            small.get_by_text("Die Wörter mit ihrer Anzahl").click()
            expect(small.locator(".word-list p")).to_contain_text("Leerstand 2")
            audit.check(small, "word cloud at 320 px, the list open")
        finally:
            phone.close()
        audit.assert_clean()
    finally:
        projector.close()
