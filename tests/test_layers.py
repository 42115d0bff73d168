"""The layout shows the layers, and the layers hold: the database layer knows nothing of the
domain, routes run no SQL and roll nothing back, one word per concept."""

import ast
import re
from pathlib import Path

from tests.factories import ROOT

APP = ROOT / "app"
DOMAIN = {p.stem for p in APP.glob("*.py")} - {"__init__", "__main__", "config", "errors"}


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_database_layer_imports_nothing_of_the_domain_or_the_web() -> None:
    for path in (APP / "db").glob("*.py"):
        for name in imports_of(path):
            assert not name.startswith(("app.live", "app.web", "app.routes")), (path, name)
            assert not any(name == f"app.{d}" or name.startswith(f"app.{d}.")
                           for d in DOMAIN - {"models"}), (path, name)


def test_routes_run_no_sql_and_roll_nothing_back() -> None:
    forbidden = re.compile(r"session\.(rollback|exec|get|execute)\(|\bselect\(")
    for path in (APP / "routes").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not forbidden.search(line), f"{path.relative_to(ROOT)}:{number}: {line}"


def test_one_word_for_the_facilitator() -> None:
    for path in [*APP.rglob("*.py"), *(ROOT / "templates").rglob("*.html"),
                 *(ROOT / "static" / "js").glob("*.js")]:
        text = path.read_text()
        assert not re.search(r"\b[Mm]oderator", text), path.relative_to(ROOT)


def test_modules_stay_small() -> None:
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text().splitlines())
        assert lines < 400, f"{path.relative_to(ROOT)}: {lines} lines"
