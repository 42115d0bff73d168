"""The projector never hides a card: text stays readable from the back of the room, and what
does not fit at once is paged; every card is on screen on some page of the rotation."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app import cards, participants, phases, plenary, statements, weighting
from app import db as database
from app.access import MAIN
from app.models import Workshop
from app.workshops import get_field
from tests.factories import make_workshop
from tests.live import ServerProcess

pytestmark = pytest.mark.browser

CATEGORIES = ["strengths", "weaknesses", "potentials", "ideas"]
SIZES = [(1280, 720), (1920, 1080)]
# About the length of the seed's cards ("Aktive Dorfgemeinschaften mit vielen Ehrenamtlichen").
TEXT = "Karte {n}: aktive Dorfgemeinschaft mit vielen Ehrenamtlichen"


def workshop_with_cards(server: ServerProcess, count: int, *, sentence: bool = False
                        ) -> Workshop:
    db = database.Database(server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
        person = participants.join(session=session, workshop=workshop)
        for n in range(count):
            cards.post_card(session=session, workshop=workshop, participant=person, field="hf1",
                            category=CATEGORIES[n % 4], text=TEXT.format(n=n + 1))
        session.commit()
        if sentence:
            statements.adopt(session=session, workshop=workshop, facilitator=MAIN,
                             field=get_field(session=session, workshop=workshop, key="hf1"),
                             text="die Region attraktiv und lebenswert für alle Generationen "
                                  "bleibt und wir neue Konzeptideen verwirklichen können.")
    db.dispose()
    return workshop


CARD_BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
  const r = el.getBoundingClientRect(), style = getComputedStyle(el);
  return {id: el.id, shown: style.display !== 'none' && r.height > 0,
          inside: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5
                  && r.right <= innerWidth + 0.5,
          px: parseFloat(style.fontSize)};
})"""


def rotation(page: Page, selector: str, turns: int = 12) -> tuple[set[str], float, set[int]]:
    """The items seen whole inside the viewport over a rotation, the smallest text size, and
    how many pages the lists had."""
    seen: set[str] = set()
    smallest = 1000.0
    pages = {int(text.rsplit(" ", 1)[-1]) for text in page.locator(".page-of:visible")
             .all_inner_texts() if text} or {1}
    for _ in range(turns):
        for box in page.evaluate(CARD_BOXES, selector):
            if box["shown"]:
                smallest = min(smallest, box["px"])
                if box["inside"]:
                    seen.add(box["id"])
        page.evaluate("window.zkTurnPage()")
    return seen, smallest, pages


def open_board(browser: Browser, server: ServerProcess, path: str,
               size: tuple[int, int]) -> tuple[Any, Page]:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  locale="de-DE")
    page = context.new_page()
    page.goto(f"{server.base_url}{path}")
    page.wait_for_function("document.documentElement.classList.contains('fit')")
    page.wait_for_timeout(300)  # fonts and layout settled
    return context, page


@pytest.mark.parametrize("size", SIZES, ids=["1280x720", "1920x1080"])
@pytest.mark.parametrize("count", [10, 35, 80, 120])
def test_every_card_readable_and_on_screen_on_some_page(browser: Browser,
                                                        live_server: ServerProcess,
                                                        count: int, size: tuple[int, int]) -> None:
    workshop = workshop_with_cards(live_server, count)
    context, page = open_board(browser, live_server, f"/w/{workshop.slug}/board/hf1", size)
    try:
        headings = page.evaluate("() => [...document.querySelectorAll('.column h2')]"
                                 ".map(h => h.getBoundingClientRect().top)")
        if count >= 80:  # more than a screen holds at 18 px, at either size
            assert page.locator(".page-of:visible").first.inner_text().startswith("Seite 1 von")
        seen, smallest, pages = rotation(page, ".cards > li")
        assert smallest >= 18, f"card text {smallest:.1f} px"
        assert len(seen) == count, f"{count - len(seen)} cards never on screen"
        assert page.evaluate("document.documentElement.scrollHeight") <= size[1] + 1
        # Turning pages moves nothing else: the columns stay where they are.
        assert page.evaluate("() => [...document.querySelectorAll('.column h2')]"
                             ".map(h => h.getBoundingClientRect().top)") == headings
        if count <= 10:
            assert pages == {1} and not page.locator(".page-of:visible").count()
    finally:
        context.close()


def test_the_seeds_field_fits_at_once_with_its_sentence(browser: Browser,
                                                        live_server: ServerProcess) -> None:
    workshop = workshop_with_cards(live_server, 19, sentence=True)
    context, page = open_board(browser, live_server, f"/w/{workshop.slug}/board/hf1", (1280, 720))
    try:
        boxes = page.evaluate(CARD_BOXES, ".cards > li")
        assert all(box["shown"] and box["inside"] for box in boxes) and len(boxes) == 19
        assert min(box["px"] for box in boxes) >= 18
        [sentence] = page.evaluate(CARD_BOXES, ".statement.adopted")
        assert sentence["inside"]
        assert not page.locator(".page-of:visible").count()
    finally:
        context.close()


def test_a_new_card_on_a_page_not_shown_brings_its_page_up(browser: Browser,
                                                           live_server: ServerProcess) -> None:
    import httpx

    workshop = workshop_with_cards(live_server, 80)
    context, page = open_board(browser, live_server, f"/w/{workshop.slug}/board/hf1", (1280, 720))
    try:
        page.wait_for_selector("body[data-live=connected]")
        token = httpx.post(f"{live_server.base_url}/api/v1/join",
                           json={"code": workshop.join_code}).json()["participant_token"]
        card = httpx.post(f"{live_server.base_url}/api/v1/workshops/{workshop.slug}/cards",
                          headers={"Authorization": f"Bearer {token}"},
                          json={"field": "hf1", "category": "ideas",
                                "text": "Ganz neu aus dem Saal"}).json()
        new = page.locator(f"#card-{card['id']}")
        new.wait_for()
        page.wait_for_timeout(200)
        [box] = page.evaluate(CARD_BOXES, f"#card-{card['id']}")
        assert box["shown"] and box["inside"]
    finally:
        context.close()


def test_keys_turn_pages_and_show_one_column_large(browser: Browser,
                                                   live_server: ServerProcess) -> None:
    workshop = workshop_with_cards(live_server, 80)
    context, page = open_board(browser, live_server, f"/w/{workshop.slug}/board/hf1", (1280, 720))
    try:
        label = page.locator(".column-1 .page-of")
        assert label.inner_text().startswith("Seite 1 von")
        page.keyboard.press("ArrowRight")
        assert label.inner_text().startswith("Seite 2 von")
        page.keyboard.press("ArrowLeft")
        assert label.inner_text().startswith("Seite 1 von")
        page.keyboard.press("2")
        assert page.locator(".column:visible").count() == 1
        assert page.locator(".column-2").is_visible()
        seen, smallest, _pages = rotation(page, ".column-2 .cards > li")
        assert smallest >= 18 and len(seen) == 20
        page.keyboard.press("Escape")
        assert page.locator(".column:visible").count() == 4
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES, ids=["1280x720", "1920x1080"])
def test_plenary_themes_stay_readable_and_all_on_screen(browser: Browser,
                                                        live_server: ServerProcess,
                                                        size: tuple[int, int]) -> None:
    db = database.Database(live_server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
        phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="plenary")
        person = participants.join(session=session, workshop=workshop)
        for n in range(25):  # a long plenary: each field gets five more themes
            proposal = plenary.propose_theme(session=session, workshop=workshop,
                                             participant=participants.join(
                                                 session=session, workshop=workshop),
                                             field=f"hf{n % 5 + 1}",
                                             text=f"Neues Thema Nummer {n} aus dem Plenum")
            plenary.accept_proposal(session=session, workshop=workshop, facilitator=MAIN,
                                    proposal_id=proposal.id or 0)
        first = plenary.columns(session=session, workshop=workshop)[0].themes[0]
        weighting.place_dot(session=session, workshop=workshop, participant=person,
                          theme_id=first.id)
        total = sum(len(c.themes) for c in plenary.columns(session=session, workshop=workshop))
    db.dispose()
    context, page = open_board(browser, live_server, f"/w/{workshop.slug}/plenary", size)
    try:
        seen, smallest, _pages = rotation(page, ".plenary-themes > li")
        assert smallest >= 16, f"theme text {smallest:.1f} px"
        assert len(seen) == total
    finally:
        context.close()


def test_the_survey_projector_fits_and_shows_a_code(browser: Browser,
                                                    live_server: ServerProcess) -> None:
    from app import surveys

    db = database.Database(live_server.database_url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
        [survey] = surveys.surveys_of(session=session, workshop=workshop)
        surveys.set_status(session=session, workshop=workshop, facilitator=MAIN, survey=survey,
                           status="open")
        questions = surveys.questions_of(session=session, survey=survey)
        for _ in range(6):
            surveys.answer(session=session, workshop=workshop,
                           participant=participants.join(session=session, workshop=workshop),
                           survey=survey, values={q.id: surveys_default(q) for q in questions})
    db.dispose()
    context, page = open_board(browser, live_server,
                               f"/w/{workshop.slug}/survey/{survey.id}", (1280, 720))
    try:
        page.wait_for_load_state("networkidle")
        assert page.locator(".join-box .qr svg").is_visible()
        assert f"/j/{workshop.join_code}/umfrage/{survey.id}" in page.locator(
            ".join-url").inner_text()
        assert page.evaluate("document.documentElement.scrollHeight") <= 721
        seen, _smallest, _pages = rotation(page, ".survey-chart")
        assert len(seen) == page.locator(".survey-chart").count()
    finally:
        context.close()


def surveys_default(question: Any) -> Any:
    """An answer every question of the demo survey accepts."""
    if question.kind in ("single",):
        return 0
    if question.kind == "multiple":
        return [0]
    if question.kind == "ranking":
        return list(range(len(question.options)))
    if question.kind in ("rating", "number"):
        return question.scale_min if question.kind == "rating" else 3
    return "Mehr Busse"
