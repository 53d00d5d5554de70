"""Quality gate: attribution scores on a fixed sample of PolNeAR dev must stay above pinned floors.

Also checks the stage beats textacy's direct quotations on every line; skipped when the data set is absent.
"""

from __future__ import annotations

import pytest

from conftest import require
from counterclaim.attribution import AttributionExtractor
from counterclaim.attribution.polnear import (
    ROLES,
    Scorer,
    attribution_keys,
    data_root,
    read_polnear,
    textacy_baseline,
)

# Reads the shared PolNeAR dev set and runs the full attribution models.
pytestmark = pytest.mark.slow

DEV = data_root() / "polnear" / "polnear_dev.jsonl"
SAMPLE = 10
# Overlap-match F1 floors, a little below what the first ten dev articles scored when pinned (sparse cue
# model: source 0.833, cue 0.840, content 0.815, attribution 0.693; with the contextual layer: 0.833, 0.833,
# 0.814, 0.678). The whole dev split scores lower: see bench/results/attribution.json.
FLOORS = {"source": 0.81, "cue": 0.82, "content": 0.79, "attribution": 0.67}


def test_dev_sample_scores_stay_above_floors_and_textacy() -> None:
    require(DEV, "PolNeAR dev")
    items = read_polnear(DEV, limit=SAMPLE)
    assert len(items) == SAMPLE
    extractor = AttributionExtractor()
    ours, baseline = Scorer(), Scorer()
    for item, doc in zip(items, extractor.nlp.pipe(i.article.text for i in items), strict=True):
        ours.add(item.article.text, item.gold, attribution_keys(extractor.extract_doc(item.article, doc)))
        baseline.add(item.article.text, item.gold, textacy_baseline(doc))
    scores, theirs = ours.scores(), baseline.scores()
    for element in (*ROLES, "attribution"):
        f1 = scores[element]["overlap"]["f1"]
        assert f1 >= FLOORS[element], f"{element} overlap F1 {f1} fell below its floor {FLOORS[element]}"
        assert f1 > theirs[element]["overlap"]["f1"], f"{element}: textacy scores {theirs[element]}"
