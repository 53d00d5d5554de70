"""Every table of the store, importable from one place."""

from counterclaim.store.schema import metadata
from counterclaim.store.schema.articles import articles, ingested_sources, outlets, pending_links

__all__ = ["articles", "ingested_sources", "metadata", "outlets", "pending_links"]
