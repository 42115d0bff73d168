"""The Report value: everything the documentation shows, no database objects."""

import datetime as dt

from pydantic import BaseModel, ConfigDict

from app.surveys import QuestionResult


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReportOptions(_Frozen):
    plenary: bool = True
    working: bool = True
    surveys: bool = True
    appendix: bool = True
    authors: bool = False  # display names of card authors (off: anonymous)
    rounds: bool = False  # "(R1)"/"(R2)" after each card, when there were rounds (off: the seed)


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
    result: QuestionResult
    svg: str | None = None
    png: bytes | None = None

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


class ReportSurvey(_Frozen):
    title: str
    sources: list[ReportSurveySource]


class ReportStats(_Frozen):
    participants: int
    cards: int
    per_field: dict[str, dict[str, int]]  # field number → category label → cards
    per_round: dict[int, int]


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
