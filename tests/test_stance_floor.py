"""Quality gate: the committed stance model on fixed samples of FNC-1 stays above floors.

Stratified 300 pairs from the story-disjoint dev split (stories never trained on: the figure to decide by) and
300 from the official hold-out (headlines seen in training). Reads shared data by path (COUNTERCLAIM_DATA,
default ../shared/data), else skips (fails in CI).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from conftest import require
from counterclaim.stance import FNC_LABELS, FncScore, StanceModel, score_fnc
from counterclaim.training.stance import StancePair, read_bodies, read_split, read_stances, split_pairs

DATA = Path(os.environ.get("COUNTERCLAIM_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FNC = DATA / "fnc-1"
# Stratified so that the rare "disagree" class (1.7% of pairs) weighs in: 300 pairs in all.
SAMPLE = {"agree": 70, "disagree": 50, "discuss": 80, "unrelated": 100}
# A little below what the committed model measured on these samples (rare classes are over-sampled, so the
# per-sample figures differ from the whole splits'). Story-disjoint dev sample: FNC 73.7, macro-F1 0.684,
# disagree F1 0.500 (whole dev split: 88.3 / 0.671 / 0.320). Hold-out sample: FNC 68.2, macro-F1 0.641,
# disagree F1 0.456 (whole hold-out: 83.3 / 0.642 / 0.295). See bench/results/stance_fnc.json.
DEV_FLOORS = (71.0, 0.65, 0.45)
HOLDOUT_FLOORS = (65.0, 0.60, 0.40)


def sample_score(pairs: list[StancePair]) -> FncScore:
    rng = random.Random(7)
    chosen = [
        pair
        for label, count in SAMPLE.items()
        for pair in rng.sample([p for p in pairs if p.label == label], count)
    ]
    bodies = read_bodies(FNC / "train_bodies.csv")
    results = StanceModel.load().text_stances([(pair.headline, bodies[pair.body_id]) for pair in chosen])
    return score_fnc([FNC_LABELS[pair.label] for pair in chosen], [result.stance for result in results])


def fnc_splits() -> tuple[list[StancePair], list[StancePair]]:
    require(FNC / "train_stances.reconstructed.csv", "FNC-1")
    _, dev, holdout = split_pairs(
        read_stances(FNC / "train_stances.reconstructed.csv"), read_split(FNC / "baseline_split_body_ids.csv")
    )
    return dev, holdout


def assert_above(score: FncScore, floors: tuple[float, float, float]) -> None:
    fnc, macro, disagree = floors
    assert score.fnc_score >= fnc, score
    assert score.macro_f1 >= macro, score
    assert score.per_class_f1["disagree"] >= disagree, score


@pytest.mark.slow
def test_story_disjoint_dev_sample_stays_above_floors() -> None:
    dev, _ = fnc_splits()
    assert_above(sample_score(dev), DEV_FLOORS)


@pytest.mark.slow
def test_holdout_sample_stays_above_floors() -> None:
    _, holdout = fnc_splits()
    assert_above(sample_score(holdout), HOLDOUT_FLOORS)
