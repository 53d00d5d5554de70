"""Hostile files: oversize and deeply nested JSONL lines, truncated WARC, unreadable paths, odd encodings."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest

from counterclaim.ingest import IngestOptions, ingest_paths, ledger
from counterclaim.ingest.jsonl import OversizeLine, capped_lines, read_jsonl
from counterclaim.store import Store
from hostile.conftest import FIXTURES, cli, failures

REPO = Path(__file__).resolve().parents[2]
WARC = REPO / "examples" / "corpus" / "warc" / "mod-valdoria-crawl-2025-03-13.warc.gz"
QUIET = IngestOptions(analyze=False)


def _record(text: str) -> bytes:
    return json.dumps({"text": text}).encode("utf-8") + b"\n"


GOOD_FIRST = _record(
    "The ministry said on Monday that the convoy had reached the border crossing near the town."
)
GOOD_LAST = _record(
    "The agency said on Tuesday that a second convoy had also reached the town without incident."
)


class _EndlessLine(io.RawIOBase):
    """A stream of `size` bytes of 'a' with no newline, made as it is read (never held whole)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), self.left)
        buffer[:count] = b"a" * count
        self.left -= count
        return count


def test_a_long_jsonl_line_is_skipped_with_bounded_memory() -> None:
    stream = io.BufferedReader(_EndlessLine(50_000_000))
    tracemalloc.start()
    try:
        lines = list(capped_lines(stream, 4096))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == [OversizeLine(4096)]
    assert peak < 2_000_000  # 50 MB went through; far less was ever held


def test_capped_lines_keep_every_line_under_the_cap_exactly() -> None:
    body = b"one\n\ntwo\r\n" + b"x" * 5000 + b"\nthree"
    lines = list(capped_lines(io.BytesIO(body), 4096))
    assert lines == [b"one", b"", b"two\r", OversizeLine(4096), b"three"]


def test_oversize_and_nested_lines_fail_alone_in_a_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl.gz"
    nested = b"[" * 200_000 + b"\n"
    with gzip.open(path, "wb") as out:
        out.write(GOOD_FIRST + b"a" * 3_000_000 + b"\n" + nested + GOOD_LAST)
    assert path.stat().st_size < 50_000
    result = cli("ingest", str(path), "--max-bytes", "300000", "--no-analyze", "--db", str(tmp_path / "s.db"))
    assert result.returncode == 1, result.stderr
    named = failures(result)
    assert len(named) == 2
    assert "line 2: line over the 300,000 bytes limit" in named[0]
    assert "line 3: JSON nested too deeply" in named[1]
    assert "articles added                    │     2" in result.stdout
    assert "inputs failed                     │     1" in result.stdout  # one input, two problems
    assert "Traceback" not in result.stderr


def test_nested_json_in_a_json_document(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_bytes(b"[" * 200_000)
    report = ingest_paths(sqlite_store, [str(tmp_path / "deep.json")], QUIET, progress=False)
    assert [p.reason for p in report.problems] == ["JSON nested too deeply to read: flatten the record"]


def test_read_jsonl_names_the_nested_line() -> None:
    found = list(read_jsonl([GOOD_FIRST, b"{" * 100_000, GOOD_LAST]))
    assert [type(item).__name__ for item in found] == ["Draft", "Failure", "Draft"]


def test_truncated_warc_keeps_only_complete_records(store: Store, tmp_path: Path) -> None:
    truncated = tmp_path / "t.warc.gz"
    truncated.write_bytes(WARC.read_bytes()[:5476])
    report = ingest_paths(store, [str(truncated)], QUIET, progress=False)
    assert len(report.problems) == 1
    assert "truncated WARC" in report.problems[0].reason and "record 9" in report.problems[0].reason
    texts = [article.text for article in store.articles()]
    assert len(texts) == 2  # the two complete pages before the cut
    assert not ledger.source_done(store, ledger.file_digest(truncated))
    full = ingest_paths(store, [str(WARC)], QUIET, progress=False)
    assert not full.problems and len(full.added) == 1 and len(full.duplicates) == 2


def test_truncated_plain_warc_is_reported(sqlite_store: Store, tmp_path: Path) -> None:
    plain = gzip.decompress(WARC.read_bytes())
    cut = tmp_path / "t.warc"
    cut.write_bytes(plain[: len(plain) - 400])
    report = ingest_paths(sqlite_store, [str(cut)], QUIET, progress=False)
    assert len(report.problems) == 1 and "truncated WARC" in report.problems[0].reason


def test_warc_response_without_target_uri_is_a_named_failure(sqlite_store: Store, tmp_path: Path) -> None:
    # Found by the fuzz test: warcio raised AttributeError out of the reader and ended the run.
    plain = gzip.decompress(WARC.read_bytes())
    broken = plain.replace(b"WARC-Target-URI: https://mod.valdoria.example/robots.txt\r\n", b"", 1)
    (tmp_path / "no-uri.warc").write_bytes(broken)
    report = ingest_paths(sqlite_store, [str(tmp_path / "no-uri.warc")], QUIET, progress=False)
    assert len(report.problems) == 1 and "corrupt WARC" in report.problems[0].reason


def _without_root_powers() -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root reads anything otherwise)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be exercised")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search")


def test_unreadable_paths_are_named_failures(tmp_path: Path, good_text: Path) -> None:
    prefix = _without_root_powers()
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    (inputs / "locked").mkdir()
    shutil.copy(good_text, inputs / "good.txt")
    shutil.copy(good_text, inputs / "sub" / "inner.txt")
    (inputs / "secret.txt").write_text("a private note")
    (inputs / "locked" / "hidden.txt").write_text("behind a locked folder")
    for path in (inputs / "secret.txt", inputs / "sub", inputs / "locked"):
        path.chmod(0)
    try:
        db = str(tmp_path / "s.db")
        recursive = cli("ingest", "-r", str(inputs), "--no-analyze", "--db", db, prefix=prefix)
        direct = cli(
            "ingest", str(inputs / "locked" / "hidden.txt"), "--no-analyze", "--db", db, prefix=prefix
        )
        folder = cli("ingest", str(inputs / "locked"), "--no-analyze", "--db", db, prefix=prefix)
    finally:
        for path in (inputs / "sub", inputs / "locked"):
            path.chmod(0o755)
    for result in (recursive, direct, folder):
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert all("Permission denied" in line for line in failures(result))
    assert {line.split(":")[0] for line in failures(recursive)} == {
        f"failed {inputs / 'secret.txt'}",
        f"failed {inputs / 'sub'}",
        f"failed {inputs / 'locked'}",
    }
    assert "articles added                    │     1" in recursive.stdout  # good.txt
    assert len(failures(direct)) == 1 and len(failures(folder)) == 1


def test_short_latin1_text_is_read_as_western_and_says_so(sqlite_store: Store, tmp_path: Path) -> None:
    text = "Le ministère a démenti lundi.\n\nLe porte-parole a déclaré que le convoi était arrivé à Brême."
    (tmp_path / "note.txt").write_bytes(text.encode("latin-1"))
    report = ingest_paths(sqlite_store, [str(tmp_path / "note.txt")], QUIET, progress=False)
    assert not report.problems
    (article,) = sqlite_store.articles()
    assert article.text == text
    assert any("read as cp1252" in warning for warning in article.warnings)


def test_central_european_text_still_reads_as_cp1250(sqlite_store: Store, tmp_path: Path) -> None:
    text = "Minister powiedział, że konwój przyjechał w poniedziałek do Łodzi."
    (tmp_path / "pl.txt").write_bytes(text.encode("cp1250"))
    ingest_paths(sqlite_store, [str(tmp_path / "pl.txt")], QUIET, progress=False)
    (article,) = sqlite_store.articles()
    assert article.text == text and any("read as cp1250" in w for w in article.warnings)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text_not_binary(sqlite_store: Store, tmp_path: Path, encoding: str) -> None:
    text = (FIXTURES / "plain_article.txt").read_text(encoding="utf-8")
    (tmp_path / "wide.txt").write_bytes(text.encode(encoding))
    report = ingest_paths(sqlite_store, [str(tmp_path / "wide.txt")], QUIET, progress=False)
    assert not report.problems and len(report.added) == 1
    (article,) = sqlite_store.articles()
    assert any(f"{encoding} (no byte-order mark)" in w for w in article.warnings)
