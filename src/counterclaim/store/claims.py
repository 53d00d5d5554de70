"""Persistence of the claims and stance stages: link new articles, save and load claims and accounts.

The claim index is rebuilt from the claims table (embedding sums, term counts): linking resumes incrementally.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from counterclaim.claims import (
    METHOD,
    ClaimLinker,
    ClaimState,
    Encoder,
    LinkedCandidate,
)
from counterclaim.claims.candidates import Candidate, CandidateKind
from counterclaim.claims.linking import ClaimIndex, ClaimProfile, LinkingSettings
from counterclaim.errors import NotFoundError, UsageError
from counterclaim.model import Account, Claim, Span, Stance
from counterclaim.store import Store
from counterclaim.store.schema.articles import articles
from counterclaim.store.schema.claims import accounts, claim_statements, claims
from counterclaim.text import utc

if TYPE_CHECKING:
    pass

DIMENSION = 384
UNKNOWN_TERMS: dict[str, dict[str, int]] = {"terms": {}, "entities": {}}


# ---------------------------------------------------------------- saving


def save_claims(conn: Connection, found: Sequence[Claim]) -> None:
    """Insert or replace claims given as records (without embeddings: search finds them, linking does not)."""
    for claim in found:
        conn.execute(claims.delete().where(claims.c.id == claim.id))
        conn.execute(
            claims.insert(),
            {
                "id": claim.id,
                "canonical_text": claim.canonical_text,
                "canonical_article_id": claim.canonical_article_id,
                "canonical_start": claim.canonical_span.start,
                "canonical_end": claim.canonical_span.end,
                "canonical_clear": True,
                "canonical_published": utc(claim.first_seen),
                "first_seen": utc(claim.first_seen),
                "method": claim.method,
                "vector_sum": None,
                "members": 0,
                "terms": UNKNOWN_TERMS,
            },
        )


def save_accounts(conn: Connection, found: Sequence[Account]) -> None:
    """Append accounts (stances of articles and attributions toward claims)."""
    rows = [
        {
            "claim_id": a.claim_id,
            "article_id": a.article_id,
            "attribution_id": a.attribution_id,
            "stance": a.stance.value,
            "score": float(a.score),
            "evidence_start": a.evidence.start if a.evidence else None,
            "evidence_end": a.evidence.end if a.evidence else None,
            "method": a.method,
        }
        for a in found
    ]
    if rows:
        conn.execute(accounts.insert(), rows)


def _state_row(state: ClaimState, profile: ClaimProfile) -> dict[str, Any]:
    span = state.canonical.statement
    return {
        "canonical_text": span.text,
        "canonical_article_id": state.canonical.article_id,
        "canonical_start": span.start,
        "canonical_end": span.end,
        "canonical_clear": state.canonical_clear,
        "canonical_published": utc(state.canonical_published),
        "first_seen": utc(state.first_seen),
        "vector_sum": profile.vector_sum.astype(np.float32).tobytes(),
        "members": profile.members,
        "terms": {
            "terms": dict(sorted(profile.term_counts.items())),
            "entities": dict(sorted(profile.entity_counts.items())),
            **anchor_field(profile),
        },
    }


def anchor_field(profile: ClaimProfile) -> dict[str, str]:
    """The claim's anchor (its opening statement's vector) as base64 float32, kept beside its term counts."""
    if profile.anchor is None:
        return {}
    return {"anchor": base64.b64encode(profile.anchor.astype(np.float32).tobytes()).decode("ascii")}


def save_linking(conn: Connection, linker: ClaimLinker, linked: Sequence[LinkedCandidate]) -> None:
    """Write the linked statements and the new or changed claims they touched."""
    statement_rows = [
        {
            "claim_id": item.claim_id,
            "article_id": item.candidate.article_id,
            "attribution_id": item.candidate.attribution_id,
            "kind": item.candidate.kind.value,
            "start": item.candidate.span.start,
            "end": item.candidate.span.end,
            "clear": item.candidate.clear,
            "score": item.score,
            "opened": item.opened,
            "embedding": item.vector.astype(np.float16).tobytes(),
            "method": METHOD,
        }
        for item in linked
    ]
    if statement_rows:
        conn.execute(claim_statements.insert(), statement_rows)
    for old, new in linker.merges().items():
        for table in (claim_statements, accounts):
            conn.execute(table.update().where(table.c.claim_id == old).values(claim_id=new))
        conn.execute(claims.delete().where(claims.c.id == old))
    linker.merged_into.clear()
    touched = list(dict.fromkeys(item.claim_id for item in linked))
    stored = {row[0] for row in conn.execute(sa.select(claims.c.id).where(claims.c.id.in_(touched)))}
    for claim_id in touched:
        row = _state_row(linker.states[claim_id], linker.index.claims[linker.slot_of[claim_id]])
        if claim_id not in stored:
            conn.execute(claims.insert(), {"id": claim_id, "method": METHOD, **row})
        else:
            conn.execute(claims.update().where(claims.c.id == claim_id).values(**row))


def clear_claims(conn: Connection) -> None:
    """Delete every claim with its statements, accounts and primary-source checks (verdicts stay: they are a
    reviewer's records), so the claims stage can link the whole corpus again."""
    from counterclaim.store.schema.dossier import provenance_checks
    from counterclaim.store.stories import clear_stories

    for table in (provenance_checks, accounts, claim_statements, claims):
        conn.execute(table.delete())
    clear_stories(conn)


# ---------------------------------------------------------------- linking


def restore_profile(index: ClaimIndex, row: RowMapping) -> None:
    """Put one stored profile (a claim's or a story's: summed vector, members, term and entity counts)
    back into `index`, with its term postings."""
    slot = index.open(row["id"])
    profile = index.claims[slot]
    profile.vector_sum = np.frombuffer(row["vector_sum"], dtype=np.float32).copy()
    profile.members = row["members"]
    profile.term_counts = Counter(row["terms"].get("terms", {}))
    profile.entity_counts = Counter(row["terms"].get("entities", {}))
    # Claims stored before anchors were kept have none: the anchor floor does not apply to them.
    anchor = row["terms"].get("anchor")
    if anchor:
        profile.anchor = np.frombuffer(base64.b64decode(anchor), dtype=np.float32).copy()
    for term, count in profile.term_counts.items():
        index.postings[term].append(slot)
        index.term_frequency[term] += count
    index.statements += profile.members


def open_linker(store: Store, encoder: Encoder, settings: LinkingSettings | None = None) -> ClaimLinker:
    """A linker whose index holds every stored claim that has an embedding."""
    index = ClaimIndex(DIMENSION, settings)
    states: dict[str, ClaimState] = {}
    query = (
        sa.select(claims).where(claims.c.vector_sum.is_not(None)).order_by(claims.c.first_seen, claims.c.id)
    )
    with store.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            restore_profile(index, row)
            states[row["id"]] = _state(row)
        if index.settings.keep_apart_articles:
            restore_articles(conn, index)
    linker = ClaimLinker(encoder, index, states)
    from counterclaim.store.stories import open_story_index

    linker.stories = open_story_index(store)
    return linker


def restore_articles(conn: Connection, index: ClaimIndex) -> None:
    """Give each restored claim the articles its statements come from (claims sharing one never merge)."""
    slot_of = {claim.key: slot for slot, claim in enumerate(index.claims)}
    query = sa.select(claim_statements.c.claim_id, claim_statements.c.article_id).distinct()
    for claim_id, article_id in conn.execute(query):
        slot = slot_of.get(claim_id)
        if slot is not None:
            index.claims[slot].articles.add(article_id)


def _state(row: RowMapping) -> ClaimState:
    span = Span(row["canonical_start"], row["canonical_end"], row["canonical_text"])
    canonical = Candidate(
        row["canonical_article_id"], CandidateKind.SENTENCE, span, clear=row["canonical_clear"]
    )
    return ClaimState(
        row["id"],
        canonical,
        row["canonical_clear"],
        utc(row["canonical_published"]),
        utc(row["first_seen"]),
    )


def linked_article_ids(store: Store, article_ids: Iterable[str]) -> set[str]:
    """Articles whose statements were already linked (re-running the stage skips them)."""
    ids = list(article_ids)
    if not ids:
        return set()
    query = sa.select(claim_statements.c.article_id).where(claim_statements.c.article_id.in_(ids)).distinct()
    with store.engine.connect() as conn:
        return {row[0] for row in conn.execute(query)}


# ---------------------------------------------------------------- loading


def _claim(row: RowMapping) -> Claim:
    span = Span(row["canonical_start"], row["canonical_end"], row["canonical_text"])
    return Claim(
        row["id"],
        row["canonical_text"],
        row["canonical_article_id"],
        span,
        utc(row["first_seen"]),
        row["method"],
    )


def resolve_claim_id(store: Store, claim_id: str) -> str:
    """The full id of the claim `claim_id` names: the id itself or a unique prefix (as listings print it)."""
    wanted = claim_id.strip()
    if not wanted:
        raise UsageError("Give a claim id: list them with `counterclaim claims`.")
    pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        sa.select(claims.c.id).where(claims.c.id.like(pattern, escape="\\")).order_by(claims.c.id).limit(6)
    )
    with store.engine.connect() as conn:
        found = [str(row[0]) for row in conn.execute(query)]
    if wanted in found:
        return wanted
    if not found:
        raise NotFoundError(f"No claim with id {wanted!r}: list claims with `counterclaim claims`.")
    if len(found) > 1:
        shown = ", ".join(found[:5])
        raise UsageError(f"Claim id prefix {wanted!r} is ambiguous ({shown}, ...): give more characters.")
    return found[0]


def load_claims(
    store: Store,
    claim_ids: Sequence[str] | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Claim]:
    """Stored claims, earliest first; `search` keeps those whose canonical text contains the words given."""
    query = sa.select(claims)
    if claim_ids is not None:
        query = query.where(claims.c.id.in_(list(claim_ids)))
    for word in (search or "").split():
        query = query.where(sa.func.lower(claims.c.canonical_text).contains(word.lower()))
    query = query.order_by(claims.c.first_seen, claims.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        return [_claim(row) for row in conn.execute(query).mappings()]


def load_accounts(
    store: Store, claim_id: str | None = None, article_ids: Sequence[str] | str | None = None
) -> list[Account]:
    """Stored accounts of one claim and/or of some articles, with evidence text cut from the article."""
    if isinstance(article_ids, str):
        article_ids = [article_ids]
    query = sa.select(accounts, articles.c.text.label("article_text")).join(
        articles, articles.c.id == accounts.c.article_id
    )
    if claim_id is not None:
        query = query.where(accounts.c.claim_id == claim_id)
    if article_ids is not None:
        query = query.where(accounts.c.article_id.in_(list(article_ids)))
    query = query.order_by(accounts.c.claim_id, accounts.c.article_id, accounts.c.id)
    with store.engine.connect() as conn:
        return [_account(row) for row in conn.execute(query).mappings()]


def statement_positions(
    store: Store, article_ids: Sequence[str]
) -> dict[str, list[tuple[int, str, str | None]]]:
    """Per article, (start, claim id, attribution id) of each statement linked into a claim, in text order."""
    query = (
        sa.select(
            claim_statements.c.article_id,
            claim_statements.c.start,
            claim_statements.c.claim_id,
            claim_statements.c.attribution_id,
        )
        .where(claim_statements.c.article_id.in_(list(article_ids)))
        .order_by(claim_statements.c.article_id, claim_statements.c.start)
    )
    found: dict[str, list[tuple[int, str, str | None]]] = {}
    with store.engine.connect() as conn:
        for article_id, start, claim_id, attribution_id in conn.execute(query):
            found.setdefault(article_id, []).append((int(start), claim_id, attribution_id))
    return found


def _account(row: RowMapping) -> Account:
    evidence = None
    if row["evidence_start"] is not None and row["evidence_end"] is not None:
        evidence = Span.of(row["article_text"], row["evidence_start"], row["evidence_end"])
    return Account(
        row["claim_id"],
        row["article_id"],
        Stance(row["stance"]),
        row["score"],
        row["method"],
        row["attribution_id"],
        evidence,
    )


@dataclass(frozen=True)
class _ClaimMatrix:
    version: tuple[int, int]
    rows: list[RowMapping]
    vectors: np.ndarray
    articles_per_claim: dict[str, int]
    # |sum of member embeddings| / members: how alike a claim's statements are. Cosine to the normalised
    # centroid times this is the mean similarity to the members (average linkage), which does not flatter
    # large, mixed claims.
    coherence: np.ndarray


class ClaimVectorCache:
    """Claim vectors kept between searches by a long-lived reader (the web app).

    Reloaded when the number of claims or of linked statements changes: linking adds statements and
    merging removes claims, and each of those is what moves a claim's vector.
    """

    def __init__(self) -> None:
        self._matrix: _ClaimMatrix | None = None

    def matrix(self, store: Store, encoder: Encoder) -> _ClaimMatrix:
        version = _claims_version(store)
        current = self._matrix
        if current is None or current.version != version:
            current = _load_claim_matrix(store, encoder, version)
            self._matrix = current
        return current


def _claims_version(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        claim_count = conn.execute(sa.select(sa.func.count()).select_from(claims)).scalar_one()
        statement_count = conn.execute(sa.select(sa.func.count()).select_from(claim_statements)).scalar_one()
    return int(claim_count), int(statement_count)


def _load_claim_matrix(store: Store, encoder: Encoder, version: tuple[int, int]) -> _ClaimMatrix:
    with store.engine.connect() as conn:
        rows = list(conn.execute(sa.select(claims)).mappings())
        counts: dict[str, int] = dict(
            conn.execute(
                sa.select(
                    claim_statements.c.claim_id, sa.func.count(sa.distinct(claim_statements.c.article_id))
                ).group_by(claim_statements.c.claim_id)
            ).all()
        )
    missing = [row["canonical_text"] for row in rows if row["vector_sum"] is None]
    missing_vectors = iter(encoder.encode(missing)) if missing else iter(())
    vectors = (
        np.stack(
            [
                np.frombuffer(row["vector_sum"], dtype=np.float32)
                if row["vector_sum"] is not None
                else next(missing_vectors)
                for row in rows
            ]
        )
        if rows
        else np.zeros((0, DIMENSION), dtype=np.float32)
    )
    norms = np.linalg.norm(vectors, axis=1) if rows else np.zeros(0, dtype=np.float32)
    coherence = np.array(
        [
            float(norm) / max(int(row["members"]), 1) if row["vector_sum"] is not None else 1.0
            for row, norm in zip(rows, norms, strict=True)
        ],
        dtype=np.float32,
    )
    vectors = vectors / np.clip(norms[:, None], 1e-12, None) if rows else vectors
    return _ClaimMatrix(version, rows, vectors, counts, np.clip(coherence, 0.0, 1.0))


def search_claims(
    store: Store,
    text: str,
    limit: int = 10,
    encoder: Encoder | None = None,
    cache: ClaimVectorCache | None = None,
) -> list[tuple[Claim, float]]:
    """Claims nearest in meaning to a text (cosine to the claim's centroid), nearest first.

    Candidates come from the claim index (`store.claim_index`: the exact product below its size threshold),
    as for `report --search`, so the web app and `claims --search` keep one graph per vector cache.
    """
    from counterclaim.store.claim_index import claim_candidates_indexed

    found = claim_candidates_indexed(store, text, limit, encoder, cache=cache)
    return [(c.claim, c.similarity) for c in found]


@dataclass(frozen=True, slots=True)
class ClaimCandidate:
    """A claim near a query: cosine to its centroid, mean similarity to its members, articles carrying it."""

    claim: Claim
    similarity: float
    mean_similarity: float
    articles: int


def claim_candidates(
    store: Store,
    text: str,
    limit: int = 10,
    encoder: Encoder | None = None,
    cache: ClaimVectorCache | None = None,
) -> list[ClaimCandidate]:
    """The claims nearest in meaning to a text (cosine to the centroid), nearest first."""
    if not text.strip():
        return []
    if encoder is None:
        from counterclaim.claims import load_encoder

        encoder = load_encoder()
    matrix = (cache or ClaimVectorCache()).matrix(store, encoder)
    if not matrix.rows:
        return []
    query = encoder.encode([text])[0]
    similarity = matrix.vectors @ query
    order = np.argsort(-similarity, kind="stable")[:limit]
    return [candidate_at(matrix, int(i), float(similarity[i])) for i in order]


def candidate_at(matrix: _ClaimMatrix, position: int, similarity: float) -> ClaimCandidate:
    """The candidate of the matrix's claim at `position`, given its cosine to the query."""
    return ClaimCandidate(
        _claim(matrix.rows[position]),
        round(similarity, 4),
        # In float32, as the vectors are: the same query gives the same figures whichever path found it.
        round(float(np.float32(similarity) * matrix.coherence[position]), 4),
        # Claims saved without statements (records written directly) count as seen in one article.
        matrix.articles_per_claim.get(matrix.rows[position]["id"], 1),
    )


def claims_with_outlets(store: Store, min_outlets: int = 1) -> list[str]:
    """Ids of claims with related (not unrelated) accounts in at least `min_outlets` outlets, widest first.

    An article without a known outlet counts as its own outlet.
    """
    outlet = sa.func.coalesce(articles.c.outlet, articles.c.id)
    query = (
        sa.select(accounts.c.claim_id, sa.func.count(sa.distinct(outlet)).label("outlets"))
        .join(articles, articles.c.id == accounts.c.article_id)
        .where(accounts.c.stance != Stance.UNRELATED.value)
        .group_by(accounts.c.claim_id)
        .having(sa.func.count(sa.distinct(outlet)) >= min_outlets)
        .order_by(sa.desc("outlets"), accounts.c.claim_id)
    )
    with store.engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]
