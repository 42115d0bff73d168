"""The bus and the views that turn events into SSE messages (without a server)."""

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.events import CardDeleted, CardEdited, CardPosted, CardSnapshot, Counts, PostingChanged
from app.live import QUEUE_LIMIT, ApiView, BoardView, LocalBus, Views
from app.templating import Templates

CARD = CardSnapshot(id=7, field="hf1", category="ideas", text="<b>Bahn</b>", author="p1",
                    created_at="2026-05-14T10:00:00+00:00")
COUNTS = Counts(participants=3, cards={"hf1": 1})


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """asyncio.run in a thread of its own: Playwright's sync API keeps a loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def views() -> Views:
    return Views(Templates())


def test_posted_card_becomes_column_fragment_and_stats() -> None:
    event = CardPosted(id=11, workshop_id=1, card=CARD, counts=COUNTS)
    card, stats = views().render(event, BoardView(field="hf1", locale="de"))
    assert card.event == "card-new-ideas" and card.id == "11"
    assert 'id="card-7"' in card.data and "&lt;b&gt;Bahn&lt;/b&gt;" in card.data
    assert "arrived" in card.data
    assert stats.event == "stats" and "<strong>3</strong> Teilnehmende" in stats.data


def test_other_fields_events_are_not_sent_to_a_board() -> None:
    event = CardPosted(id=11, workshop_id=1, card=CARD, counts=COUNTS)
    assert views().render(event, BoardView(field="hf2", locale="de")) == []


def test_edit_in_place_or_move_to_another_column() -> None:
    v = views()
    same = CardEdited(id=12, workshop_id=1, card=CARD, previous_category="ideas")
    [replace] = v.render(same, BoardView(field="hf1", locale="de"))
    assert replace.event == "card-7" and "Bahn" in replace.data and "<li" not in replace.data
    moved = CardEdited(id=13, workshop_id=1, card=CARD, previous_category="strengths")
    remove, append = v.render(moved, BoardView(field="hf1", locale="de"))
    assert (remove.event, remove.data) == ("card-gone-7", "")
    assert append.event == "card-new-ideas"


def test_delete_removes_and_updates_counts() -> None:
    event = CardDeleted(id=14, workshop_id=1, card=CARD, counts=Counts(participants=3, cards={}))
    remove, stats = views().render(event, BoardView(field="hf1", locale="en"))
    assert (remove.event, remove.data) == ("card-gone-7", "")
    assert "<strong>0</strong> cards" in stats.data


def test_api_view_is_json_and_rendering_is_shared() -> None:
    v = views()
    event = PostingChanged(id=15, workshop_id=1, posting_open=False)
    first = v.render(event, ApiView())
    assert first[0].data == '{"id": 15, "type": "posting-changed", "data": {"posting_open": false}}'
    assert v.render(event, ApiView()) is first  # rendered once for every subscriber


def test_bus_delivers_to_subscribers_of_the_workshop_only() -> None:
    async def scenario() -> None:
        bus = LocalBus()
        bus.bind(asyncio.get_running_loop())
        async with bus.subscribe(1) as mine, bus.subscribe(2) as other:
            assert bus.subscriber_count(1) == 1
            event = PostingChanged(id=1, workshop_id=1, posting_open=True)
            await asyncio.to_thread(bus.publish, event)  # services publish from worker threads
            assert await asyncio.wait_for(mine.queue.get(), 1) == event
            assert other.queue.empty()
        assert bus.subscriber_count(1) == 0

    run(scenario)


def test_a_board_too_far_behind_is_dropped_to_catch_up_from_the_table() -> None:
    async def scenario() -> None:
        bus = LocalBus()
        bus.bind(asyncio.get_running_loop())
        async with bus.subscribe(1) as slow:
            for n in range(QUEUE_LIMIT + 1):
                bus.publish(PostingChanged(id=n + 1, workshop_id=1, posting_open=True))
            await asyncio.sleep(0.05)
            assert slow.overflowed
            assert slow.queue.qsize() == QUEUE_LIMIT

    run(scenario)
