"""A seeded generator of a news corpus with planted text reuse across outlets, and its gold file.

Writes `corpus.jsonl` ({id, outlet, date, text}) and `gold.jsonl` (carriers and pairs); see README, reuse.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

_SYLLABLE_TEXT = (
    "ka ri to ne sa mo lu vi de pa re go ba li tu me no sho ran ter vel mar kon dis pro lat sen fol"
    " gra bel tor ves nik pol dan rus ste fan wel hor kin mal ter ost ub ar en il"
)
SYLLABLES = tuple(_SYLLABLE_TEXT.split())
EDIT_RATES = (0.0, 0.02, 0.05, 0.10)
MIN_QUOTE_WORDS = 12
YEAR_START = datetime(2017, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CorpusSpec:
    articles: int = 20000
    outlets: int = 60
    seed: int = 7
    # Share of articles carrying a planted passage.
    planted: float = 0.25
    # Share of planted clusters that are a short quoted statement rather than a long passage.
    quotes: float = 0.15
    # Share of articles carrying a short shared fragment that must NOT be reported (under 40 words, unquoted).
    fragments: float = 0.02


@dataclass
class _Word:
    token: str
    suffix: str
    origin: int  # index in the original passage, -1 for an inserted word


@dataclass
class _Carrier:
    article: int
    outlet: int
    parent: int | None  # index of the parent carrier in the cluster
    edit: float
    words: list[_Word]
    date: datetime | None
    quoted: bool
    span: tuple[int, int] = (0, 0)
    word_spans: list[tuple[int, int]] = field(default_factory=list)


class _Generator:
    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.rng = np.random.default_rng(spec.seed)
        self.vocab = self._vocabulary(20000)
        ranks = np.arange(len(self.vocab))
        weights = 1.0 / (ranks + 10.0)
        self.cdf = np.cumsum(weights / weights.sum())

    def _vocabulary(self, size: int) -> list[str]:
        words: set[str] = set()
        while len(words) < size:
            parts = self.rng.integers(0, len(SYLLABLES), size=(size, 3))
            lengths = self.rng.integers(1, 4, size=size)
            for row, length in zip(parts, lengths, strict=True):
                words.add("".join(SYLLABLES[i] for i in row[:length]))
        ordered = sorted(words)[:size]
        return [ordered[i] for i in self.rng.permutation(len(ordered))]

    def words(self, count: int) -> list[str]:
        picks = np.searchsorted(self.cdf, self.rng.random(count))
        return [self.vocab[i] for i in np.minimum(picks, len(self.vocab) - 1)]

    def sentences(self, count: int) -> list[_Word]:
        tokens = self.words(count)
        out = []
        left = 0
        for i, token in enumerate(tokens):
            if left == 0:
                left = int(self.rng.integers(8, 25))
                token = token.capitalize()
            left -= 1
            suffix = "." if left == 0 or i == count - 1 else ("," if self.rng.random() < 0.06 else "")
            out.append(_Word(token, suffix, i))
        return out

    def paragraph(self, count: int) -> str:
        """Plain text of `count` words in sentences (no word offsets kept, so cheaper than `sentences`)."""
        tokens = self.words(count)
        ends = np.cumsum(self.rng.integers(8, 25, size=count // 8 + 1))
        for end in ends[ends < count]:
            tokens[end - 1] += "."
            tokens[end] = tokens[end].capitalize()
        tokens[0] = tokens[0].capitalize()
        return " ".join(tokens) + "."


def render(words: list[_Word]) -> tuple[str, list[tuple[int, int]]]:
    """Words joined as text, with the character span of each word's token."""
    parts: list[str] = []
    spans = []
    at = 0
    for i, word in enumerate(words):
        if i:
            parts.append(" ")
            at += 1
        spans.append((at, at + len(word.token)))
        parts.append(word.token + word.suffix)
        at += len(word.token) + len(word.suffix)
    return "".join(parts), spans


def edit(gen: _Generator, words: list[_Word], rate: float) -> list[_Word]:
    """Substitute, delete or insert words, each with probability `rate` per word (half substitutions)."""
    if rate == 0:
        return [_Word(w.token, w.suffix, w.origin) for w in words]
    out: list[_Word] = []
    draws = gen.rng.random(len(words))
    kinds = gen.rng.random(len(words))
    fresh = iter(gen.words(len(words) + 1))
    for word, draw, kind in zip(words, draws, kinds, strict=True):
        if draw >= rate:
            out.append(_Word(word.token, word.suffix, word.origin))
        elif kind < 0.5:
            out.append(_Word(next(fresh), word.suffix, -1))
        elif kind < 0.75:
            continue
        else:
            out.append(_Word(word.token, word.suffix, word.origin))
            out.append(_Word(next(fresh), "", -1))
    return out or words[:1]


class _Outlets:
    """Per-outlet boilerplate (navigation, footer, bios) and cross-outlet legal and wire lines."""

    def __init__(self, gen: _Generator, count: int) -> None:
        self.names = [f"outlet{i:03d}" for i in range(count)]
        self.nav = [" | ".join(w.capitalize() for w in gen.words(10)) for _ in range(count)]
        self.footer = [gen.paragraph(int(gen.rng.integers(40, 70))) for _ in range(count)]
        self.bios = [[gen.paragraph(int(gen.rng.integers(40, 60))) for _ in range(3)] for _ in range(count)]
        self.legal = [gen.paragraph(int(gen.rng.integers(40, 70))) for _ in range(10)]
        self.adopts = gen.rng.random((count, len(self.legal))) < 0.4


@dataclass
class Corpus:
    rows: list[dict[str, object]]
    gold: list[dict[str, object]]


def generate(spec: CorpusSpec) -> Corpus:
    gen = _Generator(spec)
    outlets = _Outlets(gen, spec.outlets)
    n = spec.articles
    outlet_of = gen.rng.integers(0, spec.outlets, size=n)
    seconds = gen.rng.integers(0, 365 * 86400, size=n)
    dates: list[datetime | None] = [YEAR_START + timedelta(seconds=int(s)) for s in seconds]
    extra: dict[int, list[tuple[str, _Carrier | None]]] = {}
    clusters = _plant(gen, spec, outlet_of, dates, extra)
    rows = []
    for i in range(n):
        text = _article_text(gen, outlets, int(outlet_of[i]), extra.get(i, []))
        date = dates[i]
        rows.append(
            {
                "id": f"a{i:07d}",
                "outlet": outlets.names[outlet_of[i]],
                "date": date.isoformat() if date else None,
                "text": text,
            }
        )
    return Corpus(rows, _gold(clusters, rows))


def _plant(
    gen: _Generator,
    spec: CorpusSpec,
    outlet_of: np.ndarray,
    dates: list[datetime | None],
    extra: dict[int, list[tuple[str, _Carrier | None]]],
) -> list[tuple[str, list[_Carrier]]]:
    order = gen.rng.permutation(spec.articles)
    free = iter(order.tolist())
    budget = int(spec.articles * spec.planted)
    clusters: list[tuple[str, list[_Carrier]]] = []
    used = 0
    while used < budget:
        size = min(2 + int(gen.rng.geometric(0.4)) - 1, 12)
        quote = gen.rng.random() < spec.quotes
        carriers = _cluster(gen, size, quote, free, outlet_of, dates)
        if len(carriers) < 2:
            break
        for c in carriers:
            extra.setdefault(c.article, []).append(("passage", c))
        clusters.append(("quote" if quote else "passage", carriers))
        used += len(carriers)
    for _ in range(int(spec.articles * spec.fragments / 2)):
        fragment = gen.sentences(int(gen.rng.integers(12, 30)))
        picks = [next(free, None), next(free, None)]
        for article in picks:
            if article is not None:
                extra.setdefault(article, []).append((render(fragment)[0], None))
    return clusters


def _cluster(
    gen: _Generator,
    size: int,
    quote: bool,
    free: Iterator[int],
    outlet_of: np.ndarray,
    dates: list[datetime | None],
) -> list[_Carrier]:
    length = int(gen.rng.integers(10, 26)) if quote else int(gen.rng.integers(45, 150))
    origin_words = gen.sentences(length)
    carriers: list[_Carrier] = []
    taken: set[int] = set()
    for _ in range(size):
        article = _next_in_new_outlet(free, outlet_of, taken)
        if article is None:
            break
        taken.add(int(outlet_of[article]))
        if not carriers:
            carriers.append(
                _Carrier(article, int(outlet_of[article]), None, 0.0, origin_words, dates[article], quote)
            )
            continue
        parent = 0 if gen.rng.random() < 0.6 else int(gen.rng.integers(0, len(carriers)))
        rate = 0.0 if quote else float(gen.rng.choice(EDIT_RATES if parent == 0 else EDIT_RATES[:2]))
        words = carriers[parent].words
        if not quote and len(words) >= 75 and gen.rng.random() < 0.3:
            keep = int(gen.rng.integers(max(45, int(len(words) * 0.6)), len(words)))
            first = int(gen.rng.integers(0, len(words) - keep + 1))
            words = words[first : first + keep]
        quoted = quote or gen.rng.random() < 0.2
        dates[article] = _child_date(gen, carriers[parent].date)
        carriers.append(
            _Carrier(
                article, int(outlet_of[article]), parent, rate, edit(gen, words, rate), dates[article], quoted
            )
        )
    return carriers


def _child_date(gen: _Generator, parent: datetime | None) -> datetime | None:
    draw = gen.rng.random()
    if draw < 0.03:
        return None
    if parent is None:
        return YEAR_START + timedelta(seconds=int(gen.rng.integers(0, 365 * 86400)))
    if draw < 0.07:
        return parent
    return parent + timedelta(minutes=1 + int(gen.rng.exponential(1440)))


def _next_in_new_outlet(free: Iterator[int], outlet_of: np.ndarray, taken: set[int]) -> int | None:
    for skipped, article in enumerate(free):
        if int(outlet_of[article]) not in taken:
            return article
        if skipped > 50:
            return None
    return None


def _article_text(
    gen: _Generator, outlets: _Outlets, outlet: int, extra: list[tuple[str, _Carrier | None]]
) -> str:
    paragraphs = [gen.paragraph(int(gen.rng.integers(25, 70))) for _ in range(int(gen.rng.integers(2, 6)))]
    slots: list[tuple[str, _Carrier | None]] = [(p, None) for p in paragraphs]
    for piece in extra:
        slots.insert(int(gen.rng.integers(0, len(slots) + 1)), piece)
    blocks: list[tuple[str, _Carrier | None]] = []
    if gen.rng.random() < 0.7:
        blocks.append((outlets.nav[outlet], None))
    blocks.extend(slots)
    for legal in np.flatnonzero(outlets.adopts[outlet]):
        if gen.rng.random() < 0.3:
            blocks.append((outlets.legal[legal], None))
    if gen.rng.random() < 0.5:
        blocks.append((outlets.bios[outlet][int(gen.rng.integers(0, 3))], None))
    if gen.rng.random() < 0.8:
        blocks.append((outlets.footer[outlet], None))
    return _join(blocks)


def _join(blocks: list[tuple[str, _Carrier | None]]) -> str:
    parts: list[str] = []
    at = 0
    for text, carrier in blocks:
        if parts:
            parts.append("\n\n")
            at += 2
        if carrier is None or text != "passage":
            parts.append(text)
            at += len(text)
            continue
        body, spans = render(carrier.words)
        lead, close = ("An official said: \u201c", "\u201d") if carrier.quoted else ("", "")
        at += len(lead)
        carrier.word_spans = [(at + s, at + e) for s, e in spans]
        carrier.span = (at, at + len(body.rstrip(".,")))
        parts.append(lead + body + close)
        at += len(body) + len(close)
    return "".join(parts)


def _path_edit(carriers: list[_Carrier], x: int, y: int) -> float:
    def chain(i: int) -> list[int]:
        out = [i]
        while carriers[out[-1]].parent is not None:
            out.append(carriers[out[-1]].parent)  # type: ignore[arg-type]
        return out

    cx, cy = chain(x), chain(y)
    common = next(i for i in cx if i in cy)
    return sum(carriers[i].edit for i in cx[: cx.index(common)]) + sum(
        carriers[i].edit for i in cy[: cy.index(common)]
    )


def _gold(
    clusters: list[tuple[str, list[_Carrier]]], rows: list[dict[str, object]]
) -> list[dict[str, object]]:
    gold: list[dict[str, object]] = []
    for number, (kind, carriers) in enumerate(clusters):
        name = f"g{number:06d}"
        for c in carriers:
            gold.append(
                {
                    "kind": "carrier",
                    "cluster": name,
                    "article": rows[c.article]["id"],
                    "start": c.span[0],
                    "end": c.span[1],
                    "parent": None if c.parent is None else rows[carriers[c.parent].article]["id"],
                    "edit": c.edit,
                    "earliest": c.parent is None,
                    "passage": kind,
                    "words": len(carriers[0].words),
                    "undated": c.date is None,
                }
            )
        for i in range(len(carriers)):
            for j in range(i + 1, len(carriers)):
                pair = _pair(carriers, i, j, kind)
                if pair is not None:
                    gold.append(
                        {
                            "kind": "pair",
                            "cluster": name,
                            "passage": kind,
                            **pair,
                            "a": rows[carriers[i].article]["id"],
                            "b": rows[carriers[j].article]["id"],
                        }
                    )
    return gold


def _pair(carriers: list[_Carrier], i: int, j: int, kind: str) -> dict[str, object] | None:
    x, y = carriers[i], carriers[j]
    ox = {w.origin: k for k, w in enumerate(x.words) if w.origin >= 0}
    oy = {w.origin: k for k, w in enumerate(y.words) if w.origin >= 0}
    common = sorted(set(ox) & set(oy))
    if not common:
        return None
    lo, hi = common[0], common[-1]
    path = _path_edit(carriers, i, j)
    words = len(common)
    # A quoted statement must be found when it is whole and of 12 words or more (shorter ones stay planted:
    # shared words that are not a link).
    whole_quote = kind == "quote" and words == len(carriers[0].words) and words >= MIN_QUOTE_WORDS
    required = path <= 0.105 and (words >= 40 or whole_quote)
    direct = x.parent == j or y.parent == i
    return {
        "a_start": x.word_spans[ox[lo]][0],
        "a_end": x.word_spans[ox[hi]][1],
        "b_start": y.word_spans[oy[lo]][0],
        "b_end": y.word_spans[oy[hi]][1],
        "edit": round(path, 4),
        "direct": direct,
        "required": required,
        "words": words,
    }


def write(spec: CorpusSpec, folder: Path) -> tuple[Path, Path]:
    """Generate and write `corpus.jsonl` and `gold.jsonl` under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = generate(spec)
    corpus_path, gold_path = folder / "corpus.jsonl", folder / "gold.jsonl"
    with corpus_path.open("w", encoding="utf-8") as out:
        for row in corpus.rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with gold_path.open("w", encoding="utf-8") as out:
        for record in corpus.gold:
            out.write(json.dumps(record) + "\n")
    return corpus_path, gold_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--outlets", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    corpus, gold = write(CorpusSpec(args.articles, args.outlets, args.seed), args.folder)
    print(f"wrote {corpus} and {gold}")


if __name__ == "__main__":
    main()
