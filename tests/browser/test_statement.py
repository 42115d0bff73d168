"""Three phones propose and support; the facilitator adopts; the board shows the sentence."""

import pytest
from playwright.sync_api import BrowserContext, expect

from app.auth import Tokens
from app.models import Workshop
from tests.browser.test_live_board import join_on_phone, open_board
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

STEM = "Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass …"


def test_group_arrives_at_its_sentence_live(browser, projector: BrowserContext,  # type: ignore[no-untyped-def]
                                            live_server: ServerProcess,
                                            live_workshop: Workshop) -> None:
    board = open_board(projector, live_server, live_workshop)
    phones = [browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
              for _ in range(3)]
    laptop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="de-DE")
    try:
        pages = [join_on_phone(context, live_server, live_workshop) for context in phones]
        pages[0].get_by_label("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, "
                              "dass …").fill("die Region attraktiv und lebenswert bleibt")
        pages[0].get_by_role("button", name="Vorschlagen").click()
        pages[1].get_by_label("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, "
                              "dass …").fill("alle Generationen hier gut leben")
        pages[1].get_by_role("button", name="Vorschlagen").click()
        for page in pages:  # everyone sees both proposals without reloading
            expect(page.locator(".statement-proposals li")).to_have_count(2, timeout=3000)
        for page in pages:
            page.locator(".statement-proposals li", has_text="attraktiv").get_by_role(
                "button", name="Unterstützen").click()
            expect(page.locator(".statement-proposals li", has_text="attraktiv")
                   .get_by_role("button", name="Stimme zurücknehmen")).to_be_visible()
        expect(pages[2].locator(".statement-proposals li").first).to_contain_text("3 Stimmen",
                                                                                  timeout=3000)
        expect(board.locator("#statement .top-proposals li").first).to_contain_text(
            "3 Stimmen", timeout=3000)

        console = laptop.new_page()
        token = Tokens(SECRET).facilitator_token(live_workshop)
        console.goto(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate?token={token}")
        console.goto(f"{live_server.base_url}/w/{live_workshop.slug}/facilitate/hf1")
        console.locator("#statement-console li", has_text="attraktiv").get_by_role(
            "button", name="In den Entwurf").click()
        expect(console.locator("#statement-console [role=status]")).to_have_text(
            "In den Entwurf übernommen.")
        draft = console.locator("textarea#draft")
        expect(draft).to_have_value("die Region attraktiv und lebenswert bleibt")
        draft.press("End")
        draft.type(" und wir neue Konzeptideen verwirklichen können.")
        expect(board.locator("#statement .draft")).to_contain_text("Konzeptideen",
                                                                   timeout=5000)
        console.get_by_role("button", name="Beschließen").click()
        sentence = ("Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass die "
                    "Region attraktiv und lebenswert bleibt und wir neue Konzeptideen "
                    "verwirklichen können.")
        expect(board.locator("#statement .adopted")).to_have_text(sentence, timeout=3000)
        expect(pages[1].locator("#statement .adopted")).to_have_text(sentence, timeout=3000)
        assert board.evaluate("window.__notReloaded") is True
    finally:
        for context in [*phones, laptop]:
            context.close()


def test_what_a_phone_types_survives_the_others_proposals(  # type: ignore[no-untyped-def]
        browser, live_server: ServerProcess, live_workshop: Workshop) -> None:
    """Others' proposals redraw the statement region; a half-written proposal stays."""
    phones = [browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
              for _ in range(2)]
    try:
        typing, other = [join_on_phone(context, live_server, live_workshop) for context in phones]
        typing.get_by_label(STEM).fill("die Dörfer lebendig bleiben")
        other.get_by_label(STEM).fill("junge Menschen hier bleiben")
        other.get_by_role("button", name="Vorschlagen").click()
        expect(typing.locator(".statement-proposals li")).to_have_count(1, timeout=3000)
        expect(typing.get_by_label(STEM)).to_have_value("die Dörfer lebendig bleiben")
        expect(other.get_by_label(STEM)).to_have_value("")  # sent: the field is empty again
        typing.get_by_role("button", name="Vorschlagen").click()
        for page in (typing, other):
            expect(page.locator(".statement-proposals li")).to_have_count(2, timeout=3000)
        expect(typing.get_by_label(STEM)).to_have_value("")
    finally:
        for context in phones:
            context.close()
