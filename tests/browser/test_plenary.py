"""The plenary board shows the seed's legend styles and grows voted themes live."""

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from app.auth import Tokens
from app.models import Workshop
from tests.browser.test_live_board import join_on_phone
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def style(page, selector: str, prop: str) -> str:  # type: ignore[no-untyped-def]
    value: str = page.evaluate(
        "([s, p]) => getComputedStyle(document.querySelector(s)).getPropertyValue(p)",
        [selector, prop])
    return value


def test_legend_styles_and_live_voting(projector: BrowserContext, phone: BrowserContext,
                                       live_server: ServerProcess,
                                       live_workshop: Workshop) -> None:
    api = f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}"
    token = Tokens(SECRET).facilitator_token(live_workshop)
    httpx.put(f"{api}/phase", json={"phase": "plenary"},
              headers={"Authorization": f"Bearer {token}"})
    themes = {t["text"]: t["id"] for c in httpx.get(f"{api}/plenary").json()["columns"]
              for t in c["themes"]}
    board = projector.new_page()
    board.goto(f"{live_server.base_url}/w/{live_workshop.slug}/plenary")
    expect(board.locator("body[data-live=connected]")).to_have_count(1, timeout=5000)
    board.evaluate("window.__notReloaded = true")
    legend = board.locator(".legend").bounding_box()
    assert legend is not None and legend["y"] + legend["height"] <= 720, "legend on screen"
    mandatory = f"#theme-{themes['Digitale Dörfer (Digitalisierung)']} .theme-text"
    lag = f"#theme-{themes['Wohnen & Arbeiten']} .theme-text"
    conference = f"#theme-{themes['Carsharing']} .theme"
    other = f"#theme-{themes['Dorfmoderation']} .theme"
    assert "underline" in style(board, mandatory, "text-decoration-line")
    assert int(style(board, lag, "font-weight")) >= 700
    assert style(board, conference, "color") == "rgb(30, 107, 52)"
    assert "underline" not in style(board, lag, "text-decoration-line")
    before = float(style(board, conference, "font-size").removesuffix("px"))
    assert before == float(style(board, other, "font-size").removesuffix("px"))

    page = join_on_phone(phone, live_server, live_workshop)
    page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/me")
    page.get_by_role("link", name="Jetzt ist Plenum: Themen ansehen und Punkte vergeben").click()
    expect(page.locator("#allowance")).to_contain_text("5 von 5 übrig")
    row = page.locator(f"#ptheme-{themes['Carsharing']}")
    row.get_by_role("button", name="+ Punkt").click()
    expect(page.locator("#allowance")).to_contain_text("4 von 5 übrig")
    page.locator(f"#ptheme-{themes['Carsharing']}").get_by_role("button", name="+ Punkt").click()
    mine = page.locator(f"#ptheme-{themes['Carsharing']} .my-dots")
    expect(mine).to_have_text("●●2 Punkte von Ihnen")
    # Said in words, the symbols hidden from a screen reader (issue 20: "●●" was read as is).
    assert mine.aria_snapshot() == "- text: 2 Punkte von Ihnen"
    expect(board.locator(conference + " .dots")).to_have_text("2 Punkte", timeout=2000)
    after = float(style(board, conference, "font-size").removesuffix("px"))
    assert after > before * 1.5, (before, after)
    assert after <= before * 1.9 + 0.5, "the scale is bounded"
    assert float(style(board, other, "font-size").removesuffix("px")) == before
    assert board.evaluate("window.__notReloaded") is True
