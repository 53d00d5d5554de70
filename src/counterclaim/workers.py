"""Process pools for the stages whose work is independent per article, so a batch uses every core.

`AttributionPool(workers)` maps attribution extraction over slices of a batch; a worker loads its models once.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType

from counterclaim.attribution import AttributionExtractor
from counterclaim.errors import UsageError
from counterclaim.model import Article, Attribution

# The extractor of this worker process, loaded once by the pool's initializer. It lives only in the
# worker processes (never in the parent), which is the one place a module-level model is the point.
_worker_extractor: AttributionExtractor | None = None


def _worker_model(contextual_cues: bool = True) -> AttributionExtractor:
    global _worker_extractor
    if _worker_extractor is None:
        _worker_extractor = AttributionExtractor.load(contextual_cues)
    return _worker_extractor


def _extract_slice(articles: Sequence[Article]) -> list[Attribution]:
    return _worker_model().extract(articles)


def slices(articles: Sequence[Article], count: int) -> list[list[Article]]:
    """`count` contiguous slices of nearly equal length (order kept), without empty ones."""
    size, extra = divmod(len(articles), count)
    found, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        if end > start:
            found.append(list(articles[start:end]))
        start = end
    return found


class AttributionPool:
    """Attribution extraction in `workers` processes; `extract` returns what AttributionExtractor would."""

    def __init__(self, workers: int, contextual_cues: bool = True) -> None:
        if workers < 2:
            raise UsageError(f"A pool needs at least 2 workers, not {workers}: use AttributionExtractor.")
        self.workers = workers
        # Spawned, not forked: a forked copy of a parent holding threads (ONNX, a web server) can deadlock.
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_model,
            initargs=(contextual_cues,),
        )

    def extract(self, articles: Sequence[Article]) -> list[Attribution]:
        found: list[Attribution] = []
        for part in self._executor.map(_extract_slice, slices(articles, self.workers)):
            found.extend(part)
        return found

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> AttributionPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
