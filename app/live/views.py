"""Who watches: one frozen value per kind of live view (a field's board in one language, a
console, a phone's guiding sentence, the plenary, a survey, the JSON API). Streams of equal
views share every rendering (app/live/render.py)."""

from dataclasses import dataclass, field

from app.live import public
from app.live.events import (
    BoardChanged,
    CardDeleted,
    CardEdited,
    CardPosted,
    CardSnapshot,
    DomainEvent,
    FieldPostingChanged,
    PhaseChanged,
    PostingChanged,
    StatementChanged,
    SurveyChanged,
    TimerChanged,
)

Kinds = tuple[type[DomainEvent], ...] | None

# A phone's stream while its "Karten der Gruppe" panel is closed: where the room is, not cards.
_STATUS: Kinds = (PostingChanged, FieldPostingChanged, PhaseChanged, TimerChanged, SurveyChanged)
# The panel's own stream once it is opened: the group's cards alone.
_CARDS: Kinds = (CardPosted, CardEdited, CardDeleted, BoardChanged)


class _Watching:
    def kinds(self) -> Kinds:
        """The only kinds of event this view can show (None: any); others skip it unrendered."""
        return None


@dataclass(frozen=True)
class BoardView(_Watching):
    """The board of one field in one language, all rounds or one; phones embed it too (and
    are told there where the workshop went: the plenary, an open survey)."""

    field: str
    locale: str
    round: int | None = None
    slug: str = ""
    # "" the projector's whole board; a phone's page follows the board in two parts:
    # "status" (phase, timer, posting, where to go next) and, while the group's panel is
    # open, "cards". A phone that keeps the panel closed costs a card nothing.
    part: str = ""

    def kinds(self) -> Kinds:
        return {"status": _STATUS, "cards": _CARDS}.get(self.part)

    def shows(self, card: CardSnapshot) -> bool:
        """A field's board shows its own cards and its sub-fields'."""
        return (self.field in (card.field, card.in_group)
                and (self.round is None or card.round == self.round))


@dataclass(frozen=True)
class ConsoleView(_Watching):
    """A field's moderation console: it gets each changed card as its own fragment (the card
    with its actions), inserted, replaced or taken out where it is; nothing reloads."""

    field: str
    locale: str = "de"
    slug: str = ""
    # Where a card can be moved: ("hf2:ideas", "HF 2 – Ideen"), for every field and column.
    targets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StatementView(_Watching):
    """A phone's view of its field's guiding sentence, with that participant's support."""

    field: str
    locale: str
    viewer: str  # the participant's public id
    slug: str

    def kinds(self) -> Kinds:
        return (StatementChanged,)


@dataclass(frozen=True)
class PlenaryView(_Watching):
    """The plenary board in one language; on phones (`phone`) only what is the same for all,
    and where the workshop goes next; `page` is the phone's page ("plenary", "choice")."""

    locale: str
    phone: bool = False
    slug: str = ""
    page: str = "plenary"


@dataclass(frozen=True)
class PlenaryConsoleView(_Watching):
    """The plenary console: told that proposals, themes, dots or remarks changed."""


@dataclass(frozen=True)
class SurveyView(_Watching):
    """A survey's projector page: told when its results changed, it refetches them."""

    survey: int

    def kinds(self) -> Kinds:
        return (SurveyChanged,)

    def changed_by(self, event: DomainEvent) -> bool:
        return isinstance(event, SurveyChanged) and event.survey == self.survey


@dataclass(frozen=True)
class WordsView(_Watching):
    """A field's word cloud on the projector: told when its shown cards changed, it refetches
    the cloud (a card still waiting for approval changes nothing it shows)."""

    field: str

    def kinds(self) -> Kinds:
        return _CARDS

    def changed_by(self, event: DomainEvent) -> bool:
        if isinstance(event, CardPosted | CardEdited | CardDeleted):
            card = event.card
            shown = card.approved or not isinstance(event, CardPosted)
            return shown and self.field in (card.field, card.in_group)
        return isinstance(event, BoardChanged) and any(c.field == self.field
                                                        for c in event.columns)


@dataclass(frozen=True)
class ApiView(_Watching):
    """The workshop's events as JSON, as much of each as the audience may see."""

    audience: public.Audience = field(default_factory=public.Audience)


View = (BoardView | ConsoleView | StatementView | PlenaryView | PlenaryConsoleView | SurveyView
        | WordsView | ApiView)
