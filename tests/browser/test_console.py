"""The facilitator tidies the wall in the console; the projected board follows without reload."""

import re
import time

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.auth import Tokens
from app.models import Workshop
from tests.browser.actions import post_cards
from tests.browser.test_live_board import open_board
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def post(server: ServerProcess, workshop: Workshop, *texts: str) -> None:
    post_cards(server, workshop, *texts, categories=("weaknesses",))


def open_console(context: BrowserContext, server: ServerProcess, workshop: Workshop) -> Page:
    page = context.new_page()
    token = Tokens(SECRET).facilitator_token(workshop)
    page.goto(f"{server.base_url}/w/{workshop.slug}/facilitate?token={token}")
    page.goto(f"{server.base_url}/w/{workshop.slug}/facilitate/hf1")
    return page


def card(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.locator(".mod-card", has=page.locator(".mod-text", has_text=text))


def test_hide_and_merge_in_console_update_the_board(browser, projector: BrowserContext,
                                                    live_server: ServerProcess,
                                                    live_workshop: Workshop) -> None:  # type: ignore[no-untyped-def]
    post(live_server, live_workshop, "Off-Topic: Parkplatz", "Kein Arzt", "Ärztemangel",
         "Leerstand")
    board = open_board(projector, live_server, live_workshop)
    expect(board.locator("#column-weaknesses li")).to_have_count(4)
    laptop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    try:
        console = open_console(laptop, live_server, live_workshop)
        card(console, "Off-Topic").get_by_role("button", name="Ausblenden").click()
        expect(console.get_by_role("status")).to_have_text("Ausgeblendet.")
        expect(board.locator("#column-weaknesses li")).to_have_count(3, timeout=2000)
        card(console, "Kein Arzt").get_by_role("checkbox").check()
        card(console, "Ärztemangel").get_by_role("checkbox").check()
        console.get_by_label("Formulierung beim Zusammenfassen (leer: die längste)").fill(
            "Fehlende ärztliche Versorgung")
        console.get_by_role("button", name="Ausgewählte zusammenfassen").click()
        expect(console.get_by_role("status")).to_have_text("Zusammengefasst.")
        expect(board.locator("#column-weaknesses li")).to_have_text(
            ["Fehlende ärztliche Versorgung ×2 (2 Personen haben das gesagt)", "Leerstand"],
            timeout=2000)  # "×2" for the eye, in words for a screen reader
        console.get_by_role(
            "button", name="Rückgängig: Zusammenfassen „Fehlende ärztliche Versorgung“").click()
        expect(board.locator("#column-weaknesses li")).to_have_text(
            ["Kein Arzt", "Ärztemangel", "Leerstand"], timeout=2000)
        # A card posted now shows up in the console by itself.
        post(live_server, live_workshop, "Neu aus dem Saal")
        expect(card(console, "Neu aus dem Saal")).to_have_count(1, timeout=3000)
        assert board.evaluate("window.__notReloaded") is True
    finally:
        laptop.close()


def test_timer_runs_on_board_and_phone(browser, projector: BrowserContext,
                                       phone: BrowserContext, live_server: ServerProcess,
                                       live_workshop: Workshop) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.test_live_board import join_on_phone

    board = open_board(projector, live_server, live_workshop)
    page = join_on_phone(phone, live_server, live_workshop)
    laptop = browser.new_context(locale="de-DE")
    try:
        console = laptop.new_page()
        token = Tokens(SECRET).facilitator_token(live_workshop)
        console.goto(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate?token={token}")
        console.get_by_label("Minuten").fill("2")
        console.get_by_role("button", name="Starten").click()
        for view in (board, page):
            expect(view.locator("#timer .timer-value")).to_have_text(
                re.compile(r"^(2:00|1:5\d)$"), timeout=3000)
        console.get_by_role("button", name="Plenum", exact=True).click()
        expect(board.locator("#phase")).to_contain_text("Plenum", timeout=2000)
        expect(page.locator("#phase .phase-hint")).to_contain_text("Plenum", timeout=2000)
        expect(page.locator("#board-posting")).to_contain_text("geschlossen")
    finally:
        laptop.close()


def test_answer_to_own_action_is_not_lost_to_a_faster_live_refresh(
        browser, live_server: ServerProcess, live_workshop: Workshop) -> None:  # type: ignore[no-untyped-def]
    """The live refresh that one's own action sets off can overtake that action's answer.

    The answer (with its "Ausgeblendet.") must still be what the facilitator sees, and a card
    posted meanwhile must not be missed either.
    """
    post(live_server, live_workshop, "Off-Topic: Parkplatz", "Kein Arzt")
    laptop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    try:
        console = open_console(laptop, live_server, live_workshop)
        post(live_server, live_workshop, "Schon verbunden")
        expect(card(console, "Schon verbunden")).to_have_count(1, timeout=3000)

        def slow_answer(route) -> None:  # type: ignore[no-untyped-def]
            response = route.fetch()  # the server has hidden the card and told the stream
            post(live_server, live_workshop, "Während der Antwort")
            time.sleep(1.5)  # meanwhile the live refresh has arrived
            route.fulfill(response=response)

        console.route(re.compile(r".*/facilitate/hf1/act$"), slow_answer)
        card(console, "Off-Topic").get_by_role("button", name="Ausblenden").click()
        expect(console.get_by_role("status")).to_have_text("Ausgeblendet.")
        expect(card(console, "Off-Topic")).to_contain_text("ausgeblendet")
        expect(card(console, "Während der Antwort")).to_have_count(1, timeout=3000)
        # A live refresh keeps the answer on screen until the next action.
        expect(console.get_by_role("status")).to_have_text("Ausgeblendet.")
    finally:
        laptop.close()


def test_cards_arrive_one_by_one_and_nothing_the_facilitator_does_is_lost(
        browser, live_server: ServerProcess, live_workshop: Workshop) -> None:  # type: ignore[no-untyped-def]
    """New, edited and deleted cards come into the console on their own: a ticked box, a text
    being typed and the focus stay with their card, and arrivals are said calmly."""
    token = httpx.post(f"{live_server.base_url}/api/v1/join",
                       json={"code": live_workshop.join_code}).json()["participant_token"]
    api = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}/cards"
    author = {"Authorization": f"Bearer {token}"}
    ids = [httpx.post(api, headers=author, json={"field": "hf1", "category": "weaknesses",
                                                  "text": text}).json()["id"]
           for text in ("Kein Arzt", "Ärztemangel", "Leerstand")]
    laptop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    try:
        console = open_console(laptop, live_server, live_workshop)
        card(console, "Kein Arzt").get_by_role("checkbox").check()  # in the middle of a merge
        leerstand = card(console, "Leerstand")
        leerstand.locator("summary").click()
        leerstand.get_by_label("Text").fill("Leerstand in den Ortskernen")  # being typed
        post(live_server, live_workshop, "Neu während der Auswahl", "Noch eine", "Und noch eine")
        expect(card(console, "Und noch eine")).to_have_count(1, timeout=3000)
        expect(console.locator("[data-arrivals]")).to_have_text("3 neue Karten", timeout=4000)
        expect(console.locator("#mod-col-weaknesses .count")).to_have_text("(6)")
        # The author corrects the card the facilitator is editing: the typing stays.
        httpx.patch(f"{api}/{ids[2]}", headers=author, json={"text": "Leerstände"})
        expect(card(console, "Leerstände")).to_have_count(1, timeout=3000)
        editing = card(console, "Leerstände").get_by_label("Text")
        expect(editing).to_have_value("Leerstand in den Ortskernen")
        expect(editing).to_be_focused()
        expect(card(console, "Kein Arzt").get_by_role("checkbox")).to_be_checked()
        # A card deleted under the focus hands it on to the next card, not to the page.
        card(console, "Ärztemangel").get_by_role("checkbox").focus()
        httpx.delete(f"{api}/{ids[1]}", headers=author)
        expect(card(console, "Ärztemangel")).to_have_count(0, timeout=3000)
        expect(console.locator(".mod-card :focus")).to_have_count(1)
        expect(console.locator("#mod-col-weaknesses .count")).to_have_text("(5)")
        # One's own action: the answer replaces the area, the focus stays on that card.
        card(console, "Neu während").get_by_role("button", name="Ausblenden").focus()
        console.keyboard.press("Enter")
        expect(console.get_by_role("status")).to_have_text("Ausgeblendet.")
        expect(card(console, "Neu während").locator(":focus")).to_have_count(1)
    finally:
        laptop.close()
