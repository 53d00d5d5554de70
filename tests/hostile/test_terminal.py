"""Escape sequences in stored titles and in file names are printed escaped, never sent to the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from counterclaim.terminal import printable, shown
from hostile.conftest import cli

CLEAR = "\x1b[2J\x1b[H"
TITLE = f"Ministry statement{CLEAR}\x1b]0;owned\x07 \u202eevil"


def test_printable_escapes_controls_but_keeps_text() -> None:
    assert printable("Ministère said\tso\n") == "Ministère said\tso\n"
    assert printable(TITLE) == "Ministry statement\\x1b[2J\\x1b[H\\x1b]0;owned\\x07 \\u202eevil"
    assert shown("[bold]x\x9b") == "\\[bold]x\\x9b"


def test_titles_and_file_names_reach_the_terminal_escaped(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    article = {
        "title": TITLE,
        "text": "The ministry said on Monday that the convoy had reached the border crossing near the town.",
    }
    feed = tmp_path / "a.jsonl"
    feed.write_text(json.dumps(article) + "\n")
    evil_name = tmp_path / f"note{CLEAR}.txt"
    evil_name.write_bytes(b"")  # an empty file: its name is printed in the failure line
    ingest = cli("ingest", str(feed), str(evil_name), "--no-analyze", "--db", db)
    listing = cli("articles", "--db", db)
    assert ingest.returncode == 1 and listing.returncode == 0, listing.stderr
    for output in (ingest.stdout, ingest.stderr, listing.stdout, listing.stderr):
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "note\\x1b[2J\\x1b[H.txt" in ingest.stdout
    assert "\\x1b[2J" in listing.stdout
