"""BITV 2.0 / WCAG 2.1 AA by test: axe-core on every page state, on a phone and a projector.

Every page a participant, a projector, a facilitator or an organizer sees, with content in it
(cards, own cards, a proposal, dots, survey answers, a photo), with its sections open, and the
error pages: 0 violations of the tags in `tests.browser.axe.TAGS`, or the test names them all.
"""

import re
from contextlib import suppress

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from app import access
from app import db as database
from app.models import Workshop
from tests.browser.actions import (
    facilitator_headers,
    open_survey,
    post_cards,
    set_phase,
    sign_in,
)
from tests.browser.axe import Audit
from tests.browser.test_console import card
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

SIZES = [{"width": 360, "height": 740}, {"width": 1280, "height": 720}]
SIZE_IDS = ["360x740", "1280x720"]
PASSWORD = "ein langes Passwort"
CATEGORIES = ("strengths", "ideas")  # the cards others post, in turn


_CUT_OFF = """width => [...document.querySelectorAll('body *')]
  .filter(e => !(e instanceof SVGElement) && e.offsetParent !== null
               && !e.closest('.visually-hidden, .skip-link'))
  .filter(e => e.getBoundingClientRect().right > width + 1
               || (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0
                   && getComputedStyle(e).overflowX === 'visible'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + '/' +
                        e.clientWidth + ' px: ' + e.textContent.trim().slice(0, 40))"""


def cut_off(page: Page, width: int = 320) -> list[str]:
    """Elements that run past the screen's edge or whose text runs out of them (a long word
    in a heading); hidden ones and the visually hidden texts for screen readers aside. A page
    whose script is still laying it out (the board's fitting) gets two seconds to settle."""
    with suppress(PlaywrightError):
        page.wait_for_function(f"width => ({_CUT_OFF})(width).length === 0", arg=width,
                               timeout=2000)
    found: list[str] = page.evaluate(_CUT_OFF, width)
    return found


def open_every_section(page: Page) -> None:
    page.wait_for_load_state()
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_participant_and_projector_pages(browser: Browser, live_server: ServerProcess,
                                         live_workshop: Workshop, size: dict[str, int]) -> None:
    audit = Audit()
    base = live_server.base_url
    slug = live_workshop.slug
    post_cards(live_server, live_workshop, "Schöne Landschaft und Wanderwege",
               "Ein Bürgerbus für die Dörfer", "Leerstand in den Ortskernen nutzen",
               categories=CATEGORIES)
    context = browser.new_context(viewport=size, locale="de-DE")  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(f"{base}/")
        audit.check(page, "home")
        page.goto(f"{base}/j/{live_workshop.join_code}")
        audit.check(page, "join")
        page.get_by_role("button", name="Teilnehmen").click()
        expect(page.locator("main")).to_be_visible()
        audit.check(page, "field choice")
        page.goto(f"{base}/w/{slug}/me/hf1")
        audit.check(page, "card form, empty")
        page.locator("label.category", has_text="Ideen").click()
        page.get_by_label("Ihr Beitrag").fill("Ein Dorfladen mit Café")
        page.get_by_role("button", name="Absenden").click()
        expect(page.locator(".my-cards .card")).to_have_count(1)
        page.get_by_label("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, "
                          "dass …").fill("die Region lebenswert bleibt")
        page.get_by_role("button", name="Vorschlagen").click()
        expect(page.locator(".statement-proposals li")).to_have_count(1)
        open_every_section(page)
        audit.check(page, "card form with own card and proposal")
        card_id = page.locator(".my-cards li").first.get_attribute("id")[len("my-card-"):]  # type: ignore[index]
        page.goto(f"{base}/w/{slug}/cards/{card_id}/edit")
        audit.check(page, "edit card")

        board = context.new_page()
        board.goto(f"{base}/w/{slug}")
        audit.check(board, "projector: overview")
        board.goto(f"{base}/w/{slug}/board/hf1")
        expect(board.locator("body[data-live=connected]")).to_have_count(1, timeout=5000)
        audit.check(board, "projector: field board")

        set_phase(live_server, live_workshop, "plenary")
        page.goto(f"{base}/w/{slug}/plenary/me")
        page.locator(".phone-theme button").first.click()  # a dot
        page.wait_for_load_state()
        open_every_section(page)
        audit.check(page, "plenary on the phone, one dot placed")
        board.goto(f"{base}/w/{slug}/plenary")
        audit.check(board, "projector: plenary")

        survey_id = open_survey(live_server, live_workshop)
        page.goto(f"{base}/w/{slug}/surveys/{survey_id}/me")
        audit.check(page, "survey on the phone")
        page.get_by_role("button", name="Antworten senden").click()
        expect(page.get_by_role("alert")).to_contain_text("braucht eine Antwort")
        audit.check(page, "survey refused: a required answer missing")
        page.get_by_label("HF 3: Gelebte Landschaft – Aktiver Klimaschutz").check()
        page.get_by_role("button", name="Antworten senden").click()
        expect(page.get_by_role("status").first).to_have_text(
            "Danke, Ihre Antworten sind gespeichert.")
        audit.check(page, "survey answered")
        board.goto(f"{base}/w/{slug}/survey/{survey_id}")
        audit.check(board, "projector: survey")

        page.goto(f"{base}/w/{slug}/datenschutz")
        audit.check(page, "privacy")
        page.goto(f"{base}/barrierefreiheit")
        audit.check(page, "accessibility statement")
        page.goto(f"{base}/w/gibt-es-nicht")
        audit.check(page, "404")
        page.goto(f"{base}/w/{slug}/facilitate/hf1")
        audit.check(page, "403: console without sign-in")
    finally:
        context.close()
    audit.assert_clean()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_facilitator_and_organizer_pages(browser: Browser, live_server: ServerProcess,
                                         live_workshop: Workshop, size: dict[str, int]) -> None:
    audit = Audit()
    base = live_server.base_url
    slug = live_workshop.slug
    post_cards(live_server, live_workshop, "Schöne Landschaft und Wanderwege",
               "Ein Bürgerbus für die Dörfer", "Leerstand in den Ortskernen nutzen",
               "Bürgerbus für alle Dörfer", categories=CATEGORIES)
    name = f"Büro {size['width']}"
    live_db = database.Database(live_server.database_url)
    with live_db.transaction() as session:
        access.create_account(session=session, name=name, password=PASSWORD, is_admin=True)
    live_db.dispose()
    context = browser.new_context(viewport=size, locale="de-DE")  # type: ignore[arg-type]
    try:
        page = context.new_page()
        sign_in(page, live_server, live_workshop)
        audit.check(page, "workshop console")
        page.goto(f"{base}/w/{slug}/facilitate/hf1")
        expect(page.locator(".mod-card").first).to_be_visible()
        open_every_section(page)
        audit.check(page, "field console, every section open")
        card(page, "Schöne Landschaft").get_by_role("button", name="Ausblenden").click()
        expect(card(page, "Schöne Landschaft")).to_have_class(re.compile("hidden"))
        open_every_section(page)
        audit.check(page, "field console with a hidden card")
        page.goto(f"{base}/w/{slug}/facilitate/hf1/photos")
        audit.check(page, "field photos")
        page.goto(f"{base}/w/{slug}/surveys")
        open_every_section(page)
        audit.check(page, "survey editor")
        page.goto(f"{base}/w/{slug}/export")
        audit.check(page, "export")
        set_phase(live_server, live_workshop, "plenary")
        page.goto(f"{base}/w/{slug}/plenary/moderate")
        open_every_section(page)
        audit.check(page, "plenary moderation")

        page.goto(f"{base}/admin")
        audit.check(page, "organizer: sign-in")
        # A refused sign-in: tests/browser/test_a11y_console.py (the limiter counts failures
        # per address, and every test here signs in from the same one).
        page.get_by_label("Konto (leer, wenn es nur eines gibt)").fill(name)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page).to_have_url(f"{base}/admin")
        audit.check(page, "organizer: workshops")
        for path, state in ((f"/admin/workshops/{slug}", "workshop"),
                            (f"/admin/workshops/{slug}/attendance", "attendance"),
                            (f"/admin/workshops/{slug}/logos", "logos"),
                            ("/admin/tokens", "tokens"), ("/admin/accounts", "accounts")):
            page.goto(f"{base}{path}")
            open_every_section(page)
            audit.check(page, f"organizer: {state}")
    finally:
        context.close()
    audit.assert_clean()


PROJECTOR_PAGES = ("", "/board/hf1", "/plenary", "/survey/{survey}")
# People's text on the projector pages: cards, field titles, themes, questions, the sentence.
CONTENT = (".card-body > span:not([class]), .board h1 > span:not([class]), "
           ".plenary-themes .theme-text, .survey-chart figcaption > span:not([class]), "
           ".field-title, .statement .stem")


def widest_join_code(live_server: ServerProcess, workshop: Workshop) -> None:
    """The join code is random, and "WWWWWW" is some 20 px wider than "222222": the boards'
    header at 320 px is checked with the widest one (it overflowed by 2–8 px in some runs)."""
    live_db = database.Database(live_server.database_url)
    try:
        with live_db.transaction() as session:
            stored = session.get(Workshop, workshop.id)
            assert stored is not None
            stored.join_code = workshop.join_code = "WWWWWW"
    finally:
        live_db.dispose()


def test_projector_pages_reflow_to_320_px_and_mark_german_text_in_english(
        browser: Browser, live_server: ServerProcess, live_workshop: Workshop) -> None:
    """WCAG 1.4.10: no page wider than 320 px (the plenary board was 861 px, the survey's
    charts 453 px); 3.1.2: in English the German cards and titles say they are German."""
    base, slug = live_server.base_url, live_workshop.slug
    widest_join_code(live_server, live_workshop)
    post_cards(live_server, live_workshop, "Donaudampfschifffahrtsgesellschaft im Harz",
               "Ein Bürgerbus für die Dörfer", categories=CATEGORIES)
    survey = open_survey(live_server, live_workshop)
    set_phase(live_server, live_workshop, "plenary")
    audit = Audit()
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
    try:
        page = context.new_page()
        for lang in ("de", "en"):
            for path in PROJECTOR_PAGES:
                if path == "/board/hf1":
                    set_phase(live_server, live_workshop, "working")
                page.goto(f"{base}/w/{slug}{path.format(survey=survey)}?lang={lang}")
                page.wait_for_load_state()
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 320, f"{path or '/'} ({lang}): {width} px wide"
                assert cut_off(page) == [], f"{path or '/'} ({lang})"
                audit.check(page, f"{path or '/'} at 320 px, {lang}")
                texts = page.evaluate(
                    "s => [...document.querySelectorAll(s)].map(e => e.closest('[lang]').lang)",
                    CONTENT)
                assert texts, f"{path}: no people's text found"
                assert set(texts) == {"de"}, f"{path} ({lang}): {texts}"
                if path == "/board/hf1":
                    set_phase(live_server, live_workshop, "plenary")
    finally:
        context.close()
    audit.assert_clean()


def test_focus_is_never_hidden_under_the_sticky_dot_bar(browser: Browser,
                                                        live_server: ServerProcess,
                                                        live_workshop: Workshop) -> None:
    """WCAG 2.4.11: walking back up the plenary's themes by Shift+Tab, each focused control is
    below the dot bar that sticks to the top of the phone's screen."""
    set_phase(live_server, live_workshop, "plenary")
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True,
                                  has_touch=True, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}")
        page.get_by_role("button", name="Teilnehmen").click()
        page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/plenary/me")
        page.locator(".site-footer a").last.focus()  # the end of the page
        covered = []
        for _ in range(40):
            page.keyboard.press("Shift+Tab")
            found = page.evaluate("""() => {
              const bar = document.querySelector('#allowance').getBoundingClientRect();
              const focused = document.activeElement.getBoundingClientRect();
              return {bar: bar.bottom, top: focused.top,
                      text: document.activeElement.textContent.trim()};
            }""")
            if found["top"] < found["bar"] - 1 and found["top"] > 0:
                covered.append(found)
        assert covered == []
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_the_html_export_is_accessible(browser: Browser, live_server: ServerProcess,
                                       live_workshop: Workshop, size: dict[str, int]) -> None:
    """The Ergebnisdokumentation as HTML (a region publishes it as is) with cards, themes with
    dots, a guiding sentence and survey charts: 0 violations, and it reflows at 320 px."""
    post_cards(live_server, live_workshop, "Schöne Landschaft und Wanderwege",
               "Ein Bürgerbus für die Dörfer", categories=CATEGORIES)
    survey = open_survey(live_server, live_workshop)
    api = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}"
    [questions] = [s["questions"] for s in httpx.get(f"{api}/surveys").json()
                   if s["id"] == survey]
    first = questions[0]["id"]  # single choice, required
    for n in range(6):  # above the small-number rule: charts are drawn
        token = httpx.post(f"{live_server.base_url}/api/v1/join",
                           json={"code": live_workshop.join_code}).json()["participant_token"]
        httpx.post(f"{api}/surveys/{survey}/responses",
                   headers={"Authorization": f"Bearer {token}"},
                   json={"answers": {str(first): n % 3}}).raise_for_status()
    html = httpx.get(f"{live_server.base_url}/w/{live_workshop.slug}/export/html",
                     headers=facilitator_headers(live_workshop))
    assert html.status_code == 200, html.text
    context = browser.new_context(viewport=size, locale="de-DE")  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.set_content(html.text)
        audit = Audit()
        audit.check(page, "HTML export")
        audit.assert_clean()
        assert page.locator("[role=img][aria-label*='HF 1: Gutes Leben in der Region: 2 (33']"
                            ).count() == 1  # the chart's values in words
        page.set_viewport_size({"width": 320, "height": 640})
        assert cut_off(page) == [], "wider than 320 px"
    finally:
        context.close()


def tab_to(page: Page, selector: str, *, back: bool = False, limit: int = 80) -> str:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`; its text."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            text: str = page.evaluate("document.activeElement.textContent.trim()")
            return text
    raise AssertionError(f"{selector} not reached by {'Shift+' if back else ''}Tab")


def focused_matches(page: Page, selector: str) -> bool:
    matched: bool = page.evaluate("s => document.activeElement.matches(s)", selector)
    return matched


def test_the_participants_whole_path_by_keyboard_alone(browser: Browser,
                                                       live_server: ServerProcess,
                                                       live_workshop: Workshop) -> None:
    """From the join link to a card, its deletion, a dot in the plenary and a survey, with
    keys only; after every step focus is where the person goes on, never on the page body."""
    base, slug = live_server.base_url, live_workshop.slug
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{base}/j/{live_workshop.join_code}")
        assert tab_to(page, "button[type=submit]") == "Teilnehmen"
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Arbeitsgruppe wählen")).to_be_visible()
        assert "Gutes Leben in der Region" in tab_to(page, "a.field-link[href$='/me/hf1']")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/me/hf1$"))

        tab_to(page, "input[name=category]")  # the column: arrows choose within the group
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.evaluate("document.activeElement.value") == "ideas"
        assert page.evaluate("document.activeElement.checked") is True
        tab_to(page, "textarea#text")
        page.keyboard.type("Ein Dorfladen mit Café")
        tab_to(page, ".post-form button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator(".my-cards .card")).to_have_count(1)
        expect(page.locator("textarea#text")).to_be_focused()  # ready for the next card

        page.once("dialog", lambda dialog: dialog.accept())
        assert tab_to(page, ".my-cards button.danger").startswith("Löschen")
        page.keyboard.press("Enter")
        expect(page.locator(".my-cards .card")).to_have_count(0)
        expect(page.locator("#my-cards-title")).to_be_focused()

        set_phase(live_server, live_workshop, "plenary")
        plenary = page.get_by_role("link", name=re.compile("Jetzt ist Plenum"))
        plenary.wait_for()
        assert focused_matches(page, "#my-cards-title")  # the news did not take the focus
        tab_to(page, "#follow a")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/plenary/me$"))
        tab_to(page, ".phone-theme button[value=add]")
        button_id = page.evaluate("document.activeElement.id")
        page.keyboard.press("Enter")
        expect(page.locator(".my-dots").first).to_contain_text("1 Punkt von Ihnen")
        expect(page.locator(f"[id='{button_id}']")).to_be_focused()  # the same "+ Punkt"

        survey = open_survey(live_server, live_workshop)
        page.goto(f"{base}/w/{slug}/surveys/{survey}/me")
        tab_to(page, "input[type=radio]")
        page.keyboard.press("Space")
        tab_to(page, "main button[type=submit]")
        page.keyboard.press("Enter")
        confirmation = page.get_by_role("status").first
        expect(confirmation).to_have_text("Danke, Ihre Antworten sind gespeichert.")
        expect(confirmation).to_be_focused()  # a new page: the confirmation is said first
    finally:
        context.close()


def test_plenary_moderation_keeps_the_focus_by_keyboard(browser: Browser,
                                                        live_server: ServerProcess,
                                                        live_workshop: Workshop) -> None:
    """Adding, hiding and showing a remark and taking over a proposed theme, keys only: focus
    goes to the remark's counterpart button, or to the section's heading when its item went."""
    base, slug = live_server.base_url, live_workshop.slug
    set_phase(live_server, live_workshop, "plenary")
    token = httpx.post(f"{base}/api/v1/join",
                       json={"code": live_workshop.join_code}).json()["participant_token"]
    with httpx.Client(base_url=base, cookies={"zk_participant": token}) as someone:
        proposed = someone.post(f"/w/{slug}/plenary/me/propose",
                                data={"field": "hf1", "text": "Dorfgemeinschaftshaus"})
        assert proposed.status_code in (200, 303), proposed.text
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="de-DE")
    try:
        page = context.new_page()
        sign_in(page, live_server, live_workshop)
        page.goto(f"{base}/w/{slug}/plenary/moderate")
        tab_to(page, "#new-remark", limit=400)  # past the 61 themes' controls
        page.keyboard.type("Mobilität betrifft alle Felder")
        page.keyboard.press("Enter")
        remark = page.locator("li.mod-card", has_text="Mobilität betrifft alle Felder")
        expect(remark).to_be_visible()
        # Enter sent "Hinzufügen", not the form's first button (taking over the proposal).
        expect(page.get_by_role("heading", name="Vorschläge (1)")).to_be_visible()
        tab_to(page, "button[value^='hide-remark:']", back=True)
        page.keyboard.press("Enter")
        expect(remark).to_have_class(re.compile("is-hidden"))
        expect(remark.get_by_role("button", name=re.compile("^Einblenden"))).to_be_focused()
        page.keyboard.press("Enter")
        expect(remark).not_to_have_class(re.compile("is-hidden"))
        expect(remark.get_by_role("button", name=re.compile("^Ausblenden"))).to_be_focused()

        page.goto(f"{base}/w/{slug}/plenary/moderate")
        assert tab_to(page, "button[value^='accept:']").startswith("Übernehmen")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Vorschläge (0)")).to_be_focused()
    finally:
        context.close()


def test_workshop_console_says_its_answers_and_keeps_the_focus(browser: Browser,
                                                               live_server: ServerProcess,
                                                               live_workshop: Workshop) -> None:
    """The phase switched by keyboard: the answer is said by the status region that was there
    from the page load (only its text changes), and focus stays on the button pressed."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="de-DE")
    try:
        page = context.new_page()
        sign_in(page, live_server, live_workshop)
        status = page.locator("#controls-status")
        assert status.get_attribute("role") == "status" and status.inner_text() == ""
        page.evaluate("document.getElementById('controls-status').__fromLoad = true")
        assert tab_to(page, "button[name=phase][value=plenary]") == "Plenum"
        page.keyboard.press("Enter")
        plenary = page.locator("button[name=phase][value=plenary]")
        expect(plenary).to_have_attribute("aria-pressed", "true")
        expect(status).not_to_have_text("")
        assert page.evaluate("document.getElementById('controls-status').__fromLoad") is True
        assert page.locator("#controls-status").count() == 1
        expect(plenary).to_be_focused()
        assert tab_to(page, "button[name=phase][value=working]", back=True) == "Arbeitsphase"
        page.keyboard.press("Enter")
        expect(page.locator("button[name=phase][value=working]")).to_be_focused()
        audit = Audit()
        audit.check(page, "workshop console after an action")
        audit.assert_clean()
    finally:
        context.close()
