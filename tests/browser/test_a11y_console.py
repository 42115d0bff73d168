"""The facilitator's and the organizer's pages by keyboard and screen reader (BITV 2.0).

The field console by keyboard alone, with focus checked after every step; its tab stops; its
buttons named per card; its live and status regions; errors tied to their fields; reflow at
320 px; German content marked `lang="de"` in English mode; axe on every state made here.
"""

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app import access
from app import db as database
from app.models import Workshop
from tests.browser.actions import facilitator_headers, post_cards, set_phase, sign_in
from tests.browser.axe import Audit
from tests.browser.test_console import card, post
from tests.live import ServerProcess

pytestmark = pytest.mark.browser



def tab_stops(page: Page, most: int = 400) -> int:
    """How many times Tab stops on the page: walked, from the top until it comes round."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    seen = 0
    page.keyboard.press("Tab")
    first = page.evaluate_handle("document.activeElement")
    while seen < most:
        seen += 1
        page.keyboard.press("Tab")
        if page.evaluate("([a, b]) => a === b || b === document.body",
                         [first, page.evaluate_handle("document.activeElement")]):
            return seen
    return seen


FOCUSED = """() => { const e = document.activeElement;
  return e === document.body ? 'BODY' : (e.id || e.getAttribute('value') || e.tagName); }"""


def name_of(page: Page) -> str:
    """The accessible name of what has the focus, as a screen reader says it."""
    return str(page.evaluate("""() => { const e = document.activeElement;
      return e.getAttribute('aria-label') || e.labels && e.labels[0] && e.labels[0].innerText ||
             e.textContent; }""")).strip()


def focused_card(page: Page) -> str:
    return str(page.evaluate(
        "document.activeElement.closest('li[data-card]').querySelector('.mod-text').textContent"))


def tab_until(page: Page, key: str, found: str, most: int) -> int:
    """Presses `key` until the focus is on `found` (a CSS selector); how many presses."""
    for presses in range(1, most + 1):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement.matches(s)", found):
            return presses
    raise AssertionError(f"{found} not reached with {most} × {key}")


def test_hide_merge_undo_pin_by_keyboard_alone(browser: Browser, live_server: ServerProcess,
                                               live_workshop: Workshop) -> None:
    post(live_server, live_workshop, "Kein Arzt", "Ärztemangel", "Leerstand")
    audit = Audit()
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    try:
        page = laptop.new_page()
        sign_in(page, live_server, live_workshop)
        page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/hf1")
        page.wait_for_load_state()
        # The regions a screen reader listens to are there from the page load on, and stay.
        status = page.get_by_role("status")
        expect(status).to_have_count(1)
        expect(page.locator("#console-arrivals")).to_have_attribute("aria-live", "polite")
        page.evaluate("""document.querySelector('[role=status]').__fromLoad = true;
                         document.querySelector('#console-arrivals').__fromLoad = true""")
        bar = page.get_by_role("group", name=re.compile("ausgewählt"))
        expect(page.locator("[data-selection-bar]")).to_be_hidden()  # nothing ticked yet

        # Past the empty first column by its skip link, into "Schwächen".
        page.locator("#mod-col-strengths").focus()
        page.keyboard.press("Tab")
        assert name_of(page) == "Zur nächsten Spalte: Schwächen"
        page.keyboard.press("Enter")
        assert page.evaluate(FOCUSED) == "mod-col-weaknesses"
        tab_until(page, "Tab", "input[type=checkbox]", 2)
        assert focused_card(page) == "Kein Arzt"
        page.keyboard.press("Space")
        expect(bar).to_be_visible()
        expect(bar).to_have_accessible_name("1 Karte ausgewählt")
        # The next card: past the bar and this card's two buttons and its menu.
        assert tab_until(page, "Tab", "input[type=checkbox]", 8) <= 6
        assert focused_card(page) == "Ärztemangel"
        page.keyboard.press("Space")
        expect(bar).to_have_accessible_name("2 Karten ausgewählt")
        # The merge action is right after the selection: two Tabs, not 87 Shift+Tabs.
        assert tab_until(page, "Tab", "button[value=merge]", 4) == 2
        audit.check(page, "field console, two cards ticked")
        page.keyboard.press("Enter")
        expect(status).to_have_text("Zusammengefasst.")
        # Focus: on the card the two became.
        assert page.evaluate("document.activeElement.closest('li').hasAttribute('data-merged')")
        assert focused_card(page) == "Ärztemangel"
        expect(bar).to_be_hidden()

        # Undo is a few Shift+Tabs up; focus then on the card it brought back.
        assert tab_until(page, "Shift+Tab", "#undo-button", 8) <= 5
        assert name_of(page).startswith("Rückgängig: Zusammenfassen")
        page.keyboard.press("Enter")
        expect(status).to_have_text("Rückgängig gemacht.")
        assert page.evaluate("document.activeElement.type") == "checkbox"
        assert focused_card(page) == "Kein Arzt"

        # Hide, show again: focus on the counterpart of the same card.
        page.keyboard.press("Tab")
        assert name_of(page) == "Ausblenden: Kein Arzt"
        page.keyboard.press("Enter")
        expect(status).to_have_text("Ausgeblendet.")
        expect(card(page, "Kein Arzt")).to_have_class(re.compile("is-hidden"))
        assert name_of(page) == "Einblenden: Kein Arzt"
        audit.check(page, "field console, a card hidden")
        page.keyboard.press("Enter")
        expect(status).to_have_text("Wieder eingeblendet.")
        assert name_of(page) == "Ausblenden: Kein Arzt"

        # Pin and order from the card's menu: the menu stays open, focus on the same card.
        page.keyboard.press("Tab")
        assert name_of(page) == "Mehr: Kein Arzt"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert name_of(page) == "Anheften: Kein Arzt"
        page.keyboard.press("Enter")
        expect(status).to_have_text("Angeheftet.")
        assert name_of(page) == "Lösen: Kein Arzt"
        expect(card(page, "Kein Arzt").locator(".mod-badges")).to_contain_text("angeheftet")
        audit.check(page, "field console, the card's menu open")
        page.keyboard.press("Enter")
        expect(status).to_have_text("Gelöst.")
        assert name_of(page) == "Anheften: Kein Arzt"
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert name_of(page) == "Nach unten: Kein Arzt"
        page.keyboard.press("Enter")
        expect(status).to_have_text("Verschoben.")
        assert name_of(page) == "Nach unten: Kein Arzt"
        assert page.evaluate("document.querySelector('[role=status]').__fromLoad") is True

        # Cards of others arriving never move the focus, and are said calmly, once.
        post(live_server, live_workshop, "Neu aus dem Saal", "Noch eine", "Und noch eine")
        expect(card(page, "Und noch eine")).to_have_count(1, timeout=3000)
        assert name_of(page) == "Nach unten: Kein Arzt"
        arrivals = page.locator("#console-arrivals")
        expect(arrivals).to_have_text("3 neue Karten", timeout=4000)
        assert arrivals.evaluate("e => e.__fromLoad") is True
        assert name_of(page) == "Nach unten: Kein Arzt"
    finally:
        laptop.close()
    audit.assert_clean()


def test_tab_stops_and_names_per_card(browser: Browser, live_server: ServerProcess,
                                      live_workshop: Workshop) -> None:
    """20 cards: 144 tab stops with six a card, 85 with three; every button names its card."""
    texts = [f"Karte Nummer {n} mit etwas Text" for n in range(20)]
    post_cards(live_server, live_workshop, *texts, categories=("strengths", "ideas"))
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    try:
        page = laptop.new_page()
        sign_in(page, live_server, live_workshop)
        page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/hf1")
        page.wait_for_load_state()
        stops = tab_stops(page)
        assert stops <= 90, stops  # 144 with six stops a card; 85 with three and skip links
        hide = page.locator(".mod-card").get_by_role("button", name=re.compile("^Ausblenden ?: "))
        expect(hide).to_have_count(20)
        names = [b.evaluate("b => b.textContent.trim()") for b in hide.all()]
        assert len(set(names)) == 20, names
        # (The hidden suffix is a block of its own to Chromium: "Ausblenden : Karte …")
        expect(page.get_by_role("button", name=re.compile(
            "^Ausblenden ?: Karte Nummer 7 mit etwas Text$"))).to_have_count(1)
        # A merged card says in words what "×2" means.
        page.locator(".mod-card input[type=checkbox]").nth(0).check()
        page.locator(".mod-card input[type=checkbox]").nth(1).check()
        page.get_by_role("button", name="Ausgewählte zusammenfassen").click()
        expect(page.get_by_role("status")).to_have_text("Zusammengefasst.")
        merged = page.locator(".mod-card[data-merged]")
        expect(merged.locator(".mod-badges")).to_have_text(re.compile(
            r"×2\s*2 Personen haben das gesagt"))
        assert "×2" not in merged.locator(".mod-badges").aria_snapshot()
        # Approving a waiting card: focus on that card's next action, in its column now.
        switched = httpx.post(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/switch",
                              data={"what": "premoderation", "open": "true"},
                              headers=facilitator_headers(live_workshop))
        assert switched.status_code == 303, switched.text
        post_cards(live_server, live_workshop, "Wartet noch")
        waiting = card(page, "Wartet noch")
        expect(waiting).to_have_class(re.compile("is-pending"), timeout=3000)
        waiting.get_by_role("button", name=re.compile("^Freigeben")).focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text("Freigegeben.")
        expect(waiting).not_to_have_class(re.compile("is-pending"))
        assert name_of(page) == "Ausblenden: Wartet noch"
    finally:
        laptop.close()


def test_errors_are_tied_to_their_fields(browser: Browser, live_server: ServerProcess,
                                         live_workshop: Workshop) -> None:
    name, password = "Büro Fehler", "ein langes Passwort"
    live_db = database.Database(live_server.database_url)
    with live_db.transaction() as session:
        access.create_account(session=session, name=name, password=password, is_admin=True)
    live_db.dispose()
    audit = Audit()
    office = browser.new_context(viewport={"width": 1280, "height": 720}, locale="de-DE")
    try:
        page = office.new_page()
        sign_in(page, live_server, live_workshop)
        minutes = page.get_by_label("Minuten")
        minutes.fill("bald")
        minutes.press("Enter")
        error = page.locator("#minutes-error")
        expect(error).to_contain_text("Dauer in Minuten")
        expect(page.get_by_label("Minuten")).to_be_focused()
        expect(page.get_by_label("Minuten")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Minuten")).to_have_accessible_description(
            re.compile("Dauer in Minuten"))
        expect(page.get_by_label("Minuten")).to_have_value("bald")  # to correct, not retype
        audit.check(page, "workshop console, timer refused")

        page.goto(f"{live_server.base_url}/admin")
        page.get_by_label("Konto (leer, wenn es nur eines gibt)").fill(name)
        page.get_by_label("Passwort").fill("falsch, aber lang genug")
        page.get_by_label("Passwort").press("Enter")
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.get_by_label("Passwort")).to_be_focused()
        expect(page.get_by_label("Passwort")).to_have_attribute("aria-invalid", "true")
        description = page.get_by_role("alert").inner_text()
        expect(page.get_by_label("Passwort")).to_have_accessible_description(description)
        audit.check(page, "organizer sign-in refused")
        page.get_by_label("Passwort").fill(password)
        page.get_by_label("Passwort").press("Enter")
        expect(page).to_have_url(f"{live_server.base_url}/admin")  # signed in, cookie set
        page.goto(f"{live_server.base_url}/admin/workshops/{live_workshop.slug}")
        definition = page.get_by_label("Definition (TOML)")
        definition.fill("kaputt = [")
        definition.press("Tab")
        page.keyboard.press("Enter")  # "Speichern", the next stop
        # The problems get the focus; the definition is described by them.
        expect(page.locator("#workshop-error")).to_be_focused()
        expect(page.get_by_label("Definition (TOML)")).to_have_accessible_description(
            re.compile(re.escape(page.locator("#workshop-error").inner_text()[:20])))
        audit.check(page, "organizer: workshop definition refused")
    finally:
        office.close()
    audit.assert_clean()


@pytest.mark.parametrize("width", [320, 360])
def test_reflow_at_narrow_widths(browser: Browser, live_server: ServerProcess,
                                 live_workshop: Workshop, width: int) -> None:
    """No sideways scrolling of the page at 320 px (was: workshop console 631, export 362,
    plenary moderation 350); axe clean there, as on the laptop."""
    post_cards(live_server, live_workshop, "Schöne Landschaft und Wanderwege",
               "Ein Bürgerbus für die Dörfer", categories=("strengths", "ideas"))
    created = httpx.post(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/links",
                         data={"action": "create", "label": "Tisch 3", "field": "hf2"},
                         headers=facilitator_headers(live_workshop))
    assert created.status_code == 303, created.text  # a second row in the links table
    audit = Audit()
    base = f"{live_server.base_url}/w/{live_workshop.slug}"
    phone = browser.new_context(viewport={"width": width, "height": 640}, locale="de-DE")
    try:
        page = phone.new_page()
        sign_in(page, live_server, live_workshop)
        set_phase(live_server, live_workshop, "plenary")
        for path in ("/facilitate", "/export", "/plenary/moderate", "/facilitate/hf1",
                     "/surveys"):
            page.goto(base + path)
            page.wait_for_load_state()
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            audit.check(page, path)
        page.goto(base + "/facilitate/hf1")
        page.locator(".mod-card input[type=checkbox]").first.check()  # the bar in a card
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        audit.check(page, "field console, a card ticked")
    finally:
        phone.close()
    audit.assert_clean()


def test_german_content_is_marked_in_english_mode(browser: Browser, live_server: ServerProcess,
                                                  live_workshop: Workshop) -> None:
    post_cards(live_server, live_workshop, "Ein Bürgerbus für die Dörfer")
    base = f"{live_server.base_url}/w/{live_workshop.slug}"
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    lang_of = "e => e.closest('[lang]').getAttribute('lang')"
    try:
        page = laptop.new_page()
        sign_in(page, live_server, live_workshop)
        page.goto(base + "/facilitate/hf1?lang=en")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator(".mod-text").first.evaluate(lang_of) == "de"
        assert page.locator("h1 span").first.evaluate(lang_of) == "de"  # the field's title
        assert page.locator("#mod-col-strengths span").first.evaluate(lang_of) == "de"
        page.goto(base + "/facilitate?lang=en")
        assert page.locator("#fields-title ~ table tbody th").first.evaluate(lang_of) == "de"
        set_phase(live_server, live_workshop, "plenary")
        page.goto(base + "/plenary/moderate?lang=en")
        assert page.locator(".theme-text").first.evaluate(lang_of) == "de"
        assert page.locator("#plenary-moderation h3").first.evaluate(lang_of) == "de"
        page.goto(base + "/surveys?lang=en")
        assert page.locator("section.panel h2").first.evaluate(lang_of) == "de"
    finally:
        laptop.close()
