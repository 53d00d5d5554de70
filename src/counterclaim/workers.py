"""Attribution in a process pool: `AttributionPool(workers)` gives what `AttributionExtractor` gives.

A thin shell over the pool engine (`counterclaim.engines.pool`), kept for callers that want attributions only.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from counterclaim.engines import slices
from counterclaim.engines.pool import PoolEngine
from counterclaim.errors import UsageError
from counterclaim.model import Article, Attribution
from counterclaim.stages.attribution import attribution_partition

if TYPE_CHECKING:
    from counterclaim.attribution import ArticleReading

__all__ = ["AttributionPool", "slices"]


class AttributionPool:
    """Attribution extraction in `workers` processes; `extract` returns what AttributionExtractor would."""

    def __init__(self, workers: int, contextual_cues: bool = True) -> None:
        if workers < 2:
            raise UsageError(f"A pool needs at least 2 workers, not {workers}: use AttributionExtractor.")
        self.workers = workers
        self._engine = PoolEngine(workers, contextual_cues)

    def extract(self, articles: Sequence[Article]) -> list[Attribution]:
        return [attribution for reading in self.read(articles) for attribution in reading.attributions]

    def read(self, articles: Sequence[Article]) -> list[ArticleReading]:
        return self._engine.map(attribution_partition, articles)

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> AttributionPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
