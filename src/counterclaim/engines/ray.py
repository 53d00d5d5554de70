"""The Ray engine: partition tasks on the actors of a Ray cluster, each actor loading its models once.

The only module that imports ray. The driver keeps the store: actors get articles and return records.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from counterclaim.engines import slices
from counterclaim.errors import EngineError
from counterclaim.model import Article

if TYPE_CHECKING:
    from counterclaim.engines import PartitionTask
    from counterclaim.stages import Models

T = TypeVar("T")

START_HINT = (
    "start a cluster with `ray start --head --port 6379` (and `ray start --address HEAD:6379` on each other "
    "machine), then pass --address HEAD:6379; or pass --engine pool to use this machine's cores"
)
CONNECT_TIMEOUT = 5.0
# Environment of every actor: models load from installed packages only.
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


class ModelActor:
    """One worker of the cluster: its models, loaded on first use and kept for every partition."""

    def __init__(self, contextual_cues: bool) -> None:
        from counterclaim.engines import one_thread
        from counterclaim.models import offline
        from counterclaim.stages import Models

        offline()
        one_thread()
        self.models: Models = Models(contextual_cues=contextual_cues)

    def run(self, task: PartitionTask[T], articles: list[Article]) -> list[T]:
        return task(self.models, articles)

    def node(self) -> str:
        """The id of the node this actor runs on."""
        import ray

        return str(ray.get_runtime_context().get_node_id())


def _connect(address: str) -> Any:
    try:
        import ray
    except ImportError as error:
        raise EngineError(
            f"Ray is not installed: `pip install 'counterclaim[ray]'` (ray==2.60.0), or pass --engine pool. "
            f"({error})"
        ) from error
    if not ray.is_initialized():
        _check_reachable(address)
        try:
            ray.init(
                address=address,
                log_to_driver=False,
                logging_level=logging.WARNING,
                configure_logging=True,
                runtime_env={"env_vars": OFFLINE},
            )
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise EngineError(f"No Ray cluster answers at {address!r}: {START_HINT}. ({error})") from error
    return ray


def _check_reachable(address: str) -> None:
    """Fail at once when nothing listens at HOST:PORT: ray.init itself retries for minutes."""
    if address == "auto" or address.startswith("ray://"):
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise EngineError(f"A Ray address is HOST:PORT or auto, not {address!r}: {START_HINT}.")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as error:
        raise EngineError(f"No Ray cluster answers at {address}: {START_HINT}. ({error})") from error


class RayEngine:
    """Partitions of a batch go to `workers` actors (default: one a CPU of the cluster), in article order."""

    name = "ray"

    def __init__(self, address: str, contextual_cues: bool = True, workers: int | None = None) -> None:
        self._ray = _connect(address)
        cpus = int(self._ray.cluster_resources().get("CPU", 0))
        if cpus < 1:
            raise EngineError(f"The Ray cluster at {address!r} has no CPU to run on: {START_HINT}.")
        self.workers = workers or cpus
        # One CPU each, so the scheduler spreads the actors over the nodes' CPUs; more actors than CPUs
        # queue behind one another instead of sharing a core.
        actor = self._ray.remote(num_cpus=1)(ModelActor)
        self._actors = [actor.remote(contextual_cues) for _ in range(self.workers)]

    def map(self, task: PartitionTask[T], articles: Sequence[Article]) -> list[T]:
        parts = slices(articles, self.workers)
        calls = [actor.run.remote(task, part) for actor, part in zip(self._actors, parts, strict=False)]
        found: list[T] = []
        for part in self._ray.get(calls):
            found.extend(part)
        return found

    @property
    def nodes(self) -> int:
        """How many nodes the actors run on (what a report shows)."""
        return len(set(self._ray.get([actor.node.remote() for actor in self._actors])))

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        self._ray.shutdown()
