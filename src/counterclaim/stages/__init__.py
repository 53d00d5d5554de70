"""The analysis stages: each a function over a batch of stored articles, declaring what it reads and writes.

`all_stages()` lists them in running order; `StageContext` carries store, registry and models, loaded once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from counterclaim.model import Article
from counterclaim.outlets import OutletRegistry
from counterclaim.store import Store

if TYPE_CHECKING:
    from counterclaim.claims import ClaimLinker, LinkingVectors
    from counterclaim.embeddings import Embedder
    from counterclaim.engines import Engine
    from counterclaim.stages.attribution import Extractor
    from counterclaim.stance import StanceModel


@dataclass
class Models:
    """The models of one process, each loaded on first use and then kept for every batch and stage.

    One MiniLM session serves cue context, claim linking and stance. A pool worker or a Ray actor holds its
    own `Models`; the driver's engine decides where per-article work runs (`counterclaim.engines`).
    """

    contextual_cues: bool = True
    stack: ExitStack = field(default_factory=ExitStack)
    _encoder: Embedder | None = None
    _extractor: Extractor | None = None
    _stance: StanceModel | None = None

    @property
    def encoder(self) -> Embedder:
        if self._encoder is None:
            from counterclaim.embeddings import Embedder

            self._encoder = Embedder.load()
        return self._encoder

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            from counterclaim.attribution import AttributionExtractor

            self._extractor = AttributionExtractor.load(self.contextual_cues, embedder=self.encoder)
        return self._extractor

    @property
    def stance(self) -> StanceModel:
        if self._stance is None:
            from counterclaim.stance import StanceModel

            self._stance = StanceModel.load(embedder=self.encoder)
        return self._stance

    def close(self) -> None:
        self.stack.close()


@dataclass
class StageContext:
    """What every stage may use: the store, the run's one outlet registry, the models, the claim linker, and
    the engine that runs per-article work (this process when None)."""

    store: Store
    registry: OutletRegistry
    models: Models
    engine: Engine | None = None
    _linker: ClaimLinker | None = None
    # The current batch's statement and lead vectors, made by the per-article stage where it ran and handed to
    # the claims stage; an article missing here (its attributions saved by an earlier run) is embedded there.
    linking: dict[str, LinkingVectors] = field(default_factory=dict)

    def partitions(self) -> Engine:
        """The engine to hand per-article work to: the run's engine, or this process and its models."""
        if self.engine is not None:
            return self.engine
        from counterclaim.engines.local import LocalEngine

        return LocalEngine(self.models)

    @property
    def linker(self) -> ClaimLinker:
        """The claim index, read from the store once and then kept in step by the claims stage."""
        if self._linker is None:
            from counterclaim.store.claims import open_linker

            self._linker = open_linker(self.store, self.models.encoder)
        return self._linker

    def forget_linker(self) -> None:
        """Drop the in-memory index (after a failed write it no longer matches the store); reread on use."""
        self._linker = None


@dataclass(frozen=True, slots=True)
class Stage:
    """One analysis stage.

    `reads` and `writes` name record kinds (articles, attributions, reuse links, claims, accounts, provenance
    checks); a stage runs after every stage that writes what it reads. `corpus_wide` stages link an article's
    records to other articles' (claims), so re-running one article means re-running the stage for all.
    `version` is the method recorded with each article's completion; `run` saves its records and returns how
    many it found.
    """

    name: str
    version: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    run: Callable[[StageContext, list[Article]], int]
    corpus_wide: bool = False


def all_stages() -> list[Stage]:
    """Every stage in running order (each after the stages whose records it reads)."""
    from counterclaim.stages import attribution, claims, provenance, reuse

    return [attribution.STAGE, reuse.STAGE, claims.STAGE, provenance.STAGE]


def stage_names() -> list[str]:
    return [stage.name for stage in all_stages()]


def upstream(stages: list[Stage], name: str) -> list[Stage]:
    """The stage called `name` and every stage it needs, directly or not, in running order."""
    by_name = {stage.name: stage for stage in stages}
    needed = {name}
    for stage in reversed(stages):
        if stage.name in needed:
            needed.update(s.name for s in stages if set(s.writes) & set(by_name[stage.name].reads))
    return [stage for stage in stages if stage.name in needed]


def downstream(stages: list[Stage], name: str) -> list[Stage]:
    """The stage `name` and every stage reading what it writes, directly or not, in running order."""
    found = {name}
    for stage in stages:
        if stage.name not in found and any(
            set(s.writes) & set(stage.reads) for s in stages if s.name in found
        ):
            found.add(stage.name)
    return [stage for stage in stages if stage.name in found]
