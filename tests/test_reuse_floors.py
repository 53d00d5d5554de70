"""Pinned quality floors of the reuse stage on small corpora of both seeded generators (bench/reuse_corpus.py,
bench/reuse_corpus_b.py).

The same floors as `make bench-reuse` at 20k articles, throughput aside: tests never time anything. The seeds
differ from the benchmark's, so the floors hold on corpora the defaults were not looked at on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import script_module
from counterclaim.reuse import ReuseSettings

# Generates and links a corpus of hundreds of articles.
pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[1] / "bench"
WORD = re.compile(r"[^\W_]+")


def _bench() -> Any:
    return script_module("bench_reuse", BENCH / "reuse.py")


@pytest.fixture(scope="module")
def scored_a() -> dict[str, Any]:
    corpus_module = script_module("reuse_corpus", BENCH / "reuse_corpus.py")
    bench = _bench()
    corpus = corpus_module.generate(corpus_module.CorpusSpec(articles=1500, outlets=40, seed=11))
    # Three incremental batches: each is compared with the index of the ones before.
    records = bench.run_stage(bench.corpus_articles(corpus.rows), 500, ReuseSettings())
    result: dict[str, Any] = bench.score(corpus.rows, corpus.gold, records)
    result["records"], result["gold"] = records, corpus.gold
    return result


@pytest.fixture(scope="module")
def scored_b() -> dict[str, Any]:
    corpus_module = script_module("reuse_corpus_b", BENCH / "reuse_corpus_b.py")
    bench = _bench()
    rows, gold = corpus_module.generate(corpus_module.CorpusSpec(articles=2000, seed=5))
    records = bench.run_stage(bench.corpus_articles(rows), 700, ReuseSettings())
    result: dict[str, Any] = bench.score(rows, gold, records)
    result["records"], result["gold"] = records, gold
    return result


def test_the_generated_corpora_have_enough_to_judge(
    scored_a: dict[str, Any], scored_b: dict[str, Any]
) -> None:
    assert scored_a["pairs_required"] >= 300
    assert set(scored_a["recall_by_edit"]) >= {"0.00", "0.02", "0.05", "0.10"}
    assert scored_a["pairs_quotes"] >= 30
    # Quoted statements of 10 and 11 words are planted too, shared verbatim: they must stay unlinked.
    assert any(
        g["passage"] == "quote" and g["words"] < 12 for g in scored_a["gold"] if g["kind"] == "carrier"
    )
    # Generator B has passages in every band of carrier count, and quoted statements.
    assert set(scored_b["pairs_by_band"]) == {"1-4", "5-19", "20-199"}
    assert min(scored_b["pairs_by_band"].values()) >= 30
    assert scored_b["pairs_quotes"] >= 100
    assert scored_b["earliest_judged"] >= 20


@pytest.mark.parametrize("generator", ["a", "b"])
def test_pair_precision_and_recall_floors(
    generator: str, scored_a: dict[str, Any], scored_b: dict[str, Any]
) -> None:
    scored = scored_a if generator == "a" else scored_b
    assert scored["precision"] >= 0.99
    assert scored["recall"] >= 0.97
    for band, recall in scored["recall_by_band"].items():
        assert recall >= 0.97, band
    assert scored["recall_quotes"] >= 0.97


def test_recall_holds_at_ten_percent_edits(scored_a: dict[str, Any]) -> None:
    assert scored_a["recall_by_edit"]["0.10"] >= 0.9


@pytest.mark.parametrize("generator", ["a", "b"])
def test_span_overlap_and_earliest_source_floors(
    generator: str, scored_a: dict[str, Any], scored_b: dict[str, Any]
) -> None:
    scored = scored_a if generator == "a" else scored_b
    assert scored["span_overlap"] >= 0.90
    assert scored["earliest"] >= 0.90


def test_a_small_sample_already_leaves_cross_outlet_legal_lines_out() -> None:
    corpus_module = script_module("reuse_corpus", BENCH / "reuse_corpus.py")
    bench = _bench()
    corpus = corpus_module.generate(corpus_module.CorpusSpec(articles=400, outlets=60, seed=5))
    records = bench.run_stage(bench.corpus_articles(corpus.rows), 400, ReuseSettings())
    result = bench.score(corpus.rows, corpus.gold, records)
    assert result["pairs_found"] > 0
    assert result["precision"] >= 0.99


@pytest.mark.parametrize("generator", ["a", "b"])
def test_no_link_is_shorter_than_a_twelve_word_quotation(
    generator: str, scored_a: dict[str, Any], scored_b: dict[str, Any]
) -> None:
    scored = scored_a if generator == "a" else scored_b
    words = [len(WORD.findall(r[side]["text"])) for r in scored["records"] for side in ("a_span", "b_span")]
    assert words and min(words) >= 12
