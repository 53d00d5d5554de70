"""Marks spans in an article's text (attributions, evidence, reused passages) as non-overlapping segments.

Overlapping spans are split at every boundary, so each segment carries all the classes that cover it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from counterclaim.model import Account, Attribution, ReuseLink, Span


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    kind: str
    anchor: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    classes: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    title: str | None = None


def evidence_anchor(span: Span) -> str:
    return f"ev-{span.start}-{span.end}"


def article_marks(
    article_id: str,
    attributions: Iterable[Attribution],
    accounts: Iterable[Account],
    links: Iterable[ReuseLink],
) -> list[Mark]:
    marks: list[Mark] = []
    for attribution in attributions:
        if attribution.article_id != article_id:
            continue
        speaker = attribution.speaker.name if attribution.speaker else ""
        title = f"{speaker} · {attribution.polarity.value}".strip(" ·")
        for part in attribution.source:
            marks.append(Mark(part.start, part.end, "source", f"at-{attribution.id}", title))
        marks.extend(Mark(p.start, p.end, "cue", None, title) for p in attribution.cue)
        marks.extend(Mark(p.start, p.end, "content", None, title) for p in attribution.content)
    for account in accounts:
        if account.article_id == article_id and account.evidence:
            ev = account.evidence
            marks.append(
                Mark(ev.start, ev.end, "evidence", evidence_anchor(ev), f"evidence: {account.stance.value}")
            )
    for link in links:
        own = link.a_span if link.a == article_id else link.b_span if link.b == article_id else None
        other = link.b if link.a == article_id else link.a
        if own is not None:
            marks.append(
                Mark(own.start, own.end, "reuse", f"re-{own.start}-{own.end}", f"shared with {other}")
            )
    return marks


def segments(text: str, marks: Sequence[Mark]) -> list[Segment]:
    """Cut `text` at every mark boundary; spans outside the text are clipped, empty ones dropped."""
    size = len(text)
    valid = [m for m in marks if 0 <= m.start < m.end and m.start < size]
    bounds = sorted({0, size, *(m.start for m in valid), *(min(m.end, size) for m in valid)})
    out: list[Segment] = []
    for start, end in pairwise(bounds):
        covering = [m for m in valid if m.start <= start and m.end >= end]
        classes = tuple(sorted({m.kind for m in covering}))
        anchors = tuple(dict.fromkeys(m.anchor for m in valid if m.start == start and m.anchor))
        titles = [m.title for m in covering if m.title]
        out.append(Segment(text[start:end], classes, anchors, "; ".join(dict.fromkeys(titles)) or None))
    return out
