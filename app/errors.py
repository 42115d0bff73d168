"""Domain errors: services raise them, routes turn them into a status and a message.

Messages are German msgids with `{name}` placeholders; they are translated when shown, so the
services never need to know the reader's language.
"""

from collections.abc import Callable
from typing import Any


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogs; it is translated where it is shown."""
    return message


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
