"""Phones answer the survey; the projected chart follows."""

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from app.auth import Tokens
from app.models import Workshop
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def test_phones_answer_and_the_projector_chart_updates(browser, projector: BrowserContext,  # type: ignore[no-untyped-def]
                                                       live_server: ServerProcess,
                                                       live_workshop: Workshop) -> None:
    base, slug = live_server.base_url, live_workshop.slug
    token = Tokens(SECRET).facilitator_token(live_workshop)
    survey_id = httpx.get(f"{base}/api/v1/workshops/{slug}/surveys").json()[0]["id"]
    httpx.post(f"{base}/w/{slug}/surveys", data={"op": f"open:{survey_id}"},
               headers={"Authorization": f"Bearer {token}"})
    board = projector.new_page()
    board.goto(f"{base}/w/{slug}/survey/{survey_id}")
    first_chart = board.locator(".survey-chart").first
    expect(first_chart).to_contain_text("n = 0")
    expect(first_chart).to_contain_text("nur die Anzahl")
    for n in range(5):
        context = browser.new_context(viewport={"width": 360, "height": 740},
                                      java_script_enabled=n % 2 == 0)
        try:
            phone = context.new_page()
            phone.goto(f"{base}/j/{live_workshop.join_code}")
            phone.get_by_role("button", name="Teilnehmen").click()
            phone.get_by_role("link", name="Umfrage beantworten").click()
            phone.get_by_label("HF 3: Gelebte Landschaft – Aktiver Klimaschutz").check()
            phone.get_by_role("button", name="Antworten senden").click()
            expect(phone.get_by_role("status")).to_have_text(
                "Danke, Ihre Antworten sind gespeichert.")
        finally:
            context.close()
    expect(first_chart).to_contain_text("n = 5", timeout=5000)
    image = first_chart.locator("img")
    expect(image).to_have_attribute(
        "alt", "HF 1: Gutes Leben in der Region: 0; HF 2: Zukunftsfähige Siedlungsentwicklung: "
        "0; HF 3: Gelebte Landschaft – Aktiver Klimaschutz: 5; HF 4: Regionale Wirtschaft: 0; "
        "HF 5: Lebendige Kultur und Gemeinschaft: 0; ")
    svg = httpx.get(base + image.get_attribute("src")).text  # type: ignore[operator]
    assert "5 (100 %)" in svg
