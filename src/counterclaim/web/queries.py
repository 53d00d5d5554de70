"""The web app's reads: claims filtered by outlet, outlet kind, stance, source, dates and meaning, paged.

Filters run in SQL over indexed columns (the same on SQLite and PostgreSQL); pages load only their own rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from counterclaim.claims import Encoder
from counterclaim.model import Claim, Outlet, OutletKind, Stance
from counterclaim.outlets.names import CountryLexicon
from counterclaim.parties import source_name
from counterclaim.sources import names_source, speaker_name
from counterclaim.store import Store
from counterclaim.store.attributions import load_attributions_by_id
from counterclaim.store.claims import ClaimVectorCache, load_accounts, load_claims
from counterclaim.store.search import rank_claims
from counterclaim.store.stories import stories_of_claims, story_sizes
from counterclaim.store.tables import accounts, articles, attributions
from counterclaim.text import utc


@dataclass(frozen=True, slots=True)
class ClaimFilters:
    """What a user can narrow the claim list by; empty fields do not filter."""

    search: str | None = None
    outlet: str | None = None
    outlet_kind: OutletKind | None = None
    stance: Stance | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def by_accounts(self) -> bool:
        return any((self.outlet, self.outlet_kind, self.stance, self.source, self.since, self.until))


@dataclass(frozen=True, slots=True)
class ClaimRow:
    claim: Claim
    stances: dict[str, int] = field(default_factory=dict)
    outlets: int = 0
    score: float | None = None
    # The story the claim belongs to and how many articles it holds (None: a store made before stories).
    story_id: str | None = None
    story_articles: int = 0


def list_claims(
    store: Store,
    filters: ClaimFilters,
    outlets: Sequence[Outlet],
    limit: int,
    offset: int,
    encoder: Encoder | None = None,
    claim_vectors: ClaimVectorCache | None = None,
    lexicon: CountryLexicon | None = None,
) -> list[ClaimRow]:
    """One page of claims: by closeness of meaning when searching, else in the claims stage's order.

    The source filter matches the spellings of a source (`lexicon`: country words of the outlet registry).
    """
    scores: dict[str, float] = {}
    if filters.search:
        found = rank_claims(store, filters.search, offset + limit, encoder=encoder, cache=claim_vectors)
        scores = {hit.claim.id: hit.similarity for hit in found}
        claims = [hit.claim for hit in found]
        if filters.by_accounts:
            allowed = _claim_ids_by_accounts(store, filters, outlets, lexicon)
            claims = [c for c in claims if c.id in allowed]
        claims = claims[offset : offset + limit]
    elif filters.by_accounts:
        ids = sorted(_claim_ids_by_accounts(store, filters, outlets, lexicon))
        claims = load_claims(store, claim_ids=ids, limit=limit, offset=offset) if ids else []
    else:
        claims = load_claims(store, limit=limit, offset=offset)
    story_of = stories_of_claims(store, [claim.id for claim in claims])
    sizes = story_sizes(store, sorted(set(story_of.values())))
    return [
        replace(
            _row(store, claim, scores.get(claim.id)),
            story_id=story_of.get(claim.id),
            story_articles=sizes.get(story_of.get(claim.id, ""), 0),
        )
        for claim in claims
    ]


def _row(store: Store, claim: Claim, score: float | None) -> ClaimRow:
    accounts = load_accounts(store, claim_id=claim.id)
    stances = Counter(a.stance.value for a in accounts if a.stance is not Stance.UNRELATED)
    return ClaimRow(claim, dict(stances), len({a.article_id for a in accounts}), score)


def _claim_ids_by_accounts(
    store: Store, filters: ClaimFilters, outlets: Sequence[Outlet], lexicon: CountryLexicon | None
) -> set[str]:
    """Claims with an account that passes every filter, selected in SQL (indexed joins, no corpus scan in
    Python); only the source filter's spelling rule runs in Python, once per distinct speaker name."""
    query = sa.select(accounts.c.claim_id, accounts.c.attribution_id, attributions.c.speaker_name).join(
        articles, articles.c.id == accounts.c.article_id
    )
    query = query.outerjoin(attributions, attributions.c.id == accounts.c.attribution_id)
    if filters.outlet:
        query = query.where(articles.c.outlet == filters.outlet)
    if filters.outlet_kind:
        keys = sorted(o.key for o in outlets if o.kind is filters.outlet_kind)
        query = query.where(articles.c.outlet.in_(keys))
    if filters.since:
        query = query.where(articles.c.published_at >= utc(filters.since))
    if filters.until:
        query = query.where(articles.c.published_at <= utc(filters.until))
    if filters.stance:
        query = query.where(accounts.c.stance == filters.stance.value)
    if filters.source:
        query = query.where(accounts.c.attribution_id.is_not(None))
    with store.engine.connect() as conn:
        rows = conn.execute(query.distinct()).all()
    if not filters.source:
        return {row.claim_id for row in rows}
    return _by_source(store, rows, filters.source, lexicon)


def _by_source(store: Store, rows: Sequence[Any], wanted: str, lexicon: CountryLexicon | None) -> set[str]:
    """Claims whose account's source is the one asked for, in any spelling (`names_source`).

    A stored speaker name is judged once however many accounts carry it; an attribution whose source is not
    its speaker (a relay or the source span stands in) is loaded and named as the dossier names it.
    """
    verdict: dict[str, bool | None] = {}
    found: set[str] = set()
    fallback: list[Any] = []
    for row in rows:
        raw = row.speaker_name or ""
        if raw not in verdict:
            shown = speaker_name(raw) if raw else None
            verdict[raw] = None if shown is None else names_source(wanted, shown, lexicon)
        if verdict[raw] is None:
            fallback.append(row)
        elif verdict[raw]:
            found.add(row.claim_id)
    if fallback:
        ids = {row.attribution_id for row in fallback}
        by_id = {a.id: a for a in load_attributions_by_id(store, sorted(ids))}
        for row in fallback:
            attribution = by_id.get(row.attribution_id)
            name = source_name(attribution) if attribution is not None else None
            if name and names_source(wanted, name, lexicon):
                found.add(row.claim_id)
    return found
