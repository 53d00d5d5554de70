"""The claim-linking benchmark's noise measures on small synthetic assignments whose answers are known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import script_module

BENCH = Path(__file__).resolve().parents[1] / "bench" / "claim_linking.py"
RESAMPLES = 200


bench = script_module("bench_claim_linking", BENCH)

# 12 stories of 1 to 6 items each: sizes differ, so a resample's weights differ from the full set's.
GOLD = [f"s{story}" for story in range(12) for _ in range(1 + story % 6)]
PERFECT = list(GOLD)
ONE_CLUSTER = ["all"] * len(GOLD)
SINGLETONS = [f"item{item}" for item in range(len(GOLD))]


def noisy(seed: int, flips: int) -> list[str]:
    """The gold labelling with `flips` items moved to a random other story."""
    rng = np.random.default_rng(seed)
    labels = list(GOLD)
    for item in rng.choice(len(labels), size=flips, replace=False):
        labels[item] = f"s{(int(GOLD[item][1:]) + 1 + int(rng.integers(11))) % 12}"
    return labels


def test_vectorised_bcubed_matches_the_reference() -> None:
    for labels in (PERFECT, ONE_CLUSTER, SINGLETONS, noisy(1, 5), noisy(2, 12)):
        f1 = bench.bcubed_f1_codes(bench.label_codes(labels), bench.label_codes(GOLD))
        assert round(f1, 4) == bench.bcubed(labels, GOLD)["f1"]


def test_resamples_draw_whole_stories_and_number_their_copies() -> None:
    for items, copy in bench.story_resamples(GOLD, 50, seed=3):
        drawn = [GOLD[item] for item in items]
        assert len(set(drawn)) <= 12
        for story in set(drawn):
            size = GOLD.count(story)
            # A story drawn k times brings all its items k times, numbered copies 0 .. k-1.
            copies = sorted(int(c) for item, c in zip(items, copy, strict=True) if GOLD[item] == story)
            times = len(copies) // size
            assert len(copies) == size * times
            assert copies == sorted(list(range(times)) * size)


def test_item_scores_average_to_bcubed() -> None:
    for labels in (ONE_CLUSTER, SINGLETONS, noisy(1, 5)):
        precision, recall = bench.item_bcubed(labels, GOLD)
        reference = bench.bcubed(labels, GOLD)
        assert (round(float(precision.mean()), 4), round(float(recall.mean()), 4)) == (
            reference["p"],
            reference["r"],
        )


@pytest.mark.parametrize("scheme", ["items", "restricted"])
def test_drawing_every_story_once_gives_the_full_set_score(scheme: str) -> None:
    items = np.arange(len(GOLD))[::-1].copy()
    labels = noisy(13, 9)
    f1 = bench.resampled_bcubed_f1(labels, GOLD, [(items, np.zeros_like(items))], scheme)
    assert round(float(f1[0]), 4) == bench.bcubed(labels, GOLD)["f1"]


@pytest.mark.parametrize("scheme", ["items", "restricted"])
def test_a_perfect_labelling_scores_1_on_every_resample(scheme: str) -> None:
    # Pooling duplicated stories into one gold group would make a perfect labelling score below 1 as well.
    samples = bench.story_resamples(GOLD, RESAMPLES, seed=5)
    assert np.all(bench.resampled_bcubed_f1(PERFECT, GOLD, samples, scheme) == 1.0)
    assert np.all(bench.resampled_bcubed_f1(SINGLETONS, GOLD, samples, scheme) < 1.0)


def test_resampled_bcubed_is_bcubed_of_the_expanded_resample() -> None:
    # The reference: B-cubed of the resample written out item by item, each copy's labels made distinct.
    labels = noisy(11, 10)
    samples = bench.story_resamples(GOLD, 30, seed=12)
    f1 = bench.resampled_bcubed_f1(labels, GOLD, samples, "restricted")
    for score, (items, copy) in zip(f1, samples, strict=True):
        predicted = [(labels[item], int(c)) for item, c in zip(items, copy, strict=True)]
        gold = [(GOLD[item], int(c)) for item, c in zip(items, copy, strict=True)]
        assert round(float(score), 4) == bench.bcubed(predicted, gold)["f1"]


@pytest.mark.parametrize("scheme", ["items", "restricted"])
def test_identical_predictions_give_a_zero_interval(scheme: str) -> None:
    labels = noisy(4, 8)
    result = bench.story_bootstrap(GOLD, [labels], labels, resamples=RESAMPLES, scheme=scheme)
    assert (result["observed"], result["mean"], result["low"], result["high"]) == (0.0, 0.0, 0.0, 0.0)
    assert bench.verdict(result["low"], result["high"]) == "within noise"


@pytest.mark.parametrize("scheme", ["items", "restricted"])
@pytest.mark.parametrize("worse", [ONE_CLUSTER, SINGLETONS])
def test_a_clearly_better_method_is_called_better(worse: list[str], scheme: str) -> None:
    better = bench.story_bootstrap(GOLD, [PERFECT], worse, resamples=RESAMPLES, scheme=scheme)
    assert 0 < better["low"] <= better["mean"] <= better["high"]
    assert better["observed"] == round(1.0 - bench.bcubed(worse, GOLD)["f1"], 4)
    assert bench.verdict(better["low"], better["high"]) == "counterclaim better"
    worse_result = bench.story_bootstrap(GOLD, [worse], PERFECT, resamples=RESAMPLES, scheme=scheme)
    assert worse_result["high"] < 0
    assert bench.verdict(worse_result["low"], worse_result["high"]) == "baseline better"


def test_a_tiny_difference_is_within_noise() -> None:
    # One misplaced item out of 46 in one labelling, a different one in the other: no real difference.
    result = bench.story_bootstrap(GOLD, [noisy(6, 1)], noisy(7, 1), resamples=RESAMPLES)
    assert result["low"] <= 0 <= result["high"]
    assert bench.verdict(result["low"], result["high"]) == "within noise"


def test_the_item_bootstrap_centres_on_the_observed_difference() -> None:
    result = bench.story_bootstrap(GOLD, [noisy(14, 6)], noisy(15, 12), resamples=RESAMPLES)
    assert abs(result["mean"] - result["observed"]) < 0.25 * (result["high"] - result["low"])


def test_several_orders_are_averaged() -> None:
    # Ours: one perfect order and one single-cluster order, against a single-cluster baseline.
    result = bench.story_bootstrap(GOLD, [PERFECT, ONE_CLUSTER], ONE_CLUSTER, resamples=RESAMPLES)
    alone = bench.story_bootstrap(GOLD, [PERFECT], ONE_CLUSTER, resamples=RESAMPLES)
    assert result["observed"] == pytest.approx(alone["observed"] / 2, abs=1e-4)
    assert result["mean"] == pytest.approx(alone["mean"] / 2, abs=1e-4)


def test_the_same_seed_gives_the_same_interval() -> None:
    first = bench.story_bootstrap(GOLD, [noisy(8, 6)], noisy(9, 3), resamples=RESAMPLES, seed=1)
    again = bench.story_bootstrap(GOLD, [noisy(8, 6)], noisy(9, 3), resamples=RESAMPLES, seed=1)
    assert first == again


def test_pair_bootstrap_of_accuracy() -> None:
    rng = np.random.default_rng(10)
    gold = [bool(x) for x in rng.integers(2, size=300)]
    same = bench.pair_bootstrap(gold, gold, gold, resamples=RESAMPLES)
    assert (same["observed"], same["low"], same["high"]) == (0.0, 0.0, 0.0)
    wrong = [not label for label in gold]
    best = bench.pair_bootstrap(gold, gold, wrong, resamples=RESAMPLES)
    assert (best["observed"], best["low"], best["high"]) == (1.0, 1.0, 1.0)
    # Ours right on 60% of pairs, theirs on 50%, independently: the interval covers 0.1 and excludes 0.
    ours = [g if u < 0.6 else not g for g, u in zip(gold, rng.random(300), strict=True)]
    theirs = [g if u < 0.5 else not g for g, u in zip(gold, rng.random(300), strict=True)]
    some = bench.pair_bootstrap(gold, ours, theirs, resamples=RESAMPLES)
    assert 0 < some["low"] < some["observed"] < some["high"]
    assert some["high"] - some["low"] < 0.3
    assert bench.verdict(some["low"], some["high"]) == "counterclaim better"


def test_linking_orders_start_with_the_bench_order() -> None:
    orders = bench.linking_orders(30, 5)
    assert len(orders) == 5
    assert orders[0] == list(range(30))
    assert all(sorted(order) == list(range(30)) for order in orders)
    assert len({tuple(order) for order in orders}) == 5
    assert bench.linking_orders(30, 5) == orders
