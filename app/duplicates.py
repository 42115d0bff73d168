"""Duplicate suggestions: groups of a field's cards that say the same thing in other words.

German and offline: each card becomes its content words (stop words left out, Snowball stems,
umlauts and their "ae" spellings joined), compounds are split where both parts are words of
the field ("Ärztehaus" → Arzt + Haus, as in "Haus für Ärzte"), and word forms that differ by
a typo or an ending match loosely (rapidfuzz). Two cards are as similar as the share of their
words (weighted by how rare a word is in the field) that the other card has too; cards in
different columns count a little less alike. Groups are cut from an average-linkage tree
(scipy), so one loose pair does not chain unrelated cards together. A facilitator's dismissal
makes its cards unlike each other for good. Nothing here changes a card.
"""

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]
from rapidfuzz import fuzz
from sqlmodel import Session, select

from app import moderation
from app.access import Facilitator
from app.errors import InvalidInput
from app.live.events import CardSnapshot
from app.models import DuplicateDismissal, Field, Workshop

THRESHOLD = 0.62  # tuned on tests/duplicate_cards.py: see the test's precision and recall
OTHER_COLUMN = 0.85  # a card in another column is this much less alike
LOOSE_RATIO = 86  # rapidfuzz ratio from which two word stems count as one (typos, endings)
LINKERS = ("", "s", "e", "n", "es", "en", "er")  # between the parts of a German compound
MAX_GROUPS = 100
TYPICAL_FIELD = 50  # cards
RARE = 40  # cards: a word on more of them pairs no cards by itself
SAME_WORDS = 40  # cards with the very same words paired with each other, at most

# German function words and fillers; "nicht" and "kein" stay: they turn a strength around.
_STOP_LIST = """
aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim
bereits besser bessere besseren bin bis bitte bzw da dabei dadurch dafür damit dann dar daran
darauf darum das dass dem den denen der deren des dessen die dies diese diesem diesen dieser
dieses doch dort du durch eher ein eine einem einen einer eines einfach er es etc etwa etwas
euch für ganz gar geben gibt gut gute guten guter gutes hat hätte haben hier hin ich ihr ihre im
immer in ins ist ja je jede jedem jeden jeder jedes jetzt kann können könnte man mehr mein meine
mit muss müssen nach noch nur ob oder ohne sehr sein seine sich sie sind so solche soll
sollen sollte sollten sowie sowohl statt um und uns unser unsere unter usw viel viele vielen
vom von vor war wäre waren was weil weiter weitere weiteren wenn wer werden wie wieder wir
wird wo wollen würde würden zu zum zur zwischen
"""
STOP_WORDS = frozenset(_STOP_LIST.split())

_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


@dataclass(frozen=True)
class Candidate:
    """A card as the suggestions see it."""

    id: int
    text: str
    column: str = ""


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("german")


@lru_cache(maxsize=20000)
def _stem(word: str) -> str:
    stem: str = _stemmer().stemWord(word).translate(_FOLD)  # "ß" (the rest: the stemmer)
    # Participles and the female plural join their word: fehlend/fehl, Seniorinnen/Senior.
    for ending in ("end", "inn"):
        if stem.endswith(ending) and len(stem) > len(ending) + 3:
            return stem[: -len(ending)]
    return stem


def tokens(text: str) -> list[tuple[str, str]]:
    """The text's content words, in order: each as written and as its stem (the key that joins
    "Leerstände", "Leerstand" and "leerstand")."""
    result = []
    for written in _WORD.findall(unicodedata.normalize("NFKC", text)):
        w = written.casefold()
        # The stemmer reads "ae" as "ä" itself where it stands for one ("Aerzte", not "neue").
        spelled = w.replace("ae", "ä").replace("oe", "ö").replace("ue", "ü")
        if (len(w) > 1 or w.isdigit()) and w not in STOP_WORDS and spelled not in STOP_WORDS:
            result.append((written, _stem(w)))
    return result


def words(text: str) -> list[str]:
    """The card's content words as stems, in order."""
    return [stem for _, stem in tokens(text)]


def _split(word: str, vocabulary: set[str], depth: int = 2) -> list[str]:
    """A compound as its parts, where each part is a word of the field (longest head first)."""
    if depth == 0 or len(word) < 7:
        return [word]
    for cut in range(len(word) - 3, 2, -1):
        head, rest = word[:cut], word[cut:]
        if head not in vocabulary:
            continue
        for linker in LINKERS:
            tail = rest[len(linker):]
            if rest.startswith(linker) and len(tail) >= 3:
                parts = _split(tail, vocabulary, depth - 1)
                if all(p in vocabulary for p in parts):
                    return [head, *parts]
    return [word]


def _alike(a: str, b: str) -> float:
    """How far two stems are one word: 1 equal, a share for a typo or an ending, else 0."""
    if a == b:
        return 1.0
    short, long = sorted((a, b), key=len)
    if len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 2:
        return len(short) / len(long)
    if len(short) >= 5:
        ratio = fuzz.ratio(a, b)
        if ratio >= LOOSE_RATIO:
            return ratio / 100
    return 0.0


def _bags(cards: Sequence[Candidate]) -> list[Counter[str]]:
    stems = [words(c.text) for c in cards]
    vocabulary = {w for ws in stems for w in ws if len(w) >= 3}
    bags = []
    for ws in stems:
        bag: Counter[str] = Counter()
        for w in ws:
            bag.update(_split(w, vocabulary - {w}))
        bags.append(bag)
    return bags


def similarities(cards: Sequence[Candidate], dismissed: Iterable[Iterable[int]] = ()
                 ) -> dict[tuple[int, int], float]:
    """Every pair of cards (by index) that shares a word, with how alike they are (0–1)."""
    bags = _bags(cards)
    document_frequency: Counter[str] = Counter(w for bag in bags for w in set(bag))
    # How rare a word is; a small field counts as one of typical size, or a word that two of
    # three cards share would weigh next to nothing.
    n = max(len(cards), TYPICAL_FIELD)
    weight = {w: math.log((n + 1) / (df + 1)) + 1 for w, df in document_frequency.items()}
    vocabulary = sorted(document_frequency)
    # Which words count as one: equal, or loosely alike (few pairs, found by first letters).
    alike: dict[str, dict[str, float]] = defaultdict(dict)
    by_start: dict[str, list[str]] = defaultdict(list)
    for w in vocabulary:
        by_start[w[:2]].append(w)
    for group in by_start.values():
        for i, a in enumerate(group):
            alike[a][a] = 1.0
            for b in group[i + 1:]:
                if (score := _alike(a, b)) > 0:
                    alike[a][b] = alike[b][a] = score
    holders: dict[str, list[int]] = defaultdict(list)
    for index, bag in enumerate(bags):
        for w in bag:
            holders[w].append(index)
    never = {frozenset(p) for group in dismissed for p in _pairs(sorted(set(group)))}
    ids = [c.id for c in cards]
    # The pairs worth scoring: those that share a word few cards have. A word on many cards
    # ("Region", "Karte") makes no two cards alike by itself and would make most pairs
    # candidates (2,000 cards: 0.5 s instead of 3.7 s); cards with the very same words are
    # paired apart (the first SAME_WORDS).
    pairs: set[tuple[int, int]] = set()
    for index, bag in enumerate(bags):
        for w in bag:
            for other_word in alike[w]:
                if len(holders[other_word]) <= RARE:
                    pairs.update((index, j) for j in holders[other_word] if j > index)
    same: dict[frozenset[str], list[int]] = defaultdict(list)
    for index, bag in enumerate(bags):
        if bag:
            same[frozenset(bag)].append(index)
    for indexes in same.values():
        pairs.update(_pairs(indexes[:SAME_WORDS]))
    result = {}
    for i, j in pairs:
        if frozenset((ids[i], ids[j])) in never:
            continue
        score = _overlap(bags[i], bags[j], weight, alike)
        if cards[i].column != cards[j].column:
            score *= OTHER_COLUMN
        if score > 0:
            result[(i, j)] = score
    return result


def _overlap(a: Counter[str], b: Counter[str], weight: dict[str, float],
             alike: dict[str, dict[str, float]]) -> float:
    """The weighted share of each card's words that the other one has (a soft Dice)."""
    def covered(x: Counter[str], y: Counter[str]) -> float:
        return sum(weight[w] * max((alike[w].get(v, 0.0) for v in y), default=0.0) for w in x)

    total = sum(weight[w] for w in a) + sum(weight[w] for w in b)
    return (covered(a, b) + covered(b, a)) / total if total else 0.0


def _pairs(items: Sequence[int]) -> Iterable[tuple[int, int]]:
    return ((a, b) for i, a in enumerate(items) for b in items[i + 1:])


def suggest(cards: Sequence[Candidate], dismissed: Iterable[Iterable[int]] = (),
            threshold: float = THRESHOLD) -> list[list[int]]:
    """Groups of card ids that say the same thing, the surest and largest first."""
    if len(cards) < 2:
        return []
    scores = similarities(cards, dismissed)
    linked = {index for pair, score in scores.items() if score >= threshold for index in pair}
    if not linked:
        return []
    # Only cards with a likely twin go into the tree: a few dozen of a field's hundreds.
    members = sorted(linked)
    import numpy
    from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]
    from scipy.spatial.distance import squareform  # type: ignore[import-untyped]

    place = {member: n for n, member in enumerate(members)}
    distances = numpy.ones((len(members), len(members)))
    numpy.fill_diagonal(distances, 0.0)
    for (i, j), score in scores.items():
        if i in place and j in place:
            distances[place[i], place[j]] = distances[place[j], place[i]] = 1.0 - score
    tree = linkage(squareform(distances, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    clusters: dict[int, list[int]] = defaultdict(list)
    for member, label in zip(members, labels, strict=True):
        clusters[int(label)].append(member)
    groups = []
    for indexes in clusters.values():
        if len(indexes) < 2:
            continue
        inner = [scores.get(p, 0.0) for p in _pairs(indexes)]
        groups.append((sum(inner) / len(inner), len(indexes), [cards[i].id for i in indexes]))
    groups.sort(key=lambda g: (-round(g[0], 2), -g[1], g[2][0]))
    return [ids for _, _, ids in groups[:MAX_GROUPS]]


# The console's service: suggestions for a field's cards as the facilitator sees them now.

@dataclass(frozen=True)
class Suggestion:
    cards: tuple[CardSnapshot, ...]

    @property
    def ids(self) -> list[int]:
        return [c.id for c in self.cards]

    @property
    def wording(self) -> str:
        """What the merged card says unless the facilitator words it: the longest."""
        return max((c.text for c in self.cards), key=len)


def suggestions(*, session: Session, workshop: Workshop, field: Field) -> list[Suggestion]:
    """The field's groups of likely duplicates among the cards on its board (shown, approved),
    the surest first; each group's cards start with one of the column most of them are in,
    where a merge puts the merged card."""
    assert field.id is not None
    cards = [c for c in moderation.console_cards(session=session, workshop=workshop, field=field)
             if c.approved and not c.hidden]
    dismissed = tuple(tuple(ids) for ids in session.exec(
        select(DuplicateDismissal.card_ids).where(DuplicateDismissal.workshop_id == workshop.id,
                                                  DuplicateDismissal.field_id == field.id)))
    by_id = {c.id: c for c in cards}
    groups = _suggested(tuple(Candidate(c.id, c.text, c.category) for c in cards), dismissed)
    result = []
    for ids in groups:
        members = [by_id[i] for i in ids]
        columns = Counter(c.category for c in members)
        members.sort(key=lambda c: (-columns[c.category], c.position, c.id))
        result.append(Suggestion(tuple(members)))
    return result


@lru_cache(maxsize=16)
def _suggested(cards: tuple[Candidate, ...], dismissed: tuple[tuple[int, ...], ...]
               ) -> list[list[int]]:
    """Suggestions are asked for after every card and action: unchanged cards, same answer."""
    return suggest(cards, dismissed)


def dismiss(*, session: Session, workshop: Workshop, facilitator: Facilitator, field: Field,
            card_ids: list[int]) -> DuplicateDismissal:
    """These cards are not duplicates of each other: never suggest them together again."""
    ids = sorted(set(card_ids))
    if len(ids) < 2:
        raise InvalidInput("Bitte mindestens zwei Karten nennen.")
    if len(ids) > moderation.MERGE_MAX:
        raise InvalidInput("Höchstens {max} Karten auf einmal.", max=moderation.MERGE_MAX)
    assert field.id is not None and workshop.id is not None
    group = set(moderation.group_ids(session, field))
    for card in moderation.cards_to_act_on(session, workshop, facilitator, ids):
        if card.field_id not in group:
            raise InvalidInput("Nur Karten dieses Handlungsfelds.")
    record = DuplicateDismissal(workshop_id=workshop.id, field_id=field.id, card_ids=ids)
    session.add(record)
    return record
