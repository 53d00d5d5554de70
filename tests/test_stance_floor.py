"""Quality gate: the committed stance model on a fixed sample of the FNC-1 hold-out stays above floors.

Stratified 300 pairs; reads shared data by path (COUNTERCLAIM_DATA, default ../shared/data), else skips.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from conftest import require
from counterclaim.stance import FNC_LABELS, StanceModel, score_fnc
from counterclaim.training.stance import read_bodies, read_split, read_stances, split_pairs

DATA = Path(os.environ.get("COUNTERCLAIM_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FNC = DATA / "fnc-1"
# Stratified so that the rare "disagree" class (1.7% of pairs) weighs in: 300 pairs in all.
SAMPLE = {"agree": 70, "disagree": 50, "discuss": 80, "unrelated": 100}
# A little below what the committed model measured here: FNC 71.0, macro-F1 0.673, disagree F1 0.478.
# (On the whole hold-out it scores FNC 87.4 / macro-F1 0.733: see bench/results/stance_fnc.json.)
FNC_SCORE_FLOOR = 67.0
MACRO_F1_FLOOR = 0.62
DISAGREE_F1_FLOOR = 0.38


@pytest.mark.slow
def test_holdout_sample_stays_above_floors() -> None:
    require(FNC / "train_stances.reconstructed.csv", "FNC-1")
    _, _, holdout = split_pairs(
        read_stances(FNC / "train_stances.reconstructed.csv"), read_split(FNC / "baseline_split_body_ids.csv")
    )
    rng = random.Random(7)
    pairs = [
        pair
        for label, count in SAMPLE.items()
        for pair in rng.sample([p for p in holdout if p.label == label], count)
    ]
    bodies = read_bodies(FNC / "train_bodies.csv")
    results = StanceModel.load().text_stances([(pair.headline, bodies[pair.body_id]) for pair in pairs])
    score = score_fnc([FNC_LABELS[pair.label] for pair in pairs], [result.stance for result in results])
    assert score.fnc_score >= FNC_SCORE_FLOOR, score
    assert score.macro_f1 >= MACRO_F1_FLOOR, score
    assert score.per_class_f1["disagree"] >= DISAGREE_F1_FLOOR, score
