"""Alignment of one candidate pair: shared shingles seed diagonal runs, runs chain across small edits.

The result is a set of passages with exact character offsets in both texts and a word-match score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np

from counterclaim.reuse.settings import ReuseSettings
from counterclaim.reuse.shingles import I64, U64, DocTokens

_QUOTE_MARKS = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e")
_QUOTE_MARK = re.compile("[" + re.escape("".join(sorted(_QUOTE_MARKS))) + "]")
# Words a boundary may step over when the words after it match again (one substituted word).
_EDGE_STEPS = 12


@dataclass(frozen=True, slots=True)
class Passage:
    """A shared passage: tokens [a0, a1) of text A against [b0, b1) of text B, character offsets included."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_words: int
    b_words: int
    score: float
    quoted: bool


@dataclass(frozen=True, slots=True)
class AlignView:
    """What alignment needs of one text: its tokens, shingle hashes, and which tokens are boilerplate."""

    text: str
    tokens: DocTokens
    shingles: U64
    boilerplate: np.ndarray  # one flag per token
    # Computed once per text, since one text (a passage's earliest carrier) is aligned with many others:
    # which shingles may seed a passage, and the shingles in sorted order.
    clean: np.ndarray = field(init=False)
    order: I64 = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "clean", _clean_shingles(self.boilerplate, len(self.tokens) - len(self.shingles) + 1)
        )
        object.__setattr__(self, "order", np.argsort(self.shingles, kind="stable"))

    @property
    def edge_stop(self) -> np.ndarray:
        """Tokens an edge may not grow over: boilerplate and up to three words before it, since the
        smallest hash of a window need not be its first and a boilerplate region can begin that early."""
        stop = self.boilerplate.copy()
        for shift in (1, 2, 3):
            stop[:-shift] |= self.boilerplate[shift:]
        return stop


def boilerplate_masks(
    bounds: I64, docs: I64, positions: I64, settings: ReuseSettings, line_starts: np.ndarray | None = None
) -> np.ndarray:
    """Tokens inside boilerplate, over a batch of texts (tokens `bounds[d]:bounds[d+1]` of text d): from a
    flagged fingerprint (text, token position) through its shingle, bridging to the next flagged one of the
    same text when it is at most one winnowing window away (the fingerprints between were not kept).

    `line_starts` (one flag per token: a line break before it) trims a flagged shingle that straddles a line
    break to the side holding most of it: "... ripalu pronoran.” | Ilnikpro latmeves terterbel maldetu" is
    flagged because the footer after the break recurs, and its first word belongs to the quotation before.
    """
    total = int(bounds[-1])
    change = np.zeros(total + 1, dtype=np.int64)
    if len(docs):
        order = np.lexsort((positions, docs))
        docs, at = docs[order], bounds[docs[order]] + positions[order]
        ends = np.minimum(at + settings.shingle, bounds[docs + 1])
        bridging = docs[1:] == docs[:-1]
        if line_starts is not None:
            at, ends, cut_back = _trim_at_line_breaks(at, ends, line_starts)
            # Boilerplate that ends at a line break does not run on into the next paragraph.
            bridging &= ~cut_back[:-1]
        close = (np.diff(at) <= settings.window) & bridging
        starts = np.concatenate((at, at[:-1][close]))
        ends = np.concatenate((ends, at[1:][close]))
        change += np.bincount(starts, minlength=total + 1)[: total + 1]
        change -= np.bincount(ends, minlength=total + 1)[: total + 1]
    mask: np.ndarray = np.cumsum(change[:total]) > 0
    return mask


def _trim_at_line_breaks(at: I64, ends: I64, line_starts: np.ndarray) -> tuple[I64, I64, np.ndarray]:
    """Token ranges [at, ends) cut at the first line break inside them, keeping the larger side; and which
    were cut back (their end moved to the break)."""
    breaks = np.flatnonzero(line_starts)
    if not len(breaks):
        return at, ends, np.zeros(len(at), dtype=bool)
    following = np.searchsorted(breaks, at, side="right")
    k = breaks[np.minimum(following, len(breaks) - 1)]
    inside = (following < len(breaks)) & (k < ends)
    forward = inside & (k - at < ends - k)
    back = inside & ~forward
    trimmed_at: I64 = np.where(forward, k, at)
    trimmed_ends: I64 = np.where(back, k, ends)
    return trimmed_at, trimmed_ends, back


def _clean_shingles(mask: np.ndarray, size: int) -> np.ndarray:
    # A shingle touching any boilerplate token cannot seed a passage.
    count = len(mask) - size + 1
    if count <= 0:
        return np.zeros(0, dtype=bool)
    touched = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    clean: np.ndarray = (touched[size:] - touched[:count]) == 0
    return clean


@dataclass(slots=True)
class _Run:
    a0: int
    a1: int
    b0: int
    b1: int
    covered_a: int
    covered_b: int
    # The diagonal runs a chain was built from, so a quotation inside a failed chain can still be found.
    pieces: list[tuple[int, int, int, int]] = field(default_factory=list)


def shared_shingles(a: U64, b: U64, order: I64 | None = None) -> tuple[I64, I64]:
    """Positions (in a, in b) of every shingle hash the two sequences share (`order`: b's argsort)."""
    if order is None:
        order = np.argsort(b, kind="stable")
    sorted_b = b[order]
    left = np.searchsorted(sorted_b, a, "left")
    counts = np.searchsorted(sorted_b, a, "right") - left
    # A shingle repeated many times in B (a repeated caption) cannot anchor anything useful.
    counts = np.minimum(counts, 4)
    pos_a = np.repeat(np.arange(len(a)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return pos_a, order[left[pos_a] + offsets]


def _diagonal_runs(pos_a: I64, pos_b: I64, size: int) -> list[_Run]:
    diagonal = pos_b - pos_a
    order = np.lexsort((pos_a, diagonal))
    pa, pb, dg = pos_a[order], pos_b[order], diagonal[order]
    breaks = np.flatnonzero((np.diff(dg) != 0) | (np.diff(pa) > 1)) + 1
    firsts = np.concatenate(([0], breaks))
    lasts = np.concatenate((breaks - 1, [len(pa) - 1]))
    runs = []
    for f, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
        length = pa[last] - pa[f] + size
        runs.append(_Run(int(pa[f]), int(pa[last]) + size, int(pb[f]), int(pb[last]) + size, length, length))
    runs.sort(key=lambda r: (r.a0, r.b0))
    return runs


def _chain(runs: list[_Run], a: U64, b: U64, settings: ReuseSettings) -> list[_Run]:
    size, max_gap = settings.shingle, settings.max_gap
    chains: list[_Run] = []
    for run in runs:
        best = None
        for chain in chains:
            gap_a, gap_b = run.a0 - chain.a1, run.b0 - chain.b1
            if (
                -size < gap_a <= max_gap
                and -size < gap_b <= max_gap
                and run.a1 > chain.a1
                and run.b1 > chain.b1
            ):
                best = chain
                break
        if best is None:
            chains.append(_Run(run.a0, run.a1, run.b0, run.b1, run.covered_a, run.covered_b))
            chains[-1].pieces.append((run.a0, run.a1, run.b0, run.b1))
            continue
        best.pieces.append((run.a0, run.a1, run.b0, run.b1))
        # Close edits leave words between them that no whole shingle covers: count those that match.
        between = _matching(a[best.a1 : max(run.a0, best.a1)], b[best.b1 : max(run.b0, best.b1)])
        best.covered_a += run.a1 - max(run.a0, best.a1) + between
        best.covered_b += run.b1 - max(run.b0, best.b1) + between
        best.a1, best.b1 = run.a1, run.b1
    return chains


def _matching(a: U64, b: U64) -> int:
    if not len(a) or not len(b):
        return 0
    matcher = SequenceMatcher(None, a.tolist(), b.tolist(), autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def _extend(x: AlignView, y: AlignView, chain: _Run) -> None:
    """Grow a chain over equal words at both ends, over single substitutions, never into boilerplate."""
    a, b = x.tokens.hashes, y.tokens.hashes
    free_a, free_b = ~x.edge_stop, ~y.edge_stop

    def same(i: int, j: int) -> bool:
        return 0 <= i < len(a) and 0 <= j < len(b) and bool(free_a[i] and free_b[j] and a[i] == b[j])

    for _ in range(_EDGE_STEPS):
        i, j = chain.a0 - 1, chain.b0 - 1
        step = 1 if same(i, j) else 3 if same(i - 1, j - 1) and same(i - 2, j - 2) else 0
        if not step:
            break
        chain.a0, chain.b0 = chain.a0 - step, chain.b0 - step
        chain.covered_a, chain.covered_b = chain.covered_a + min(step, 2), chain.covered_b + min(step, 2)
    for _ in range(_EDGE_STEPS):
        i, j = chain.a1, chain.b1
        step = 1 if same(i, j) else 3 if same(i + 1, j + 1) and same(i + 2, j + 2) else 0
        if not step:
            break
        chain.a1, chain.b1 = chain.a1 + step, chain.b1 + step
        chain.covered_a, chain.covered_b = chain.covered_a + min(step, 2), chain.covered_b + min(step, 2)


def _trim_at_boilerplate(x: AlignView, y: AlignView, chain: _Run) -> None:
    """Cut the last (first) words of a chain off at a paragraph break when boilerplate follows (precedes).

    A boilerplate region is known only from its fingerprints, which can start (end) up to three words
    inside it: the words between are shared by both texts and would otherwise join the passage.
    """
    if x.boilerplate[chain.a1 : chain.a1 + 4].any() and y.boilerplate[chain.b1 : chain.b1 + 4].any():
        for k in (1, 2, 3):
            if chain.a1 - k > chain.a0 and _break_before(x, chain.a1 - k) and _break_before(y, chain.b1 - k):
                chain.a1, chain.b1 = chain.a1 - k, chain.b1 - k
                break
    if (
        x.boilerplate[max(chain.a0 - 4, 0) : chain.a0].any()
        and y.boilerplate[max(chain.b0 - 4, 0) : chain.b0].any()
    ):
        for k in (1, 2, 3):
            if chain.a0 + k < chain.a1 and _break_before(x, chain.a0 + k) and _break_before(y, chain.b0 + k):
                chain.a0, chain.b0 = chain.a0 + k, chain.b0 + k
                break


def _break_before(view: AlignView, token: int) -> bool:
    if token <= 0 or token >= len(view.tokens):
        return False
    return "\n" in view.text[int(view.tokens.ends[token - 1]) : int(view.tokens.starts[token])]


def _in_quotes(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 3) : start]
    after = text[end : end + 3]
    return any(c in _QUOTE_MARKS for c in before) and any(c in _QUOTE_MARKS for c in after)


def align(a: AlignView, b: AlignView, settings: ReuseSettings) -> list[Passage]:
    """Every passage the two texts share that is long enough, or a full quotation, and similar enough."""
    size = settings.shingle
    pos_a, pos_b = shared_shingles(a.shingles, b.shingles, b.order)
    keep = a.clean[pos_a] & b.clean[pos_b]
    pos_a, pos_b = pos_a[keep], pos_b[keep]
    if not len(pos_a):
        return []
    chains = _chain(_diagonal_runs(pos_a, pos_b, size), a.tokens.hashes, b.tokens.hashes, settings)
    passages, companions = [], []
    for chain in chains:
        _extend(a, b, chain)
        _trim_at_boilerplate(a, b, chain)
        passage = _passage(a.text, a.tokens, b.text, b.tokens, chain, settings)
        if passage is not None:
            passages.append(passage)
            continue
        quotations = _quotations(a, b, chain, settings)
        passages.extend(quotations)
        if not quotations and min(chain.a1 - chain.a0, chain.b1 - chain.b0) >= settings.min_companion_words:
            companions.append(_companion(a, b, chain, settings))
    # Once a pair shares one long passage, its shorter shared sentences are part of the same copying.
    if passages:
        passages.extend(p for p in companions if p is not None)
    return _drop_overlapping(passages)


def _quotations(a: AlignView, b: AlignView, chain: _Run, settings: ReuseSettings) -> list[Passage]:
    """Full quotations among the runs of a chain too short or too loose to report as a whole."""
    found = []
    for a0, a1, b0, b1 in chain.pieces if len(chain.pieces) > 1 else []:
        piece = _Run(a0, a1, b0, b1, a1 - a0, b1 - b0)
        _extend(a, b, piece)
        passage = _passage(a.text, a.tokens, b.text, b.tokens, piece, settings)
        if passage is not None and passage.quoted:
            found.append(passage)
    return found


def _companion(a: AlignView, b: AlignView, chain: _Run, settings: ReuseSettings) -> Passage | None:
    words_a, words_b = chain.a1 - chain.a0, chain.b1 - chain.b0
    score = min(chain.covered_a, chain.covered_b) / max(words_a, words_b)
    if score < settings.min_score:
        return None
    a_start, a_end = int(a.tokens.starts[chain.a0]), int(a.tokens.ends[chain.a1 - 1])
    b_start, b_end = int(b.tokens.starts[chain.b0]), int(b.tokens.ends[chain.b1 - 1])
    quoted = _in_quotes(a.text, a_start, a_end) and _in_quotes(b.text, b_start, b_end)
    return Passage(a_start, a_end, b_start, b_end, words_a, words_b, round(float(min(score, 1.0)), 4), quoted)


def _passage(
    text_a: str, tokens_a: DocTokens, text_b: str, tokens_b: DocTokens, chain: _Run, settings: ReuseSettings
) -> Passage | None:
    words_a, words_b = chain.a1 - chain.a0, chain.b1 - chain.b0
    score = min(chain.covered_a, chain.covered_b) / max(words_a, words_b)
    if score < settings.min_score:
        return None
    a_start, a_end = int(tokens_a.starts[chain.a0]), int(tokens_a.ends[chain.a1 - 1])
    b_start, b_end = int(tokens_b.starts[chain.b0]), int(tokens_b.ends[chain.b1 - 1])
    quoted = _in_quotes(text_a, a_start, a_end) and _in_quotes(text_b, b_start, b_end)
    if min(words_a, words_b) >= settings.min_words:
        return Passage(
            a_start, a_end, b_start, b_end, words_a, words_b, round(float(min(score, 1.0)), 4), quoted
        )
    if not quoted:
        return _quoted_part(text_a, tokens_a, text_b, tokens_b, chain, settings, score)
    if min(words_a, words_b) < settings.min_quote_words:
        return None
    return Passage(a_start, a_end, b_start, b_end, words_a, words_b, round(float(min(score, 1.0)), 4), quoted)


def _quoted_part(
    text_a: str,
    tokens_a: DocTokens,
    text_b: str,
    tokens_b: DocTokens,
    chain: _Run,
    settings: ReuseSettings,
    score: float,
) -> Passage | None:
    """The quotation inside a short shared stretch: "Pahon, a Pentagon spokesman, said: “...”" shares the
    speaker and the cue too, and "“...,” Pahon said" shares what follows the quotation."""
    found_a = _quotation(text_a, tokens_a, chain.a0, chain.a1)
    found_b = _quotation(text_b, tokens_b, chain.b0, chain.b1)
    if found_a is None or found_b is None:
        return None
    (a0, a1), (b0, b1) = found_a, found_b
    # The two quotations must be the same stretch of the alignment, not two different quotes in it.
    if abs((a0 - chain.a0) - (b0 - chain.b0)) > 2 or abs((chain.a1 - a1) - (chain.b1 - b1)) > 2:
        return None
    if min(a1 - a0, b1 - b0) < settings.min_quote_words:
        return None
    a_start, a_end = int(tokens_a.starts[a0]), int(tokens_a.ends[a1 - 1])
    b_start, b_end = int(tokens_b.starts[b0]), int(tokens_b.ends[b1 - 1])
    return Passage(a_start, a_end, b_start, b_end, a1 - a0, b1 - b0, round(float(min(score, 1.0)), 4), True)


def _quotation(text: str, tokens: DocTokens, first: int, last: int) -> tuple[int, int] | None:
    """Tokens [open, close) of the first quotation that opens and closes within tokens [first, last] of a
    text (the marks may sit just outside them)."""
    # Gap k is the text before token k (gap `first`: up to three characters before it; gap `last`: up to
    # three after token last - 1). Quotation marks are not word characters, so each lies in one gap.
    lo = max(0, int(tokens.starts[first]) - 3)
    hi = min(len(text), int(tokens.ends[last - 1]) + 3)
    marks = [m.start() for m in _QUOTE_MARK.finditer(text, lo, hi)]
    if len(marks) < 2:
        return None
    starts = tokens.starts[first:last]
    gaps = sorted(set((np.searchsorted(starts, marks, "right") + first).tolist()))
    opening = None
    for token in gaps:
        if token == first:
            gap = text[lo : int(tokens.starts[first])]
        elif token == last:
            gap = text[int(tokens.ends[last - 1]) : hi]
        else:
            gap = text[int(tokens.ends[token - 1]) : int(tokens.starts[token])]
        if not _quote_gap(gap):
            continue
        if opening is None and token < last:
            opening = token
        elif opening is not None and token > opening:
            return opening, token
    return None


def _quote_gap(gap: str) -> bool:
    # An apostrophe inside a word ("ministry's" is two tokens) is not a quotation mark.
    return any(c in _QUOTE_MARKS for c in gap) and gap not in ("'", "’")


def _drop_overlapping(passages: list[Passage]) -> list[Passage]:
    # A repeated paragraph can align twice; keep the longer of two passages that overlap on both sides.
    kept: list[Passage] = []
    for p in sorted(passages, key=lambda p: -(p.a_words + p.b_words)):
        clash = any(
            p.a_start < k.a_end and k.a_start < p.a_end and p.b_start < k.b_end and k.b_start < p.b_end
            for k in kept
        )
        if not clash:
            kept.append(p)
    return sorted(kept, key=lambda p: p.a_start)
