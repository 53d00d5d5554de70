"""The analysis pipeline: runs the declared stages over stored articles and records what each has done.

Resumable: each stage marks the articles it saved records for, so `analyze` after a crash does only the rest.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from counterclaim import faults
from counterclaim.engines import Engine, open_engine
from counterclaim.errors import UsageError
from counterclaim.outlets import OutletRegistry, open_registry
from counterclaim.stages import Models, Stage, StageContext, all_stages, downstream, upstream
from counterclaim.store import Store
from counterclaim.store.pipeline import (
    analysis_order,
    completed_among,
    forget_runs,
    mark_done,
    outdated,
)

BATCH_SIZE = 200


@dataclass(slots=True)
class AnalysisReport:
    """What one `analyze` did: articles it ran stages on, records each stage found, and rows now stored."""

    articles: int = 0
    # Articles stored by an earlier run (killed, or with --no-analyze) that this run completed.
    earlier: int = 0
    found: dict[str, int] = field(default_factory=dict)
    # Rows in the store before and after the run, by record kind (what summaries print).
    before: dict[str, int] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)
    # Stages whose records of some articles come from another method version (re-run them with --redo).
    outdated: dict[str, int] = field(default_factory=dict)
    # Seconds each stage took: CPU of this (driver) process, and wall clock (which includes the engine's
    # workers). Timers around each stage's call, cheap enough to keep on in every run.
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds_total: float = 0.0
    # With `analyze(stage_memory=True)`: the peak resident memory of this process (MiB) while each stage ran,
    # the highest over batches; empty otherwise, or where the peak cannot be reset (not Linux).
    peak_rss_mib: dict[str, float] = field(default_factory=dict)
    # Where per-article work ran: engine name, its workers and the nodes they ran on.
    engine: dict[str, object] = field(default_factory=dict)

    @property
    def added(self) -> dict[str, int]:
        """Rows this run added (or removed, when negative: claims merge), by record kind."""
        return {name: count - self.before.get(name, 0) for name, count in self.stored.items()}


class Pipeline:
    """The stages of one store with the models, the registry and the claim index loaded once.

    Per-article work runs on `engine` (`local`, `pool` with `workers` processes, or `ray` at `address`);
    corpus-wide steps and every write stay here, on the driver, so each engine stores the same rows. The
    engine defaults to `pool` when `workers` > 1, else `local`; `workers` None means one a core (pool) or
    one a CPU of the cluster (ray). Held by a command for one run, or by the web
    app for its life. Close it (or use `with`) to stop worker processes or leave the cluster.
    """

    def __init__(
        self,
        store: Store,
        registry: OutletRegistry | None = None,
        workers: int | None = None,
        contextual_cues: bool = True,
        stages: Sequence[Stage] | None = None,
        models: Models | None = None,
        engine: str | None = None,
        address: str | None = None,
    ) -> None:
        self.store = store
        self.registry = registry if registry is not None else open_registry(store)
        # Models may be shared by pipelines over several stores (tests, a server with several stores).
        self.models = models if models is not None else Models(contextual_cues=contextual_cues)
        name = engine or ("pool" if workers is not None and workers > 1 else "local")
        self.engine: Engine = open_engine(name, self.models, workers, address)
        self.context = StageContext(store, self.registry, self.models, self.engine)
        self.stages = list(stages) if stages is not None else all_stages()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.engine.close()
        finally:
            self.models.close()

    def select(self, name: str | None) -> list[Stage]:
        """The stages to run for `--stage name`: that stage and those it needs; every stage when None."""
        if name is None:
            return list(self.stages)
        if name not in {stage.name for stage in self.stages}:
            known = ", ".join(stage.name for stage in self.stages)
            raise UsageError(f"No stage called {name!r}: choose one of {known}.")
        return upstream(self.stages, name)

    def pending(self, article_ids: Sequence[str] | None = None, since: datetime | None = None) -> list[str]:
        """Articles some stage has not run on yet, in analysis order."""
        return analysis_order(self.store, article_ids, since, [stage.name for stage in self.stages])

    def redo(
        self, name: str | None, article_ids: Sequence[str] | None = None, since: datetime | None = None
    ) -> None:
        """Forget that `name` (every stage when None) and the stages reading its records ran on these.

        A corpus-wide stage (claims) links each article to all others, so it is forgotten for every article,
        and its stored claims, statements and accounts are cleared before it runs again.
        """
        with self.store.writer_lock():
            names = {s.name for s in (self.stages if name is None else downstream(self.stages, name))}
            if since is not None:
                article_ids = analysis_order(self.store, article_ids, since)
            with self.store.begin() as conn:
                for stage in self.stages:
                    if stage.name not in names:
                        continue
                    if stage.corpus_wide:
                        # Everything after a corpus-wide stage is redone for every article too.
                        article_ids = None
                        from counterclaim.store.claims import clear_claims

                        clear_claims(conn)
                        forget_runs(conn, stage.name)
                        self.context.forget_linker()
                    else:
                        forget_runs(conn, stage.name, article_ids)
                        if stage.name == "reuse":
                            from counterclaim.store.reuse import forget_indexed

                            forget_indexed(conn, article_ids)

    def analyze(
        self,
        article_ids: Sequence[str] | None = None,
        stage: str | None = None,
        since: datetime | None = None,
        progress: bool = True,
        console: Console | None = None,
        new: Sequence[str] = (),
        batch_size: int = BATCH_SIZE,
        stage_memory: bool = False,
    ) -> AnalysisReport:
        """Run every pending stage (or `stage` and what it needs) over the given articles (all when None).

        `new` names the articles this command just stored, so the report can say how many earlier ones it
        completed. Articles go in batches of `batch_size` in analysis order; within a batch each stage runs on
        the articles it has not run on, and records that it has, after saving its records. `stage_memory`
        records each stage's peak memory (it resets the process's peak before each stage: a caller reading
        the peak of the whole run takes the highest of these).
        """
        stages = self.select(stage)
        messages = console or Console(stderr=True)

        def waiting() -> None:
            if progress:
                messages.print("another process is writing this store's analysis: waiting for it to finish")

        # One analysing writer per store at a time; the claim index is reread once the lock is ours, since
        # another process may have linked claims meanwhile.
        with self.store.writer_lock(on_wait=waiting):
            self.context.forget_linker()
            return self._analyze(stages, article_ids, since, progress, console, new, batch_size, stage_memory)

    def _analyze(
        self,
        stages: list[Stage],
        article_ids: Sequence[str] | None,
        since: datetime | None,
        progress: bool,
        console: Console | None,
        new: Sequence[str],
        batch_size: int = BATCH_SIZE,
        stage_memory: bool = False,
    ) -> AnalysisReport:
        started = time.perf_counter()
        report = AnalysisReport(before=self.store.row_counts())
        todo = analysis_order(self.store, article_ids, since, [s.name for s in stages])
        counts = {s.name: outdated(self.store, s.name, s.version) for s in stages}
        report.outdated = {name: count for name, count in counts.items() if count}
        fresh = set(new)
        report.earlier = sum(1 for a in todo if a not in fresh) if new else 0
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, disable=not progress, transient=True) as bar:
            task = bar.add_task("analysing", total=len(todo))
            for start in range(0, len(todo), batch_size):
                ids = todo[start : start + batch_size]
                batch = self.store.articles(ids=ids)
                order = {article_id: position for position, article_id in enumerate(ids)}
                batch.sort(key=lambda article: order[article.id])
                for current in stages:
                    done = completed_among(self.store, current.name, ids)
                    waiting = [article for article in batch if article.id not in done]
                    if not waiting:
                        continue
                    bar.update(task, description=f"analysing: {current.name}")
                    measured = stage_memory and _reset_peak_rss()
                    cpu, wall = time.process_time(), time.perf_counter()
                    count = current.run(self.context, waiting)
                    _add(report.cpu_seconds, current.name, time.process_time() - cpu)
                    _add(report.wall_seconds, current.name, time.perf_counter() - wall)
                    if measured:
                        peak = max(report.peak_rss_mib.get(current.name, 0.0), peak_rss_mib())
                        report.peak_rss_mib[current.name] = round(peak, 1)
                    faults.checkpoint(f"after-{current.name}")
                    with self.store.begin() as conn:
                        mark_done(conn, current.name, current.version, [article.id for article in waiting])
                    report.found[current.name] = report.found.get(current.name, 0) + count
                bar.advance(task, len(batch))
                report.articles += len(batch)
        report.stored = self.store.row_counts()
        report.wall_seconds_total = time.perf_counter() - started
        report.engine = {"name": self.engine.name, "workers": self.engine.workers, "nodes": self.engine.nodes}
        return report


def _add(totals: dict[str, float], name: str, seconds: float) -> None:
    totals[name] = totals.get(name, 0.0) + seconds


def _reset_peak_rss() -> bool:
    """Reset this process's peak resident memory (Linux: /proc/self/clear_refs), so that the next reading
    is one stage's own peak; False where the kernel does not allow it (the stage then goes unmeasured)."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB since it started or since the last reset."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def analyze_new(
    store: Store,
    article_ids: Sequence[str],
    progress: bool = True,
    workers: int = 1,
    contextual_cues: bool = True,
    registry: OutletRegistry | None = None,
    engine: str | None = None,
    address: str | None = None,
) -> AnalysisReport:
    """Run every pending stage over the given articles (a library shortcut for one `Pipeline.analyze`)."""
    with Pipeline(
        store, registry, workers=workers, contextual_cues=contextual_cues, engine=engine, address=address
    ) as pipeline:
        return pipeline.analyze(article_ids, progress=progress)
