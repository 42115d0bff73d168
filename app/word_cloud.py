"""Word clouds: the words a field's cards (or a survey's free-text answers) use most.

The words are those of the duplicate suggestions (app/duplicates.py): German stop words left
out, word forms joined by their stem ("Leerstände" and "Leerstand" are one word, shown as it
is written most often). A word counts once per card, times the card's weight (a merged card
"×3" counts three times). The projector draws the cloud as text (sizes in six steps); the
documentation as an image (the `wordcloud` library), always with the words and their counts
as its text alternative.
"""

import hashlib
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from app.duplicates import tokens

MOST = 40  # words in a cloud
STEPS = 6  # font sizes on the projector
# Dark colours of the columns (each at least 4.5:1 on white), one per word by its text.
COLOURS = ("#1e6b34", "#a4161a", "#0b5cad", "#6a3d9a", "#1b1f24")


@dataclass(frozen=True)
class Word:
    text: str
    count: int
    step: int = 1  # 1 (smallest) … STEPS, by count

    @property
    def tone(self) -> int:
        """Its colour, the same for the same word everywhere: an index into COLOURS."""
        digest = hashlib.blake2s(self.text.casefold().encode(), digest_size=2).digest()
        return int.from_bytes(digest, "big") % len(COLOURS)

    @property
    def colour(self) -> str:
        return COLOURS[self.tone]


def scattered(words: list[Word]) -> list[Word]:
    """The words in the order a cloud shows them: big and small mixed, the same every time."""
    return sorted(words, key=lambda w: hashlib.blake2s(w.text.encode(), digest_size=4).digest())


def cloud(texts: Iterable[tuple[str, int]], most: int = MOST) -> list[Word]:
    """The `most` most used words of (text, weight) pairs, most used first (ties: A–Z)."""
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for text, weight in texts:
        seen = set()
        for form, stem in tokens(text):
            written[stem][form] += 1
            if stem not in seen:
                seen.add(stem)
                counts[stem] += max(weight, 1)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:most]
    if not top:
        return []
    low, high = top[-1][1], top[0][1]
    words = []
    for stem, count in top:
        # As written most often; of equally frequent forms the capitalised one (a noun).
        form, _ = max(written[stem].items(),
                      key=lambda f: (f[1], f[0][:1].isupper(), -len(f[0])))
        step = 1 + round((STEPS - 1) * (math.log(count) - math.log(low)) /
                         (math.log(high) - math.log(low))) if high > low else STEPS // 2
        words.append(Word(form, count, step))
    return words


def alternative(words: list[Word]) -> str:
    """The cloud in words, for every format and screen reader: "Leerstand 5, Radwege 3"."""
    return ", ".join(f"{w.text} {w.count}" for w in words)


def png(words: list[Word], width: int = 1200, height: int = 500) -> bytes | None:
    """The cloud as an image for the documentation (None: no words)."""
    if not words:
        return None
    from matplotlib import font_manager
    from PIL import Image
    from wordcloud import WordCloud  # type: ignore[import-untyped]  # loads only when drawn

    colour = {w.text: w.colour for w in words}
    image = WordCloud(
        # Laid out at half the size and drawn at twice it: a quarter of the layout's time.
        width=width // 2, height=height // 2, scale=2, background_color="white", mode="RGB",
        font_path=font_manager.findfont("DejaVu Sans"), prefer_horizontal=1.0,
        random_state=1, max_words=len(words), min_font_size=9, margin=6,
        relative_scaling=0.6, collocations=False,
        color_func=lambda word, **_: colour.get(word, COLOURS[-1]),
    ).generate_from_frequencies({w.text: w.count for w in words}).to_image()
    buffer = io.BytesIO()
    # Five colours and their edges: a palette image is a third the size and quick to write.
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(buffer, format="PNG")
    return buffer.getvalue()
