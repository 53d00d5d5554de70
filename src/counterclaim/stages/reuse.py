"""The reuse stage: passages shared verbatim or nearly so between articles, with spans, direction and cluster.

A batch is compared with the part of the stored fingerprint index it can match; indexed articles are skipped.
"""

from __future__ import annotations

from counterclaim.model import Article
from counterclaim.reuse import ReuseSettings, index_batch, match_batch
from counterclaim.reuse.settings import METHOD
from counterclaim.stages import Stage, StageContext
from counterclaim.store import Store
from counterclaim.store.reuse import not_indexed, partial_index, save_clustered, save_index


def link_reuse(store: Store, articles: list[Article], settings: ReuseSettings | None = None) -> int:
    """Compare a batch with the stored index, save its links and fingerprints; returns the new links.

    Articles already indexed are skipped, so running it twice over the same batch adds nothing.
    """
    settings = settings or ReuseSettings()
    fresh = not_indexed(store, articles)
    if not fresh:
        return 0
    index = partial_index(store, fresh, settings)
    numbers, prints = index_batch(fresh, index)
    links = match_batch(index, numbers, prints)
    with store.begin() as conn:
        save_index(conn, index, fresh, numbers, prints)
        if links:
            save_clustered(conn, store, links)
    return len(links)


def _run(context: StageContext, batch: list[Article]) -> int:
    return link_reuse(context.store, batch)


STAGE = Stage(
    name="reuse",
    version=METHOD,
    reads=("articles",),
    writes=("reuse links",),
    run=_run,
)
