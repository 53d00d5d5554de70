"""The local engine: partition tasks run in this process on its own models, one partition per batch.

The reference every other engine's rows are compared with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from counterclaim.model import Article

if TYPE_CHECKING:
    from counterclaim.engines import PartitionTask
    from counterclaim.stages import Models

T = TypeVar("T")


class LocalEngine:
    name = "local"
    workers = 1
    nodes = 1

    def __init__(self, models: Models) -> None:
        self.models = models

    def map(self, task: PartitionTask[T], articles: Sequence[Article]) -> list[T]:
        return task(self.models, list(articles)) if articles else []

    def close(self) -> None:
        """Nothing to stop: the models belong to the caller."""
