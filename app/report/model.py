"""The Report value: everything the documentation shows, no database objects."""

import base64
import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from app.surveys import QuestionResult

if TYPE_CHECKING:
    from app.word_cloud import Word


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReportOptions(_Frozen):
    plenary: bool = True
    working: bool = True
    surveys: bool = True
    appendix: bool = True
    authors: bool = False  # display names of card authors (off: anonymous)
    rounds: bool = False  # "(R1)"/"(R2)" after each card, when there were rounds (off: the seed)
    charts: bool = False  # JSON: charts, photos and logos embedded as base64 (off: by reference)


class ReportCard(_Frozen):
    text: str
    weight: int = 1  # merged cards: how many said it
    round: int = 1
    author: str = ""


class ReportColumn(_Frozen):
    key: str
    label: str
    cards: list[ReportCard]


class ReportField(_Frozen):
    key: str
    number: str
    title: str
    topics: str
    subfield_of: str = ""
    columns: list[ReportColumn]
    stem: str
    statement: str | None = None  # the adopted completion
    sentence: str | None = None  # stem plus completion, as it reads

    @property
    def card_count(self) -> int:
        return sum(len(column.cards) for column in self.columns)

    @cached_property
    def words(self) -> list["Word"]:
        """The field's word cloud: its most used words, by the cards' weight."""
        from app.word_cloud import cloud

        return cloud((card.text, card.weight) for column in self.columns
                     for card in column.cards)

    @property
    def words_text(self) -> str:
        """The cloud's text alternative, in every format: "Leerstand 5, Radwege 3"."""
        from app.word_cloud import alternative

        return alternative(self.words)

    @cached_property
    def words_png(self) -> bytes | None:
        """The cloud as an image, drawn when a format first shows it (HTML, PDF, Word)."""
        from app.word_cloud import png

        return png(self.words)

    @property
    def words_data_uri(self) -> str:
        png = self.words_png
        return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else ""


class ReportTheme(_Frozen):
    text: str
    kind: str  # mandatory, lag, conference
    dots: int = 0
    subfield: str = ""


class ReportPlenaryColumn(_Frozen):
    number: str
    title: str
    themes: list[ReportTheme]


class ReportChart(_Frozen):
    """A survey result's chart, drawn when a format first asks for it and then kept: CSV, XLSX,
    Markdown and JSON (unless its charts are embedded) never draw, Word draws the PNG once,
    HTML and PDF the SVG once."""

    result: QuestionResult

    @cached_property
    def svg(self) -> str | None:
        from app import charts  # matplotlib loads only when a chart is drawn

        return charts.svg(self.result)

    @cached_property
    def png(self) -> bytes | None:
        from app import charts

        return charts.png(self.result)

    @property
    def alt(self) -> str:
        """The chart's values in words, for screen readers (Word's alternative text)."""
        r = self.result
        if r.kind in ("single", "multiple"):
            return "; ".join(f"{o}: {c} ({p} %)" for o, c, p in zip(r.options, r.counts,
                                                                   r.percents, strict=False))
        if r.kind == "ranking":
            return "; ".join(f"{o}: Ø Rang {a}" for o, a in zip(r.options, r.average_ranks,
                                                                 strict=False))
        return f"{r.text}: Mittelwert {r.mean}, Median {r.median}"


class ReportSurveySource(_Frozen):
    label: str  # "" for live answers
    respondents: int
    charts: list[ReportChart]
    combined: list[str] = []  # all sources together: their labels ("Live", imports)

    @property
    def source_name(self) -> str:
        """The source in a table's column: "Live", the import's label, or "Zusammen (…)"."""
        if self.combined:
            return f"Zusammen ({', '.join(self.combined)})"
        return self.label or "Live"

    @property
    def title(self) -> str:
        """How the documentation heads this source's results (German, as the DOCX)."""
        if self.combined:
            return "Zusammen: " + ", ".join(self.combined)
        return f"Vorab erhoben: {self.label}" if self.label else "Live in der Zukunftskonferenz"


class ReportSurvey(_Frozen):
    title: str
    sources: list[ReportSurveySource]


class ReportStats(_Frozen):
    participants: int
    cards: int
    per_field: dict[str, dict[str, int]]  # field number → category label → cards
    per_round: dict[int, int]
    per_field_round: dict[str, dict[int, int]] = {}  # field number → round → cards


class ReportAgendaItem(_Frozen):
    time: str = ""  # "10:00" or "10:00–11:30"
    title: str
    text: str = ""


class ReportParticipation(_Frozen):
    """Who took part: counted in the room by the organizer (also those without a phone) beside
    what the app counted itself. Empty counts: nothing was entered."""

    counted: int | None = None  # people in the room
    by_group: dict[str, int] = {}  # stakeholder group → people
    by_age: dict[str, int] = {}  # age group → people
    by_municipality: dict[str, int] = {}  # municipality → people
    by_field: dict[str, int] = {}  # field number → people in its working group
    note: str = ""
    phones: int = 0  # phones that joined
    phone_groups: dict[str, int] = {}  # stakeholder group said on the phone → phones
    proposals: int = 0  # guiding-sentence proposals made on phones
    supports: int = 0  # supports given to guiding-sentence proposals
    supporters: int = 0  # people who supported a proposal
    dots: int = 0  # importance dots placed in the plenary
    dot_givers: int = 0  # people who placed at least one dot

    @property
    def people(self) -> int:
        """Who took part: counted in the room if that was entered, else the phones."""
        return self.counted if self.counted is not None else self.phones

    @property
    def entered(self) -> bool:
        return self.counted is not None or any(
            (self.by_group, self.by_age, self.by_municipality, self.by_field))


class ReportImage(_Frozen):
    """A photo (of a field's flipchart or pinboard, or of the whole workshop) or a cover logo,
    already re-encoded and scaled when it was uploaded."""

    content: bytes
    media_type: str  # image/jpeg, image/png
    width: int
    height: int
    caption: str = ""
    field_key: str = ""  # "": the whole workshop (or a logo)

    @property
    def data_uri(self) -> str:
        """The image inline, for the HTML export that stays one self-contained file."""
        import base64

        return f"data:{self.media_type};base64,{base64.b64encode(self.content).decode()}"


class Report(_Frozen):
    title: str
    publisher: str = ""  # the workshop's organizer (Verantwortliche Stelle)
    region: str
    region_name: str
    date: dt.date | None
    place: str
    leitbild: str
    goals: list[str]
    questions: list[str]
    plenary: list[ReportPlenaryColumn]
    remarks: list[str]
    fields: list[ReportField]
    categories: list[str]
    rounds_used: bool
    surveys: list[ReportSurvey]
    stats: ReportStats
    options: ReportOptions
    exported_at: dt.datetime
    version: str
    timezone: str = "Europe/Berlin"  # the workshop's: every time in the document is local
    method: str = ""  # how the workshop worked (the organizer's text, or generated)
    agenda: list[ReportAgendaItem] = []
    participation: ReportParticipation = ReportParticipation()
    privacy: list[str] = []  # the data-protection note's paragraphs
    photos: list[ReportImage] = []
    logos: list[ReportImage] = []

    def photos_of(self, field_key: str) -> list[ReportImage]:
        return [p for p in self.photos if p.field_key == field_key]
