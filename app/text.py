"""Cleaning of user text: every string a person types passes through here before it is stored."""

import re
import unicodedata

# C0/C1 control characters except newline and tab, plus zero-width and bidi overrides that
# let a text disguise itself on the projector.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """Normalize, drop control characters, and trim; HTML stays as text (escaped on output)."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\t", " ")
    value = _CONTROL.sub("", value)
    if not multiline:
        value = " ".join(value.split())
    else:
        value = "\n".join(line.rstrip() for line in value.split("\n"))
        value = _BLANK_LINES.sub("\n\n", value)
    return value.strip()


_ELLIPSIS = " .…"


def join_sentence(stem: str, completion: str) -> str:
    """A guiding sentence from its stem ("…, dass …") and completion: "…, dass die Region …"."""
    return f"{stem.rstrip(_ELLIPSIS)} {completion.lstrip(_ELLIPSIS)}".strip()
