"""The phone without sight (issue 20): where focus goes after each action, what the live regions
say and when, symbols in words, German content marked in English mode, errors at their fields –
each page state also checked by axe, at 360 px and, where reflow is tested, at 320 px."""

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from app.models import Workshop
from tests.browser.actions import facilitate, open_survey, post_cards
from tests.browser.axe import violations
from tests.browser.test_live_board import join_on_phone
from tests.browser.test_phone_pages import fits
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

STEM = "Mit diesem Handlungsfeld wollen wir für den Westharz erreichen, dass …"


def clean(page: Page, state: str) -> None:
    found = violations(page)
    assert not found, f"{state} ({page.viewport_size}): {found}"


def ax(page: Page, selector: str) -> dict[str, Any]:
    """The accessibility tree's view of one element: role, name, description, live, …"""
    page.wait_for_load_state()
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"{selector} is not in the page"
        [found, *_] = cdp.send("Accessibility.getPartialAXTree",
                               {"nodeId": node, "fetchRelatives": False})["nodes"]
    finally:
        cdp.detach()
    view: dict[str, Any] = {key: found.get(key, {}).get("value", "")
                            for key in ("role", "name", "description")}
    view.update({p["name"]: p["value"].get("value") for p in found.get("properties", [])})
    return view


def keep(page: Page, selector: str) -> None:
    """Remember the element and record every text it shows from now on (with the time)."""
    page.wait_for_load_state()
    page.evaluate("""selector => {
        const region = document.querySelector(selector);
        window.__kept = window.__kept || {};
        window.__kept[selector] = {region, said: []};
        new MutationObserver(() => {
            const text = region.textContent.trim();
            if (text) window.__kept[selector].said.push({text, at: Date.now()});
        }).observe(region, {childList: true, characterData: true, subtree: true});
    }""", selector)


def said(page: Page, selector: str) -> list[dict[str, Any]]:
    """What the element kept by `keep` showed – and that it is still the same element."""
    same, texts = page.evaluate("""selector => [
        document.querySelector(selector) === window.__kept[selector].region,
        window.__kept[selector].said]""", selector)
    assert same, f"{selector} was replaced: a new live region may go unread"
    return texts  # type: ignore[no-any-return]


def open_group(page: Page) -> None:
    """Open "Karten der Gruppe": its cards and their live stream load only then."""
    panel = page.locator("details.group-board")
    assert panel.locator("[sse-connect]").count() == 0
    panel.locator("summary").click()
    expect(panel.locator("[sse-connect]")).to_have_count(1)
    expect(panel.locator("h3.group-column")).to_have_count(4)


def focused(page: Page) -> str:
    page.wait_for_load_state()
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")  # type: ignore[no-any-return]


def test_card_form_focus_and_what_it_says(phone: BrowserContext, live_server: ServerProcess,
                                          live_workshop: Workshop) -> None:
    page = join_on_phone(phone, live_server, live_workshop)
    # The live regions are there from the page load, empty, and stay.
    assert ax(page, "#outbox-status")["live"] == "polite"
    assert ax(page, "#group-news")["live"] == "polite"
    assert ax(page, "#follow")["live"] == "polite"
    assert ax(page, "#timer-alert")["role"] == "alert"
    for region in ("#outbox-status", "#group-news", "#follow"):
        keep(page, region)

    page.locator("label.category", has_text="Ideen").click()
    page.get_by_label("Ihr Beitrag").fill("Ein Dorfladen mit Café")
    page.get_by_role("button", name="Absenden").click()
    # Back in the emptied field, ready for the next card; the confirmation is said by the
    # status line that was there before, not by a status region inserted with the answer.
    expect(page.locator(".my-cards .card")).to_have_count(1)
    expect(page.get_by_label("Ihr Beitrag")).to_be_focused()
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("")
    expect(page.locator("#outbox-status")).to_have_text("Ihre Karte ist angekommen.")
    assert page.locator(".post-form .message.success[role=status]").count() == 0
    assert [s["text"] for s in said(page, "#outbox-status")] == ["Ihre Karte ist angekommen."]
    # The chosen column's tick is for the eye: its name stays "Ideen".
    assert ax(page, "fieldset.categories input:checked")["name"] == "Ideen"
    clean(page, "card form, card sent")

    # Others' cards arrive while this phone types: focus and text stay, the news is said
    # once for the batch, and the next news not before a calm pause. They come in once the
    # group's panel is open: closed (the first round), the page follows no cards at all.
    open_group(page)
    page.get_by_label("Ihr Beitrag").fill("halb geschrieben")
    post_cards(live_server, live_workshop, "Schöne Wanderwege", "Viele Vereine", "Gute Luft")
    expect(page.locator(".group-board li.card")).to_have_count(4)
    expect(page.locator("#group-news")).to_have_text("3 neue Karten in der Gruppe",
                                                     timeout=8000)
    expect(page.get_by_label("Ihr Beitrag")).to_be_focused()
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("halb geschrieben")
    post_cards(live_server, live_workshop, "Ein Freibad")
    expect(page.locator("#group-news")).to_have_text("Eine neue Karte in der Gruppe",
                                                     timeout=8000)
    news = said(page, "#group-news")
    assert [s["text"] for s in news] == ["3 neue Karten in der Gruppe",
                                         "Eine neue Karte in der Gruppe"]
    assert news[1]["at"] - news[0]["at"] >= 4500  # a calm rate, not one per card
    assert focused(page) == "text"

    # Deleting one's card: focus to the list's heading (it says how many are left).
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".my-cards").get_by_role("button", name=re.compile("Löschen")).click()
    expect(page.locator(".my-cards .card")).to_have_count(0)
    expect(page.get_by_role("heading", name="Meine Karten hier (0)")).to_be_focused()
    expect(page.locator("#outbox-status")).to_have_text("Karte gelöscht.")
    clean(page, "card form, own card deleted")

    # The plenary begins: said in the region that was there from the load; focus stays.
    page.get_by_label("Ihr Beitrag").focus()
    facilitate(live_server, live_workshop, "phase", phase="plenary")
    expect(page.locator("#follow")).to_contain_text("Jetzt ist Plenum")
    assert any("Jetzt ist Plenum" in s["text"] for s in said(page, "#follow"))
    assert focused(page) == "text"


def without_validation(page: Page) -> None:
    """The card form as a browser that does not check `required` itself gets it."""
    def handle(route: Route) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        body = response.text().replace('<form class="panel post-form"',
                                       '<form novalidate class="panel post-form"')
        route.fulfill(response=response, body=body)
    page.route(re.compile(r".*/me/hf1$"), handle)


@pytest.mark.parametrize("script", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize("width", [360, 320])
def test_a_missing_column_is_said_at_the_column(browser: Browser, live_server: ServerProcess,
                                                live_workshop: Workshop, width: int,
                                                script: bool) -> None:
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="de-DE",
                                  java_script_enabled=script)
    try:
        page = context.new_page()
        page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}/hf1")
        page.get_by_role("button", name="Teilnehmen").click()
        without_validation(page)
        page.goto(page.url)  # (a redirect's target is not routed)
        page.get_by_label("Ihr Beitrag").fill("ohne Spalte")
        page.get_by_role("button", name="Absenden").click()
        error = page.locator("#post-error")
        expect(error).to_contain_text("Bitte wählen Sie eine Spalte")
        # Focus on the first column (htmx: the answer's autofocus; without script: the page's).
        expect(page.locator("fieldset.categories input").first).to_be_focused()
        expect(page.locator("fieldset.categories input[aria-invalid=true]")).to_have_count(4)
        expect(page.get_by_label("Ihr Beitrag")).not_to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Ihr Beitrag")).to_have_value("ohne Spalte")
        if script:  # the accessibility tree and axe need the page's script engine
            group = ax(page, "fieldset.categories")
            assert group["name"] == "Spalte"
            assert "Bitte wählen Sie eine Spalte" in group["description"]
            clean(page, "card form, column missing")
        else:
            expect(page.locator("fieldset.categories")).to_have_attribute("aria-describedby",
                                                                          "post-error")
        if width == 320:
            fits(page)
        # Chosen now, the card goes; the error is gone.
        page.locator("label.category", has_text="Ideen").click()
        page.get_by_role("button", name="Absenden").click()
        expect(page.locator(".my-cards .card")).to_have_count(1)
        expect(error).to_have_count(0)
        if script:
            expect(page.get_by_label("Ihr Beitrag")).to_be_focused()
    finally:
        context.close()


def test_sentence_support_and_dots_keep_focus(browser: Browser, phone: BrowserContext,
                                              live_server: ServerProcess,
                                              live_workshop: Workshop) -> None:
    page = join_on_phone(phone, live_server, live_workshop)
    keep(page, "#outbox-status")
    page.get_by_label(STEM).fill("die Region lebenswert bleibt")
    page.get_by_role("button", name="Vorschlagen").click()
    expect(page.locator(".statement-proposals li")).to_have_count(1)
    expect(page.get_by_label(STEM)).to_be_focused()  # emptied, ready for another
    expect(page.get_by_label(STEM)).to_have_value("")
    expect(page.locator("#outbox-status")).to_have_text("Ihr Vorschlag ist angekommen.")
    # The "…" is for the eye; the button says which proposal it supports.
    assert page.locator(".statement-proposals li p").aria_snapshot() == (
        '- paragraph: die Region lebenswert bleibt Ihr Vorschlag')
    support = page.get_by_role("button", name=re.compile(r"^Unterstützen ?: die Region lebenswert"))
    support.focus()
    page.keyboard.press("Enter")
    withdraw = page.get_by_role("button", name=re.compile("^Stimme zurücknehmen"))
    expect(withdraw).to_be_focused()  # the same place, redrawn live
    expect(page.locator("#outbox-status")).to_contain_text("gesendet")

    other_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE")
    try:
        other = join_on_phone(other_context, live_server, live_workshop)
        other.get_by_label(STEM).fill("junge Menschen hier bleiben")
        other.get_by_role("button", name="Vorschlagen").click()
        expect(page.locator(".statement-proposals li")).to_have_count(2)
        expect(withdraw).to_be_focused()  # someone else's proposal does not move it
    finally:
        other_context.close()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=re.compile(r"^Unterstützen ?: die Region"))
           ).to_be_focused()
    clean(page, "card form, proposals and a support")

    facilitate(live_server, live_workshop, "phase", phase="plenary")
    page.goto(f"{live_server.base_url}/w/{live_workshop.slug}/plenary/me")
    keep(page, "#allowance")
    row = page.locator(".phone-theme").first
    add = row.get_by_role("button", name=re.compile(r"^\+ Punkt"))
    add.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#allowance")).to_contain_text("4 von 5 übrig")
    expect(row.get_by_role("button", name=re.compile(r"^\+ Punkt"))).to_be_focused()
    expect(row.locator(".my-dots")).to_have_text("●1 Punkt von Ihnen")
    assert row.locator(".my-dots").aria_snapshot() == "- text: 1 Punkt von Ihnen"
    clean(page, "plenary on the phone, a dot placed")
    row.get_by_role("button", name=re.compile("^− Punkt")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#allowance")).to_contain_text("5 von 5 übrig")
    # The button taken is gone with the last dot: focus on "+ Punkt" of the same theme.
    expect(row.get_by_role("button", name=re.compile(r"^\+ Punkt"))).to_be_focused()
    # The dot bar's status line stayed and said each new count.
    assert [s["text"][:30] for s in said(page, "#allowance")] == [
        "Ihre Punkte: 4 von 5 übrig (hö", "Ihre Punkte: 5 von 5 übrig (hö"]


def test_the_timer_end_is_said_at_once(phone: BrowserContext, live_server: ServerProcess,
                                       live_workshop: Workshop) -> None:
    page = join_on_phone(phone, live_server, live_workshop)
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("")  # there from the load, empty
    keep(page, "#timer-alert")
    facilitate(live_server, live_workshop, "timer", action="start", minutes=0.05)  # 3 s
    expect(page.locator("#timer .timer-value")).to_have_text(re.compile(r"^0:0\d$"))
    expect(alert).to_have_text("Die Zeit ist abgelaufen", timeout=8000)
    assert [s["text"] for s in said(page, "#timer-alert")] == ["Die Zeit ist abgelaufen"]
    clean(page, "card form, time is up")


def test_english_mode_marks_german_content(phone: BrowserContext, live_server: ServerProcess,
                                           live_workshop: Workshop) -> None:
    base = f"{live_server.base_url}/w/{live_workshop.slug}"
    post_cards(live_server, live_workshop, "Schöne Wanderwege")
    page = phone.new_page()
    page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}?lang=en")
    page.get_by_role("button", name="Join").click()

    def german(*selectors: str) -> None:
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "en"
        for selector in selectors:
            langs = page.locator(selector).evaluate_all(
                "els => els.map(e => (e.closest('[lang]') || {}).lang)")
            assert langs and set(langs) == {"de"}, (page.url, selector, langs)

    german(".field-title")
    page.goto(f"{base}/me/hf1")
    page.locator("label.category", has_text="Ideen").click()
    page.locator("textarea#text").fill("Ein Dorfladen")
    page.locator("form.post-form button[type=submit]").click()
    expect(page.locator(".my-cards .card")).to_have_count(1)
    page.locator("#statement-text").fill("die Dörfer leben")
    page.locator("#statement-propose").click()
    expect(page.locator(".statement-proposals li")).to_have_count(1)
    open_group(page)
    german("h1 span:not(.field-number)", ".topics", ".my-cards .card-text", "label.category span",
           ".group-board .card-body span:first-child", "label[for=statement-text]",
           ".statement-proposals li p span:not([aria-hidden], .badge-tag)")
    assert page.locator("#my-cards-title").evaluate("e => e.closest('[lang]').lang") == "en"
    clean(page, "card form in English")

    facilitate(live_server, live_workshop, "phase", phase="plenary")
    page.goto(f"{base}/plenary/me")
    german(".phone-theme .theme-text", ".plenary-phone-field h2 span:not(.field-number)",
           ".questions li")
    clean(page, "plenary in English")
    [survey] = httpx.get(f"{live_server.base_url}/api/v1/workshops/{live_workshop.slug}"
                         "/surveys").json()
    page.goto(f"{base}/surveys/{survey['id']}/me")
    german("h1", "legend span:not(.required)", "label.choice span")
    clean(page, "survey in English")


@pytest.mark.parametrize("script", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize("width", [360, 320])
def test_a_missing_survey_answer_is_said_at_its_question(
        browser: Browser, live_server: ServerProcess, live_workshop: Workshop, script: bool,
        width: int) -> None:
    survey = open_survey(live_server, live_workshop)
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="de-DE",
                                  java_script_enabled=script)
    try:
        page = context.new_page()
        page.goto(f"{live_server.base_url}/j/{live_workshop.join_code}/umfrage/{survey}")
        page.get_by_role("button", name="Teilnehmen").click()
        page.get_by_role("button", name="Antworten senden").click()
        error = page.get_by_role("alert")
        expect(error).to_contain_text("braucht eine Antwort")
        question = page.locator("fieldset.question", has=error)
        expect(question).to_have_attribute("aria-describedby", error.get_attribute("id") or "")
        if script:
            assert "braucht eine Antwort" in ax(page, "fieldset.question[aria-describedby]")[
                "description"]
        first = question.locator("input, select, textarea").first
        expect(first).to_have_attribute("aria-invalid", "true")
        expect(first).to_be_focused()
        if width == 320:
            fits(page)
        if script:
            clean(page, "survey, a required answer missing")
        question.locator("label.choice").first.click()
        page.get_by_role("button", name="Antworten senden").click()
        expect(page.get_by_role("status").first).to_have_text(
            "Danke, Ihre Antworten sind gespeichert.")
        if width == 320:
            fits(page)
        if script:
            clean(page, "survey answered")
    finally:
        context.close()
