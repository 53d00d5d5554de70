"""Attribution in a process pool gives exactly what the in-process extractor gives, in the same order."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from counterclaim.attribution import AttributionExtractor
from counterclaim.errors import UsageError
from counterclaim.model import Article
from counterclaim.store import article_id
from counterclaim.workers import AttributionPool, slices

# Each test starts worker processes that load the models: seconds to tens of seconds.
pytestmark = pytest.mark.slow

TEXTS = sorted((Path(__file__).resolve().parents[1] / "examples" / "corpus" / "text").glob("*.txt"))


def _articles() -> list[Article]:
    found = []
    for path in TEXTS:
        text = path.read_text(encoding="utf-8")
        found.append(Article(id=article_id(text), text=text, published_at=datetime(2025, 3, 11, tzinfo=UTC)))
    return found


def test_slices_keep_order_and_cover_everything() -> None:
    items = _articles()
    for count in (1, 2, 3, len(items) + 2):
        parts = slices(items, count)
        assert [a.id for part in parts for a in part] == [a.id for a in items]
        assert all(parts) and len(parts) == min(count, len(items))


def test_pool_matches_the_extractor() -> None:
    articles = _articles()
    assert len(articles) >= 2, "the example corpus must give the pool something to split"
    expected = AttributionExtractor().extract(articles)
    with AttributionPool(2) as pool:
        found = pool.extract(articles)
        again = pool.extract(articles[:1])
    assert found == expected
    assert again == [a for a in expected if a.article_id == articles[0].id]


def test_a_pool_of_one_is_refused() -> None:
    with pytest.raises(UsageError, match="at least 2 workers"):
        AttributionPool(1)


def test_pipeline_runs_attribution_in_the_pool(sqlite_store) -> None:  # type: ignore[no-untyped-def]
    from counterclaim.ingest import IngestOptions, ingest_paths
    from counterclaim.pipeline import analyze_new
    from counterclaim.store.attributions import load_attributions

    report = ingest_paths(sqlite_store, [str(p) for p in TEXTS], IngestOptions(analyze=False), progress=False)
    stored = sqlite_store.articles(ids=report.added)
    analysis = analyze_new(sqlite_store, report.added, progress=False, workers=2)
    expected = AttributionExtractor().extract(stored)
    assert analysis.found["attributions"] == len(expected) > 0
    assert {a.id for a in load_attributions(sqlite_store)} == {a.id for a in expected}


def test_pool_without_contextual_cues_matches_the_sparse_extractor() -> None:
    articles = _articles()
    sparse = AttributionExtractor.load(contextual_cues=False)
    assert sparse.encoder is None and sparse.method.endswith("-sparse")
    expected = sparse.extract(articles)
    with AttributionPool(2, contextual_cues=False) as pool:
        assert pool.extract(articles) == expected
    assert expected and all(a.method == sparse.method for a in expected)


def test_ingest_fast_cues_stores_what_the_sparse_model_finds(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from counterclaim.cli import ingest as ingest_cli
    from counterclaim.store import Store
    from counterclaim.store.attributions import load_attributions

    app = typer.Typer()
    ingest_cli.register(app)
    app.command("noop")(lambda: None)  # two commands, so the command name is part of the call
    runner = CliRunner()
    fast, full = tmp_path / "fast.db", tmp_path / "full.db"
    paths = [str(p) for p in TEXTS]
    assert runner.invoke(app, ["ingest", "--db", str(fast), "--fast-cues", *paths]).exit_code == 0
    assert runner.invoke(app, ["ingest", "--db", str(full), *paths]).exit_code == 0
    fast_methods = {a.method for a in load_attributions(Store(str(fast)))}
    full_methods = {a.method for a in load_attributions(Store(str(full)))}
    assert fast_methods == {AttributionExtractor.load(contextual_cues=False).method}
    assert full_methods == {AttributionExtractor().method}
