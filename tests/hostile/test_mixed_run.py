"""The mixed run of issue 14: every bad input at once among good files, with analysis, in one real process.

It exits 1, names every failure, and analyses every good article (a long one included).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import local_http_server
from counterclaim.store import Store
from counterclaim.store.attributions import load_attributions
from hostile.conftest import FIXTURES, cli
from hostile.test_fetch import _Redirects

REPO = Path(__file__).resolve().parents[2]
WARC = REPO / "examples" / "corpus" / "warc" / "mod-valdoria-crawl-2025-03-13.warc.gz"
PARAGRAPH = (
    "The ministry said on Monday that convoy {n} had reached the border crossing near the town. "
    "A spokesman for the agency denied that any data had been shared with foreign partners.\n\n"
)
# Numbered paragraphs: repeated lines would be dropped as captions by the pre-scraped text cleaner.
LONG_TEXT = "".join(PARAGRAPH.format(n=n) for n in range(600))


@pytest.mark.slow
def test_mixed_run_names_every_failure_and_analyses_every_good_article(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "good.txt").write_bytes((FIXTURES / "plain_article.txt").read_bytes())
    (inputs / "page.html").write_bytes((FIXTURES / "page.html").read_bytes())
    (inputs / "long.txt").write_text(LONG_TEXT)  # ~107,000 characters: read in pieces
    (inputs / "wide.txt").write_bytes((FIXTURES / "prescraped_report.txt").read_text().encode("utf-16-le"))
    (inputs / "empty.html").write_bytes(b"")
    (inputs / "t.warc.gz").write_bytes(WARC.read_bytes()[:5476])
    (inputs / "deep.json").write_bytes(b"[" * 100_000)
    good_line = json.dumps({"text": PARAGRAPH.format(n="one").strip(), "title": "Wire"}).encode()
    with gzip.open(inputs / "lines.jsonl.gz", "wb") as out:
        out.write(b"a" * 500_000 + b"\n" + b"{" * 50_000 + b"\n" + good_line + b"\n")
    db = tmp_path / "s.db"
    with local_http_server(_Redirects) as base:
        result = cli(
            "ingest", str(inputs), f"{base}/file", "--allow-private", "--max-bytes", "200000",
            "--fast-cues", "--json", "--db", str(db), timeout=600,
        )  # fmt: skip
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    record = json.loads(result.stdout)
    named = " ".join(f"{p['path']}: {p['reason']}" for p in record["problems"])
    reasons = ("empty file", "truncated WARC", "nested too deeply", "line over the 200,000 bytes", "redirect")
    for reason in reasons:
        assert reason in named, reason
    assert len({p["path"] for p in record["problems"]}) == 5
    # good.txt, page.html, long.txt, wide.txt, two complete WARC pages, the good JSONL line
    assert len(record["added"]) == 7
    assert record["analysis"]["articles_analysed"] == 7
    store = Store(str(db))
    articles = store.articles()
    long = next(a for a in articles if a.source_path.endswith("long.txt"))
    found = load_attributions(store, [long.id])
    assert long.text == LONG_TEXT and len(long.text) > 100_000
    assert len(found) >= 600 and max(a.cue[0].end for a in found) > len(long.text) - len(PARAGRAPH)
    assert all(long.text[s.start : s.end] == s.text for a in found for s in (*a.cue, *a.content))
    store.close()
