"""The claims stage: link candidate statements of new articles into claims, then give each account a stance.

`ClaimLinker` holds the embedder and the claim index explicitly (no global state); store/claims.py saves.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import numpy as np

from counterclaim.claims.candidates import Candidate, CandidateKind, candidates_of
from counterclaim.claims.denials import attribution_denials, lead_denial_results
from counterclaim.claims.linking import METHOD, ClaimIndex, LinkingSettings, final_key
from counterclaim.claims.terms import proposition_text, statement_terms
from counterclaim.embeddings import TEXT_ROWS
from counterclaim.model import Account, Article, Attribution

if TYPE_CHECKING:
    from counterclaim.claims.stories import StoryIndex
    from counterclaim.stance import BodyIndex, StanceModel

__all__ = [
    "METHOD",
    "Candidate",
    "CandidateKind",
    "ClaimLinker",
    "ClaimState",
    "Encoder",
    "LinkedCandidate",
    "LinkingVectors",
    "Member",
    "candidates_of",
    "claim_accounts",
    "lead_vector",
    "load_encoder",
    "members_of",
    "read_for_linking",
    "statement_vectors",
]


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 row vectors (counterclaim.embeddings.Embedder)."""

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


def load_encoder() -> Encoder:
    """The shipped ONNX MiniLM embedder (raises ModelError naming the make target that rebuilds it)."""
    from counterclaim.embeddings import Embedder

    return Embedder.load()


def linking_text(candidate: Candidate) -> str:
    """What a candidate is embedded as: a denial as what it denies (negation and "reports that" removed), so
    that it lands next to it."""
    return candidate.denied or proposition_text(candidate.text)


def statement_vectors(
    encoder: Encoder, candidates: Sequence[Candidate], sentences: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """The linking vectors of one article's candidates, by linking text, embedded with no other article's.

    Int8 activations are scaled per encoder call: embedding each article's statements alone makes their
    vectors, and so the claims, independent of which batch, worker or engine embedded them. `sentences` maps
    the article's sentence texts to their vectors as already read: a statement that is one of them takes
    that vector, rounded to float16 as a store keeps it (fresh or kept, the same vector).
    """
    texts = list(dict.fromkeys(linking_text(candidate) for candidate in candidates))
    read = sentences or {}
    known = {text: read[text].astype(np.float16).astype(np.float32) for text in texts if text in read}
    rest = [text for text in texts if text not in known]
    known.update(zip(rest, encoder.encode(rest, batch_size=TEXT_ROWS), strict=True))
    return {text: known[text] for text in texts}


def lead_vector(encoder: Encoder, article: Article) -> np.ndarray:
    """The vector of an article's lead (story placement), embedded alone."""
    from counterclaim.claims.stories import lead_text

    return np.asarray(encoder.encode([lead_text(article)], batch_size=TEXT_ROWS)[0], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class LinkingVectors:
    """One article's vectors for the claims stage, embedded alone: its lead's (story placement) and its
    statements' (claim linking, by linking text). The per-article stage makes them where it runs."""

    lead: np.ndarray
    statements: dict[str, np.ndarray]


def read_for_linking(
    encoder: Encoder,
    article: Article,
    attributions: Sequence[Attribution],
    sentences: tuple[Sequence[tuple[int, int]], np.ndarray] | None = None,
) -> LinkingVectors:
    """An article's LinkingVectors, from the article and its attributions.

    `sentences` are its sentence ranges and vectors as already read (stance.read_article): a statement that
    is one of those sentences takes that vector, rounded to float16 as a store keeps it, so the vectors are
    the same whether the sentences come fresh from the per-article stage or kept from the store. The other
    statements are embedded together, with no other article's.
    """
    from counterclaim.claims.candidates import article_candidates

    read: dict[str, np.ndarray] = {}
    if sentences is not None:
        spans, vectors = sentences
        read = {article.text[start:end]: row for (start, end), row in zip(spans, vectors, strict=True)}
    statements = statement_vectors(encoder, article_candidates(article, attributions), read)
    return LinkingVectors(lead_vector(encoder, article), statements)


def claim_id_for(candidate: Candidate) -> str:
    """A claim's id: a hash of the statement that opened it, so re-running gives the same ids."""
    key = f"{candidate.article_id}:{candidate.kind}:{candidate.span.start}:{candidate.span.end}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(slots=True)
class ClaimState:
    """A claim as the stage sees it while linking: its canonical statement and when it was first seen."""

    id: str
    canonical: Candidate
    canonical_clear: bool
    canonical_published: datetime | None
    first_seen: datetime | None


@dataclass(frozen=True, slots=True)
class LinkedCandidate:
    candidate: Candidate
    claim_id: str
    score: float
    opened: bool
    vector: np.ndarray


def _earlier(a: datetime | None, b: datetime | None) -> bool:
    """Whether a is strictly earlier than b; an unknown date is later than any known one."""
    if a is None:
        return False
    return b is None or a < b


def own_claims(index: ClaimIndex, statements: Counter[int]) -> frozenset[int]:
    """Claims all of whose statements come from one article, given how many each holds from it."""
    return frozenset(slot for slot, count in statements.items() if index.claims[slot].members <= count)


def _moved(own: dict[str, Counter[int]], gone: Sequence[int], into: int) -> None:
    """Count the statements of claims folded away as statements of the claim that absorbed them."""
    for statements in own.values():
        for slot in gone:
            if slot in statements:
                statements[into] += statements.pop(slot)


class ClaimLinker:
    """An embedder and a claim index, kept across batches so that linking stays incremental."""

    def __init__(
        self, encoder: Encoder, index: ClaimIndex, states: dict[str, ClaimState] | None = None
    ) -> None:
        self.encoder = encoder
        self.index = index
        self.states: dict[str, ClaimState] = states or {}
        self.slot_of: dict[str, int] = {claim.key: slot for slot, claim in enumerate(index.claims)}
        # Claims folded into another because a statement bridged them, since this linker was opened.
        self.merged_into: dict[str, str] = {}
        # The story index (claims/stories.py), opened with the claim index and kept in step with it.
        self.stories: StoryIndex | None = None

    @classmethod
    def empty(
        cls, encoder: Encoder, settings: LinkingSettings | None = None, dimension: int = 384
    ) -> ClaimLinker:
        return cls(encoder, ClaimIndex(dimension, settings))

    def link(
        self,
        articles: Sequence[Article],
        candidates: Sequence[Candidate],
        read: Mapping[str, LinkingVectors] | None = None,
    ) -> list[LinkedCandidate]:
        """Attach each candidate to an existing claim or open a new one, in order of publication.

        `read` holds articles' statement vectors already made (by the per-article stage); the others are
        embedded here, each article alone, as it would have (statement_vectors).
        """
        published = {article.id: article.published_at for article in articles}
        order = sorted(
            range(len(candidates)),
            key=lambda i: (
                published.get(candidates[i].article_id) is None,
                published.get(candidates[i].article_id) or datetime.max,
                i,
            ),
        )
        known = self._statement_vectors(candidates, read or {})
        vectors = [known[candidates[i].article_id][linking_text(candidates[i])] for i in order]
        linked: list[LinkedCandidate] = []
        own: dict[str, Counter[int]] = {}
        for row, position in enumerate(order):
            candidate = candidates[position]
            when = published.get(candidate.article_id)
            terms = statement_terms(candidate.denied or candidate.text)
            mine = own.setdefault(candidate.article_id, Counter())
            # Claims its article's earlier statements joined: another one joins them only as a restatement.
            joined = frozenset(mine)
            # A fragment, quote or caption may join a claim but opens none: a claim starts from a proposition.
            if not candidate.proposition and not self.index.would_join(
                vectors[row], terms, candidate.denial, joined
            ):
                continue
            decision = self.index.add(
                vectors[row],
                terms,
                claim_id_for(candidate),
                candidate.denial,
                own_claims(self.index, mine) if candidate.denial else frozenset(),
                joined,
                candidate.article_id,
            )
            if decision.merged and self.index.settings.rejoin_threshold is not None:
                _moved(own, [self.slot_of[key] for key in decision.merged], decision.slot)
            mine[decision.slot] += 1
            claim_id = self.index.claims[decision.slot].key
            if decision.opened:
                self.slot_of[claim_id] = decision.slot
                self.states[claim_id] = ClaimState(claim_id, candidate, candidate.clear, when, when)
            else:
                self._fold(claim_id, decision.merged)
                self._update(self.states[claim_id], candidate, when)
            linked.append(LinkedCandidate(candidate, claim_id, decision.score, decision.opened, vectors[row]))
        return [self._resolved(item) for item in linked]

    def _statement_vectors(
        self, candidates: Sequence[Candidate], read: Mapping[str, LinkingVectors]
    ) -> dict[str, dict[str, np.ndarray]]:
        """Each article's statement vectors by linking text: as read where they hold every candidate's text,
        else embedded now, the article alone."""
        by_article: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            by_article.setdefault(candidate.article_id, []).append(candidate)
        known: dict[str, dict[str, np.ndarray]] = {}
        for article_id, own in by_article.items():
            vectors = read[article_id].statements if article_id in read else {}
            if not all(linking_text(candidate) in vectors for candidate in own):
                vectors = statement_vectors(self.encoder, own)
            known[article_id] = vectors
        return known

    def _fold(self, claim_id: str, merged: Sequence[str]) -> None:
        state = self.states[claim_id]
        for key in merged:
            self.merged_into[key] = claim_id
            self.slot_of.pop(key, None)
            other = self.states.pop(key)
            self._update(state, other.canonical, other.canonical_published, other.canonical_clear)
            if _earlier(other.first_seen, state.first_seen):
                state.first_seen = other.first_seen

    def _resolved(self, item: LinkedCandidate) -> LinkedCandidate:
        claim_id = final_key(item.claim_id, self.merged_into)
        if claim_id == item.claim_id:
            return item
        return LinkedCandidate(item.candidate, claim_id, item.score, item.opened, item.vector)

    def merges(self) -> dict[str, str]:
        """Every claim folded away since the linker was opened, mapped to the claim that holds it now."""
        return {key: final_key(key, self.merged_into) for key in self.merged_into}

    @staticmethod
    def _update(
        state: ClaimState, candidate: Candidate, when: datetime | None, clear: bool | None = None
    ) -> None:
        # The canonical text is the earliest clear proposition: an asserting statement beats a denial or
        # hedge (stance is judged against it), a complete sentence beats a fragment, then earlier wins.
        is_clear = candidate.clear if clear is None else clear
        rank = (is_clear, candidate.proposition)
        current = (state.canonical_clear, state.canonical.proposition)
        # Within one article, "earlier" means earlier in the text.
        same_time = when == state.canonical_published and candidate.article_id == state.canonical.article_id
        earlier = _earlier(when, state.canonical_published) or (
            same_time and candidate.span.start < state.canonical.span.start
        )
        if rank > current or (rank == current and is_clear and earlier):
            state.canonical, state.canonical_clear, state.canonical_published = candidate, is_clear, when
        if _earlier(when, state.first_seen):
            state.first_seen = when


@dataclass(frozen=True, slots=True)
class Member:
    """What an account is for: a (claim, article) pair, or (claim, attribution) when attribution_id is set."""

    claim_id: str
    article_id: str
    attribution_id: str | None = None


def members_of(linked: Sequence[LinkedCandidate]) -> list[Member]:
    """The article pair of every linked statement, and the attribution pair of those that are attributions."""
    found = [Member(i.claim_id, i.candidate.article_id) for i in linked]
    found += [Member(i.claim_id, i.candidate.article_id, i.candidate.attribution_id) for i in linked]
    return list(dict.fromkeys(found))


def claim_accounts(
    model: StanceModel,
    members: Sequence[Member],
    claim_texts: Mapping[str, str],
    articles: Mapping[str, Article],
    attributions: Mapping[str, Attribution],
    bodies: Mapping[str, BodyIndex] | None = None,
) -> list[Account]:
    """Accounts: per (claim, article) the article's stance, per member attribution its speaker's stance.

    `bodies` holds the sentence vectors of articles at hand (kept in the store); the others are embedded here.
    """
    from counterclaim.embeddings import TextVectors
    from counterclaim.stance import ATTRIBUTION_METHOD, attribution_stances

    # Each claim text is embedded once, for the attribution stances, the article stances and the denials.
    vectors = TextVectors(model.embedder)
    claim_vector = vectors.of(sorted({claim_texts[m.claim_id] for m in members}))
    # All attributions of the batch at once: one embedding call, one stance call, one denial call.
    keys = sorted({(m.claim_id, m.attribution_id) for m in members if m.attribution_id})
    found = [(claim_id, attributions[a]) for claim_id, a in keys if a and a in attributions]
    items = [
        (claim_texts[claim_id], attribution, articles[attribution.article_id])
        for claim_id, attribution in found
    ]
    stances = attribution_denials(vectors, items, attribution_stances(model, items, claim_vector))
    pairs = sorted({(m.claim_id, m.article_id) for m in members if m.attribution_id is None})
    texts_and_articles = [(claim_texts[claim], articles[article]) for claim, article in pairs]
    results = lead_denial_results(
        vectors, texts_and_articles, model.article_stances(texts_and_articles, bodies, claim_vector)
    )
    accounts = [
        Account(
            claim,
            article,
            result.stance,
            result.score,
            f"{model.method}+{METHOD}",
            None,
            result.evidence,
        )
        for (claim, article), result in zip(pairs, results, strict=True)
    ]
    for (claim_id, attribution), result in zip(found, stances, strict=True):
        accounts.append(
            Account(
                claim_id,
                attribution.article_id,
                result.stance,
                result.score,
                f"{ATTRIBUTION_METHOD}+{METHOD}",
                attribution.id,
                result.evidence,
            )
        )
    return accounts
