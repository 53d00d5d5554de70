"""Every table of the store, importable from one place."""

from counterclaim.store.schema import metadata
from counterclaim.store.schema.articles import (
    article_copies,
    articles,
    ingested_sources,
    outlets,
    pending_links,
)
from counterclaim.store.schema.attributions import attributions
from counterclaim.store.schema.claims import accounts, article_stories, claim_statements, claims, stories
from counterclaim.store.schema.dossier import provenance_checks, verdicts
from counterclaim.store.schema.pipeline import outlet_files, stage_runs
from counterclaim.store.schema.reuse import reuse_clusters, reuse_fingerprints, reuse_indexed, reuse_links
from counterclaim.store.schema.vectors import sentence_vectors

__all__ = [
    "accounts",
    "article_copies",
    "article_stories",
    "articles",
    "attributions",
    "claim_statements",
    "claims",
    "ingested_sources",
    "metadata",
    "outlet_files",
    "outlets",
    "pending_links",
    "provenance_checks",
    "reuse_clusters",
    "reuse_fingerprints",
    "reuse_indexed",
    "reuse_links",
    "sentence_vectors",
    "stage_runs",
    "stories",
    "verdicts",
]
