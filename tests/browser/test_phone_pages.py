"""A phone's whole way, at 320 px: nothing wider than the screen; the phone follows the
workshop live (plenary, open survey, back to the group); at most three taps from the QR code
to a sent card."""

import re

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app import db as database
from app.auth import Tokens
from app.models import Workshop
from tests.browser.actions import facilitate
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture
def narrow(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, locale="de-DE")
    yield context  # type: ignore[misc]
    context.close()


def fits(page: Page) -> None:
    page.wait_for_load_state()  # a form's answer may still be navigating
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url}: {width} px wide"


def test_every_phone_page_fits_320_px(narrow: BrowserContext, live_server: ServerProcess,
                                      live_workshop: Workshop) -> None:
    page = narrow.new_page()
    base = f"{live_server.base_url}/w/{live_workshop.slug}"
    page.goto(f"{live_server.base_url}/")
    fits(page)
    page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}")
    fits(page)
    page.get_by_role("button", name="Teilnehmen").click()
    fits(page)  # the choice of group
    page.goto(f"{base}/me/hf4")  # the group with sub-fields
    page.locator("label.category", has_text="Ideen").click()
    page.get_by_label("Ihr Beitrag").fill("Sehr lang: Donaudampfschifffahrtsgesellschaftskapitän")
    page.get_by_role("button", name="Absenden").click()
    expect(page.locator(".my-cards .card")).to_have_count(1)
    page.locator(".name-box summary").click()
    fits(page)
    page.goto(f"{base}/cards/{page.locator('.my-cards li').first.get_attribute('id')[8:]}/edit")
    fits(page)
    facilitate(live_server, live_workshop, "phase", phase="plenary")
    page.goto(f"{base}/plenary/me")
    page.locator(".phone-theme details summary").first.click()  # "Anderem Feld zuordnen"
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    fits(page)
    [survey] = httpx.get(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}"
                         "/surveys").json()
    page.goto(f"{base}/surveys/{survey['id']}/me")
    fits(page)


def test_the_phone_follows_the_workshop_live(phone: BrowserContext, live_server: ServerProcess,
                                             live_workshop: Workshop) -> None:
    page = phone.new_page()
    page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}/hf2")
    page.get_by_role("button", name="Teilnehmen").click()
    expect(page).to_have_url(re.compile(r"/me/hf2$"))
    page.evaluate("window.__notReloaded = true")
    facilitate(live_server, live_workshop, "phase", phase="plenary")
    to_plenary = page.get_by_role("link", name=re.compile("Jetzt ist Plenum"))
    to_plenary.wait_for()
    assert page.evaluate("window.__notReloaded") is True  # it came live, no reload
    to_plenary.click()  # one tap
    expect(page).to_have_url(re.compile(r"/plenary/me$"))
    token = Tokens(SECRET).facilitator_token(live_workshop)
    with httpx.Client(base_url=live_server.base_url) as client:
        [survey] = client.get(f"/api/v1/workshops/{live_workshop.slug}/surveys").json()
        client.get(f"/w/{live_workshop.slug}/facilitate", params={"token": token})
        opened = client.post(f"/w/{live_workshop.slug}/surveys",
                             data={"op": f"open:{survey['id']}"})
        assert opened.status_code == 303
    offer = page.get_by_role("link", name=re.compile("Umfrage beantworten"))
    offer.wait_for()
    facilitate(live_server, live_workshop, "phase", phase="working")
    back = page.get_by_role("link", name=re.compile("zurück zu Ihrer Gruppe"))
    back.wait_for()
    back.click()
    expect(page).to_have_url(re.compile(r"/me/hf2$"))  # its own group again
    page.get_by_role("link", name=re.compile("Umfrage beantworten")).click()
    expect(page).to_have_url(re.compile(rf"/surveys/{survey['id']}/me$"))


def test_three_taps_from_the_groups_code_to_a_sent_card(phone: BrowserContext,
                                                        live_server: ServerProcess,
                                                        live_workshop: Workshop) -> None:
    page = phone.new_page()
    taps = 0

    def tap(locator) -> None:  # type: ignore[no-untyped-def]
        nonlocal taps
        taps += 1
        locator.click()

    page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}/hf1")  # the QR at the table
    tap(page.get_by_role("button", name="Teilnehmen"))
    tap(page.locator("label.category", has_text="Ideen"))
    page.get_by_label("Ihr Beitrag").fill("Ein Bürgerbus für die Dörfer")  # typing
    tap(page.get_by_role("button", name="Absenden"))
    expect(page.locator(".post-form .message.success")).to_have_text("Ihre Karte ist angekommen.")
    assert taps == 3


def test_under_premoderation_the_phone_says_the_card_waits(phone: BrowserContext,
                                                           live_server: ServerProcess,
                                                           live_workshop: Workshop) -> None:
    db = database.Database(live_server.database_url)
    with db.transaction() as session:
        row = session.get(Workshop, live_workshop.id)
        assert row is not None
        row.premoderation = True
        session.add(row)
        session.commit()
    db.dispose()
    page = phone.new_page()
    page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}/hf1")
    page.get_by_role("button", name="Teilnehmen").click()
    page.locator("label.category", has_text="Ideen").click()
    page.get_by_label("Ihr Beitrag").fill("Wartet noch")
    page.get_by_role("button", name="Absenden").click()
    expect(page.locator(".post-form .message.success")).to_contain_text("sobald die Moderation")
    expect(page.locator("#outbox-status")).to_contain_text("sobald die Moderation")  # said too
    expect(page.locator(".my-cards .waiting")).to_have_text("wartet auf Freigabe")
