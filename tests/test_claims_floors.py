"""Pinned quality floors of claim linking on fixed samples of FNC-1 stories (shared data, read by path).

The same computation as `bench/claim_linking.py`; the floors sit a little under the measured scores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import require, script_module
from counterclaim.claims.linking import LinkingSettings
from counterclaim.embeddings import Embedder
from counterclaim.errors import ModelError

# Reads the shared FNC-1 set and links its claims.
pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[1] / "bench" / "claim_linking.py"
HOLDOUT_SAMPLE = 400
# Measured (ONNX int8 MiniLM, seed-13 order): dev B3 F1 0.844 / ARI 0.590; hold-out sample 0.900 / 0.872.
FLOORS = {"dev": {"f1": 0.82, "ari": 0.55}, "holdout": {"f1": 0.88, "ari": 0.85}}


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    bench = script_module("bench_claim_linking", BENCH)
    folder = bench.data_dir() / "fnc-1"
    require(folder / "train_stances.reconstructed.csv", "FNC-1")
    try:
        embedder = Embedder.load(threads=1)
    except ModelError as error:
        pytest.fail(f"the committed embedding model must load: {error}")
    development, evaluation = bench.fnc_story_sets(folder)
    sample = sorted(evaluation)[:HOLDOUT_SAMPLE]
    settings = LinkingSettings()
    return {
        "dev": bench.compare("dev", list(development), list(development.values()), embedder, settings),
        "holdout": bench.compare("holdout", sample, [evaluation[h] for h in sample], embedder, settings),
    }


@pytest.mark.parametrize("name", ["dev", "holdout"])
def test_linking_stays_above_its_floors(results: dict[str, Any], name: str) -> None:
    ours = results[name]["counterclaim"]
    assert ours["bcubed"]["f1"] >= FLOORS[name]["f1"], ours
    assert ours["ari"] >= FLOORS[name]["ari"], ours


def test_development_set_comes_from_training_bodies_only() -> None:
    bench = script_module("bench_claim_linking", BENCH)
    folder = bench.data_dir() / "fnc-1"
    require(folder / "baseline_split_body_ids.csv", "FNC-1")
    development, evaluation = bench.fnc_story_sets(folder)
    assert development and evaluation
    assert not set(development.values()) & set(evaluation.values()), "no story is in both sets"
    assert not set(development) & set(evaluation), "no headline is in both sets"
