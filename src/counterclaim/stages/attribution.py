"""The attribution stage: who said what in each article (source, cue, content, relay, channel, polarity).

Independent per article, so the engine may run it anywhere (pool, Ray); it replaces an article's stored
attributions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from counterclaim import __version__
from counterclaim.model import Article, Attribution
from counterclaim.stages import Models, Stage, StageContext
from counterclaim.store.attributions import save_attributions


class Extractor(Protocol):
    """Anything that extracts a batch's attributions: the extractor itself, or a pool of them."""

    def extract(self, articles: Sequence[Article]) -> list[Attribution]: ...


def extract_partition(models: Models, articles: list[Article]) -> list[Attribution]:
    """The per-article part, run by the engine wherever it runs: each article's attributions alone."""
    return models.extractor.extract(articles)


def extract_attributions(context: StageContext, batch: list[Article]) -> int:
    """Extract (through the run's engine) and save the attributions of a batch of stored articles; returns
    how many were found. The driver writes: engines return records, never touch the store."""
    if not batch:
        return 0
    found = context.partitions().map(extract_partition, batch)
    with context.store.begin() as conn:
        for article in batch:
            save_attributions(conn, article.id, found)
    return len(found)


STAGE = Stage(
    name="attributions",
    version=f"counterclaim.attribution/{__version__}",
    reads=("articles",),
    writes=("attributions",),
    run=extract_attributions,
)
