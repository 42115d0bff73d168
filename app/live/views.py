"""Who watches: one frozen value per kind of live view (a field's board in one language, a
console, a phone's guiding sentence, the plenary, a survey, the JSON API). Streams of equal
views share every rendering (app/live/render.py)."""

from dataclasses import dataclass, field

from app.live import public
from app.live.events import (
    CardSnapshot,
)


@dataclass(frozen=True)
class BoardView:
    """The board of one field in one language, all rounds or one; phones embed it too (and
    are told there where the workshop went: the plenary, an open survey)."""

    field: str
    locale: str
    round: int | None = None
    slug: str = ""

    def shows(self, card: CardSnapshot) -> bool:
        """A field's board shows its own cards and its sub-fields'."""
        return (self.field in (card.field, card.in_group)
                and (self.round is None or card.round == self.round))


@dataclass(frozen=True)
class ConsoleView:
    """A field's moderation console: it gets each changed card as its own fragment (the card
    with its actions), inserted, replaced or taken out where it is; nothing reloads."""

    field: str
    locale: str = "de"
    slug: str = ""
    # Where a card can be moved: ("hf2:ideas", "HF 2 – Ideen"), for every field and column.
    targets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StatementView:
    """A phone's view of its field's guiding sentence, with that participant's support."""

    field: str
    locale: str
    viewer: str  # the participant's public id
    slug: str


@dataclass(frozen=True)
class PlenaryView:
    """The plenary board in one language; on phones (`phone`) only what is the same for all,
    and where the workshop goes next; `page` is the phone's page ("plenary", "choice")."""

    locale: str
    phone: bool = False
    slug: str = ""
    page: str = "plenary"


@dataclass(frozen=True)
class PlenaryConsoleView:
    """The plenary console: told that proposals, themes, dots or remarks changed."""


@dataclass(frozen=True)
class SurveyView:
    """A survey's projector page: told when its results changed, it refetches them."""

    survey: int


@dataclass(frozen=True)
class ApiView:
    """The workshop's events as JSON, as much of each as the audience may see."""

    audience: public.Audience = field(default_factory=public.Audience)


View = (BoardView | ConsoleView | StatementView | PlenaryView | PlenaryConsoleView | SurveyView
        | ApiView)
