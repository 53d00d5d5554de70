"""bench/stance_fnc.py: which pairs it scores, and its refusal to score none (clear message, exit 2)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from conftest import script_module

BENCH = Path(__file__).resolve().parents[1] / "bench" / "stance_fnc.py"
bench = script_module("bench_stance_fnc", BENCH)


def write_fnc(folder: Path) -> tuple[Path, Path]:
    """A two-claim FNC-format set written for this test (not from any data set)."""
    bodies, stances = folder / "bodies.csv", folder / "stances.csv"
    with bodies.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Body ID", "articleBody"])
        writer.writerow(["900001", "The mayor denied that the bridge will close next month."])
        writer.writerow(["900002", "A local team won the regional cup on Saturday."])
    with stances.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Body ID", "Stance"])
        writer.writerow(["Bridge to close next month", "900001", "disagree"])
        writer.writerow(["Bridge to close next month", "900002", "unrelated"])
    return bodies, stances


def args_for(*argv: str) -> argparse.Namespace:
    return bench.parse_args(list(argv))


def test_another_file_is_scored_whole_by_default(tmp_path: Path) -> None:
    bodies, stances = write_fnc(tmp_path)
    (chosen,) = bench.eval_sets(args_for("--bodies", str(bodies), "--stances", str(stances)))
    assert chosen.split == "all"
    pairs = bench.select_pairs(chosen.stances, chosen.split, tmp_path / "no-split.csv")
    assert [pair.label for pair in pairs] == ["disagree", "unrelated"]


def test_default_run_scores_dev_holdout_and_arc() -> None:
    names = [each.split for each in bench.eval_sets(args_for())][:2]
    assert names == ["dev", "holdout"]


def test_zero_pairs_are_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bodies, stances = write_fnc(tmp_path)
    split_file = tmp_path / "split.csv"
    split_file.write_text("Body ID,split\n1,train\n", encoding="utf-8")
    argv = ["--bodies", str(bodies), "--stances", str(stances), "--split", "holdout"]
    with pytest.raises(SystemExit) as stopped:
        bench.main([*argv, "--split-file", str(split_file)])
    assert stopped.value.code != 0
    message = capsys.readouterr().err
    assert "no stance pairs in split 'holdout'" in message and "--split all" in message
