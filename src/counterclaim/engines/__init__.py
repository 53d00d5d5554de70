"""Engines: where a stage's per-article work runs: here (local), in processes (pool), on Ray (ray).

A stage hands `Engine.map` a partition task; results come back in article order to the driver (it writes).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from counterclaim.errors import UsageError
from counterclaim.model import Article

if TYPE_CHECKING:
    from counterclaim.stages import Models

ENGINES = ("local", "pool", "ray")
T = TypeVar("T")

# A partition task: a module-level function (so a worker process or a Ray actor can import it) of the
# worker's own models and a partition of articles, returning the records found, in article order. Its results
# for one article must not depend on the other articles of the partition: that is what lets any engine split
# a batch anywhere and still give the local engine's rows.
PartitionTask = Callable[["Models", list[Article]], list[T]]


class Engine(Protocol):
    """Runs partition tasks over a batch of articles; `workers` run at once, on `nodes` machines."""

    name: str
    workers: int

    @property
    def nodes(self) -> int: ...

    def map(self, task: PartitionTask[T], articles: Sequence[Article]) -> list[T]: ...

    def close(self) -> None: ...


def default_workers() -> int:
    """One worker a core (the cores this process may use)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def one_thread() -> None:
    """Limit this process's BLAS and OpenMP pools to one thread (the ONNX sessions open with one already).

    Parallelism comes from the engine's processes: a thread pool per process spins on the small matrix
    products the stages make, and one thread sums in one order, so the same input gives the same rows.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


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


def open_engine(
    name: str,
    models: Models,
    workers: int | None = None,
    address: str | None = None,
) -> Engine:
    """The engine called `name`: `local` runs on `models`; `pool` starts `workers` processes (default: one a
    core); `ray` connects to the cluster at `address` (`auto`: the one `ray start` left on this machine)."""
    if name not in ENGINES:
        raise UsageError(f"No engine called {name!r}: choose one of {', '.join(ENGINES)}.")
    if address is not None and name != "ray":
        raise UsageError(f"--address names a Ray cluster: pass --engine ray with it, not --engine {name}.")
    one_thread()
    if name == "local":
        from counterclaim.engines.local import LocalEngine

        return LocalEngine(models)
    if name == "pool":
        from counterclaim.engines.pool import PoolEngine

        return PoolEngine(workers or default_workers(), models.contextual_cues)
    from counterclaim.engines.ray import RayEngine

    return RayEngine(address or "auto", models.contextual_cues, workers)
