"""Stance benchmark: official FNC-1 score, macro-F1, per-class F1, confusion and speed, on three sets at once.

Default: the story-disjoint dev split of FNC-1 training bodies (the figure to decide by: its stories are
never trained on), the official FNC-1 hold-out (whose headlines all occur in training) and the ARC test
(another domain), in one table and one JSON (bench/results/stance_fnc.json). Any other FNC-format file:
pass --bodies and --stances (scored whole unless --split says otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from counterclaim.errors import UsageError
from counterclaim.models import offline
from counterclaim.stance import FNC_LABELS, FNC_NAMES, FncScore, StanceModel, StanceResult, score_fnc
from counterclaim.training.stance import StancePair, read_bodies, read_split, read_stances, split_pairs

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("COUNTERCLAIM_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "bench" / "results"
FNC_BODIES = DATA / "fnc-1" / "train_bodies.csv"
FNC_STANCES = DATA / "fnc-1" / "train_stances.reconstructed.csv"
ARC_BODIES = DATA / "arc-stance" / "arc_bodies.csv"
ARC_STANCES = DATA / "arc-stance" / "arc_stances_test.csv"
SPLITS = ("dev", "holdout", "all")


class NoPairsError(UsageError):
    """The chosen stances file and split leave nothing to score."""


@dataclass(frozen=True)
class EvalSet:
    """One set to score: a name for the table, the files, and which split of them."""

    name: str
    bodies: Path
    stances: Path
    split: str


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--bodies", type=Path, default=None, help="an FNC-format bodies file (with --stances)"
    )
    parser.add_argument(
        "--stances", type=Path, default=None, help="an FNC-format stances file (with --bodies)"
    )
    parser.add_argument("--split-file", type=Path, default=DATA / "fnc-1" / "baseline_split_body_ids.csv")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default=None,
        help="dev: story-disjoint dev; holdout: official hold-out; all: every pair. Only the FNC-1 training "
        "stances have dev and holdout; any other file defaults to all",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="score a seeded sample of N pairs of each set"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="onnxruntime threads (speed is reported per core at 1)"
    )
    parser.add_argument("--name", default=None, help="results file bench/results/<name>.json")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    return parser.parse_args(argv)


def is_fnc_training(stances: Path) -> bool:
    return stances.resolve() == FNC_STANCES.resolve() or stances.name == FNC_STANCES.name


def eval_sets(args: argparse.Namespace) -> list[EvalSet]:
    """The sets this run scores: the default three, or the one file the user named."""
    if (args.bodies is None) != (args.stances is None):
        raise SystemExit("pass both --bodies and --stances, or neither (for the default three sets)")
    if args.stances is None:
        if args.split:
            return [EvalSet(f"FNC-1 {args.split}", FNC_BODIES, FNC_STANCES, args.split)]
        sets = [
            EvalSet("FNC-1 dev, story-disjoint", FNC_BODIES, FNC_STANCES, "dev"),
            EvalSet("FNC-1 official hold-out", FNC_BODIES, FNC_STANCES, "holdout"),
        ]
        if ARC_STANCES.is_file():
            sets.append(EvalSet("ARC test", ARC_BODIES, ARC_STANCES, "all"))
        return sets
    split = args.split or ("holdout" if is_fnc_training(args.stances) else "all")
    return [EvalSet(args.stances.stem, args.bodies, args.stances, split)]


def select_pairs(stances: Path, split: str, split_file: Path, limit: int | None = None) -> list[StancePair]:
    """The pairs of one split of a stances file; raises NoPairsError when there are none to score."""
    pairs = read_stances(stances)
    if split != "all":
        _, dev, holdout = split_pairs(pairs, read_split(split_file))
        pairs = holdout if split == "holdout" else dev
    if not pairs:
        hint = (
            " (dev and holdout select FNC-1 training bodies by body id: use --split all for other files)"
            if split != "all"
            else ""
        )
        raise NoPairsError(f"{stances} has no stance pairs in split '{split}'{hint}; nothing to score")
    if limit and limit < len(pairs):
        pairs = random.Random(13).sample(pairs, limit)
    return pairs


def predict(model: StanceModel, pairs: Sequence[StancePair], bodies: dict[str, str]) -> list[StanceResult]:
    """Run the model body by body (each body embedded once), with a progress bar."""
    by_body: dict[str, list[int]] = {}
    for position, pair in enumerate(pairs):
        by_body.setdefault(pair.body_id, []).append(position)
    results: list[StanceResult | None] = [None] * len(pairs)
    groups = list(by_body.values())
    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("stance", total=len(pairs))
        for first in range(0, len(groups), 16):
            positions = [p for group in groups[first : first + 16] for p in group]
            batch = [(pairs[p].headline, bodies[pairs[p].body_id]) for p in positions]
            for p, result in zip(positions, model.text_stances(batch), strict=True):
                results[p] = result
            progress.update(task, advance=len(positions))
    return [result for result in results if result is not None]


@dataclass(frozen=True)
class SetScore:
    """The scores of one set and how fast the model ran on it."""

    chosen: EvalSet
    score: FncScore
    seconds: float
    # Related pairs the cross-encoder read, and its seconds on them (the rest is embedding and relatedness).
    read_pairs: int = 0
    read_seconds: float = 0.0

    @property
    def read_rate(self) -> float:
        return self.read_pairs / self.read_seconds if self.read_seconds else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.chosen.name,
            **self.score.to_json(),
            "seconds": round(self.seconds, 2),
            "pairs_per_second": round(self.score.pairs / self.seconds, 1),
            "cross_encoder_pairs": self.read_pairs,
            "cross_encoder_pairs_per_second": round(self.read_rate, 1),
            "stances": str(self.chosen.stances),
            "split": self.chosen.split,
        }


def score_set(model: StanceModel, chosen: EvalSet, args: argparse.Namespace) -> SetScore:
    pairs = select_pairs(chosen.stances, chosen.split, args.split_file, args.limit)
    bodies = read_bodies(chosen.bodies)
    reader = model.cross_encoder
    read_before = (reader.pairs_read, reader.seconds) if reader else (0, 0.0)
    started = time.perf_counter()
    results = predict(model, pairs, bodies)
    seconds = time.perf_counter() - started
    score = score_fnc([FNC_LABELS[pair.label] for pair in pairs], [result.stance for result in results])
    if reader is None:
        return SetScore(chosen, score, seconds)
    return SetScore(
        chosen, score, seconds, reader.pairs_read - read_before[0], reader.seconds - read_before[1]
    )


def report(sets: Sequence[SetScore], console: Console) -> None:
    summary = Table(title="stance (FNC-1 scheme)")
    columns = ("set", "pairs", "FNC score %", "macro-F1", *(f"{n} F1" for n in FNC_NAMES), "pairs/s")
    for column in (*columns, "related pairs/s (cross-encoder)"):
        summary.add_column(column, justify="right")
    for each in sets:
        score = each.score
        summary.add_row(
            each.chosen.name,
            str(score.pairs),
            f"{score.fnc_score:.2f}",
            f"{score.macro_f1:.3f}",
            *(f"{score.per_class_f1[name]:.3f}" for name in FNC_NAMES),
            f"{score.pairs / each.seconds:.1f}",
            f"{each.read_rate:.1f}" if each.read_pairs else "-",
        )
    console.print(summary)
    for each in sets:
        matrix = Table(title=f"{each.chosen.name}: confusion (rows gold, columns predicted)")
        matrix.add_column("gold")
        for name in FNC_NAMES:
            matrix.add_column(name, justify="right")
        for name, counts in zip(FNC_NAMES, each.score.confusion, strict=True):
            matrix.add_row(name, *map(str, counts))
        console.print(matrix)


def results_name(args: argparse.Namespace, chosen: Sequence[EvalSet]) -> str:
    if args.name:
        return str(args.name)
    if len(chosen) > 1:
        return "stance_fnc"
    only = chosen[0]
    return f"stance_fnc_{only.split}" if is_fnc_training(only.stances) else f"stance_{only.stances.stem}"


def main(argv: Sequence[str] | None = None) -> None:
    offline()
    args = parse_args(argv)
    chosen = eval_sets(args)
    try:
        # Check every set has pairs before spending minutes on the model.
        for each in chosen:
            select_pairs(each.stances, each.split, args.split_file)
    except NoPairsError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from error
    model = StanceModel.load(threads=args.threads)
    sets = [score_set(model, each, args) for each in chosen]
    payload = {"threads": args.threads, "limit": args.limit, "sets": [each.to_json() for each in sets]}
    name = results_name(args, chosen)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(payload))
    else:
        report(sets, Console())


if __name__ == "__main__":
    main()
