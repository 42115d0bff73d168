"""A phone on a slow rural connection: Chromium's network emulation at Lighthouse's
"Regular 3G" (300 ms round trip, 700 kbit/s each way) against a real server.

Usage: python scripts/bench_3g.py [--runs 5]
Prints, per run and as the median: from opening the scanned QR code of a group's table to the
card form ready to type (the tap on "Teilnehmen" included), and from the tap on "Absenden" to the
phone's "Ihre Karte ist angekommen." Beside them the same on the unthrottled loopback, measured
in the same run. Goals (issue 16): QR → form within 3 s, a post acknowledged within 1.5 s.
"""

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import db as database  # noqa: E402
from tests.browser.conftest import ARGS, CHROMIUM  # noqa: E402
from tests.factories import make_workshop  # noqa: E402
from tests.live import ServerProcess, start_server  # noqa: E402

REGULAR_3G = {"offline": False, "latency": 300,
              "downloadThroughput": 700 * 1024 / 8, "uploadThroughput": 700 * 1024 / 8}
GOAL_FORM_MS, GOAL_POST_MS = 3000, 1500


def one_phone(browser: Browser, server: ServerProcess, code: str, throttled: bool
              ) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="de-DE")
    try:
        page = context.new_page()
        if throttled:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", REGULAR_3G)
        started = time.perf_counter()
        page.goto(f"{server.base_url}/j/{code}/hf1", wait_until="commit")
        page.get_by_role("button", name="Teilnehmen").click()
        page.get_by_label("Ihr Beitrag").wait_for(state="visible")
        page.locator("label.category", has_text="Ideen").wait_for(state="visible")
        to_form = (time.perf_counter() - started) * 1000
        page.locator("label.category", has_text="Ideen").click()
        page.get_by_label("Ihr Beitrag").fill("Ein Bürgerbus für die Dörfer am Harzrand")
        started = time.perf_counter()
        page.get_by_role("button", name="Absenden").click()
        # The answer's message (the page's status line says it, issue 20).
        page.locator(".post-form .message.success", has_text="angekommen").wait_for()
        to_ack = (time.perf_counter() - started) * 1000
        return to_form, to_ack
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack, sync_playwright() as pw:
        server, _ = start_server(stack, Path(tmp), "bench-secret", JOINS_PER_ADDRESS="100000",
                                 CARDS_PER_MINUTE="1000000")
        db = database.Database(server.database_url)
        with db.transaction() as session:
            workshop = make_workshop(session, westharz=True)
        db.dispose()
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            one_phone(browser, server, workshop.join_code, throttled=False)  # warm the server
            figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
            for _ in range(args.runs):
                for throttled in (False, True):
                    figures[throttled].append(
                        one_phone(browser, server, workshop.join_code, throttled))
        finally:
            browser.close()
    print("Phone on Regular 3G (300 ms RTT, 700 kbit/s), fresh browser each run, "
          f"{args.runs} runs; beside it the loopback in the same run")
    for throttled, name in ((False, "loopback"), (True, "Regular 3G")):
        forms = [f for f, _ in figures[throttled]]
        acks = [a for _, a in figures[throttled]]
        print(f"  {name:<11} QR → card form: median {statistics.median(forms):6.0f} ms  "
              f"max {max(forms):6.0f} ms   post → ack: median {statistics.median(acks):6.0f} ms"
              f"  max {max(acks):6.0f} ms")
    forms = [f for f, _ in figures[True]]
    acks = [a for _, a in figures[True]]
    print(f"  goal: QR → form ≤ {GOAL_FORM_MS} ms: "
          f"{'met' if statistics.median(forms) <= GOAL_FORM_MS else 'NOT met'}; "
          f"post → ack ≤ {GOAL_POST_MS} ms: "
          f"{'met' if statistics.median(acks) <= GOAL_POST_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
