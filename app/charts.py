"""Charts of survey results, drawn with matplotlib (SVG for screens and PDF, PNG for Word).

Large type and high contrast so that they read from the back of a room; the numbers are in the
chart as text too (counts and percentages), not only as bar lengths.

matplotlib loads with the first chart, not with this module (0.4 s of start-up that the CLI,
the server and the formats without charts do not pay), and without pyplot: a figure of its own
per chart, no global figure registry to close, the style in a context instead of global state.
"""

import io
import textwrap
from typing import TYPE_CHECKING, Any

from app.surveys import QuestionResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

BAR = "#0b5cad"
INK = "#1b1f24"
# Labels are people's text: "$x^$" is a price or a typo, never math to typeset (parse_math).
STYLE: "dict[RcKeyType, Any]" = {
    "font.size": 14, "font.family": "DejaVu Sans", "svg.fonttype": "none",
    "text.parse_math": False, "text.usetex": False, "axes.edgecolor": INK,
    "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
    "svg.hashsalt": "zukunftskonferenz"}


def _subplots(width: float, height: float) -> tuple["Figure", "Axes"]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots()


def _wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def figure(result: QuestionResult) -> "Figure | None":
    """The chart for one result; None for free text and for suppressed small numbers."""
    if result.suppressed or result.kind == "text":
        return None
    if result.kind in ("single", "multiple"):
        labels = [_wrap(o) for o in result.options]
        values: list[float] = [float(c) for c in result.counts]
        notes = [f"{c} ({p:.0f} %)" for c, p in zip(result.counts, result.percents, strict=True)]
        return _bars(labels, values, notes, "Anzahl")
    if result.kind == "ranking":
        return _ranking([_wrap(o) for o in result.options], result.average_ranks)
    if result.kind == "rating":
        fig, ax = _subplots(9, 4.5)
        keys = list(result.distribution)
        counts = [result.distribution[k] for k in keys]
        bars = ax.bar([str(k) for k in keys], counts, color=BAR)
        ax.bar_label(bars, labels=[str(c) for c in counts], padding=3)
        if result.mean is not None and keys:
            position = (result.mean - keys[0])  # bar index space
            summary = f"Mittelwert {result.mean:.2f} · Median {result.median:g}"
            ax.axvline(position, color="#a4161a", linewidth=2.5,
                       label=summary.replace(".", ","))
            ax.legend(loc="upper left", frameon=False)
        ends = f"{keys[0]} = {result.label_min}, {keys[-1]} = {result.label_max}" if (
            result.label_min or result.label_max) else ""
        ax.set_xlabel(ends)
        ax.set_ylabel("Anzahl")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(0, max([*counts, 1]) * 1.2)
        return fig
    fig, ax = _subplots(9, 3.5)
    ax.text(0.5, 0.5, f"Mittelwert {result.mean}  ·  Median {result.median}".replace(".", ","),
            ha="center", va="center", fontsize=22)
    ax.axis("off")
    return fig


def _bars(labels: list[str], values: list[float], notes: list[str], axis: str) -> "Figure":
    height = max(3.0, 0.75 * len(labels) + 1.2)
    fig, ax = _subplots(10, height)
    bars = ax.barh(labels[::-1], values[::-1], color=BAR)
    ax.bar_label(bars, labels=notes[::-1], padding=4)
    ax.set_xlabel(axis)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([*values, 1]) * 1.3)
    return fig


def _ranking(labels: list[str], ranks: list[float]) -> "Figure":
    """Average places on an axis of places: 1 at the right, so the best place has the longest
    bar, and each bar ends at its average place ("Ø Platz 1,8" ends between the ticks 1 and 2).
    The bars grow from half a place behind the last one, so that a last place still shows."""
    places = len(labels)
    height = max(3.0, 0.75 * places + 1.2)
    fig, ax = _subplots(10, height)
    base = places + 0.5
    rows = range(places)
    ax.barh(rows, [r - base for r in ranks[::-1]], left=base, color=BAR)
    ax.set_yticks(rows, labels[::-1])
    for row, rank in zip(rows, ranks[::-1], strict=True):  # beyond the bar's end, on screen
        ax.annotate(f"Ø Platz {rank:.1f}".replace(".", ","), (rank, row), xytext=(4, 0),
                    textcoords="offset points", ha="left", va="center")
    ax.set_xticks(range(1, places + 1), [str(p) for p in range(1, places + 1)])
    # Inverted: from the base on the left to the first place on the right, plus room for the
    # labels beyond the longest possible bar.
    ax.set_xlim(base, 1 - 0.3 * (base - 1))
    ax.set_xlabel("Ø Platz (1 = am wichtigsten)")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _draw(result: QuestionResult, fmt: str, **options: Any) -> bytes | str | None:
    import matplotlib

    with matplotlib.rc_context(STYLE):  # read when the text is made and when it is saved
        fig = figure(result)
        if fig is None:
            return None
        out: io.BytesIO | io.StringIO = io.StringIO() if fmt == "svg" else io.BytesIO()
        fig.savefig(out, format=fmt, **options)
    return out.getvalue()


def svg(result: QuestionResult) -> str | None:
    drawn = _draw(result, "svg", metadata={"Date": None})
    assert drawn is None or isinstance(drawn, str)
    return drawn


def png(result: QuestionResult, dpi: int = 150) -> bytes | None:
    drawn = _draw(result, "png", dpi=dpi)
    assert drawn is None or isinstance(drawn, bytes)
    return drawn
