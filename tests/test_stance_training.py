"""Stance training data: splits never leak the hold-out; dev holds whole stories, kept out of fit.

Also checks that the committed artifacts match the sha256 sums their MANIFEST.json records.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import script_module
from counterclaim.models import MANIFEST_FILE, MODELS_DIR
from counterclaim.training.stance import StancePair, find_stories, split_pairs

BENCH = Path(__file__).parent.parent / "bench"


def synthetic_pairs() -> tuple[list[StancePair], dict[str, str]]:
    split = {str(body): ("holdout" if body % 5 == 0 else "train") for body in range(40)}
    # Ten stories of three headlines and four bodies each, plus unrelated pairs across stories.
    pairs = [
        StancePair(f"headline {h}", str(body), "discuss" if h // 3 == body // 4 else "unrelated")
        for h in range(30)
        for body in range(40)
        if h // 3 == body // 4 or (h + body) % 7 == 0
    ]
    return pairs, split


def test_holdout_is_exactly_the_holdout_bodies() -> None:
    pairs, split = synthetic_pairs()
    fit, dev, holdout = split_pairs(pairs, split)
    assert {pair.body_id for pair in holdout} <= {b for b, part in split.items() if part == "holdout"}
    assert not {pair.body_id for pair in fit + dev} & {pair.body_id for pair in holdout}
    assert {pair for pair in pairs if split[pair.body_id] == "holdout"} == set(holdout)
    # Only pairs of a fit headline with a body of a dev story are left out (that body is never trained on).
    stories = find_stories(pairs)
    dev_stories = {stories.of_headline[pair.headline] for pair in dev}
    left_out = set(pairs) - set(fit) - set(dev) - set(holdout)
    assert all(stories.of_body[pair.body_id] in dev_stories for pair in left_out)


def test_stories_are_connected_components_of_related_pairs() -> None:
    pairs = [
        StancePair("h1", "b1", "agree"),
        StancePair("h2", "b1", "disagree"),
        StancePair("h2", "b3", "discuss"),
        StancePair("h3", "b2", "discuss"),
        StancePair("h1", "b2", "unrelated"),
        StancePair("h4", "b1", "unrelated"),
    ]
    stories = find_stories(pairs)
    assert (
        stories.of_headline["h1"]
        == stories.of_headline["h2"]
        == stories.of_body["b1"]
        == stories.of_body["b3"]
    )
    assert stories.of_headline["h3"] == stories.of_body["b2"] != stories.of_headline["h1"]
    # A headline related to nothing is a story of its own; unrelated pairs join nothing.
    assert stories.of_headline["h4"] not in {stories.of_headline["h1"], stories.of_headline["h3"]}
    assert stories.count == 3
    assert find_stories(list(reversed(pairs))) == stories


def test_dev_holds_whole_stories_never_trained_on_and_is_seeded() -> None:
    pairs, split = synthetic_pairs()
    fit, dev, _ = split_pairs(pairs, split, dev_fraction=0.3, seed=3)
    assert dev and fit
    stories = find_stories(pairs)
    dev_stories = {stories.of_headline[pair.headline] for pair in dev}
    assert not {pair.headline for pair in fit} & {pair.headline for pair in dev}
    related_dev_bodies = {pair.body_id for pair in dev if pair.label != "unrelated"}
    assert not {pair.body_id for pair in fit} & related_dev_bodies
    # Whole stories: every training pair of a dev story's headline is in dev.
    assert {
        p for p in pairs if split[p.body_id] == "train" and stories.of_headline[p.headline] in dev_stories
    } == set(dev)
    assert split_pairs(pairs, split, dev_fraction=0.3, seed=3)[1] == dev
    assert split_pairs(pairs, split, dev_fraction=0.3, seed=4)[1] != dev


def test_committed_artifacts_match_their_manifest() -> None:
    manifest = json.loads((MODELS_DIR / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["files"]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((MODELS_DIR / name).read_bytes()).hexdigest() == digest, name


def test_story_folds_keep_each_story_whole_and_use_every_fold() -> None:
    cv = script_module("stance_story_cv", BENCH / "stance_story_cv.py")
    pairs, _ = synthetic_pairs()
    related = [pair for pair in pairs if pair.label != "unrelated"]
    folds = cv.story_folds(related, 5, 13)
    stories = find_stories(related)
    fold_of_story: dict[int, set[int]] = {}
    for pair, fold in zip(related, folds, strict=True):
        fold_of_story.setdefault(stories.of_headline[pair.headline], set()).add(fold)
    assert all(len(found) == 1 for found in fold_of_story.values())
    assert set(folds) == set(range(5))
