"""Story-fold cross-validation of the wording-only stance classifier on FNC-1 fit stories (dev never read).

The story-disjoint dev holds about 100 disagree pairs from a handful of stories, too few to decide by alone;
here every fit story is scored once by a classifier trained without it: `make bench-stance-cv`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from counterclaim.embeddings import Embedder, load_tokenizer, open_session
from counterclaim.models import BI_ENCODER_FILE, MODELS_DIR, TOKENIZER_FILE, offline
from counterclaim.stance import BodyIndex, sentence_spans
from counterclaim.training.stance import (
    CLASS_NAMES,
    EmbeddedCorpus,
    StancePair,
    data_hash,
    embed_corpus,
    file_hash,
    find_stories,
    fit_classifier,
    read_bodies,
    read_stances,
    split_fnc,
    stance_matrix,
)

RESULTS = Path(__file__).parent / "results" / "stance_story_cv.json"
DATA = Path("../shared/data")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA / "fnc-1")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--alpha", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--cache", type=Path, default=None, help="sentence embeddings of a training run")
    parser.add_argument(
        "--arc",
        type=Path,
        default=None,
        help="ARC stance folder: its related train pairs join every fold's training (news is still scored)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    return parser.parse_args(argv)


def arc_training(embedder: Embedder, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the related ARC train pairs (user posts on 186 debate claims)."""
    bodies = read_bodies(folder / "arc_bodies.csv")
    pairs = [p for p in read_stances(folder / "arc_stances_train.csv") if p.label != "unrelated"]
    body_ids, headlines = sorted({p.body_id for p in pairs}), sorted({p.headline for p in pairs})
    spans = {body_id: sentence_spans(bodies[body_id]) for body_id in body_ids}
    vectors = embedder.encode([bodies[b][start:end] for b in body_ids for start, end in spans[b]])
    indexes, first = {}, 0
    for body_id in body_ids:
        count = len(spans[body_id])
        indexes[body_id] = BodyIndex(bodies[body_id], spans[body_id], vectors[first : first + count])
        first += count
    corpus = EmbeddedCorpus(indexes, dict(zip(headlines, embedder.encode(headlines), strict=True)))
    labels = np.array([CLASS_NAMES.index(pair.label) for pair in pairs])
    return stance_matrix(corpus, pairs, 4), labels


def story_folds(pairs: Sequence[StancePair], folds: int, seed: int) -> list[int]:
    """The fold of each related pair: whole stories (headline-body components) go to one fold."""
    stories = find_stories(pairs)
    order = sorted(set(stories.of_headline.values()))
    random.Random(seed).shuffle(order)
    fold_of_story = {story: k % folds for k, story in enumerate(order)}
    return [fold_of_story[stories.of_headline[pair.headline]] for pair in pairs]


def f1_scores(confusion: np.ndarray) -> list[float]:
    scores = []
    for k in range(len(confusion)):
        precision = confusion[k, k] / max(confusion[:, k].sum(), 1)
        recall = confusion[k, k] / max(confusion[k, :].sum(), 1)
        scores.append(0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall))
    return scores


def cross_validate(args: argparse.Namespace) -> dict[str, Any]:
    splits = split_fnc(args.data, seed=args.seed)
    embedder = Embedder(
        open_session(MODELS_DIR / BI_ENCODER_FILE, 1), load_tokenizer(MODELS_DIR / TOKENIZER_FILE)
    )
    key = f"{data_hash(args.data)}:{file_hash(MODELS_DIR / BI_ENCODER_FILE)}"
    corpus = embed_corpus(embedder, splits, key, args.cache)
    related = [pair for pair in splits.fit if pair.label != "unrelated"]
    fold = np.array(story_folds(related, args.folds, args.seed))
    features = stance_matrix(corpus, related, 4)
    labels = np.array([CLASS_NAMES.index(pair.label) for pair in related])
    extra_features, extra_labels = (
        arc_training(embedder, args.arc) if args.arc else (np.zeros((0, features.shape[1])), np.zeros(0, int))
    )
    confusion = np.zeros((3, 3), dtype=np.int64)
    per_fold = []
    for k in range(args.folds):
        held = fold == k
        classifier = fit_classifier(
            np.vstack([features[~held], extra_features]), np.concatenate([labels[~held], extra_labels]), args
        )
        predicted = classifier.probabilities(features[held].astype(np.float32)).argmax(axis=1)
        part = np.zeros((3, 3), dtype=np.int64)
        np.add.at(part, (labels[held], predicted), 1)
        confusion += part
        per_fold.append({"pairs": int(held.sum()), "disagree_f1": round(float(f1_scores(part)[1]), 3)})
        print(f"fold {k + 1}/{args.folds}: {per_fold[-1]}", file=sys.stderr)
    scores = f1_scores(confusion)
    return {
        "data": str(args.data),
        "folds": args.folds,
        "seed": args.seed,
        "related_pairs": len(related),
        "arc_train_pairs_added": len(extra_labels),
        "stories": len(set(find_stories(related).of_headline.values())),
        "per_class_f1": dict(zip(CLASS_NAMES, (round(s, 3) for s in scores), strict=True)),
        "macro_f1_related": round(float(np.mean(scores)), 3),
        "confusion": confusion.tolist(),
        "per_fold": per_fold,
    }


def main(argv: Sequence[str] | None = None) -> None:
    offline()
    args = parse_args(argv)
    result = cross_validate(args)
    RESULTS.parent.mkdir(exist_ok=True)
    results = RESULTS.with_name("stance_story_cv_arc.json") if args.arc else RESULTS
    results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result))
        return
    table = Table(title=f"Stance classifier, {args.folds} story folds over FNC-1 fit")
    for column in ("related pairs", "agree F1", "disagree F1", "discuss F1", "macro-F1 (related)"):
        table.add_column(column, justify="right")
    f1 = result["per_class_f1"]
    table.add_row(
        str(result["related_pairs"]),
        *(f"{f1[name]:.3f}" for name in CLASS_NAMES),
        f"{result['macro_f1_related']:.3f}",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
