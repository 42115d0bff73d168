"""Charts of survey results, drawn with matplotlib (SVG for screens and PDF, PNG for Word).

Large type and high contrast so that they read from the back of a room; the numbers are in the
chart as text too (counts and percentages), not only as bar lengths.
"""

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from app.surveys import QuestionResult

BAR = "#0b5cad"
INK = "#1b1f24"
# Labels are people's text: "$x^$" is a price or a typo, never math to typeset (parse_math).
plt.rcParams.update({"font.size": 14, "font.family": "DejaVu Sans", "svg.fonttype": "none",
                     "text.parse_math": False, "text.usetex": False,
                     "axes.edgecolor": INK, "axes.labelcolor": INK, "xtick.color": INK,
                     "ytick.color": INK, "svg.hashsalt": "zukunftskonferenz"})


def _wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def figure(result: QuestionResult) -> Figure | None:
    """The chart for one result; None for free text and for suppressed small numbers."""
    if result.suppressed or result.kind == "text":
        return None
    if result.kind in ("single", "multiple"):
        labels = [_wrap(o) for o in result.options]
        values: list[float] = [float(c) for c in result.counts]
        notes = [f"{c} ({p:.0f} %)" for c, p in zip(result.counts, result.percents, strict=True)]
        return _bars(labels, values, notes, "Anzahl")
    if result.kind == "ranking":
        labels = [_wrap(o) for o in result.options]
        notes = [f"Ø Platz {r:.1f}".replace(".", ",") for r in result.average_ranks]
        # Higher bars for better (lower) average places, so the first place reads as the biggest.
        top = len(result.options) + 1
        return _bars(labels, [top - r for r in result.average_ranks], notes,
                     "Rang (je länger, desto wichtiger)")
    if result.kind == "rating":
        fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
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
    fig, ax = plt.subplots(figsize=(9, 3.5), layout="constrained")
    ax.text(0.5, 0.5, f"Mittelwert {result.mean}  ·  Median {result.median}".replace(".", ","),
            ha="center", va="center", fontsize=22)
    ax.axis("off")
    return fig


def _bars(labels: list[str], values: list[float], notes: list[str], axis: str) -> Figure:
    height = max(3.0, 0.75 * len(labels) + 1.2)
    fig, ax = plt.subplots(figsize=(10, height), layout="constrained")
    bars = ax.barh(labels[::-1], values[::-1], color=BAR)
    ax.bar_label(bars, labels=notes[::-1], padding=4)
    ax.set_xlabel(axis)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([*values, 1]) * 1.3)
    return fig


def svg(result: QuestionResult) -> str | None:
    fig = figure(result)
    if fig is None:
        return None
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    plt.close(fig)
    return out.getvalue()


def png(result: QuestionResult, dpi: int = 150) -> bytes | None:
    fig = figure(result)
    if fig is None:
        return None
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    plt.close(fig)
    return out.getvalue()
