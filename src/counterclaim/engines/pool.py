"""The pool engine: partition tasks in `workers` spawned processes, each loading its models once.

A batch is cut into one contiguous slice per worker; results are joined in article order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from counterclaim.engines import slices
from counterclaim.errors import UsageError
from counterclaim.model import Article

if TYPE_CHECKING:
    from counterclaim.engines import PartitionTask
    from counterclaim.stages import Models

T = TypeVar("T")

# The models of this worker process, loaded by the pool's initializer. They live only in worker processes
# (never in the parent), which is the one place a module-level model is the point.
_worker_models: Models | None = None


def _start_worker(contextual_cues: bool) -> None:
    global _worker_models
    from counterclaim.engines import one_thread
    from counterclaim.models import offline
    from counterclaim.stages import Models

    offline()
    one_thread()
    _worker_models = Models(contextual_cues=contextual_cues)


def _run_partition(task: PartitionTask[T], articles: list[Article]) -> list[T]:
    if _worker_models is None:
        raise RuntimeError("a pool worker runs a task before its initializer loaded the models")
    return task(_worker_models, articles)


class PoolEngine:
    name = "pool"
    nodes = 1

    def __init__(self, workers: int, contextual_cues: bool = True) -> None:
        if workers < 1:
            raise UsageError(f"A pool needs at least one worker, not {workers}.")
        self.workers = workers
        # Spawned, not forked: a forked copy of a parent holding threads (ONNX, a web server) can deadlock.
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(contextual_cues,),
        )

    def map(self, task: PartitionTask[T], articles: Sequence[Article]) -> list[T]:
        parts = slices(articles, self.workers)
        found: list[T] = []
        for part in self._executor.map(_run_partition, [task] * len(parts), parts):
            found.extend(part)
        return found

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
