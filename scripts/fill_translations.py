"""Fill empty entries of the English catalog from a Python file of translations.

Usage: python scripts/fill_translations.py TABLE.py
TABLE.py defines EN = {msgid: text} and optionally PLURAL = {msgid: (singular, plural)}.
Prints the msgids that are still untranslated.
"""

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "app/translations/en/LC_MESSAGES/messages.po"


def main() -> None:
    table = runpy.run_path(sys.argv[1])
    singular, plural = table.get("EN", {}), table.get("PLURAL", {})
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        empty = (not all(message.string)) if isinstance(message.string, tuple) else (
            not message.string)
        if not (empty or message.fuzzy):
            continue
        if isinstance(message.id, tuple) and key in plural:
            message.string = plural[key]
        elif key in singular:
            message.string = singular[key]
        else:
            missing.append(key)
        message.flags.discard("fuzzy")
    catalog.fuzzy = False  # a fuzzy catalog is silently not compiled
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=100)
    for key in missing:
        print(f"untranslated: {key}")


if __name__ == "__main__":
    main()
