"""Cleaning of user text: every string a person types passes through here before it is stored."""

import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# C0/C1 control characters except newline and tab, plus zero-width and bidi overrides that
# let a text disguise itself on the projector.
# Lone UTF-16 surrogates (only JSON can carry them) cannot be stored or sent as UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
                      r"\ud800-\udfff]")
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


def counted(number: int, one: str, many: str) -> str:
    """"1 Karte", "3 Karten": German text that the documentation writes without Babel."""
    return f"{number} {one if number == 1 else many}"


def join_sentence(stem: str, completion: str) -> str:
    """A guiding sentence from its stem ("…, dass …") and completion: "…, dass die Region …"."""
    return f"{stem.rstrip(_ELLIPSIS)} {completion.lstrip(_ELLIPSIS)}".strip()


MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL stores 32 bits
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_number(value: object, *, maximum: int = MAX_ID) -> int | None:
    """A whole number a person sent (an id, a place, a count): ASCII digits only – "²" and
    "٣" are digits to str.isdigit() but not to int() – and no larger than `maximum`."""
    text = str(value).strip() if value is not None else ""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= maximum else None


def clean_strings(value: Any) -> Any:
    """Every text in parsed input (a workshop file, a survey form), cleaned as above."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_strings(item) for key, item in value.items()}
    return value


LOCAL_TIME = ZoneInfo("Europe/Berlin")


def clock(value: str | datetime | None) -> str:
    """"14:35" in German local time, for times shown in the room."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(LOCAL_TIME).strftime("%H:%M")


def clock_date(value: datetime, zone: str | None = None) -> str:
    """"22.11.2026, 14:35" in German local time (or in the time zone named)."""
    return value.astimezone(ZoneInfo(zone) if zone else LOCAL_TIME).strftime("%d.%m.%Y, %H:%M")
