"""Persistence of the claims and stance stages: link new articles, save and load claims and accounts.

The claim index is rebuilt from the claims table (embedding sums, term counts): linking resumes incrementally.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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
    Member,
    claim_accounts,
    members_of,
)
from counterclaim.claims.candidates import Candidate, CandidateKind, candidates_of
from counterclaim.claims.linking import ClaimIndex, ClaimProfile, LinkingSettings
from counterclaim.dossier import source_name
from counterclaim.model import Account, Article, Attribution, Claim, Span, Stance
from counterclaim.outlets import load_registry
from counterclaim.outlets.names import CountryLexicon
from counterclaim.sources import source_identities, speaker_name
from counterclaim.store import Store
from counterclaim.store.schema.articles import articles
from counterclaim.store.schema.claims import accounts, claim_statements, claims

if TYPE_CHECKING:
    from counterclaim.stance import StanceModel

DIMENSION = 384
UNKNOWN_TERMS: dict[str, dict[str, int]] = {"terms": {}, "entities": {}}


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """A claim with who stands where: sources (attributed speakers) and outlets (whole articles) by stance."""

    claim: Claim
    articles: int
    asserting: tuple[str, ...]
    denying: tuple[str, ...]
    reporting: tuple[str, ...]
    # Outlets that carried an asserting source's statement (the relays between source and reader).
    relayed_by: tuple[str, ...] = ()
    outlets_asserting: tuple[str, ...] = ()
    outlets_denying: tuple[str, ...] = ()
    outlets_reporting: tuple[str, ...] = ()
    score: float | None = None

    @property
    def conflict(self) -> bool:
        asserted = bool(self.asserting) or bool(self.outlets_asserting)
        return asserted and (bool(self.denying) or bool(self.outlets_denying))


# ---------------------------------------------------------------- saving


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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
                "canonical_published": _utc(claim.first_seen),
                "first_seen": _utc(claim.first_seen),
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
        "canonical_published": _utc(state.canonical_published),
        "first_seen": _utc(state.first_seen),
        "vector_sum": profile.vector_sum.astype(np.float32).tobytes(),
        "members": profile.members,
        "terms": {"terms": dict(profile.term_counts), "entities": dict(profile.entity_counts)},
    }


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


# ---------------------------------------------------------------- linking


def open_linker(store: Store, encoder: Encoder, settings: LinkingSettings | None = None) -> ClaimLinker:
    """A linker whose index holds every stored claim that has an embedding."""
    index = ClaimIndex(DIMENSION, settings)
    states: dict[str, ClaimState] = {}
    query = (
        sa.select(claims).where(claims.c.vector_sum.is_not(None)).order_by(claims.c.first_seen, claims.c.id)
    )
    with store.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            slot = index.open(row["id"])
            profile = index.claims[slot]
            profile.vector_sum = np.frombuffer(row["vector_sum"], dtype=np.float32).copy()
            profile.members = row["members"]
            profile.term_counts = Counter(row["terms"].get("terms", {}))
            profile.entity_counts = Counter(row["terms"].get("entities", {}))
            for term, count in profile.term_counts.items():
                index.postings[term].append(slot)
                index.term_frequency[term] += count
            index.statements += profile.members
            states[row["id"]] = _state(row)
    return ClaimLinker(encoder, index, states)


def _state(row: RowMapping) -> ClaimState:
    span = Span(row["canonical_start"], row["canonical_end"], row["canonical_text"])
    canonical = Candidate(
        row["canonical_article_id"], CandidateKind.SENTENCE, span, clear=row["canonical_clear"]
    )
    return ClaimState(
        row["id"],
        canonical,
        row["canonical_clear"],
        _utc(row["canonical_published"]),
        _utc(row["first_seen"]),
    )


def linked_article_ids(store: Store, article_ids: Iterable[str]) -> set[str]:
    """Articles whose statements were already linked (re-running the stage skips them)."""
    ids = list(article_ids)
    if not ids:
        return set()
    query = sa.select(claim_statements.c.article_id).where(claim_statements.c.article_id.in_(ids)).distinct()
    with store.engine.connect() as conn:
        return {row[0] for row in conn.execute(query)}


def analyze_claims(
    store: Store,
    batch: list[Article],
    linker: ClaimLinker | None = None,
    stance_model: StanceModel | None = None,
) -> int:
    """Link the statements of new articles into claims and save accounts with stances; returns claims touched.

    Needs the batch's attributions saved first. Articles already linked are skipped: the stage can be re-run.
    """
    from counterclaim.store.attributions import load_attributions

    done = linked_article_ids(store, (article.id for article in batch))
    fresh = [article for article in batch if article.id not in done]
    if not fresh:
        return 0
    if linker is None:
        from counterclaim.claims import load_encoder

        linker = open_linker(store, load_encoder())
    if stance_model is None:
        from counterclaim.stance import StanceModel

        stance_model = StanceModel.load()
    found_attributions = load_attributions(store, [article.id for article in fresh])
    linked = linker.link(fresh, candidates_of(fresh, found_attributions))
    members = missing_members(store, linker, linked)
    texts = {m.claim_id: linker.states[m.claim_id].canonical.statement.text for m in members}
    by_id = {article.id: article for article in fresh}
    earlier = sorted({m.article_id for m in members} - set(by_id))
    by_id.update({article.id: article for article in store.articles(ids=earlier)} if earlier else {})
    wanted = {m.attribution_id for m in members if m.attribution_id}
    attributions = {a.id: a for a in found_attributions if a.id in wanted}
    if wanted - set(attributions):
        attributions.update({a.id: a for a in load_attributions(store, earlier) if a.id in wanted})
    found_accounts = claim_accounts(stance_model, members, texts, by_id, attributions)
    with store.begin() as conn:
        save_linking(conn, linker, linked)
        save_accounts(conn, found_accounts)
    return len({item.claim_id for item in linked})


def missing_members(store: Store, linker: ClaimLinker, linked: Sequence[LinkedCandidate]) -> list[Member]:
    """Members of the claims this batch touched that need an account: claims of two statements or more only.

    A one-statement claim gets no account (most sentences are one); when a later statement joins it, the
    members of earlier batches are picked up here: every (claim, article) of a shared claim gets its account.
    """
    merges = linker.merges()
    shared = {
        item.claim_id for item in linked if linker.index.claims[linker.slot_of[item.claim_id]].members >= 2
    }
    if not shared:
        return []
    stored_ids = sorted(shared | {old for old, new in merges.items() if new in shared})
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(
                claim_statements.c.claim_id, claim_statements.c.article_id, claim_statements.c.attribution_id
            ).where(claim_statements.c.claim_id.in_(stored_ids))
        ).all()
        existing = conn.execute(
            sa.select(accounts.c.claim_id, accounts.c.article_id, accounts.c.attribution_id).where(
                accounts.c.claim_id.in_(stored_ids)
            )
        ).all()
    done = {Member(merges.get(c, c), a, t) for c, a, t in existing}
    stored_members = [Member(merges.get(c, c), a, None) for c, a, _ in stored]
    stored_members += [Member(merges.get(c, c), a, t) for c, a, t in stored if t]
    candidates = stored_members + members_of(linked)
    needed = [m for m in candidates if m.claim_id in shared and m not in done]
    return list(dict.fromkeys(needed))


# ---------------------------------------------------------------- loading


def _claim(row: RowMapping) -> Claim:
    span = Span(row["canonical_start"], row["canonical_end"], row["canonical_text"])
    return Claim(
        row["id"],
        row["canonical_text"],
        row["canonical_article_id"],
        span,
        _utc(row["first_seen"]),
        row["method"],
    )


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
    vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    return _ClaimMatrix(version, rows, vectors, counts)


def search_claims(
    store: Store,
    text: str,
    limit: int = 10,
    encoder: Encoder | None = None,
    min_articles: int = 1,
    cache: ClaimVectorCache | None = None,
) -> list[tuple[Claim, float]]:
    """Claims nearest in meaning to a text (cosine to the claim's centroid, or to its canonical text)."""
    found = nearest_claims(store, text, limit, encoder, min_articles, cache)
    return [(claim, similarity) for claim, similarity, _ in found]


def nearest_claims(
    store: Store,
    text: str,
    limit: int = 10,
    encoder: Encoder | None = None,
    min_articles: int = 1,
    cache: ClaimVectorCache | None = None,
) -> list[tuple[Claim, float, int]]:
    """(claim, cosine, articles carrying it) of the claims nearest in meaning to a text, nearest first."""
    if not text.strip():
        return []
    if encoder is None:
        from counterclaim.claims import load_encoder

        encoder = load_encoder()
    matrix = (cache or ClaimVectorCache()).matrix(store, encoder)
    # Claims saved without statements (records written directly) count as seen in one article.
    support = [matrix.articles_per_claim.get(row["id"], 1) for row in matrix.rows]
    kept = [index for index, count in enumerate(support) if count >= min_articles]
    if not kept:
        return []
    query = encoder.encode([text])[0]
    similarity = matrix.vectors[kept] @ query
    order = np.argsort(-similarity, kind="stable")[:limit]
    return [(_claim(matrix.rows[kept[i]]), round(float(similarity[i]), 4), support[kept[i]]) for i in order]


def claim_summaries(
    store: Store,
    found: Sequence[Claim],
    scores: Sequence[float | None] | None = None,
    lexicon: CountryLexicon | None = None,
) -> list[ClaimSummary]:
    """Who asserts, denies and reports each claim: attributed sources; outlets by their article's stance.

    Sources are named as in the dossier (speaker, else innermost relay), spellings of one source made one.
    """
    from counterclaim.store.attributions import load_attributions

    lexicon = lexicon if lexicon is not None else load_registry().lexicon
    summaries = []
    for position, claim in enumerate(found):
        related = [a for a in load_accounts(store, claim_id=claim.id) if a.stance is not Stance.UNRELATED]
        article_ids = sorted({a.article_id for a in related})
        attributions = {a.id: a for a in load_attributions(store, article_ids)}
        outlets = _outlets(store, article_ids)
        named = [
            (account, attribution, source_name(attribution) or outlets.get(account.article_id, ""))
            for account in related
            if (attribution := attributions.get(account.attribution_id or "")) is not None
        ]
        # Outlet keys too: "valnews" the outlet is "Valnews" the source.
        identities = source_identities(
            [name for _, attribution, source in named for name in (source, *_relay_names(attribution))]
            + list(outlets.values()),
            lexicon,
        )
        sources: dict[Stance, set[str]] = {stance: set() for stance in Stance}
        carriers: dict[Stance, set[str]] = {stance: set() for stance in Stance}
        relays: set[str] = set()
        for account in related:
            if account.attribution_id not in attributions:
                carriers[account.stance].add(outlets.get(account.article_id, account.article_id[:12]))
        for account, attribution, source in named:
            shown = identities.get(source, source)
            if shown:
                sources[account.stance].add(shown)
            if account.stance is Stance.ASSERTS:
                # An article of no known outlet relays nothing a reader could name.
                if account.article_id in outlets:
                    relays.add(identities.get(outlets[account.article_id], outlets[account.article_id]))
                relays.update(identities.get(name, name) for name in _relay_names(attribution))
                relays.discard(shown)
        summaries.append(
            ClaimSummary(
                claim,
                len(article_ids),
                tuple(sorted(sources[Stance.ASSERTS])),
                tuple(sorted(sources[Stance.DENIES])),
                tuple(sorted(sources[Stance.REPORTS] - sources[Stance.ASSERTS] - sources[Stance.DENIES])),
                tuple(sorted(relays - sources[Stance.ASSERTS])),
                tuple(sorted(carriers[Stance.ASSERTS])),
                tuple(sorted(carriers[Stance.DENIES])),
                tuple(sorted(carriers[Stance.REPORTS])),
                scores[position] if scores is not None else None,
            )
        )
    return summaries


def _relay_names(attribution: Attribution) -> list[str]:
    names = (speaker_name(relay.name) for relay in attribution.relay_chain if relay.name)
    return [name for name in names if name]


def _outlets(store: Store, article_ids: Sequence[str]) -> dict[str, str]:
    """The outlet (key, else site name) of each article that has one."""
    if not article_ids:
        return {}
    query = sa.select(articles.c.id, articles.c.outlet, articles.c.site_name).where(
        articles.c.id.in_(article_ids)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return {row.id: row.outlet or row.site_name for row in rows if row.outlet or row.site_name}


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
