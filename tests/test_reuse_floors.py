"""Pinned quality floors of the reuse stage on a small corpus of the seeded generator (bench/reuse_corpus.py).

The same floors as `make bench-reuse` at 20k articles, throughput aside: tests never time anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import script_module
from counterclaim.reuse import ReuseSettings

# Generates and links a corpus of hundreds of articles.
pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def scored() -> dict[str, Any]:
    corpus_module = script_module("reuse_corpus", BENCH / "reuse_corpus.py")
    bench = script_module("bench_reuse", BENCH / "reuse.py")
    corpus = corpus_module.generate(corpus_module.CorpusSpec(articles=1500, outlets=40, seed=11))
    # Three incremental batches: each is compared with the index of the ones before.
    records = bench.run_stage(bench.corpus_articles(corpus.rows), 500, ReuseSettings())
    result: dict[str, Any] = bench.score(corpus.rows, corpus.gold, records)
    return result


def test_the_generated_corpus_has_enough_to_judge(scored: dict[str, Any]) -> None:
    assert scored["pairs_required"] >= 300
    assert set(scored["recall_by_edit"]) >= {"0.00", "0.02", "0.05", "0.10"}


def test_pair_precision_and_recall_floors(scored: dict[str, Any]) -> None:
    assert scored["precision"] >= 0.99
    assert scored["recall"] >= 0.97


def test_recall_holds_at_ten_percent_edits(scored: dict[str, Any]) -> None:
    assert scored["recall_by_edit"]["0.10"] >= 0.9


def test_span_overlap_and_earliest_source_floors(scored: dict[str, Any]) -> None:
    assert scored["span_overlap"] >= 0.85
    assert scored["earliest"] >= 0.90


def test_a_small_sample_already_leaves_cross_outlet_legal_lines_out() -> None:
    corpus_module = script_module("reuse_corpus", BENCH / "reuse_corpus.py")
    bench = script_module("bench_reuse", BENCH / "reuse.py")
    corpus = corpus_module.generate(corpus_module.CorpusSpec(articles=400, outlets=60, seed=5))
    records = bench.run_stage(bench.corpus_articles(corpus.rows), 400, ReuseSettings())
    result = bench.score(corpus.rows, corpus.gold, records)
    assert result["pairs_found"] > 0
    assert result["precision"] >= 0.99
