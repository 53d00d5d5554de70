"""The stance training's data handling: splits never leak the hold-out, dev is disjoint by headline from fit.

Also checks that the committed artifacts match the sha256 sums their MANIFEST.json records.
"""

from __future__ import annotations

import hashlib
import json

from counterclaim.models import MANIFEST_FILE, MODELS_DIR
from counterclaim.training.stance import StancePair, split_pairs


def synthetic_pairs() -> tuple[list[StancePair], dict[str, str]]:
    split = {str(body): ("holdout" if body % 5 == 0 else "train") for body in range(40)}
    pairs = [
        StancePair(f"headline {h}", str(body), "unrelated" if (h + body) % 3 else "discuss")
        for h in range(30)
        for body in range(h % 7, 40, 7)
    ]
    return pairs, split


def test_holdout_is_exactly_the_holdout_bodies() -> None:
    pairs, split = synthetic_pairs()
    fit, dev, holdout = split_pairs(pairs, split)
    assert {pair.body_id for pair in holdout} <= {b for b, part in split.items() if part == "holdout"}
    assert not {pair.body_id for pair in fit + dev} & {pair.body_id for pair in holdout}
    assert len(fit) + len(dev) + len(holdout) == len(pairs)


def test_dev_shares_no_headline_with_fit_and_is_seeded() -> None:
    pairs, split = synthetic_pairs()
    fit, dev, _ = split_pairs(pairs, split, dev_fraction=0.2, seed=3)
    assert dev
    assert not {pair.headline for pair in fit} & {pair.headline for pair in dev}
    assert split_pairs(pairs, split, dev_fraction=0.2, seed=3)[1] == dev
    assert split_pairs(pairs, split, dev_fraction=0.2, seed=4)[1] != dev


def test_committed_artifacts_match_their_manifest() -> None:
    manifest = json.loads((MODELS_DIR / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["files"]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((MODELS_DIR / name).read_bytes()).hexdigest() == digest, name
