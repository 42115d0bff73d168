"""Word clouds: words joined by their forms, stop words left out, counted once per card and by
its weight, sized in steps; the live view that tells a cloud to refetch."""

from typing import Any

from app.live.events import BoardChanged, CardPosted, CardSnapshot, ColumnSnapshot, Counts
from app.live.views import WordsView
from app.word_cloud import STEPS, alternative, cloud, png, scattered


def snapshot(**fields: Any) -> CardSnapshot:
    return CardSnapshot(**{"id": 7, "field": "hf1", "category": "ideas", "text": "Bahn",
                           "author": "p1", "created_at": "2026-12-02T10:00:00+00:00", **fields})


def test_word_forms_are_one_word_counted_once_per_card_and_by_weight() -> None:
    words = cloud([("Leerstände beheben", 1), ("Leerstand", 3), ("viel Leerstand, Leerstand!", 1),
                   ("Radwege ausbauen", 2), ("Ausbau der Radwege", 1), ("Dorfladen für alle", 1)])
    counts = {w.text: w.count for w in words}
    assert counts["Leerstand"] == 5  # 1 + 3 (a card merged of three) + 1 (once per card)
    assert counts["Radwege"] == 3 and counts["Ausbau"] == 3  # "ausbauen" and "Ausbau"
    assert not {"der", "für", "alle", "viel"} & {w.text.casefold() for w in words}
    assert words[0].text == "Leerstand" and words[0].step == STEPS
    assert min(w.step for w in words) == 1
    assert alternative(words).startswith("Leerstand 5, Ausbau 3, Radwege 3")


def test_the_most_used_words_only_and_nothing_for_no_words() -> None:
    assert cloud([]) == [] and cloud([("und oder", 1), ("!!!", 2)]) == []
    many = cloud([(f"Wort{n} " * 1 + "Region", 1) for n in range(100)], most=10)
    assert len(many) == 10 and many[0].text == "Region"
    one = cloud([("Bahn", 1)])
    assert one[0].step == STEPS // 2  # all equal: the middle size


def test_order_and_colour_are_the_same_every_time() -> None:
    words = cloud([("Bahn Bus Rad Auto Fähre", 1)])
    assert scattered(words) == scattered(list(reversed(words)))
    assert {w.colour for w in words} <= {"#1e6b34", "#a4161a", "#0b5cad", "#6a3d9a", "#1b1f24"}


def test_the_image_is_a_png_and_none_without_words() -> None:
    image = png(cloud([("Leerstand Radwege Ärztehaus", 1), ("Leerstand", 2)]), 400, 200)
    assert image is not None and image.startswith(b"\x89PNG")
    assert png([]) is None


def test_a_word_cloud_is_told_of_its_fields_shown_cards_only() -> None:
    view = WordsView(field="hf1")
    counts = Counts(participants=1, cards={"hf1": 1})
    posted = CardPosted(id=1, workshop_id=1, card=snapshot(field="hf1"), counts=counts)
    assert view.changed_by(posted)
    pending = CardPosted(id=2, workshop_id=1, card=snapshot(field="hf1", approved=False),
                         counts=counts)
    assert not view.changed_by(pending)
    other = CardPosted(id=3, workshop_id=1, card=snapshot(field="hf2"), counts=counts)
    assert not view.changed_by(other)
    sub = CardPosted(id=4, workshop_id=1, card=snapshot(field="hf1a", group="hf1"),
                     counts=counts)
    assert view.changed_by(sub)
    moderated = BoardChanged(id=5, workshop_id=1, counts=counts,
                             columns=[ColumnSnapshot(field="hf1", category="ideas", cards=[])])
    assert view.changed_by(moderated)
    assert not WordsView(field="hf2").changed_by(moderated)
