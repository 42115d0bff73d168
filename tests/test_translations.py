"""The English catalog covers every German message in the code and the templates."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app.errors import extraction_keywords
from tests.factories import ROOT

KEYWORDS = extraction_keywords()


def test_every_message_has_an_english_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
               "--no-location", "-o", str(pot), "app", "templates"]
    for keyword in KEYWORDS:
        command += ["-k", keyword]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    po = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    assert len(wanted) > 50  # the extraction itself worked
    assert sorted(wanted - translated) == [], "run `make messages` and translate the new entries"


def test_catalog_is_not_fuzzy() -> None:
    """pybabel silently skips a fuzzy catalog: the English interface would fall back to German."""
    po = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    assert not catalog.fuzzy
    assert not [m.id for m in catalog if m.id and m.fuzzy]
