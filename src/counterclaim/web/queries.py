"""The web app's reads: claims filtered by outlet, outlet kind, stance, source, dates and meaning, paged.

Everything goes through the stages' load functions, so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from counterclaim.claims import Encoder
from counterclaim.model import Account, Claim, Outlet, OutletKind, Stance
from counterclaim.outlets.names import CountryLexicon
from counterclaim.parties import source_name
from counterclaim.sources import names_source
from counterclaim.store import Store
from counterclaim.store.attributions import load_attributions
from counterclaim.store.claims import ClaimVectorCache, load_accounts, load_claims, search_claims


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
        found = search_claims(
            store, filters.search, limit=max(200, offset + limit), encoder=encoder, cache=claim_vectors
        )
        scores = {claim.id: score for claim, score in found}
        claims = [claim for claim, _ in found]
        if filters.by_accounts:
            allowed = _claim_ids_by_accounts(store, filters, outlets, lexicon)
            claims = [c for c in claims if c.id in allowed]
        claims = claims[offset : offset + limit]
    elif filters.by_accounts:
        ids = sorted(_claim_ids_by_accounts(store, filters, outlets, lexicon))
        claims = load_claims(store, claim_ids=ids, limit=limit, offset=offset) if ids else []
    else:
        claims = load_claims(store, limit=limit, offset=offset)
    return [_row(store, claim, scores.get(claim.id)) for claim in claims]


def _row(store: Store, claim: Claim, score: float | None) -> ClaimRow:
    accounts = load_accounts(store, claim_id=claim.id)
    stances = Counter(a.stance.value for a in accounts if a.stance is not Stance.UNRELATED)
    return ClaimRow(claim, dict(stances), len({a.article_id for a in accounts}), score)


def _claim_ids_by_accounts(
    store: Store, filters: ClaimFilters, outlets: Sequence[Outlet], lexicon: CountryLexicon | None
) -> set[str]:
    articles = store.articles(outlet=filters.outlet, since=filters.since, until=filters.until)
    if filters.outlet_kind:
        kinds = {o.key: o.kind for o in outlets}
        articles = [
            a for a in articles if kinds.get(a.outlet or "", OutletKind.UNKNOWN) is filters.outlet_kind
        ]
    ids = [a.id for a in articles]
    if not ids:
        return set()
    accounts: list[Account] = load_accounts(store, article_ids=ids)
    if filters.stance:
        accounts = [a for a in accounts if a.stance is filters.stance]
    if filters.source:
        accounts = _by_source(store, accounts, filters.source, lexicon)
    return {a.claim_id for a in accounts}


def _by_source(
    store: Store, accounts: list[Account], wanted: str, lexicon: CountryLexicon | None
) -> list[Account]:
    article_ids = sorted({a.article_id for a in accounts if a.attribution_id})
    found = load_attributions(store, article_ids)
    names = {attribution.id: source_name(attribution) or "" for attribution in found}
    return [a for a in accounts if names_source(wanted, names.get(a.attribution_id or "", ""), lexicon)]
