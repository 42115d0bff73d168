"""A phone posts, the projected board shows it without reloading."""

import re

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.auth import Tokens
from app.models import Workshop
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def open_board(projector: BrowserContext, server: ServerProcess, workshop: Workshop,
               field: str = "hf1") -> Page:
    board = projector.new_page()
    board.goto(f"{server.base_url}/w/{workshop.slug}/board/{field}")
    expect(board.locator("body[data-live=connected]")).to_have_count(1, timeout=5000)
    board.evaluate("window.__notReloaded = true")
    return board


def join_on_phone(phone: BrowserContext, server: ServerProcess, workshop: Workshop,
                  field_title: str = "Gutes Leben in der Region") -> Page:
    page = phone.new_page()
    page.goto(f"{server.base_url}/j/{workshop.join_code}")
    page.get_by_role("button", name="Teilnehmen").click()
    page.get_by_role("link", name=field_title).click()
    return page


def post(page: Page, category: str, text: str) -> None:
    page.locator("label.category", has_text=category).click()
    page.get_by_label("Ihr Beitrag").fill(text)
    page.get_by_role("button", name="Absenden").click()


def test_phone_posts_and_board_shows_it_live(phone: BrowserContext, projector: BrowserContext,
                                             live_server: ServerProcess,
                                             live_workshop: Workshop) -> None:
    board = open_board(projector, live_server, live_workshop)
    expect(board.locator("#board-stats")).to_contain_text("0 Teilnehmende")
    page = join_on_phone(phone, live_server, live_workshop)
    expect(board.locator("#board-stats")).to_contain_text("1 Teilnehmende", timeout=2000)
    post(page, "Ideen", "Reaktivierung der Bahnverbindung")
    # Said by the page's status line (there from the load), shown in the form.
    expect(page.locator("#outbox-status")).to_have_text("Ihre Karte ist angekommen.")
    expect(page.locator(".post-form .message.success")).to_have_text("Ihre Karte ist angekommen.")
    expect(page.locator(".my-cards .card-text")).to_have_text(["Reaktivierung der Bahnverbindung"])
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("")
    expect(board.locator("#column-ideas li")).to_have_text(
        ["Reaktivierung der Bahnverbindung"], timeout=2000)
    expect(board.locator("#board-stats")).to_contain_text("1 Karte")
    # A second card keeps the chosen column, so posting several ideas is quick.
    page.get_by_label("Ihr Beitrag").fill("Dorfläden <stärken>")
    page.get_by_role("button", name="Absenden").click()
    expect(board.locator("#column-ideas li")).to_have_count(2, timeout=2000)
    expect(board.locator("#column-ideas li").nth(1)).to_have_text("Dorfläden <stärken>")
    assert board.evaluate("window.__notReloaded") is True


def test_edit_and_delete_on_phone_update_the_board(phone: BrowserContext,
                                                   projector: BrowserContext,
                                                   live_server: ServerProcess,
                                                   live_workshop: Workshop) -> None:
    board = open_board(projector, live_server, live_workshop)
    page = join_on_phone(phone, live_server, live_workshop)
    post(page, "Stärken", "Vereinskutlur")
    expect(board.locator("#column-strengths li")).to_have_text(["Vereinskutlur"], timeout=2000)
    page.get_by_role("link", name="Ändern").click()
    page.get_by_label("Ihr Beitrag").fill("Vereinskultur")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_have_text("Gespeichert.")
    expect(board.locator("#column-strengths li")).to_have_text(["Vereinskultur"], timeout=2000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Löschen").click()
    expect(page.locator(".my-cards .card")).to_have_count(0)
    expect(board.locator("#column-strengths li")).to_have_count(0, timeout=2000)
    assert board.evaluate("window.__notReloaded") is True


def test_phone_without_javascript_can_post(browser, live_server: ServerProcess,  # type: ignore[no-untyped-def]
                                           live_workshop: Workshop) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  java_script_enabled=False)
    try:
        page = join_on_phone(context, live_server, live_workshop)
        post(page, "Schwächen", "Leerstand")
        expect(page.get_by_role("status")).to_have_text("Ihre Karte ist angekommen.")
        expect(page.locator(".my-cards .card-text")).to_have_text(["Leerstand"])
    finally:
        context.close()


def test_pages_fit_a_360_px_phone(phone: BrowserContext, live_server: ServerProcess,
                                  live_workshop: Workshop) -> None:
    page = join_on_phone(phone, live_server, live_workshop)
    paths = ["/", f"/j/{live_workshop.join_code}", f"/w/{live_workshop.slug}/me",
             f"/w/{live_workshop.slug}/me/hf4", f"/w/{live_workshop.slug}",
             f"/w/{live_workshop.slug}/board/hf4"]
    for path in paths:
        page.goto(live_server.base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/me/hf1")
    for target in page.locator("label.category span, button[type=submit]").all():
        box = target.bounding_box()
        assert box is not None and box["height"] >= 44, "touch targets need 44 px"


def test_board_stays_readable_when_columns_fill(projector: BrowserContext,
                                                live_server: ServerProcess,
                                                live_workshop: Workshop) -> None:
    import httpx

    board = open_board(projector, live_server, live_workshop, field="hf2")
    size_empty = None
    token = httpx.post(f"{live_server.base_url}/api/v1/join",
                       json={"code": live_workshop.join_code}).json()["participant_token"]
    for n in range(12):
        httpx.post(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/cards",
                   headers={"Authorization": f"Bearer {token}"},
                   json={"field": "hf2", "category": "weaknesses",
                         "text": f"Schwäche Nummer {n} mit etwas längerem Text"})
        if n == 0:
            expect(board.locator("#column-weaknesses li")).to_have_count(1, timeout=2000)
            size_empty = board.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('#column-weaknesses li'))"
                ".fontSize)")
    expect(board.locator("#column-weaknesses li")).to_have_count(12, timeout=3000)
    assert size_empty is not None and size_empty >= 22, "big text while the board is empty"
    size = ("() => parseFloat(getComputedStyle(document.querySelector('#column-weaknesses li'))"
            ".fontSize)")
    board.wait_for_function(size.replace("() => ", f"() => {size_empty} > "))  # laid out
    size_full = board.evaluate(size)
    assert 18 <= size_full < size_empty, "text shrinks as the column fills, but stays legible"
    assert board.evaluate("document.documentElement.scrollWidth") <= 1280
    title = board.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert title >= 28  # smaller in the dense layout, still the largest text


def test_the_timer_ignores_a_jump_of_the_devices_clock(projector: BrowserContext,
                                                       live_server: ServerProcess,
                                                       live_workshop: Workshop) -> None:
    token = Tokens(SECRET).facilitator_token(live_workshop)
    httpx.put(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/timer",
              headers={"Authorization": f"Bearer {token}"},
              json={"action": "start", "minutes": 10}).raise_for_status()
    board = open_board(projector, live_server, live_workshop)
    value = board.locator("#timer .timer-value")
    expect(value).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    # The projector laptop's clock is set an hour forward (or its time server goes wrong).
    board.evaluate("""() => { const real = Date.now.bind(Date);
                              Date.now = () => real() + 3600 * 1000; }""")
    board.wait_for_timeout(600)
    expect(value).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    assert "done" not in (board.locator("#timer .timer").get_attribute("class") or "")
