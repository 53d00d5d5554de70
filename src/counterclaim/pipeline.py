"""Runs the analysis stages in order over newly ingested articles, one batch at a time.

attribution → reuse → claims and stance → provenance; each stage saves its own records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

from rich.progress import Progress

from counterclaim.model import Article
from counterclaim.store import Store

BATCH_SIZE = 200

Stage = Callable[[Store, list[Article]], int]


@dataclass(slots=True)
class AnalysisReport:
    articles: int = 0
    found: dict[str, int] = field(default_factory=dict)


def _stages(
    store: Store, stack: ExitStack, workers: int = 1, contextual_cues: bool = True
) -> list[tuple[str, Stage]]:
    """The stages with their models loaded once for the whole run, not once per batch; with several
    workers, attribution (the slowest stage, independent per article) runs in a process pool."""
    # Imported here so that `counterclaim articles` and ingest with --no-analyze never load the models.
    from counterclaim.attribution import AttributionExtractor
    from counterclaim.embeddings import Embedder
    from counterclaim.stance import StanceModel
    from counterclaim.store.attributions import Extractor, analyze_attributions
    from counterclaim.store.claims import analyze_claims, open_linker
    from counterclaim.store.provenance import analyze_provenance_batch
    from counterclaim.store.reuse import analyze_reuse

    # One MiniLM session for cue context, claim linking and stance (worker processes load their own).
    encoder = Embedder.load()
    extractor: Extractor
    if workers > 1:
        from counterclaim.workers import AttributionPool

        extractor = stack.enter_context(AttributionPool(workers, contextual_cues))
    else:
        extractor = AttributionExtractor.load(contextual_cues, embedder=encoder)
    stance_model = StanceModel.load(embedder=encoder)
    linker = open_linker(store, encoder)

    def attributions(store: Store, batch: list[Article]) -> int:
        return analyze_attributions(store, batch, extractor=extractor)

    def claims(store: Store, batch: list[Article]) -> int:
        nonlocal linker
        try:
            return analyze_claims(store, batch, linker=linker, stance_model=stance_model)
        except Exception:
            # The batch's transaction rolled back but the in-memory index moved on: rebuild it from the store.
            linker = open_linker(store, encoder)
            raise

    return [
        ("attributions", attributions),
        ("reuse links", analyze_reuse),
        ("claims", claims),
        ("provenance checks", analyze_provenance_batch),
    ]


def analyze_new(
    store: Store,
    article_ids: Sequence[str],
    progress: bool = True,
    workers: int = 1,
    contextual_cues: bool = True,
) -> AnalysisReport:
    """Run every stage over the given (newly stored) articles, oldest first; attribution on `workers`.

    Without contextual cues attribution skips the MiniLM reading of sentences: faster, a little less accurate.
    """
    report = AnalysisReport()
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return report
    with ExitStack() as stack:
        _analyze_batches(store, ids, _stages(store, stack, workers, contextual_cues), report, progress)
    return report


def _analyze_batches(
    store: Store, ids: list[str], stages: list[tuple[str, Stage]], report: AnalysisReport, progress: bool
) -> None:
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("analysing", total=len(ids) * len(stages))
        for start in range(0, len(ids), BATCH_SIZE):
            batch = store.articles(ids=ids[start : start + BATCH_SIZE])
            report.articles += len(batch)
            for name, stage in stages:
                bar.update(task, description=f"analysing: {name}")
                report.found[name] = report.found.get(name, 0) + stage(store, batch)
                bar.advance(task, len(batch))


def analyze_all(store: Store, progress: bool = True, workers: int = 1) -> AnalysisReport:
    """Run every stage over the whole store (after an upgrade of a stage, say)."""
    ids = [article.id for batch in store.iter_articles() for article in batch]
    return analyze_new(store, ids, progress=progress, workers=workers)
