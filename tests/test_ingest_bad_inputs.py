"""Bad inputs are each reported with one line naming the file and the reason, and the run goes on.

Exit codes of `counterclaim ingest`: 0 all ingested, 1 some inputs failed, 2 usage errors.
"""

from __future__ import annotations

import gzip
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
QUIET = IngestOptions(analyze=False)


def ingest_command() -> list[str]:
    """The installed `counterclaim ingest`, run as a user runs it."""
    return [str(Path(sys.executable).parent / "counterclaim"), "ingest"]


def run_ingest(*arguments: str, db: Path) -> subprocess.CompletedProcess[str]:
    command = [*ingest_command(), *arguments, "--db", str(db), "--no-analyze"]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)


def make_bad_inputs(directory: Path) -> dict[str, str]:
    """One file per kind of bad input, with a word its failure reason must contain."""
    directory.mkdir()
    (directory / "empty.html").write_bytes(b"")
    (directory / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (directory / "truncated.html.gz").write_bytes(gzip.compress((FIXTURES / "page.html").read_bytes())[:300])
    (directory / "broken.xml").write_bytes(b"<?xml version='1.0'?><rss><channel><item><title>x</ti")
    (directory / "nomain.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    noise = random.Random(1)
    (directory / "undecodable.txt").write_bytes(bytes(noise.randrange(0x80, 0x100) for _ in range(3000)))
    with (directory / "huge.html").open("wb") as handle:
        handle.truncate(200_000_000)  # sparse: no 200 MB written
    return {
        "empty.html": "empty",
        "binary.txt": "binary",
        "truncated.html.gz": "truncated",
        "broken.xml": "feed",
        "nomain.html": "no main text",
        "undecodable.txt": "decode",
        "huge.html": "limit",
    }


def test_each_bad_input_gets_its_reason_and_the_run_goes_on(sqlite_store: Store, tmp_path: Path) -> None:
    expected = make_bad_inputs(tmp_path / "bad")
    shutil.copy(FIXTURES / "plain_article.txt", tmp_path / "bad" / "good.txt")
    report = ingest_paths(sqlite_store, [str(tmp_path / "bad")], QUIET, progress=False)
    reasons = {Path(problem.path).name: problem.reason for problem in report.problems}
    assert set(reasons) == set(expected)
    for name, word in expected.items():
        assert word in reasons[name], f"{name}: {reasons[name]}"
    assert len(report.added) == 1


def test_declared_charset_then_utf8_then_detection(sqlite_store: Store, tmp_path: Path) -> None:
    page = (FIXTURES / "page.html").read_text(encoding="utf-8").replace("utf-8", "iso-8859-1")
    page = page.replace("spokesman Daniel Reyes", "spokesman Daniel Réyes")
    (tmp_path / "latin.html").write_bytes(page.encode("iso-8859-1"))
    text = (FIXTURES / "plain_article.txt").read_text(encoding="utf-8").replace("Marek", "Marék Łukasz")
    (tmp_path / "cp1250.txt").write_bytes(text.encode("cp1250"))
    report = ingest_paths(sqlite_store, [str(tmp_path / "latin.html"), str(tmp_path / "cp1250.txt")], QUIET)
    assert not report.problems
    texts = " ".join(article.text for article in sqlite_store.articles())
    assert "Daniel Réyes" in texts


@pytest.mark.slow
def test_cli_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    good = tmp_path / "good.txt"
    shutil.copy(FIXTURES / "plain_article.txt", good)
    ok = run_ingest(str(good), db=db)
    assert ok.returncode == 0, ok.stderr
    assert "articles added" in ok.stdout
    again = run_ingest(str(good), db=db)
    assert again.returncode == 0

    jsonl = run_ingest(str(FIXTURES / "articles.jsonl"), db=db)
    assert jsonl.returncode == 1
    failure_lines = [line for line in jsonl.stdout.splitlines() if line.startswith("failed")]
    assert len(failure_lines) == 1 and "articles.jsonl" in failure_lines[0] and "line 3" in failure_lines[0]

    missing = run_ingest(str(tmp_path / "nope.html"), db=db)
    assert missing.returncode == 2 and "does not exist" in " ".join(missing.stderr.split())
    bad_option = run_ingest(str(good), "--max-bytes", "lots", db=db)
    assert bad_option.returncode == 2


@pytest.mark.parametrize("pattern", ["*.nothing"])
def test_empty_glob_is_a_usage_error(sqlite_store: Store, tmp_path: Path, pattern: str) -> None:
    from counterclaim.errors import UsageError

    with pytest.raises(UsageError, match="No file matches"):
        ingest_paths(sqlite_store, [str(tmp_path / pattern)], QUIET, progress=False)
