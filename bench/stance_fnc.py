"""Stance benchmark on any FNC-1-format files: official FNC-1 score, macro-F1, per-class F1, confusion, speed.

Default: the FNC-1 official hold-out. `--split dev`: the headline-disjoint dev split; ARC: `--split all`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from counterclaim.models import offline
from counterclaim.stance import FNC_LABELS, FNC_NAMES, FncScore, StanceModel, StanceResult, score_fnc
from counterclaim.training.stance import StancePair, read_bodies, read_split, read_stances, split_pairs

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("COUNTERCLAIM_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "bench" / "results"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bodies", type=Path, default=DATA / "fnc-1" / "train_bodies.csv")
    parser.add_argument("--stances", type=Path, default=DATA / "fnc-1" / "train_stances.reconstructed.csv")
    parser.add_argument("--split-file", type=Path, default=DATA / "fnc-1" / "baseline_split_body_ids.csv")
    parser.add_argument("--split", choices=["holdout", "dev", "all"], default="holdout")
    parser.add_argument("--limit", type=int, default=None, help="score a seeded sample of N pairs")
    parser.add_argument(
        "--threads", type=int, default=1, help="onnxruntime threads (speed is reported per core at 1)"
    )
    parser.add_argument("--name", default="stance_fnc", help="results file bench/results/<name>.json")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    return parser.parse_args(argv)


def select_pairs(args: argparse.Namespace) -> list[StancePair]:
    pairs = read_stances(args.stances)
    if args.split != "all":
        _, dev, holdout = split_pairs(pairs, read_split(args.split_file))
        pairs = holdout if args.split == "holdout" else dev
    if args.limit and args.limit < len(pairs):
        pairs = random.Random(13).sample(pairs, args.limit)
    return pairs


def predict(model: StanceModel, pairs: Sequence[StancePair], bodies: dict[str, str]) -> list[StanceResult]:
    """Run the model body by body (each body embedded once), with a progress bar."""
    by_body: dict[str, list[int]] = {}
    for position, pair in enumerate(pairs):
        by_body.setdefault(pair.body_id, []).append(position)
    results: list[StanceResult | None] = [None] * len(pairs)
    groups = list(by_body.values())
    with Progress(transient=True) as progress:
        task = progress.add_task("stance", total=len(pairs))
        for first in range(0, len(groups), 16):
            positions = [p for group in groups[first : first + 16] for p in group]
            batch = [(pairs[p].headline, bodies[pairs[p].body_id]) for p in positions]
            for p, result in zip(positions, model.text_stances(batch), strict=True):
                results[p] = result
            progress.update(task, advance=len(positions))
    return [result for result in results if result is not None]


def report(score: FncScore, seconds: float, console: Console) -> None:
    summary = Table(title="FNC-1 stance")
    for column in ("pairs", "FNC score %", "macro-F1", "disagree F1", "pairs/s"):
        summary.add_column(column, justify="right")
    summary.add_row(
        str(score.pairs),
        f"{score.fnc_score:.2f}",
        f"{score.macro_f1:.3f}",
        f"{score.per_class_f1['disagree']:.3f}",
        f"{score.pairs / seconds:.1f}",
    )
    console.print(summary)
    matrix = Table(title="confusion (rows gold, columns predicted)")
    matrix.add_column("gold")
    for name in FNC_NAMES:
        matrix.add_column(name, justify="right")
    matrix.add_column("F1", justify="right")
    for name, row in zip(FNC_NAMES, score.confusion, strict=True):
        matrix.add_row(name, *map(str, row), f"{score.per_class_f1[name]:.3f}")
    console.print(matrix)


def main(argv: Sequence[str] | None = None) -> None:
    offline()
    args = parse_args(argv)
    bodies = read_bodies(args.bodies)
    pairs = select_pairs(args)
    model = StanceModel.load(threads=args.threads)
    started = time.perf_counter()
    results = predict(model, pairs, bodies)
    seconds = time.perf_counter() - started
    score = score_fnc([FNC_LABELS[pair.label] for pair in pairs], [result.stance for result in results])
    payload = {
        **score.to_json(),
        "seconds": round(seconds, 2),
        "pairs_per_second": round(len(pairs) / seconds, 1),
        "threads": args.threads,
        "stances": str(args.stances),
        "split": args.split,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(payload))
    else:
        report(score, seconds, Console())


if __name__ == "__main__":
    main()
