"""Duplicate suggestions: how long a field's suggestions take, and how good they are.

Usage: python scripts/bench_duplicates.py [--cards 500] [--runs 5]

The field holds the test set built from the seed conference's cards
(tests/duplicate_cards.py, 135 cards in 67 groups), filled up to `--cards` with cards made of the
set's words in random order and number (2–6): many shared words, few true duplicates, the
hard case for the pairing. Measured in this process: the first call (with the imports of
scipy and the stemmer, as the first console of a server start pays it), then `--runs` calls
with nothing cached, beside a reference measured in the same run (sorting the cards' texts
a thousand times), and precision and recall on the test set alone.
"""

import argparse
import random
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.duplicate_cards import GROUPS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    from app import duplicates
    imported = time.perf_counter() - started
    seed = [(column, text) for group in GROUPS for column, text in group]
    vocabulary = " ".join(text for _, text in seed).split()
    rng = random.Random(1)
    cards = [duplicates.Candidate(n, text, column) for n, (column, text) in enumerate(seed)]
    while len(cards) < args.cards:
        words = rng.sample(vocabulary, rng.randint(2, 6))
        cards.append(duplicates.Candidate(len(cards), " ".join(words),
                                          rng.choice(("strengths", "weaknesses", "ideas"))))
    started = time.perf_counter()
    groups = duplicates.suggest(cards)
    first = time.perf_counter() - started
    times = []
    for _ in range(args.runs):
        duplicates._stem.cache_clear()
        started = time.perf_counter()
        duplicates.suggest(cards)
        times.append(time.perf_counter() - started)
    texts = [c.text for c in cards]
    started = time.perf_counter()
    for _ in range(1000):
        sorted(texts)
    reference = time.perf_counter() - started

    truth: set[frozenset[int]] = set()
    n = 0
    for group in GROUPS:
        truth.update(frozenset(p) for p in combinations(range(n, n + len(group)), 2))
        n += len(group)
    own = duplicates.suggest(cards[:n])
    suggested = {frozenset(p) for g in own for p in combinations(g, 2)}
    hits = len(suggested & truth)
    print(f"Duplicate suggestions, {len(cards)} cards in one field ({n} of the seed set):")
    print(f"  import of app.duplicates (and the app modules it uses) {imported * 1000:.0f} ms; "
          f"first call {first * 1000:.0f} ms (scipy, stemmer), {len(groups)} groups")
    print(f"  after that: median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms over {args.runs} runs (goal: within 1 s)")
    print(f"  reference in the same run: sorting the {len(cards)} texts 1,000 times "
          f"{reference * 1000:.0f} ms")
    print(f"  quality on the seed set ({len(truth)} duplicate pairs): precision "
          f"{hits / len(suggested):.2f}, recall {hits / len(truth):.2f}")


if __name__ == "__main__":
    main()
