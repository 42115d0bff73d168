"""Export speed: every format of a large and of a seed-sized workshop, each in a fresh process.

Usage: python scripts/bench_export.py [--cards 2000] [--respondents 200] [--photos 10]
       [--runs 1] [--only docx,pdf] [--profile FORMAT]

The large workshop is the Westharz demo with `--cards` cards over its fields, its survey
(single and multiple choice, ranking, rating, free text) answered live by `--respondents`
people, guiding sentences, dots in the plenary and `--photos` JPEG photos of 1600×1200 per
field; the seed-sized one has the seed conference's 141 cards and 30 respondents.

Each export runs as `zukunft export` in a child process of its own (start-up, database check,
report and file, as an organizer runs it), measured from outside: wall time, CPU time (user +
system) and peak memory (the child's maximum resident set size, from wait4). A second child
per format reports where its time went (imports, building the report, writing the file). The
CLI's start (`zukunft --help`, `zukunft export --help`) and two references measured in the
same run (an empty interpreter, importing the web app) put the figures in proportion.
With --profile FORMAT the large workshop's export of FORMAT runs under cProfile instead.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
GOALS = {"docx": 2.0, "xlsx": 2.0, "pdf": 8.0}  # seconds (issue 19); memory: 250 MB each
MEMORY_GOAL_MB = 250
CLI_GOAL_S = 1.0

CATEGORIES = ("strengths", "weaknesses", "potentials", "ideas")
WORDS = ("Dorfladen", "Mehrgenerationenhaus", "Radweg", "Breitbandausbau", "Bürgerbus",
         "Leerstand", "Ehrenamt", "Jugendtreff", "Carsharing", "Nahversorgung", "Tourismus",
         "Kita-Plätze", "Hausarztpraxis", "Wanderwege", "Vereinsleben", "Solardach")


def card_text(rng: random.Random, n: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 9)))
    return f"{words} – Gedanke {n} aus der Arbeitsgruppe"


def photo(rng: random.Random, width: int = 1600, height: int = 1200) -> bytes:
    """A pinboard-like JPEG: paper cards with lines of 'writing' on a textured board."""
    from PIL import Image, ImageDraw, ImageFilter

    board = Image.effect_noise((width, height), 40).convert("RGB")
    board = Image.blend(board, Image.new("RGB", (width, height), (176, 148, 112)), 0.6)
    draw = ImageDraw.Draw(board)
    for _ in range(40):
        x, y = rng.randrange(0, width - 260), rng.randrange(0, height - 160)
        colour = rng.choice([(250, 245, 200), (200, 230, 250), (250, 210, 210), (255, 255, 255)])
        draw.rectangle((x, y, x + 250, y + 150), fill=colour)
        for line in range(4):
            draw.line((x + 15, y + 30 + 30 * line, x + rng.randint(120, 235), y + 30 + 30 * line),
                      fill=(30, 30, 90), width=5)
    out = io.BytesIO()
    board.filter(ImageFilter.GaussianBlur(1)).save(out, "JPEG", quality=85)
    return out.getvalue()


def build_workshop(url: str, *, cards: int, respondents: int, photos: int) -> str:
    """The workshop in a new database; returns its slug."""
    from sqlmodel import select

    from app import db as database
    from app import phases, plenary, statements, surveys, weighting
    from app.access import MAIN
    from app.cards import post_card
    from app.errors import DomainError
    from app.models import Field, Photo
    from app.participants import join
    from tests.factories import make_workshop

    rng = random.Random(19)
    database.upgrade(url)
    db = database.Database(url)
    with db.transaction() as session:
        workshop = make_workshop(session, westharz=True)
        people = [join(session=session, workshop=workshop)
                  for _ in range(max(respondents, 20))]
        fields = [f for f in session.exec(select(Field).where(Field.workshop_id == workshop.id))]
        top = [f for f in fields if f.parent_id is None]
        for n in range(cards):
            post_card(session=session, workshop=workshop, participant=people[n % len(people)],
                      field=top[n % len(top)].key, category=CATEGORIES[n // len(top) % 4],
                      text=card_text(rng, n))
        for field in top:
            statements.adopt(session=session, workshop=workshop, facilitator=MAIN, field=field,
                             text="die Region lebenswert bleibt und junge Menschen bleiben.")
        [survey] = surveys.surveys_of(session=session, workshop=workshop)
        surveys.set_status(session=session, workshop=workshop, facilitator=MAIN, survey=survey,
                           status="open")
        questions = surveys.questions_of(session=session, survey=survey)
        for person in people[:respondents]:
            surveys.answer(session=session, workshop=workshop, participant=person,
                           survey=survey, values={q.id or 0: answer(rng, q) for q in questions})
        phases.set_phase(session=session, workshop=workshop, facilitator=MAIN, phase="plenary")
        themes = [t.id for c in plenary.columns(session=session, workshop=workshop)
                  for t in c.themes]
        for person in people[:20]:
            for _ in range(3):
                with suppress(DomainError):  # a used-up allowance, a full theme: as in the room
                    weighting.place_dot(session=session, workshop=workshop, participant=person,
                                        theme_id=rng.choice(themes))
        for n in range(photos):
            content = photo(rng)
            session.add(Photo(workshop_id=workshop.id or 0, field_id=top[n % len(top)].id,
                              kind="photo", caption=f"Pinnwand {n + 1}", content=content,
                              media_type="image/jpeg", width=1600, height=1200, position=n))
        slug = workshop.slug
    db.dispose()
    return slug


def answer(rng: random.Random, question: Any) -> Any:
    kind, options = question.kind, question.options
    if kind == "single":
        return rng.randrange(len(options))
    if kind == "multiple":
        return rng.sample(range(len(options)), rng.randint(1, 2))
    if kind == "ranking":
        order = list(range(len(options)))
        rng.shuffle(order)
        return order
    if kind == "rating":
        return rng.randint(question.scale_min, question.scale_max)
    return rng.choice(["Goslar", "Langelsheim", "Liebenburg", "Seesen", "Lutter am Barenberge"])


def measure(command: list[str]) -> dict[str, Any]:
    """Wall and CPU seconds and peak memory (MB) of one child process, and what it printed."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)  # this child's own usage, not the sum
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode()[-2000:]}")
        return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                "rss": usage.ru_maxrss / 1024, "out": out.read().decode()}


def best(command: list[str], runs: int) -> dict[str, Any]:
    """The median run by wall time (peak memory of that run)."""
    results = sorted((measure(command) for _ in range(runs)), key=lambda r: r["wall"])
    return results[len(results) // 2]


def breakdown(url: str, slug: str, fmt: str) -> None:
    """In a child: where one export's time goes (printed as JSON)."""
    started = time.perf_counter()
    from app import db as database
    from app.report import build_report
    from app.report.writers import write
    from app.workshops import get_workshop

    imported = time.perf_counter()
    db = database.Database(url)
    with db.session() as session:
        report = build_report(session=session, workshop=get_workshop(session=session, slug=slug))
        built = time.perf_counter()
        data = write(report, fmt)
        written = time.perf_counter()
        # Again, as a running server exports (the browser's way): everything imported, the
        # charts' library loaded by the first export.
        write(build_report(session=session, workshop=get_workshop(session=session, slug=slug)),
              fmt)
        warm = time.perf_counter() - written
    db.dispose()
    print(json.dumps({"import": imported - started, "build": built - imported,
                      "write": written - built, "warm": warm, "bytes": len(data),
                      "modules": sorted(m for m in ("matplotlib", "weasyprint", "docx",
                                                    "openpyxl", "PIL") if m in sys.modules)}))


def profile(url: str, slug: str, fmt: str) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(breakdown, url, slug, fmt)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


def line(name: str, figure: dict[str, Any], goal: float | None = None,
         extra: str = "") -> str:
    marks = []
    if goal is not None:
        marks.append(f"goal {goal:.0f} s: {'met' if figure['wall'] < goal else 'NOT met'}")
    if figure["rss"] >= MEMORY_GOAL_MB:
        marks.append(f"memory over {MEMORY_GOAL_MB} MB")
    return (f"| {name} | {figure['wall']:.2f} s | {figure['cpu']:.2f} s | {figure['rss']:.0f} MB "
            f"| {extra} | {'; '.join(marks)} |")


def bench_workshop(label: str, url: str, slug: str, formats: list[str], runs: int,
                   tmp: Path) -> None:
    print(f"\n{label}\n")
    print("| format | wall | CPU | peak memory | in the process: import / report / file, size "
          "| in a running server | goal |")
    print("|---|---|---|---|---|---|---|")
    for fmt in formats:
        target = tmp / f"out.{fmt}"
        figure = best([str(BIN / "zukunft"), "export", slug, "--format", fmt, "--output",
                       str(target), "--database-url", url], runs)
        parts = json.loads(measure([sys.executable, __file__, "--child", url, slug, fmt])["out"])
        extra = (f"{parts['import']:.2f} / {parts['build']:.2f} / {parts['write']:.2f} s, "
                 f"{parts['bytes'] / 1024:,.0f} KB; loads {', '.join(parts['modules']) or '–'}")
        print(line(fmt, figure, GOALS.get(fmt), f"{extra} | {parts['warm']:.2f} s"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1, help="runs per figure (the median)")
    parser.add_argument("--only", default="", help="formats, comma-separated (default: all)")
    parser.add_argument("--profile", default="", metavar="FORMAT")
    parser.add_argument("--child", nargs=3, metavar=("URL", "SLUG", "FORMAT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=4, metavar=("URL", "CARDS", "RESPONDENTS", "PHOTOS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        breakdown(*args.child)
        return
    if args.build:
        url, cards, respondents, photos = args.build
        print(build_workshop(url, cards=int(cards), respondents=int(respondents),
                             photos=int(photos)))
        return
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp_name:
            url = f"sqlite:///{Path(tmp_name) / 'large.sqlite3'}"
            slug = build_workshop(url, cards=args.cards, respondents=args.respondents,
                                  photos=args.photos)
            profile(url, slug, args.profile)
        return
    # This process imports nothing of the app: a child's peak memory counts the memory of the
    # process it was forked from (Linux keeps the larger of before and after exec).
    formats = measure([sys.executable, "-c", "from app.report.writers import FORMATS; "
                       "print(' '.join(FORMATS))"])["out"].split()
    formats = [f for f in formats if not args.only or f in args.only.split(",")]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        large_url = f"sqlite:///{tmp / 'large.sqlite3'}"
        started = time.perf_counter()
        large = measure([sys.executable, __file__, "--build", large_url, str(args.cards),
                         str(args.respondents), str(args.photos)])["out"].strip()
        print(f"Built the large workshop in {time.perf_counter() - started:.1f} s.")
        seed_url = f"sqlite:///{tmp / 'seed.sqlite3'}"
        seed = measure([sys.executable, __file__, "--build", seed_url, "141", "30", "0"]
                       )["out"].strip()
        print("\nReferences and the CLI's start (median of 5)\n")
        print("| command | wall | CPU | peak memory | | goal |")
        print("|---|---|---|---|---|---|")
        for name, command, goal in (
                ("python -c pass", [sys.executable, "-c", "pass"], None),
                ("python -c 'import app.main' (the web app)",
                 [sys.executable, "-c", "import app.main"], None),
                # What every export pays before its first line: the CLI and the report's models
                # (SQLAlchemy, SQLModel, pydantic), and what a format with charts adds.
                ("python -c 'import typer, app.db, app.report' (start-up floor of an export)",
                 [sys.executable, "-c", "import typer, app.db, app.report"], None),
                ("python -c 'import matplotlib.figure, …backend_agg' (charts' library)",
                 [sys.executable, "-c", "import matplotlib.figure, "
                  "matplotlib.backends.backend_agg"], None),
                ("zukunft --help", [str(BIN / "zukunft"), "--help"], CLI_GOAL_S),
                ("zukunft export --help", [str(BIN / "zukunft"), "export", "--help"],
                 CLI_GOAL_S)):
            print(line(name, best(command, 5), goal), flush=True)
        bench_workshop(f"Large workshop: {args.cards} cards, {args.respondents} respondents, "
                       f"{args.photos} photos (`zukunft export`, median of {args.runs})",
                       large_url, large, formats, args.runs, tmp)
        bench_workshop("Seed-sized workshop: 141 cards, 30 respondents", seed_url, seed,
                       formats, args.runs, tmp)
    print(f"\nGoals: DOCX and XLSX under 2 s, PDF under 8 s (the whole command), under "
          f"{MEMORY_GOAL_MB} MB each; the CLI starts in under {CLI_GOAL_S:.0f} s. "
          f"{os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
