"""Domain errors: services raise them, routes turn them into a status and a message.

Messages are German msgids with `{name}` placeholders; they are translated when shown, so the
services never need to know the reader's language.
"""

from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogs; it is translated where it is shown."""
    return message


# Pydantic's checks in plain German, by error type: for a workshop file and for a form or API
# request alike (the messages are msgids; a form's reader gets them in their language).
VALIDATION_MESSAGES = {
    "missing": N_("fehlt"),
    "extra_forbidden": N_("ist unbekannt (Tippfehler?)"),
    "string_too_short": N_("darf nicht leer sein"),
    "string_too_long": N_("ist zu lang (höchstens {max_length} Zeichen)"),
    "string_type": N_("muss ein Text in Anführungszeichen sein"),
    "list_type": N_("muss eine Liste sein"),
    "literal_error": N_("muss einer dieser Werte sein: {expected}"),
    "date_type": N_("muss ein Datum sein, z. B. 2026-05-14"),
    "date_from_datetime_parsing": N_("muss ein Datum sein, z. B. 2026-05-14"),
    "int_type": N_("muss eine ganze Zahl sein"),
    "int_parsing": N_("muss eine ganze Zahl sein"),
    "int_from_float": N_("muss eine ganze Zahl sein"),
    "float_type": N_("muss eine Zahl sein"),
    "float_parsing": N_("muss eine Zahl sein"),
    "bool_parsing": N_("muss ja oder nein sein (true/false)"),
    "bool_type": N_("muss ja oder nein sein (true/false)"),
    "greater_than_equal": N_("muss mindestens {ge} sein"),
    "greater_than": N_("muss größer als {gt} sein"),
    "less_than_equal": N_("darf höchstens {le} sein"),
    "less_than": N_("muss kleiner als {lt} sein"),
    "too_long": N_("hat zu viele Einträge (höchstens {max_length})"),
    "too_short": N_("hat zu wenige Einträge (mindestens {min_length})"),
    "string_pattern_mismatch": N_("hat nicht die erlaubte Form ({hint})"),
    "dict_type": N_("muss ein Objekt sein"),
    "model_type": N_("muss ein Objekt sein"),
    "model_attributes_type": N_("muss ein Objekt sein"),
}


def _same(message: str) -> str:
    return message


def describe_validation(error: Any, *, translate: Callable[[str], str] = _same,
                        hint: str = N_("Buchstaben, Ziffern, - und _")) -> tuple[str, str]:
    """One of pydantic's errors in plain words: where (`fields[2].key`) and what is wrong
    (`ist zu lang (höchstens 40 Zeichen)`), for a workshop file and a request alike.
    `translate` gives the reader's language; `hint` says what a pattern allows."""
    loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    context = {"hint": translate(hint), **(error.get("ctx") or {})}
    try:
        if error.get("type") == "value_error":
            text = translate(str(context["error"]))
        else:
            template = VALIDATION_MESSAGES.get(str(error.get("type")), N_("ist ungültig"))
            text = translate(template).format(**context)
    except (KeyError, IndexError, ValueError):
        text = translate(N_("ist ungültig"))
    return where, text


class DomainError(Exception):
    """A request the rules do not allow."""

    status_code = 400

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.render())

    def render(self, gettext: Callable[[str], str] | None = None) -> str:
        """The message in the reader's language; a parameter that can render itself does."""
        template = gettext(self.message) if gettext else self.message
        values = {name: value.render(gettext) if hasattr(value, "render") else value
                  for name, value in self.params.items()}
        return template.format(**values)


class InvalidInput(DomainError):
    status_code = 422


class NotFound(DomainError):
    status_code = 404


class NotAllowed(DomainError):
    status_code = 403


class NotSignedIn(DomainError):
    status_code = 401


class Conflict(DomainError):
    status_code = 409


class AlreadyDone(Conflict):
    """What was asked for holds already (a resent tap): an API says 409, a phone says nothing."""


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int, **params: object) -> None:
        super().__init__(message, seconds=retry_after, **params)
        self.retry_after = retry_after


class CopyError(DomainError):
    """A database copy or backup that cannot be made."""

    status_code = 400


def extraction_keywords() -> list[str]:
    """The names under which messages are written: the gettext functions, N_ and every
    domain error (all of them live here). `make messages` and the translation test use it."""
    found, todo = [], [DomainError]
    while todo:
        cls = todo.pop()
        found.append(cls.__name__)
        todo.extend(cls.__subclasses__())
    return ["_", "gettext", "N_", *sorted(found)]
