"""A killed ingest leaves no partial and no duplicate rows: running it again gives what a clean run gives."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from counterclaim.store import article_id

# Kills a real ingest process mid-run.
pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PAGES = 240
JSONL_LINES = 400


def ingest_command() -> list[str]:
    """The installed `counterclaim ingest`, run as a user runs it."""
    return [str(Path(sys.executable).parent / "counterclaim"), "ingest"]


def build_corpus(directory: Path) -> None:
    """Many distinct HTML pages and one big JSONL file, so a kill lands inside a file or between files."""
    directory.mkdir()
    template = (FIXTURES / "page.html").read_text(encoding="utf-8")
    for number in range(PAGES):
        page = template.replace("radar data", f"radar data of sector {number}").replace(
            "three ships", f"{number + 3} ships"
        )
        (directory / f"page_{number:04d}.html").write_text(page, encoding="utf-8")
    with (directory / "a_bulk.jsonl").open("w", encoding="utf-8") as handle:
        for number in range(JSONL_LINES):
            text = f"Dispatch {number}: the harbour authority said patrol {number} ended without incident."
            handle.write(json.dumps({"id": f"d{number}", "outlet": "NordTV", "text": text}) + "\n")


def run(corpus: Path, db: Path) -> subprocess.Popen[bytes]:
    command = [*ingest_command(), str(corpus), "--db", str(db), "--no-analyze", "--json"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        except sqlite3.OperationalError:
            return 0  # the schema is not there yet


def rows(db: Path) -> dict[str, str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return dict(conn.execute("SELECT id, text FROM articles").fetchall())


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    build_corpus(corpus)
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    assert run(corpus, clean_db).wait(timeout=600) == 0

    process = run(corpus, killed_db)
    deadline = time.monotonic() + 300
    while count(killed_db, "articles") < 40 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed: make the corpus bigger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    interrupted = count(killed_db, "articles")
    assert 0 < interrupted < PAGES + JSONL_LINES

    assert run(corpus, killed_db).wait(timeout=600) == 0
    clean, resumed = rows(clean_db), rows(killed_db)
    assert len(clean) == PAGES + JSONL_LINES
    assert resumed.keys() == clean.keys()
    for identifier, text in resumed.items():
        assert text and article_id(text) == identifier and text == clean[identifier]
    assert count(killed_db, "ingested_sources") == count(clean_db, "ingested_sources") == PAGES + 1
    assert count(killed_db, "outlets") == count(clean_db, "outlets")
