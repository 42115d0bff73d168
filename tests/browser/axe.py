"""axe-core in the browser tests: every rule of WCAG 2.0/2.1 A and AA and WCAG 2.2 AA.

The script is evaluated through the DevTools protocol, as a browser extension would run it: the
page's Content-Security-Policy (no inline script, no eval) stays as it is for the page itself.
"""

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async tags => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " – " +
                                   (n.failureSummary || "").split("\\n").slice(1, 3).join(" "))}));
}"""


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (after the page has loaded)."""
    page.wait_for_load_state()
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    found: list[dict[str, Any]] = page.evaluate(_RUN, TAGS)
    return found


class Audit:
    """Violations collected over many page states; `assert_clean` names every one of them."""

    def __init__(self) -> None:
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.states = 0

    def check(self, page: Page, state: str) -> None:
        self.states += 1
        found = violations(page)
        if found:
            self.found[f"{state} ({page.viewport_size})"] = found

    def total(self) -> int:
        return sum(v["count"] for found in self.found.values() for v in found)

    def assert_clean(self) -> None:
        assert not self.found, (f"{self.total()} axe violations in {len(self.found)} of "
                                f"{self.states} page states:\n"
                                + json.dumps(self.found, indent=1, ensure_ascii=False))
