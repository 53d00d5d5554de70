"""Incremental claim linking: each new statement joins the best-matching claim or opens a new one.

Claims keep a centroid embedding and a term profile; an inverted term index blocks the comparison, so adding a
statement costs time bounded by its terms' posting lists, never by the number of claims (no all-pairs pass).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from counterclaim.claims.terms import StatementTerms

# 2: denials linked by what they deny, never to a claim only their own article holds (claims/denials.py).
# The one-article rules and anchor floors below are off by default, so they leave this method's rows as they
# were; a store linked with any of them on is linked by a different method and should say so.
METHOD = "claims.link/3"


@dataclass(frozen=True, slots=True)
class LinkingSettings:
    """Weights and threshold of the combined score; the defaults were chosen on the FNC-1 training bodies."""

    threshold: float = 0.6
    embedding_weight: float = 1.0
    lexical_weight: float = 0.2
    entity_weight: float = 0.1
    # Terms carried by more claims than this are too common to block on (they would make lookups linear).
    max_posting: int = 400
    # Among blocked claims only the best few by term overlap are scored with embeddings.
    max_candidates: int = 64
    # The embedding signal mixes mean similarity to members (average linkage) with the nearest member's.
    nearest_weight: float = 0.0
    # A statement that scores above the threshold with two claims bridges them: they merge when their
    # members' mean cross similarity reaches this (None: never merge).
    merge_threshold: float | None = 0.5
    # Members kept per claim for the nearest-member signal (the earliest ones, which include the canonical).
    kept_members: int = 32
    # A denial presupposes a claim made elsewhere ("no joint strikes took place"), and is worded unlike it:
    # it joins its best claim from this lower score (the cross similarity at which claims merge) rather
    # than opening a claim of its own. None: denials need the plain threshold.
    denial_threshold: float | None = 0.5
    # A statement joins (and a bridge merges) only when its cosine to the claim's anchor (the statement that
    # opened it) reaches this floor, so a claim's centroid cannot drift one neighbour at a time. None: no
    # floor. Off: on the fit-story sample 0.5 raised claims' mean pairwise cosine (0.63 -> 0.69) but cost
    # headline clustering by story (B-cubed F1 0.900 -> 0.867) and dossier recall (0.952 -> 0.921).
    anchor_floor: float | None = None
    # An article restates its proposition in other words but mostly goes on to other ones: a statement may
    # join a claim that already holds a statement of its own article only from this score (None: no rule).
    # Without it, an article's background and side facts chain into the claim of its lead (topic buckets).
    # Off: 0.75 with keep_apart_articles cut articles holding 2+ statements of one claim from 30 % to 13 %
    # and lifted the fit-story dossier sample (recall 0.952 -> 0.973, stance agreement 0.689 -> 0.703), but on
    # the story-disjoint dev split recall fell 0.934 -> 0.882 (under the 0.90 floor), disagree recall
    # 0.543 -> 0.436 (README, claim linking).
    rejoin_threshold: float | None = None
    # Two claims a statement bridges merge only when their anchors are this close as well (None: the anchor
    # floor). Off for the same reason: 0.6 splits headlines of one story (B-cubed F1 0.900 -> 0.873).
    merge_anchor_floor: float | None = None
    # Two claims that hold statements of one article are two things that article says, not one proposition
    # opened twice: a bridging statement does not merge them. Off, with rejoin_threshold (measured together).
    keep_apart_articles: bool = False


@dataclass(slots=True)
class ClaimProfile:
    """What the index keeps about one claim: running embedding sum, member count and term counts."""

    key: str
    vector_sum: np.ndarray
    members: int = 0
    term_counts: Counter[str] = field(default_factory=Counter)
    entity_counts: Counter[str] = field(default_factory=Counter)
    kept: list[np.ndarray] = field(default_factory=list)
    # The vector of the statement that opened the claim (None for a profile restored without one).
    anchor: np.ndarray | None = None
    # Articles whose statements the claim holds (kept when settings.keep_apart_articles is on).
    articles: set[str] = field(default_factory=set)

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.vector_sum))
        return self.vector_sum / norm if norm > 0 else self.vector_sum


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Where one statement went: the claim's slot in the index, its score, and whether it opened the claim."""

    slot: int
    score: float
    opened: bool
    # Claims folded into `slot` because this statement bridged them (their keys disappear).
    merged: tuple[str, ...] = ()


class ClaimIndex:
    """Claims seen so far, searchable by blocked term lookup and centroid similarity."""

    def __init__(self, dimension: int, settings: LinkingSettings | None = None) -> None:
        self.settings = settings or LinkingSettings()
        self.dimension = dimension
        self.claims: list[ClaimProfile] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.statements = 0
        self.term_frequency: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self.claims)

    def idf(self, term: str) -> float:
        """Inverse frequency of a term over the statements indexed so far (smoothed, never zero)."""
        return math.log((self.statements + 2) / (self.term_frequency[term] + 1)) + 1.0

    def term_weights(self, terms: StatementTerms) -> dict[str, float]:
        """The idf of each of a statement's terms, read once for all the claims it is compared with."""
        return {term: self.idf(term) for term in terms.terms | terms.entities}

    def blocked(self, terms: StatementTerms, weights: Mapping[str, float] | None = None) -> list[int]:
        """Claims sharing a not-too-common term with the statement, best term overlap first, capped."""
        idf = self.term_weights(terms) if weights is None else weights
        overlap: dict[int, float] = defaultdict(float)
        # Sorted terms and slot ties: a set's order follows the process's hash seed, and float sums in another
        # order (or ties kept in insertion order) would link differently from one run to the next.
        for term in sorted(terms.terms):
            posting = self.postings.get(term)
            if posting and len(posting) <= self.settings.max_posting:
                weight = idf[term]
                for slot in posting:
                    overlap[slot] += weight
        ranked = sorted(overlap, key=lambda slot: (-overlap[slot], slot))
        return ranked[: self.settings.max_candidates]

    def lexical(self, terms: frozenset[str], counts: Counter[str], members: int) -> float:
        """Share of the statement's idf weight that the claim's members carry, weighted by how many do."""
        return _lexical(self._weighted(terms, {term: self.idf(term) for term in terms}), counts, members)

    @staticmethod
    def _weighted(terms: frozenset[str], idf: Mapping[str, float]) -> tuple[list[tuple[str, float]], float]:
        """(term, idf) in sorted term order, and their sum in that order: what `lexical` sums, once."""
        ordered = [(term, idf[term]) for term in sorted(terms)]
        return ordered, sum(weight for _, weight in ordered)

    def scores(
        self,
        vector: np.ndarray,
        terms: StatementTerms,
        slots: Sequence[int],
        weights: Mapping[str, float] | None = None,
    ) -> np.ndarray:
        """Combined score of a statement against each given claim."""
        if not slots:
            return np.zeros(0, dtype=np.float32)
        # Mean similarity to the members (average linkage), not cosine to the normalised centroid: the
        # latter flatters large, diverse claims and lets them swallow neighbours.
        sums = np.stack([self.claims[slot].vector_sum for slot in slots])
        members = np.array([self.claims[slot].members for slot in slots], dtype=np.float32)
        settings = self.settings
        similarity = (1.0 - settings.nearest_weight) * (sums @ vector) / members
        if settings.nearest_weight > 0:
            nearest = np.array([float(np.max(np.stack(self.claims[slot].kept) @ vector)) for slot in slots])
            similarity = similarity + settings.nearest_weight * nearest
        combined: np.ndarray = settings.embedding_weight * similarity
        # The statement's idf weights are the same for every claim: sorted and summed once, not per claim.
        idf = self.term_weights(terms) if weights is None else weights
        term_weights = self._weighted(terms.terms, idf)
        entity_weights = self._weighted(terms.entities, idf)
        claims = [self.claims[slot] for slot in slots]
        # Added a whole column at a time in the array's own type: each Python float is rounded to that type
        # before the addition, as `combined[row] += value` does (NEP 50), so the sums are the same bits.
        combined += np.array(
            [settings.lexical_weight * _lexical(term_weights, c.term_counts, c.members) for c in claims],
            dtype=combined.dtype,
        )
        combined += np.array(
            [settings.entity_weight * _lexical(entity_weights, c.entity_counts, c.members) for c in claims],
            dtype=combined.dtype,
        )
        return combined

    def ranked(self, vector: np.ndarray, terms: StatementTerms) -> list[tuple[int, float]]:
        """Blocked claims with their combined scores, best first (empty when no claim shares a term).

        Claims whose anchor is further from the statement than the anchor floor are left out.
        """
        weights = self.term_weights(terms)
        slots = [slot for slot in self.blocked(terms, weights) if self.near_anchor(slot, vector)]
        combined = self.scores(vector, terms, slots, weights)
        order = np.argsort(-combined, kind="stable")
        return [(slots[row], float(combined[row])) for row in order]

    def near_anchor(self, slot: int, vector: np.ndarray) -> bool:
        """Whether a vector is within the anchor floor of a claim's opening statement (always without one)."""
        floor, anchor = self.settings.anchor_floor, self.claims[slot].anchor
        return floor is None or anchor is None or float(anchor @ vector) >= floor

    def add(
        self,
        vector: np.ndarray,
        terms: StatementTerms,
        key: str | None = None,
        denial: bool = False,
        skip: frozenset[int] = frozenset(),
        rejoin: frozenset[int] = frozenset(),
        article: str | None = None,
    ) -> LinkDecision:
        """Attach a statement to its best claim when the score reaches the threshold, else open a claim.

        `skip`: claims it may not join (for a denial, its own article's claims: it denies one made elsewhere).
        `rejoin`: claims that already hold a statement of its article (they need the rejoin threshold).
        `article`: the statement's article, kept per claim when claims sharing an article must stay apart.
        """
        ranked = [(slot, score) for slot, score in self.ranked(vector, terms) if slot not in skip]
        slot, score = ranked[0] if ranked else (-1, 0.0)
        opened = (
            slot < 0
            or score < self.join_threshold(denial)
            or not self.may_rejoin(slot in rejoin, score, denial)
        )
        if opened:
            slot = self.open(key or str(len(self.claims)))
        merged: tuple[str, ...] = ()
        if not opened:
            slot, merged = self.merge_bridged(slot, ranked[1:])
        self.attach(slot, vector, terms, article)
        return LinkDecision(slot, score, opened, merged)

    def would_join(
        self,
        vector: np.ndarray,
        terms: StatementTerms,
        denial: bool = False,
        rejoin: frozenset[int] = frozenset(),
    ) -> bool:
        """Whether `add` would attach this statement to an existing claim rather than open one."""
        ranked = self.ranked(vector, terms)
        if not ranked:
            return False
        slot, score = ranked[0]
        return score >= self.join_threshold(denial) and self.may_rejoin(slot in rejoin, score, denial)

    def may_rejoin(self, same_article: bool, score: float, denial: bool = False) -> bool:
        """Whether a claim holding a statement of the same article may take this one at this score.

        A denial may: an article denies one claim in its headline, its lead and its quotes, in other words.
        """
        limit = self.settings.rejoin_threshold
        return denial or not same_article or limit is None or score >= limit

    def join_threshold(self, denial: bool) -> float:
        """The score a statement needs to join a claim: lower for a denial, which presupposes one."""
        lowered = self.settings.denial_threshold
        if denial and lowered is not None:
            return min(lowered, self.settings.threshold)
        return self.settings.threshold

    def merge_bridged(self, slot: int, others: Sequence[tuple[int, float]]) -> tuple[int, tuple[str, ...]]:
        """Fold together the claims the statement reaches, when they are close; the largest one absorbs.

        Returns the claim the statement now belongs to and the keys of the claims that disappeared.
        """
        limit = self.settings.merge_threshold
        if limit is None:
            return slot, ()
        merged = []
        for other, score in others:
            if score < self.settings.threshold:
                break
            if self.cross_similarity(slot, other) < limit or not self.anchors_close(slot, other):
                continue
            if self.settings.keep_apart_articles and self.claims[slot].articles & self.claims[other].articles:
                continue
            if self.claims[other].members > self.claims[slot].members:
                slot, other = other, slot
            merged.append(self.merge(slot, other))
        return slot, tuple(merged)

    def anchors_close(self, a: int, b: int) -> bool:
        """Whether two claims' opening statements are within the anchor floor (always, without one)."""
        settings = self.settings
        floor = settings.anchor_floor if settings.merge_anchor_floor is None else settings.merge_anchor_floor
        first, second = self.claims[a].anchor, self.claims[b].anchor
        return floor is None or first is None or second is None or float(first @ second) >= floor

    def cross_similarity(self, a: int, b: int) -> float:
        """Mean cosine between the members of two claims (average linkage between them)."""
        first, second = self.claims[a], self.claims[b]
        return float(first.vector_sum @ second.vector_sum) / (first.members * second.members)

    def merge(self, into: int, other: int) -> str:
        """Move every member of claim `other` into claim `into`; `other` stays as an empty tombstone."""
        target, source = self.claims[into], self.claims[other]
        target.vector_sum = target.vector_sum + source.vector_sum
        target.members += source.members
        for term, count in source.term_counts.items():
            if term not in target.term_counts:
                self.postings[term].append(into)
            target.term_counts[term] += count
            self.postings[term].remove(other)
        target.entity_counts.update(source.entity_counts)
        target.articles |= source.articles
        target.kept.extend(source.kept[: max(0, self.settings.kept_members - len(target.kept))])
        self.claims[other] = ClaimProfile(source.key, np.zeros(self.dimension, dtype=np.float32))
        return source.key

    def open(self, key: str) -> int:
        self.claims.append(ClaimProfile(key, np.zeros(self.dimension, dtype=np.float32)))
        return len(self.claims) - 1

    def attach(
        self, slot: int, vector: np.ndarray, terms: StatementTerms, article: str | None = None
    ) -> None:
        """Add a statement to a claim's profile and to the term index."""
        claim = self.claims[slot]
        if article is not None and self.settings.keep_apart_articles:
            claim.articles.add(article)
        anchored = self.settings.anchor_floor is not None or self.settings.merge_anchor_floor is not None
        if claim.members == 0 and anchored:
            claim.anchor = vector.astype(np.float32)
        claim.vector_sum = claim.vector_sum + vector.astype(np.float32)
        claim.members += 1
        if self.settings.nearest_weight > 0 and len(claim.kept) < self.settings.kept_members:
            claim.kept.append(vector.astype(np.float32))
        for term in sorted(terms.terms):
            if term not in claim.term_counts:
                self.postings[term].append(slot)
            claim.term_counts[term] += 1
            self.term_frequency[term] += 1
        claim.entity_counts.update(terms.entities)
        self.statements += 1

    def search(self, vector: np.ndarray, limit: int = 10, min_members: int = 1) -> list[tuple[int, float]]:
        """Claims nearest in meaning to a query vector (cosine to centroid), best first."""
        slots = [slot for slot, claim in enumerate(self.claims) if claim.members >= max(min_members, 1)]
        if not slots:
            return []
        cosine = np.stack([self.claims[slot].centroid for slot in slots]) @ vector
        order = np.argsort(-cosine)[:limit]
        return [(slots[row], float(cosine[row])) for row in order]


def _lexical(weighted: tuple[list[tuple[str, float]], float], counts: Counter[str], members: int) -> float:
    """ClaimIndex.lexical from the statement's sorted (term, idf) pairs and their total."""
    ordered, total = weighted
    if total == 0 or members == 0:
        return 0.0
    shared = sum(
        weight * min(1.0, 2.0 * counts[term] / members) for term, weight in ordered if term in counts
    )
    return shared / total


def link_statements(
    vectors: np.ndarray, terms: Iterable[StatementTerms], settings: LinkingSettings | None = None
) -> list[str]:
    """Cluster statements in order with a fresh index; returns each statement's final claim key."""
    index = ClaimIndex(vectors.shape[1], settings)
    keys: list[str] = []
    merged_into: dict[str, str] = {}
    for position, (vector, statement) in enumerate(zip(vectors, terms, strict=True)):
        decision = index.add(vector, statement, str(position))
        target = index.claims[decision.slot].key
        for key in decision.merged:
            merged_into[key] = target
        keys.append(target)
    return [final_key(key, merged_into) for key in keys]


def final_key(key: str, merged_into: dict[str, str]) -> str:
    """Follow merges to the claim a key now belongs to."""
    while key in merged_into:
        key = merged_into[key]
    return key
