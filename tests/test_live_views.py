"""The bus and the views that turn events into SSE messages (without a server)."""

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from typing import Any

import pytest

from app.db import Database
from app.live.events import (
    CardDeleted,
    CardEdited,
    CardPosted,
    CardSnapshot,
    Counts,
    PostingChanged,
)
from app.live.render import Views
from app.live.stream import QUEUE_LIMIT, LocalBus, stream
from app.live.views import ApiView, BoardView, StatementView
from app.web.templating import Templates

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
            assert await asyncio.wait_for(mine.queue.get(), 1) == (event, None)
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


def test_a_stream_is_not_woken_for_what_it_would_not_send() -> None:
    async def scenario() -> None:
        bus = LocalBus()
        bus.bind(asyncio.get_running_loop())
        v, board = views(), BoardView(field="hf2", locale="de")
        async with bus.subscribe(1, board, lambda event: v.chunk(event, board)) as hf2:
            bus.publish(CardPosted(id=1, workshop_id=1, card=CARD, counts=COUNTS))  # hf1
            bus.publish(PostingChanged(id=2, workshop_id=1, posting_open=False))
            await asyncio.sleep(0.05)
            assert [event.id for event, _ in queued_events(hf2.queue)] == [2]

    run(scenario)


def test_subscribers_of_one_view_share_one_rendering_and_phones_skip_cards_unrendered(
) -> None:
    """200 phones of a field are one view: a card is rendered once for all of them. A phone
    whose group panel is closed (part "status") is not even asked about a card."""
    async def scenario() -> None:
        bus = LocalBus()
        bus.bind(asyncio.get_running_loop())
        asked: list[str] = []

        def render_for(view: BoardView) -> Any:
            def render(event: Any) -> bytes:
                asked.append(view.part)
                return views().chunk(event, view)
            return render

        cards_view = BoardView(field="hf1", locale="de", part="cards")
        status_view = BoardView(field="hf1", locale="de", part="status")
        async with AsyncExitStack() as stack:
            phones = [await stack.enter_async_context(
                bus.subscribe(1, cards_view, render_for(cards_view), cards_view.kinds()))
                for _ in range(200)]
            closed = [await stack.enter_async_context(
                bus.subscribe(1, status_view, render_for(status_view), status_view.kinds()))
                for _ in range(200)]
            bus.publish(CardPosted(id=1, workshop_id=1, card=CARD, counts=COUNTS))
            await asyncio.sleep(0.05)
            assert asked == ["cards"]
            chunks = {id(phone.queue.get_nowait()[1]) for phone in phones}
            assert len(chunks) == 1 and all(phone.queue.empty() for phone in closed)
            bus.publish(PostingChanged(id=2, workshop_id=1, posting_open=False))
            await asyncio.sleep(0.05)
            assert asked == ["cards", "status"]
            assert all(phone.queue.qsize() == 1 for phone in closed)
        assert bus.subscriber_count(1) == 0

    run(scenario)


def queued_events(queue: "asyncio.Queue[Any]") -> list[Any]:
    return [queue.get_nowait() for _ in range(queue.qsize())]


@pytest.mark.sqlite_only
def test_what_queued_up_for_a_stream_goes_out_in_one_write(db: Database) -> None:
    """Under load a stream runs behind; the events waiting for it are sent together, in order."""
    async def scenario() -> None:
        bus = LocalBus()
        bus.bind(asyncio.get_running_loop())
        board = BoardView(field="hf1", locale="de")
        messages = stream(bus=bus, db=db, views=views(), workshop_id=1, after=0, view=board)
        await anext(messages)  # the retry interval; the subscription stands
        for n, field in enumerate(["hf1", "hf2", "hf1"], start=1):
            card = CARD.model_copy(update={"id": 100 + n, "field": field})
            bus.publish(CardPosted(id=n, workshop_id=1, card=card, counts=COUNTS))
        await asyncio.sleep(0.05)
        chunk = await asyncio.wait_for(anext(messages), 5)
        assert isinstance(chunk, bytes)
        text = chunk.decode()
        assert text.count("event: card-new-ideas") == 2 and "card-102" not in text
        assert text.index('id="card-101"') < text.index('id="card-103"')
        assert [line for line in text.splitlines() if line.startswith("id:")] == ["id: 1"] * 2 + [
            "id: 3"] * 2
        await messages.aclose()

    run(scenario)


def test_views_with_nothing_to_send_do_not_push_fragments_out_of_the_cache() -> None:
    v = Views(Templates(), cache_size=2)
    event = CardPosted(id=21, workshop_id=1, card=CARD, counts=COUNTS)
    board = BoardView(field="hf1", locale="de")
    first = v.render(event, board)
    for viewer in range(5):  # each phone's guiding-sentence view: nothing for a card
        assert v.chunk(event, StatementView(field="hf1", locale="de", viewer=f"p{viewer}",
                                            slug="w")) == b""
    assert v.render(event, board) is first


def test_a_failing_delivery_filter_still_delivers_to_everyone() -> None:
    async def scenario() -> None:
        bus = LocalBus()
        bus.bind(asyncio.get_running_loop())

        def broken(event: Any) -> bool:
            raise RuntimeError("template error")

        async with bus.subscribe(1, "broken", broken) as first, bus.subscribe(1) as second:
            bus.publish(PostingChanged(id=3, workshop_id=1, posting_open=True))
            await asyncio.sleep(0.05)
            assert first.queue.qsize() == second.queue.qsize() == 1
            assert first.queue.get_nowait()[1] is None  # its stream renders it and fails alone

    run(scenario)


def test_phones_that_stand_alike_to_a_proposal_share_one_rendering() -> None:
    from app.live.events import GuidingSentence, StatementChanged, StatementProposalSnapshot

    state = GuidingSentence(field="hf1", stem="Mit diesem …", open=True, proposals=[
        StatementProposalSnapshot(id=1, text="alle mitreden", support=2, author="anna",
                                  supporters=["ben", "cem"])])
    event = StatementChanged(id=9, workshop_id=1, field="hf1", change="proposed", state=state)
    shared = views()

    def chunk(viewer: str) -> bytes:
        return shared.chunk(event, StatementView(field="hf1", locale="de", viewer=viewer,
                                                 slug="w"))

    bystanders = [chunk(f"p{n}") for n in range(50)]
    assert all(c is bystanders[0] for c in bystanders)  # one rendering for the whole room
    assert chunk("ben") is chunk("cem") and chunk("ben") is not bystanders[0]
    assert b"Ihr Vorschlag" in chunk("anna") and b"Ihr Vorschlag" not in chunk("ben")
    assert b"Stimme zur" in chunk("ben") and b"Stimme zur" not in bystanders[0]


def test_a_console_gets_each_changed_card_and_never_another_fields(
        session: Any, events: Any) -> None:
    """Posting, hiding, merging and undoing reach a field's console card by card: the card's
    fragment with its actions (hidden ones too), or its id once it left the console."""
    from app import moderation, undo
    from app.access import Facilitator
    from app.live.views import ConsoleView
    from tests.factories import make_card, make_participant, make_workshop

    main = Facilitator(label="Moderation", field_id=None, link_id=None)
    workshop = make_workshop(session)
    author = make_participant(session, workshop)
    a, b = (make_card(session, workshop, author, text=t) for t in ("Kein Arzt", "Ärztemangel"))
    make_card(session, workshop, author, field="hf2", text="Anderes Feld")
    shared = views()
    console = ConsoleView(field="hf1", locale="de", slug=workshop.slug,
                          targets=moderation.move_targets(session=session, workshop=workshop))

    def sent() -> list[tuple[str, str]]:
        found = [(m.event, m.data) for event in events.published
                 for m in shared.render(event, console)]
        events.published.clear()
        return found

    posted = sent()
    assert [kind for kind, _ in posted] == ["console-card", "console-card"]  # not hf2's card
    assert f'id="mod-card-{a.id}"' in posted[0][1] and f'id="card-{a.id}"' in posted[0][1]
    assert "data-arrived" in posted[0][1] and "Anderes Feld" not in posted[1][1]
    moderation.set_hidden(session=session, workshop=workshop, facilitator=main,
                          card_ids=[a.id], hidden=True)
    session.commit()
    [(kind, html)] = sent()
    assert kind == "console-card" and "is-hidden" in html and "Kein Arzt" in html
    assert "data-arrived" not in html
    [merged_id] = moderation.merge(session=session, workshop=workshop, facilitator=main,
                                   card_ids=[a.id, b.id], text="Fehlende Ärzte").created
    session.commit()
    merge = sent()
    assert sorted(data for kind, data in merge if kind == "console-gone") == sorted(
        [str(a.id), str(b.id)])
    [card_html] = [data for kind, data in merge if kind == "console-card"]
    assert f'id="mod-card-{merged_id}"' in card_html and "aus 2 Karten" in card_html
    undo.undo(session=session, workshop=workshop, facilitator=main)
    session.commit()
    back = sent()
    assert ("console-gone", str(merged_id)) in back
    assert sum(1 for kind, _ in back if kind == "console-card") == 2
    # The boards never see the hidden card's text, whatever the consoles got.
    moderation.set_hidden(session=session, workshop=workshop, facilitator=main,
                          card_ids=[a.id], hidden=True)
    session.commit()
    [board_event] = list(events.published)
    board = b"".join(m.encode() for m in shared.render(board_event,
                                                        BoardView(field="hf1", locale="de")))
    assert b"Kein Arzt" not in board
