"""Posts that survive a dropped Wi-Fi: the phone keeps what it could not send, shows its state,
sends it when the network is back (also after a reload) and never makes a duplicate – for cards,
dots, supports and survey answers."""

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlmodel import col, func, select

from app import db as database
from app.auth import Tokens
from app.models import Card, Dot, StatementProposal, StatementSupport, SurveyResponse, Workshop
from tests.browser.actions import facilitate
from tests.conftest import SECRET
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


def count(server: ServerProcess, model: type, *where: object) -> int:
    db = database.Database(server.database_url)
    try:
        with db.session() as session:
            return session.exec(select(func.count()).select_from(model).where(*where)).one()
    finally:
        db.dispose()


def cards_of(server: ServerProcess, workshop: Workshop) -> int:
    return count(server, Card, Card.workshop_id == workshop.id)


def joined(phone: BrowserContext, server: ServerProcess, workshop: Workshop,
           field: str = "hf1") -> Page:
    page = phone.new_page()
    page.goto(f"{server.base_url}/j/{workshop.join_code}/{field}")
    page.get_by_role("button", name="Teilnehmen").click()
    expect(page).to_have_url(re.compile(rf"/me/{field}$"))
    # The outbox's script first: a card sent before it runs is a plain form post, which the
    # refused network then turns into Chromium's error page (seen once under a full suite).
    page.wait_for_load_state()
    return page


def write_card(page: Page, text: str) -> None:
    page.locator("label.category", has_text="Ideen").click()
    page.get_by_label("Ihr Beitrag").fill(text)
    page.get_by_role("button", name="Absenden").click()


def lose_answer_once(page: Page, pattern: str) -> Callable[[], int]:
    """The request reaches the server, its answer is lost on the way back (once)."""
    lost = 0

    def handle(route: Route) -> None:
        nonlocal lost
        if route.request.method == "POST" and lost == 0:
            lost += 1
            route.fetch()  # the server did it
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(pattern, handle)
    return lambda: lost


def test_a_card_written_offline_is_sent_when_the_network_is_back(
        phone: BrowserContext, live_server: ServerProcess, live_workshop: Workshop) -> None:
    page = joined(phone, live_server, live_workshop)
    phone.set_offline(True)
    write_card(page, "Offline geschrieben")
    item = page.locator("#outbox .outbox-item")
    expect(item).to_contain_text("Offline geschrieben")
    expect(item).to_contain_text("nicht gesendet – wird erneut versucht")
    expect(page.locator("#outbox-status")).to_contain_text("Keine Verbindung")
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("")  # free for the next card
    write_card(page, "Noch eine offline")
    expect(item).to_have_count(2)
    assert cards_of(live_server, live_workshop) == 0
    page.get_by_label("Ihr Beitrag").fill("Angefangen")  # the next card, not sent yet
    phone.set_offline(False)
    expect(item.first).to_have_class(re.compile("state-sent"), timeout=15000)
    expect(item.first).to_have_text("Karte „Offline geschrieben“: gesendet")
    expect(page.locator(".my-cards .card")).to_have_count(2, timeout=15000)
    expect(page.locator(".my-cards .card-text")).to_have_text(
        ["Noch eine offline", "Offline geschrieben"])  # newest first, both in their order
    expect(page.locator("#my-cards-count")).to_have_text("(2)")
    expect(page.locator("#my-cards-empty")).to_have_count(0)  # "Noch keine Karten" is gone
    # The resends placed their cards, not the form: what is being typed stays.
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("Angefangen")
    assert cards_of(live_server, live_workshop) == 2
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('zk-outbox:')"
                         " && !k.endsWith(':sender')).map(k => localStorage.getItem(k))"
                         ) == ["[]"]  # nothing left to send
    expect(item).to_have_count(0, timeout=10000)  # "gesendet" fades after a while


def test_an_unsent_card_survives_a_reload_and_a_lost_answer_makes_no_duplicate(
        phone: BrowserContext, live_server: ServerProcess, live_workshop: Workshop) -> None:
    page = joined(phone, live_server, live_workshop)
    posts = re.compile(r".*/me/hf1$")

    def refuse(route: Route) -> None:  # the Wi-Fi is there for pages, posts time out
        if route.request.method == "POST":
            route.abort("timedout")
        else:
            route.continue_()

    page.route(posts, refuse)
    write_card(page, "Überlebt das Neuladen")
    expect(page.locator("#outbox .outbox-item")).to_contain_text("wird erneut versucht")
    page.reload()
    expect(page.locator("#outbox .outbox-item")).to_contain_text("Überlebt das Neuladen")
    page.unroute(posts)
    lost = lose_answer_once(page, posts)  # the resend arrives, its answer does not
    expect(page.locator(".my-cards .card")).to_have_count(1, timeout=20000)
    assert lost() == 1
    assert cards_of(live_server, live_workshop) == 1  # the client_id kept it one card


def test_dots_tapped_offline_count_as_tapped_and_a_resend_counts_once(
        phone: BrowserContext, live_server: ServerProcess, live_workshop: Workshop) -> None:
    page = joined(phone, live_server, live_workshop)
    facilitate(live_server, live_workshop, "phase", phase="plenary")
    page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/plenary/me")
    first, second = page.locator(".phone-theme").nth(0), page.locator(".phone-theme").nth(1)
    lost = lose_answer_once(page, re.compile(r".*/plenary/me/dots$"))
    first.get_by_role("button", name=re.compile(r"\+ Punkt")).click()
    expect(first.locator(".my-dots")).to_have_text("●1 Punkt von Ihnen", timeout=15000)
    assert lost() == 1
    mine = Dot.workshop_id == live_workshop.id
    assert count(live_server, Dot, mine) == 1  # the resend saw one dot there and left it
    phone.set_offline(True)
    second.get_by_role("button", name=re.compile(r"\+ Punkt")).click()
    second.get_by_role("button", name=re.compile(r"\+ Punkt")).click()
    expect(page.locator("#outbox .state-retry")).to_have_count(2)
    phone.set_offline(False)
    expect(page.locator("#outbox .state-retry, #outbox .state-sending")).to_have_count(
        0, timeout=20000)
    assert count(live_server, Dot, mine) == 3  # two taps offline, two dots


def test_a_support_and_survey_answers_survive_a_lost_answer(
        phone: BrowserContext, live_server: ServerProcess, live_workshop: Workshop) -> None:
    page = joined(phone, live_server, live_workshop)
    page.locator("#statement-text").fill("alle Generationen gut leben können")
    page.locator("#statement").get_by_role("button", name="Vorschlagen").click()
    support = page.locator("#statement").get_by_role("button", name="Unterstützen")
    expect(support).to_be_visible()
    lost = lose_answer_once(page, re.compile(r".*/support$"))
    support.click()
    expect(page.locator("#statement").get_by_role("button", name="Stimme zurücknehmen")
           ).to_be_visible(timeout=15000)
    assert lost() == 1
    expect(page.locator("#statement .message.error")).to_have_count(0)
    expect(page.locator("#statement .support")).to_have_text("1 Stimme")
    expect(page.locator("#outbox .state-sent")).to_contain_text("alle Generationen",
                                                               timeout=15000)  # resent, once
    expect(page.locator("#statement .message.error")).to_have_count(0)
    proposals = select(StatementProposal.id).where(
        StatementProposal.workshop_id == live_workshop.id)
    assert count(live_server, StatementSupport,
                 col(StatementSupport.proposal_id).in_(proposals)) == 1

    with httpx.Client(base_url=live_server.base_url) as client:
        [survey] = client.get(f"/api/v1/workshops/{live_workshop.slug}/surveys").json()
        client.get(f"/w/{live_workshop.slug}/facilitate",
                   params={"token": Tokens(SECRET).facilitator_token(live_workshop)})
        assert client.post(f"/w/{live_workshop.slug}/surveys",
                           data={"op": f"open:{survey['id']}"}).status_code == 303
    page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/surveys/{survey['id']}/me")
    page.locator(".question").first.locator("input").first.check()
    phone.set_offline(True)
    page.get_by_role("button", name="Antworten senden").click()
    answers = page.locator("#outbox .outbox-item", has_text="Antworten")
    expect(answers).to_contain_text("wird erneut versucht")
    phone.set_offline(False)
    expect(answers).to_have_class(re.compile("state-sent"), timeout=15000)
    responses = SurveyResponse.survey_id == survey["id"]
    assert count(live_server, SurveyResponse, responses) == 1


def test_a_refused_card_waits_for_the_person_and_a_foreign_200_is_no_delivery(
        phone: BrowserContext, live_server: ServerProcess, live_workshop: Workshop) -> None:
    page = joined(phone, live_server, live_workshop)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    portal = re.compile(r".*/me/hf1$")

    def captive_portal(route: Route) -> None:  # a hotel Wi-Fi's login page answers instead
        if route.request.method == "POST":
            route.fulfill(status=200, content_type="text/html", body="<h1>Anmelden</h1>")
        else:
            route.continue_()

    page.route(portal, captive_portal)
    write_card(page, "Hinter dem Portal")
    item = page.locator("#outbox .outbox-item")
    expect(item).to_have_class(re.compile("state-retry"))  # a 200 without receipt is no delivery
    assert cards_of(live_server, live_workshop) == 0
    facilitate(live_server, live_workshop, "fields/hf1/posting", open=False)
    page.unroute(portal)
    expect(item).to_have_class(re.compile("state-failed"), timeout=15000)
    expect(item).to_contain_text("nicht gesendet")
    sent = len(posts)
    page.wait_for_timeout(5000)
    assert len(posts) == sent, "a refused entry is not sent again by itself"
    item.get_by_role("button", name="Zurück ins Formular").click()
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("Hinter dem Portal")
    expect(page.get_by_label("Ihr Beitrag")).to_be_focused()
    expect(item).to_have_count(0)
    assert cards_of(live_server, live_workshop) == 0
