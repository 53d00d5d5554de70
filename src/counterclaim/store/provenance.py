"""Persistence of primary-source checks and recorded verdicts, and the assembly of a dossier from the store.

`analyze_provenance` runs the provenance stage over stored claims; `load_dossier` gathers one claim's records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from counterclaim.dossier import Dossier, build_dossier
from counterclaim.errors import NotFoundError, UsageError
from counterclaim.model import Article, Outlet, ProvenanceCheck, ProvenanceStatus, Span, Verdict
from counterclaim.outlets import OutletRegistry, load_registry
from counterclaim.outlets.names import CountryLexicon
from counterclaim.provenance import (
    AttributedSource,
    ProvenanceOptions,
    Similarity,
    SourceChannels,
    attributed_sources,
    check_provenance,
    claim_window,
)
from counterclaim.sources import source_identities
from counterclaim.store import Store
from counterclaim.store.attributions import load_attributions
from counterclaim.store.claims import load_accounts, load_claims
from counterclaim.store.reuse import load_reuse_links
from counterclaim.store.schema.dossier import provenance_checks, verdicts


def save_provenance(conn: Connection, claim_id: str, checks: Sequence[ProvenanceCheck]) -> None:
    """Replace the stored checks of one claim."""
    conn.execute(provenance_checks.delete().where(provenance_checks.c.claim_id == claim_id))
    rows = [_check_row(check) for check in checks if check.claim_id == claim_id]
    if rows:
        conn.execute(provenance_checks.insert(), rows)


def load_provenance(store: Store, claim_id: str) -> list[ProvenanceCheck]:
    query = (
        sa.select(provenance_checks)
        .where(provenance_checks.c.claim_id == claim_id)
        .order_by(provenance_checks.c.source)
    )
    with store.engine.connect() as conn:
        return [_check_from_row(row) for row in conn.execute(query).mappings()]


def save_verdict(conn: Connection, verdict: Verdict) -> None:
    """Record a reviewer's verdict; verdicts accumulate, the newest last."""
    if not verdict.rating.strip() or not verdict.reviewer.strip():
        raise UsageError("A verdict needs a --rating and a --reviewer: both were not given.")
    conn.execute(
        verdicts.insert().values(
            claim_id=verdict.claim_id,
            rating=verdict.rating,
            reviewer=verdict.reviewer,
            reviewed_at=_utc(verdict.reviewed_at),
            url=verdict.url,
            notes=verdict.notes,
        )
    )


def load_verdicts(store: Store, claim_id: str | None = None) -> list[Verdict]:
    query = sa.select(verdicts).order_by(verdicts.c.reviewed_at, verdicts.c.id)
    if claim_id is not None:
        query = query.where(verdicts.c.claim_id == claim_id)
    with store.engine.connect() as conn:
        return [
            Verdict(
                claim_id=row["claim_id"],
                rating=row["rating"],
                reviewer=row["reviewer"],
                reviewed_at=_utc(row["reviewed_at"]) or datetime.now(UTC),
                url=row["url"],
                notes=row["notes"],
            )
            for row in conn.execute(query).mappings()
        ]


def analyze_provenance(
    store: Store,
    claim_ids: Sequence[str] | None = None,
    registry: OutletRegistry | None = None,
    options: ProvenanceOptions | None = None,
    similarity: Similarity | None = None,
) -> int:
    """Check each attributed source of the given claims (all when None) against its own channels; save."""
    registry = registry or load_registry()
    options = options or ProvenanceOptions()
    count = 0
    for claim in load_claims(store, claim_ids=claim_ids):
        accounts = load_accounts(store, claim_id=claim.id)
        article_ids = sorted({a.article_id for a in accounts})
        attributions = load_attributions(store, article_ids)
        account_articles = {a.id: a for a in store.articles(ids=article_ids)}
        start, end = claim_window(claim, accounts, account_articles, options)
        sources = attributed_sources(accounts, attributions)
        # "Defense Ministry" in one report and "Russia's Defence Ministry" in another: the qualified
        # spelling says whose channels to search for both.
        names = [name for source in sources for name in (source.name, source.organisation or "")]
        identities = source_identities(names, registry.lexicon)
        reporting = _reporting_countries(registry, account_articles.values())
        channels = {
            source.name: _source_channels(store, registry, source, start, end, reporting, identities)
            for source in sources
        }
        channel_ids = {a.id for c in channels.values() for a in c.articles}
        links = load_reuse_links(store, sorted(channel_ids | set(article_ids))) if channel_ids else []
        checks = check_provenance(
            claim, accounts, attributions, channels, links, similarity, options, account_articles
        )
        with store.begin() as conn:
            save_provenance(conn, claim.id, checks)
        count += len(checks)
    return count


def analyze_provenance_batch(
    store: Store, batch: Sequence[Article], registry: OutletRegistry | None = None
) -> int:
    """The pipeline's step: re-check the claims the batch has accounts of, or every claim when the batch
    holds an item of some official channel (it may be the publication an older claim was waiting for)."""
    registry = registry or load_registry()
    channel_keys = {o.key for o in registry.all() if o.channel_of}
    channel_keys |= {o.key for o in store.outlets() if o.channel_of}
    if any(article.outlet in channel_keys for article in batch):
        return analyze_provenance(store, registry=registry)
    ids = (
        sorted({a.claim_id for a in load_accounts(store, article_ids=[a.id for a in batch])}) if batch else []
    )
    return analyze_provenance(store, claim_ids=ids, registry=registry) if ids else 0


def _source_channels(
    store: Store,
    registry: OutletRegistry,
    source: AttributedSource,
    start: datetime | None,
    end: datetime | None,
    reporting_countries: set[str],
    identities: Mapping[str, str],
) -> SourceChannels:
    outlets: dict[str, Outlet] = {}
    for name in (source.name, source.organisation):
        if name:
            outlets.update((o.key, o) for o in registry.channels_of(identities.get(name, name)))
    outlets = _narrow_by_country(outlets, reporting_countries)
    items: list[Article] = []
    for key in sorted(outlets):
        items.extend(store.articles(outlet=key, since=start, until=end))
    return SourceChannels(tuple(sorted(outlets)), tuple(items))


def _narrow_by_country(outlets: dict[str, Outlet], reporting_countries: set[str]) -> dict[str, Outlet]:
    # "The Defence Ministry" names no country: the reporting outlets' countries say whose ministry it is.
    countries = {o.country for o in outlets.values()}
    if len(countries) <= 1:
        return outlets
    narrowed = {k: o for k, o in outlets.items() if o.country in reporting_countries}
    return narrowed or outlets


def _reporting_countries(registry: OutletRegistry, articles: Iterable[Article]) -> set[str]:
    countries = set()
    for article in articles:
        if article.outlet and article.outlet in registry:
            country = registry.get(article.outlet).country
            if country:
                countries.add(country)
    return countries


def known_outlets(store: Store, registry: OutletRegistry | None = None) -> list[Outlet]:
    """The shipped registry overlaid with the outlets stored by the user."""
    merged = {o.key: o for o in (registry or load_registry()).all()}
    merged.update((o.key, o) for o in store.outlets())
    return list(merged.values())


def load_dossier(
    store: Store,
    claim_id: str,
    outlets: Sequence[Outlet] | None = None,
    lexicon: CountryLexicon | None = None,
) -> Dossier:
    """Gather one claim's accounts, articles, attributions, reuse, checks and verdicts into its dossier.

    `lexicon` (country words that let "Valdoria's" meet "Valdorian") defaults to the shipped registry's.
    """
    found = load_claims(store, claim_ids=[claim_id])
    if not found:
        raise NotFoundError(
            f"No claim with id {claim_id!r}: list claims with `counterclaim report --search TEXT`."
        )
    claim = found[0]
    accounts = load_accounts(store, claim_id=claim.id)
    article_ids = sorted({a.article_id for a in accounts})
    return build_dossier(
        claim=claim,
        accounts=accounts,
        attributions=load_attributions(store, article_ids) if article_ids else [],
        articles=store.articles(ids=article_ids) if article_ids else [],
        outlets=outlets if outlets is not None else known_outlets(store),
        reuse_links=load_reuse_links(store, article_ids) if article_ids else [],
        provenance_checks=load_provenance(store, claim.id),
        verdicts=load_verdicts(store, claim.id),
        lexicon=lexicon if lexicon is not None else load_registry().lexicon,
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _check_row(check: ProvenanceCheck) -> dict[str, Any]:
    span = check.found_span
    return {
        "claim_id": check.claim_id,
        "source": check.source,
        "status": check.status.value,
        "channel_outlets": list(check.channel_outlets),
        "items_checked": check.items_checked,
        "window_start": _utc(check.window_start),
        "window_end": _utc(check.window_end),
        "found_article_id": check.found_article_id,
        "found_span": [span.start, span.end, span.text] if span else None,
        "method": check.method,
    }


def _check_from_row(row: RowMapping) -> ProvenanceCheck:
    span = row["found_span"]
    return ProvenanceCheck(
        claim_id=row["claim_id"],
        source=row["source"],
        status=ProvenanceStatus(row["status"]),
        channel_outlets=tuple(row["channel_outlets"] or ()),
        items_checked=row["items_checked"],
        window_start=_utc(row["window_start"]),
        window_end=_utc(row["window_end"]),
        found_article_id=row["found_article_id"],
        found_span=Span(int(span[0]), int(span[1]), str(span[2])) if span else None,
        method=row["method"],
    )
