"""A board whose server goes away reconnects by itself and catches up on what it missed."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from app import db as database
from app.models import Workshop
from tests.conftest import SECRET
from tests.factories import make_card, make_participant, make_workshop
from tests.live import ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path, SECRET)
    server.start()
    yield server
    server.stop()


def test_board_catches_up_after_the_server_restarts(projector: BrowserContext,
                                                    own_server: ServerProcess) -> None:
    db = database.Database(own_server.database_url)
    with db.transaction() as session:
        workshop: Workshop = make_workshop(session, westharz=True)
        participant = make_participant(session, workshop)
        make_card(session, workshop, participant, text="vor der Pause")
    board = projector.new_page()
    board.goto(f"{own_server.base_url}/w/{workshop.slug}/board/hf1")
    expect(board.locator("body[data-live=connected]")).to_have_count(1, timeout=5000)
    board.evaluate("window.__notReloaded = true")
    own_server.stop()
    expect(board.locator("#connection")).to_be_visible(timeout=5000)
    # Written while the server is down: only the event table can tell the board about it.
    with db.transaction() as session:
        make_card(session, workshop, participant, text="während der Pause")
    db.dispose()
    own_server.start()
    expect(board.locator("#column-strengths li")).to_have_text(
        ["vor der Pause", "während der Pause"], timeout=10000)
    expect(board.locator("#connection")).to_be_hidden()
    assert board.evaluate("window.__notReloaded") is True
