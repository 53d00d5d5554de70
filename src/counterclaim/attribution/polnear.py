"""Reading PolNeAR-format attribution annotations and scoring predicted spans against them.

Used by the benchmark, the training script and the floors test; PARC-style exact and overlap matching.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token

from counterclaim.errors import UsageError
from counterclaim.model import Article, Attribution

ROLES = ("source", "cue", "content")
SpanKey = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    source: SpanKey
    cue: SpanKey
    content: SpanKey


@dataclass(frozen=True, slots=True)
class AnnotatedArticle:
    article: Article
    gold: tuple[GoldAttribution, ...]


def data_root() -> Path:
    """Shared data sets: $COUNTERCLAIM_DATA, else ../shared/data beside the repository."""
    configured = os.environ.get("COUNTERCLAIM_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


def read_polnear(path: Path, limit: int | None = None) -> list[AnnotatedArticle]:
    """Articles of a PolNeAR JSONL file, one annotation per article (the first annotator's)."""
    if not path.is_file():
        raise UsageError(f"No PolNeAR file at {path}: pass --data PATH or set COUNTERCLAIM_DATA.")
    seen: dict[str, AnnotatedArticle] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["article"] in seen:
                continue
            seen[row["article"]] = _annotated(row)
            if limit is not None and len(seen) >= limit:
                break
    return list(seen.values())


def _annotated(row: dict[str, Any]) -> AnnotatedArticle:
    published = _published(row.get("publication_date"))
    article = Article(
        id=str(row["article"]),
        text=str(row["text"]),
        title=str(row.get("title") or "") or None,
        outlet=str(row.get("publisher") or "") or None,
        published_at=published,
    )
    entries: list[dict[str, Any]] = row.get("attributions") or []
    gold = tuple(GoldAttribution(*(_span_key(entry.get(role, [])) for role in ROLES)) for entry in entries)
    return AnnotatedArticle(article, gold)


def _published(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _span_key(spans: Iterable[dict[str, int]]) -> SpanKey:
    return tuple(
        sorted((int(span["start"]), int(span["end"])) for span in spans if span["end"] > span["start"])
    )


@dataclass(frozen=True, slots=True)
class Score:
    p: float
    r: float
    f1: float

    @classmethod
    def of(cls, matched_predicted: int, predicted: int, matched_gold: int, gold: int) -> Score:
        p = matched_predicted / predicted if predicted else 0.0
        r = matched_gold / gold if gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return cls(round(p, 4), round(r, 4), round(f1, 4))

    def as_dict(self) -> dict[str, float]:
        return {"p": self.p, "r": self.r, "f1": self.f1}


class Scorer:
    """Accumulates matches article by article; spans of a role are compared as deduplicated sets."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], list[int]] = {}

    def add(self, text: str, gold: Sequence[GoldAttribution], predicted: Sequence[GoldAttribution]) -> None:
        for role in ROLES:
            gold_spans = {getattr(g, role) for g in gold if getattr(g, role)}
            predicted_spans = {getattr(p, role) for p in predicted if getattr(p, role)}
            for mode in ("exact", "overlap"):
                self._count((role, mode), text, list(gold_spans), list(predicted_spans), mode)
        for mode in ("exact", "overlap"):
            self._count_attributions(mode, text, list(set(gold)), list(set(predicted)))

    def _count(
        self, key: tuple[str, str], text: str, gold: list[SpanKey], pred: list[SpanKey], mode: str
    ) -> None:
        matched_pred = sum(any(_match(text, p, g, mode) for g in gold) for p in pred)
        matched_gold = sum(any(_match(text, p, g, mode) for p in pred) for g in gold)
        counts = self._counts.setdefault(key, [0, 0, 0, 0])
        for index, value in enumerate((matched_pred, len(pred), matched_gold, len(gold))):
            counts[index] += value

    def _count_attributions(
        self, mode: str, text: str, gold: list[GoldAttribution], pred: list[GoldAttribution]
    ) -> None:
        def same(p: GoldAttribution, g: GoldAttribution) -> bool:
            # A missing source must be missing on both sides; present spans must match.
            return all(
                (not getattr(p, role) and not getattr(g, role))
                or _match(text, getattr(p, role), getattr(g, role), mode)
                for role in ROLES
            )

        matched_pred = sum(any(same(p, g) for g in gold) for p in pred)
        matched_gold = sum(any(same(p, g) for p in pred) for g in gold)
        counts = self._counts.setdefault(("attribution", mode), [0, 0, 0, 0])
        for index, value in enumerate((matched_pred, len(pred), matched_gold, len(gold))):
            counts[index] += value

    def scores(self) -> dict[str, dict[str, dict[str, float]]]:
        result: dict[str, dict[str, dict[str, float]]] = {}
        for (role, mode), counts in self._counts.items():
            result.setdefault(role, {})[mode] = Score.of(*counts).as_dict()
        return result


def _match(text: str, predicted: SpanKey, gold: SpanKey, mode: str) -> bool:
    if not predicted or not gold:
        return False
    if mode == "exact":
        return _strip(text, predicted) == _strip(text, gold)
    return bool(_tokens(text, predicted) & _tokens(text, gold))


def _strip(text: str, spans: SpanKey) -> SpanKey:
    """Spans without surrounding white space or punctuation, so "said," and "said" match exactly."""
    stripped = []
    for start, end in spans:
        while start < end and (text[start].isspace() or text[start] in ",.;:"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;:"):
            end -= 1
        if end > start:
            stripped.append((start, end))
    return tuple(stripped) or spans


def _tokens(text: str, spans: SpanKey) -> set[int]:
    """Start offsets of the word tokens inside the spans (a shared token means overlap).

    Punctuation counts only in a span with no word at all (a cue that is just a colon).
    """
    words: set[int] = set()
    marks: set[int] = set()
    for start, end in spans:
        for position in range(start, end):
            char = text[position]
            if char.isalnum():
                if position == start or not text[position - 1].isalnum():
                    words.add(position)
            elif not char.isspace():
                marks.add(position)
    return words or marks


def as_key(
    source: Sequence[tuple[int, int]], cue: Sequence[tuple[int, int]], content: Sequence[tuple[int, int]]
) -> GoldAttribution:
    """A prediction in the shape of a gold annotation, so both are scored the same way."""
    return GoldAttribution(tuple(sorted(source)), tuple(sorted(cue)), tuple(sorted(content)))


def token_runs(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Contiguous runs of tokens as character ranges."""
    spans: list[tuple[int, int]] = []
    previous = -2
    for token in sorted(tokens, key=lambda t: t.i):
        end = token.idx + len(token.text)
        if spans and token.i == previous + 1:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((token.idx, end))
        previous = token.i
    return spans


def textacy_baseline(doc: Doc) -> list[GoldAttribution]:
    """textacy's direct quotations (speaker, cue, quote) in the shape of gold annotations: the baseline."""
    from textacy.extract.triples import direct_quotations

    try:
        triples = list(direct_quotations(doc))
    except ValueError:
        # textacy gives up on an article with an unclosed quotation mark: it finds nothing there.
        return []
    return [
        as_key(
            token_runs(list(t.speaker)), token_runs(list(t.cue)), [(t.content.start_char, t.content.end_char)]
        )
        for t in triples
    ]


def attribution_keys(attributions: Sequence[Attribution]) -> list[GoldAttribution]:
    """counterclaim's attributions in the shape of gold annotations."""
    return [
        as_key(
            [(s.start, s.end) for s in a.source],
            [(s.start, s.end) for s in a.cue],
            [(s.start, s.end) for s in a.content],
        )
        for a in attributions
    ]
