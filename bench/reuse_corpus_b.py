"""A second seeded generator of planted text reuse, modelled on newswire virality rather than on generator A.

Wires and outlets republish each other's whole articles under new headlines within hours, copies of copies
up to depth 4; spokespeople's statements of 12-40 words are quoted inside otherwise independent articles;
outlets and media groups wrap everything in headers and footers that drift over the months. Writes
`corpus.jsonl` and `gold.jsonl` (one `carrier` record per article carrying a planted passage; pairs are
implied, see README).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

START = datetime(2019, 3, 1, tzinfo=UTC)
DAYS = 150
# Words of running English that make up about two in five tokens of news copy: they make shingles collide by
# chance far more often than invented words alone.
FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "for",
    "on",
    "it",
    "with",
    "as",
    "he",
    "by",
    "at",
    "his",
    "said",
    "from",
    "be",
    "have",
    "has",
    "had",
    "are",
    "not",
    "this",
    "but",
    "an",
    "were",
    "they",
    "which",
    "their",
    "its",
    "would",
    "been",
    "who",
    "will",
    "after",
    "also",
    "more",
    "one",
    "two",
    "new",
    "over",
    "about",
    "than",
    "into",
    "there",
    "could",
    "when",
    "some",
    "last",
    "while",
    "other",
    "all",
    "if",
    "up",
    "out",
    "can",
    "year",
    "first",
    "we",
    "i",
    "our",
    "them",
    "may",
    "over",
    "between",
    "under",
    "against",
    "since",
    "before",
    "where",
    "because",
    "during",
    "those",
    "these",
    "three",
    "most",
    "people",
    "officials",
    "government",
    "told",
    "week",
]
ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "z",
    "br",
    "cl",
    "dr",
    "fl",
    "gr",
    "pl",
    "pr",
    "st",
    "tr",
    "sh",
    "ch",
    "th",
]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
CODAS = ["", "n", "r", "s", "t", "l", "m", "nd", "rt", "st", "ck", "ng"]
QUOTES = (("\u201c", "\u201d"), ('"', '"'), ("\u00ab", "\u00bb"))
CUES = ("said", "told reporters", "wrote", "added", "stated")
BANDS = ((1, 4), (5, 19), (20, 199))


@dataclass(frozen=True)
class CorpusSpec:
    articles: int = 20000
    outlets: int = 260
    seed: int = 3
    # Shares of articles: carriers of republished stories, articles quoting a shared statement.
    republished: float = 0.30
    quoting: float = 0.12


@dataclass
class _Copy:
    """One carrier of a story: its words (each with its index in the original, -1 when added), its parent."""

    article: int
    outlet: int
    parent: int | None
    depth: int
    words: list[tuple[str, int]]
    date: datetime | None
    span: tuple[int, int] = (0, 0)


@dataclass
class _Story:
    kind: str  # "story" or "quote"
    copies: list[_Copy] = field(default_factory=list)
    words: int = 0


class _Writer:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        content: set[str] = set()
        while len(content) < 30000:
            parts = [ONSETS[rng.integers(len(ONSETS))] + VOWELS[rng.integers(len(VOWELS))] for _ in range(3)]
            content.add("".join(parts[: int(rng.integers(1, 4))]) + CODAS[rng.integers(len(CODAS))])
        self.content = sorted(content)
        rng.shuffle(self.content)
        weights = 1.0 / (np.arange(len(self.content)) + 30.0) ** 1.05
        self.cdf = np.cumsum(weights / weights.sum())
        self.names = [w.capitalize() for w in self.content[:3000]]

    def tokens(self, count: int) -> list[str]:
        function = self.rng.random(count) < 0.42
        picks = np.minimum(np.searchsorted(self.cdf, self.rng.random(count)), len(self.content) - 1)
        fw = self.rng.integers(0, len(FUNCTION_WORDS), size=count)
        return [
            FUNCTION_WORDS[f] if is_f else self.content[p]
            for is_f, p, f in zip(function, picks, fw, strict=True)
        ]

    def name(self) -> str:
        first = self.names[self.rng.integers(len(self.names))]
        return f"{first} {self.names[self.rng.integers(len(self.names))]}"

    def sentence(self, count: int | None = None) -> str:
        words = self.tokens(count or int(self.rng.integers(9, 30)))
        words[0] = words[0].capitalize()
        if self.rng.random() < 0.3:
            words.insert(int(self.rng.integers(1, len(words))), self.name())
        return " ".join(words) + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(int(self.rng.integers(1, 4))))

    def body(self, paragraphs: int) -> list[str]:
        return [self.paragraph() for _ in range(paragraphs)]


class _Outlets:
    """Outlets, their media groups, and boilerplate that drifts: each outlet's header and footer have
    versions that change on a few dates (a word swapped, a line added or cut), and a group footer shared by
    the group's members drifts the same way."""

    def __init__(self, writer: _Writer, count: int) -> None:
        rng = writer.rng
        self.names = [f"wire{i}" for i in range(6)] + [f"news-{i:03d}" for i in range(count - 6)]
        self.group = rng.integers(0, 12, size=count)
        self.group[:6] = -1
        self.versions = [self._versions(writer, int(rng.integers(1, 4))) for _ in range(count)]
        self.group_versions = [self._versions(writer, int(rng.integers(2, 5))) for _ in range(12)]
        self.bylines = [[writer.name() for _ in range(4)] for _ in range(count)]
        # Outlets write at different rates: a few big ones, many small.
        rate = rng.pareto(1.2, size=count) + 0.2
        self.weight = rate / rate.sum()

    @staticmethod
    def _versions(writer: _Writer, changes: int) -> list[tuple[datetime, str, str]]:
        rng = writer.rng
        header = " | ".join(w.capitalize() for w in writer.tokens(int(rng.integers(5, 12))))
        footer = " ".join(writer.sentence() for _ in range(int(rng.integers(2, 5))))
        out = [(START - timedelta(days=1), header, footer)]
        for day in sorted(rng.integers(5, DAYS - 5, size=changes).tolist()):
            words = footer.split()
            draw = rng.random()
            if draw < 0.4:
                words[int(rng.integers(len(words)))] = writer.tokens(1)[0]
            elif draw < 0.7:
                words += writer.sentence().split()
            else:
                words = words[: max(8, len(words) - int(rng.integers(3, 9)))]
            footer = " ".join(words)
            if rng.random() < 0.3:
                header = header + " | " + writer.tokens(1)[0].capitalize()
            out.append((START + timedelta(days=day), header, footer))
        return out

    def edges(
        self, outlet: int, date: datetime | None, rng: np.random.Generator
    ) -> tuple[list[str], list[str]]:
        """Header lines and footer lines of an article of this outlet at this date."""
        moment = date or START + timedelta(days=DAYS // 2)
        _, header, footer = [v for v in self.versions[outlet] if v[0] <= moment][-1]
        top = [header] if rng.random() < 0.85 else []
        bottom = [footer] if rng.random() < 0.9 else []
        group = int(self.group[outlet])
        if group >= 0 and rng.random() < 0.8:
            bottom.append([v for v in self.group_versions[group] if v[0] <= moment][-1][2])
        if rng.random() < 0.4:
            bottom.insert(
                0, f"{self.bylines[outlet][int(rng.integers(4))]} covers politics for {self.names[outlet]}."
            )
        return top, bottom


class _Corpus:
    def __init__(self, spec: CorpusSpec) -> None:
        self.spec = spec
        self.rng = np.random.default_rng(spec.seed)
        self.writer = _Writer(self.rng)
        self.outlets = _Outlets(self.writer, spec.outlets)
        self.outlet_of: list[int] = []
        self.dates: list[datetime | None] = []
        self.bodies: list[list[tuple[str, _Copy | None, str]]] = []
        self.stories: list[_Story] = []

    def new_article(self, outlet: int, date: datetime | None) -> int:
        self.outlet_of.append(outlet)
        self.dates.append(date)
        self.bodies.append([])
        return len(self.outlet_of) - 1

    def pick_outlet(self, exclude: set[int]) -> int | None:
        for _ in range(50):
            outlet = int(self.rng.choice(len(self.outlets.weight), p=self.outlets.weight))
            if outlet not in exclude:
                return outlet
        free = [o for o in range(len(self.outlets.weight)) if o not in exclude]
        return int(self.rng.choice(free)) if free else None

    def carriers(self) -> int:
        band = self.rng.random()
        if band < 0.45:
            return int(self.rng.integers(2, 5))
        if band < 0.8:
            return int(self.rng.integers(5, 20))
        return int(min(20 + self.rng.pareto(1.3) * 25, 199))

    def moment(self, base: datetime | None, origin: bool = False) -> datetime | None:
        """A carrier's publication time: hours after its source, sometimes the same second, sometimes none."""
        draw = self.rng.random()
        if draw < 0.05:
            return None
        if base is None:
            return START + timedelta(seconds=int(self.rng.integers(0, DAYS * 86400)))
        if draw < 0.09 and not origin:
            return base  # an automated feed posting the same second
        return base + timedelta(seconds=int(60 + self.rng.lognormal(8.5, 1.0)))

    def story(self) -> None:
        """A story republished whole (new headline, own edges) by wires and outlets, copies of copies."""
        size = self.carriers()
        wire = self.rng.random() < 0.7
        origin_outlet = int(self.rng.integers(0, 6)) if wire else self.pick_outlet(set())
        assert origin_outlet is not None
        body = self.writer.body(int(self.rng.integers(3, 10)))
        if wire:
            body.append(f"(Reporting by {self.writer.name()}; Editing by {self.writer.name()})")
        words = [(w, k) for k, w in enumerate(" \n".join(body).split(" "))]
        first_date = START + timedelta(seconds=int(self.rng.integers(0, DAYS * 86400)))
        story = _Story("story", words=len(words))
        taken = {origin_outlet}
        story.copies.append(
            _Copy(self.new_article(origin_outlet, first_date), origin_outlet, None, 0, words, first_date)
        )
        for _ in range(size - 1):
            outlet = self.pick_outlet(taken)
            if outlet is None:
                break
            taken.add(outlet)
            eligible = [i for i, c in enumerate(story.copies) if c.depth < 4]
            parent = 0 if self.rng.random() < 0.65 else int(self.rng.choice(eligible))
            source = story.copies[parent]
            date = self.moment(source.date if source.date else first_date)
            copy = _Copy(
                self.new_article(outlet, date),
                outlet,
                parent,
                source.depth + 1,
                self.rework(source.words),
                date,
            )
            story.copies.append(copy)
        self.stories.append(story)

    def rework(self, words: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """What a republisher does: keep the top (cut the tail), swap a few words, drop a paragraph."""
        out = list(words)
        if self.rng.random() < 0.25 and len(out) > 120:
            keep = int(self.rng.integers(max(60, len(out) // 2), len(out)))
            out = out[:keep]
        if self.rng.random() < 0.35:
            rate = float(self.rng.uniform(0.005, 0.02))
            swap = self.rng.random(len(out)) < rate
            out = [
                (self.writer.tokens(1)[0], -1) if s and "\n" not in w else (w, k)
                for (w, k), s in zip(out, swap, strict=True)
            ]
        if self.rng.random() < 0.1:
            breaks = [i for i, (w, _) in enumerate(out) if "\n" in w]
            if len(breaks) >= 3:
                at = int(self.rng.integers(1, len(breaks) - 1))
                out = out[: breaks[at] + 1] + out[breaks[at + 1] + 1 :]
        return out

    def statement(self) -> None:
        """A spokesperson's statement of 12-40 words quoted in otherwise independent articles."""
        size = self.carriers()
        length = int(self.rng.integers(12, 41))
        words = self.writer.tokens(length)
        words[0] = words[0].capitalize()
        speaker, org = self.writer.name(), self.writer.names[self.rng.integers(len(self.writer.names))]
        first = START + timedelta(seconds=int(self.rng.integers(0, DAYS * 86400)))
        story = _Story("quote", words=length)
        taken: set[int] = set()
        for n in range(size):
            outlet = self.pick_outlet(taken)
            if outlet is None:
                break
            taken.add(outlet)
            date = first if n == 0 else self.moment(first)
            quoted = list(words)
            # Nearly verbatim: a long statement may lose or change one word in a later transcription.
            if n and length >= 20 and self.rng.random() < 0.15:
                quoted[int(self.rng.integers(2, length - 2))] = self.writer.tokens(1)[0]
            copy = _Copy(
                self.new_article(outlet, date),
                outlet,
                None if n == 0 else 0,
                min(n, 1),
                [(w, i) for i, w in enumerate(quoted)],
                date,
            )
            story.copies.append(copy)
            self.bodies[copy.article] = self.quoting_body(copy, speaker, org)
        self.stories.append(story)

    def cue(self) -> str:
        return CUES[self.rng.integers(len(CUES))]

    def quoting_body(self, copy: _Copy, speaker: str, org: str) -> list[tuple[str, _Copy | None, str]]:
        paragraphs: list[tuple[str, _Copy | None, str]] = [
            (p, None, "") for p in self.writer.body(int(self.rng.integers(2, 7)))
        ]
        opening, closing = QUOTES[int(self.rng.integers(len(QUOTES)))]
        style = self.rng.random()
        if style < 0.4:
            lead, tail = (
                f"{speaker}, a spokesman for the {org} ministry, {self.cue()}: {opening}",
                f".{closing}",
            )
        elif style < 0.75:
            lead, tail = opening, f",{closing} {speaker} {self.cue()} in a statement."
        else:
            lead, tail = f"In a statement, the {org} ministry said {opening}", f"{closing}."
        paragraphs.insert(int(self.rng.integers(1, len(paragraphs) + 1)), (lead, copy, tail))
        return paragraphs

    def filler(self, count: int) -> None:
        """Articles written by one outlet alone, some on the same stories in their own words."""
        for _ in range(count):
            outlet = self.pick_outlet(set())
            assert outlet is not None
            date = self.moment(None, origin=True)
            number = self.new_article(outlet, date)
            self.bodies[number] = [(p, None, "") for p in self.writer.body(int(self.rng.integers(3, 10)))]

    def build(self) -> None:
        n = self.spec.articles
        while len(self.outlet_of) < n * self.spec.republished:
            self.story()
        quoting_goal = len(self.outlet_of) + n * self.spec.quoting
        while len(self.outlet_of) < quoting_goal:
            self.statement()
        self.filler(max(0, n - len(self.outlet_of)))

    def text(self, number: int, kind: str, copy: _Copy | None) -> str:
        rng = self.rng
        top, bottom = self.outlets.edges(self.outlet_of[number], self.dates[number], rng)
        headline = self.writer.sentence(int(rng.integers(6, 14))).rstrip(".")
        parts = [*top, headline]
        if copy is not None and kind == "story":
            if rng.random() < 0.2:
                parts.append(self.writer.sentence())  # a local lead or an editor's note
            copied = " ".join(w for w, _ in copy.words)
            at = sum(len(p) + 2 for p in parts)
            copy.span = (at, at + len(copied.rstrip(".,)")))
            parts.append(copied)
        else:
            for paragraph, quoted, tail in self.bodies[number]:
                if quoted is None:
                    parts.append(paragraph)
                    continue
                statement = " ".join(w for w, _ in quoted.words)
                at = sum(len(p) + 2 for p in parts) + len(paragraph)
                quoted.span = (at, at + len(statement))
                parts.append(paragraph + statement + tail)
        parts.extend(bottom)
        return "\n\n".join(parts)


def generate(spec: CorpusSpec) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Corpus rows ({id, outlet, date, text}) in a shuffled order, and gold carrier records."""
    corpus = _Corpus(spec)
    corpus.build()
    copy_of: dict[int, tuple[_Story, _Copy]] = {c.article: (s, c) for s in corpus.stories for c in s.copies}
    texts = []
    for number in range(len(corpus.outlet_of)):
        story, copy = copy_of.get(number, (None, None))
        texts.append(corpus.text(number, story.kind if story else "", copy))
    order = corpus.rng.permutation(len(texts))
    ids = {int(number): f"b{rank:07d}" for rank, number in enumerate(order)}
    rows: list[dict[str, object]] = []
    for number in sorted(range(len(texts)), key=lambda k: ids[k]):
        date = corpus.dates[number]
        rows.append(
            {
                "id": ids[number],
                "outlet": corpus.outlets.names[corpus.outlet_of[number]],
                "date": date.isoformat() if date else None,
                "text": texts[number],
            }
        )
    return rows, _gold(corpus, ids)


def _gold(corpus: _Corpus, ids: dict[int, str]) -> list[dict[str, object]]:
    gold: list[dict[str, object]] = []
    for number, story in enumerate(corpus.stories):
        dated = [c.date for c in story.copies if c.date is not None]
        first = min(dated) if dated else None
        outlets = len({c.outlet for c in story.copies})
        for c in story.copies:
            gold.append(
                {
                    "kind": "carrier",
                    "cluster": f"gb{number:06d}",
                    "article": ids[c.article],
                    "start": c.span[0],
                    "end": c.span[1],
                    "parent": None if c.parent is None else ids[story.copies[c.parent].article],
                    # The earliest dated carriers (several on a tie); the original when it has a date.
                    "earliest": c.date is not None and c.date == first,
                    "origin": c.parent is None,
                    "undated": c.date is None,
                    "passage": story.kind,
                    "words": story.words,
                    "outlets": outlets,
                    "required": True,
                }
            )
    return gold


def write(spec: CorpusSpec, folder: Path) -> tuple[Path, Path]:
    """Generate and write `corpus.jsonl` and `gold.jsonl` under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, gold = generate(spec)
    corpus_path, gold_path = folder / "corpus.jsonl", folder / "gold.jsonl"
    with corpus_path.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    with gold_path.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(record) + "\n" for record in gold)
    return corpus_path, gold_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    corpus, gold = write(CorpusSpec(articles=args.articles, seed=args.seed), args.folder)
    print(f"wrote {corpus} and {gold}")


if __name__ == "__main__":
    main()
