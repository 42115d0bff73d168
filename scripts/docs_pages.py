"""Render example pages of the Ergebnisdokumentation into docs/ (needs poppler's pdftoppm).

The Westharz demo, filled with the seed's HF 1 cards and the five adopted sentences.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import db as database  # noqa: E402
from app import statements  # noqa: E402
from app.access import MAIN  # noqa: E402
from app.report import build_report  # noqa: E402
from app.report.writers import write_docx, write_pdf  # noqa: E402
from app.workshops import get_field  # noqa: E402
from tests.factories import make_card, make_participant, make_workshop  # noqa: E402
from tests.routes.test_statements import SEED  # noqa: E402
from tests.test_report import SEED_HF1  # noqa: E402


def main() -> None:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'docs.sqlite3'}"
        database.upgrade(url)
        db = database.Database(url)
        with db.transaction() as session:
            workshop = make_workshop(session, westharz=True)
            person = make_participant(session, workshop)
            for category, texts in SEED_HF1.items():
                for text in texts:
                    make_card(session, workshop, person, category=category, text=text)
            for key, completion in SEED.items():
                field = get_field(session=session, workshop=workshop, key=key)
                statements.adopt(session=session, workshop=workshop, facilitator=MAIN,
                                 field=field, text=completion)
            report = build_report(session=session, workshop=workshop)
        db.dispose()
        pdf = Path(tmp) / "doku.pdf"
        pdf.write_bytes(write_pdf(report))
        (docs / "beispiel-ergebnisdokumentation.docx").write_bytes(write_docx(report))
        for page, name in ((2, "pdf-plenum"), (3, "pdf-handlungsfeld")):
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", "-f", str(page),
                            "-l", str(page), str(pdf), str(docs / name)], check=True)
    print(f"written to {docs}")


if __name__ == "__main__":
    main()
