"""Cleaning of user text."""

from app.text import clean_text


def test_control_characters_and_bidi_overrides_are_removed() -> None:
    assert clean_text("a\x00b\x07c\u202ed\u200be") == "abcde"


def test_newlines_are_kept_but_collapsed_and_trimmed() -> None:
    assert clean_text("  eins\r\n\n\n\nzwei  \t ") == "eins\n\nzwei"


def test_single_line_folds_all_whitespace() -> None:
    assert clean_text(" Anna \n Maria\t", multiline=False) == "Anna Maria"


def test_html_stays_text_and_is_normalized() -> None:
    assert clean_text("<b>fett</b>") == "<b>fett</b>"
    assert clean_text("Mu\u0308hle") == "Mühle"
