"""The provenance stage: does the source a claim is attributed to carry it in its own channels?

Re-checks the claims a batch has accounts of, or every claim when the batch holds an official channel's item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from counterclaim import faults
from counterclaim.model import Account, Article, Outlet
from counterclaim.outlets import OutletRegistry, open_registry
from counterclaim.provenance import (
    METHOD,
    AttributedSource,
    ProvenanceOptions,
    Similarity,
    SourceChannels,
    attributed_sources,
    check_provenance,
    claim_window,
)
from counterclaim.sources import source_identities
from counterclaim.stages import Stage, StageContext
from counterclaim.store import Store
from counterclaim.store.attributions import load_attributions_by_id
from counterclaim.store.claims import load_accounts, load_claims
from counterclaim.store.provenance import save_provenance
from counterclaim.store.reuse import load_reuse_links


def analyze_provenance(
    store: Store,
    claim_ids: Sequence[str] | None = None,
    registry: OutletRegistry | None = None,
    options: ProvenanceOptions | None = None,
    similarity: Similarity | None = None,
) -> int:
    """Check each attributed source of the given claims (all when None) against its own channels; save."""
    registry = registry or open_registry(store)
    options = options or ProvenanceOptions()
    count = 0
    for checked, claim in enumerate(load_claims(store, claim_ids=claim_ids), start=1):
        accounts = load_accounts(store, claim_id=claim.id)
        article_ids = sorted({a.article_id for a in accounts})
        # Only the attributions the accounts point at, by primary key: loading every attribution of every
        # member article made a claim's check grow with its articles' other statements (provenance CPU per
        # article almost doubled from 300 to 1,000 articles).
        attributions = load_attributions_by_id(store, _attribution_ids(accounts))
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
        faults.checkpoint(f"provenance-claim-{checked}")
    return count


def _attribution_ids(accounts: Iterable[Account]) -> list[str]:
    """The distinct attributions a claim's accounts stand on, in a stable order."""
    return sorted({account.attribution_id for account in accounts if account.attribution_id})


def analyze_provenance_batch(
    store: Store, batch: Sequence[Article], registry: OutletRegistry | None = None
) -> int:
    """The pipeline's step: re-check the claims the batch has accounts of, or every claim when the batch
    holds an item of some official channel (it may be the publication an older claim was waiting for)."""
    registry = registry or open_registry(store)
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
    outlets = _narrow_by_country(outlets, context_countries(registry, source.context) or reporting_countries)
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


def context_countries(registry: OutletRegistry, names: Iterable[str]) -> set[str]:
    """Countries of the names around a source: outlets relaying it ("RIA Novosti", "RT and TASS") by their
    registry entry, other names by the country words in them ("Several Russian government media outlets")."""
    countries: set[str] = set()
    for name in names:
        for part in re.split(r",\s*|\s+and\s+", name):
            found = {o.country for o in registry.find_by_name(part) if o.country}
            countries |= found or set(registry.lexicon.parse(part).countries)
    return countries


def _reporting_countries(registry: OutletRegistry, articles: Iterable[Article]) -> set[str]:
    countries = set()
    for article in articles:
        if article.outlet and article.outlet in registry:
            country = registry.get(article.outlet).country
            if country:
                countries.add(country)
    return countries


def _run(context: StageContext, batch: list[Article]) -> int:
    return analyze_provenance_batch(context.store, batch, context.registry)


STAGE = Stage(
    name="provenance",
    version=METHOD,
    reads=("articles", "attributions", "claims", "accounts", "reuse links"),
    writes=("provenance checks",),
    run=_run,
)
