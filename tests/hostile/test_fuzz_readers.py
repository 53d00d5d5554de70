"""Fuzzing every reader (HTML, text, feeds, JSON, JSONL, WARC) with random and mutated inputs.

A reader never raises out: each input gives articles, pending links, or a failure that names its reason.
"""

from __future__ import annotations

import gzip
import io
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from counterclaim.errors import InputError
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.ingest.decode import decode_bytes
from counterclaim.ingest.draft import Draft, Failure, PendingLink
from counterclaim.ingest.feeds import read_feed
from counterclaim.ingest.html import read_html
from counterclaim.ingest.jsonl import capped_lines, read_json_document, read_jsonl
from counterclaim.ingest.plaintext import read_text
from counterclaim.ingest.warc import read_warc
from counterclaim.store import Store

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "examples" / "corpus"
FIXTURES = REPO / "tests" / "fixtures" / "ingest"
SEEDS = {
    "html": (CORPUS / "html" / "valdoria-today-2025-03-11-joint-strike.html").read_bytes(),
    "txt": (FIXTURES / "prescraped_report.txt").read_bytes(),
    "xml": (CORPUS / "feeds" / "valnews-rss.xml").read_bytes(),
    "jsonl": (CORPUS / "jsonl" / "continental-press-wire-2025-03.jsonl").read_bytes()[:6000],
    "json": b'[{"title": "A", "text": "The ministry said on Monday that the convoy arrived.", "id": 1}]',
    "warc": gzip.decompress((CORPUS / "warc" / "mod-valdoria-crawl-2025-03-13.warc.gz").read_bytes()),
}
# Derandomised so every run tries the same inputs; no shrinking (a failure prints its input as found).
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed with a few flips, cuts, insertions and repeats, or random bytes altogether."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=3000))
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        operation = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "nest"]))
        if operation == "flip":
            data[at] = draw(st.integers(0, 255))
        elif operation == "cut":
            del data[at:]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif operation == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 200))] * draw(st.integers(2, 30))
        else:
            data[at:at] = draw(st.sampled_from([b"[", b"{", b"<div>", b"<![CDATA["])) * draw(
                st.integers(50, 1000)
            )
    return bytes(data)


def _items(kind: str, raw: bytes) -> Iterator[object]:
    """What one reader makes of the bytes, exactly as the runner calls it."""
    if kind == "warc":
        yield from read_warc(io.BytesIO(raw), 200_000)
        return
    if kind == "jsonl":
        yield from read_jsonl(capped_lines(io.BytesIO(raw), 2000))
        return
    if kind == "xml":
        decode_bytes(raw)
        yield from read_feed(raw, "fuzz.xml")
        return
    text = decode_bytes(raw).text
    if kind == "html":
        yield read_html(text)
    elif kind == "txt":
        yield read_text(text)
    else:
        yield from read_json_document(text)


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_readers_never_raise_out(kind: str) -> None:
    @FUZZ
    @given(raw=mutated(SEEDS[kind]))
    def check(raw: bytes) -> None:
        try:
            items = list(_items(kind, raw))
        except InputError as exc:
            assert str(exc)  # a named failure of the whole input
            return
        for item in items:
            assert isinstance(item, Draft | Failure | PendingLink)
            if isinstance(item, Failure):
                assert item.reason
            if isinstance(item, Draft):
                assert item.text.strip()

    check()


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))
    yield store
    store.close()


_counter = itertools.count()


@pytest.mark.parametrize(
    "suffix", [".html", ".txt", ".xml", ".jsonl", ".jsonl.gz", ".json", ".warc", ".warc.gz"]
)
def test_every_fuzzed_file_is_ingested_or_named(
    fuzz_store: Store, tmp_path_factory: pytest.TempPathFactory, suffix: str
) -> None:
    kind = suffix.split(".")[1]
    folder = tmp_path_factory.mktemp("inputs")

    @settings(FUZZ, max_examples=5)
    @given(raw=mutated(SEEDS[kind]), compress=st.booleans())
    def check(raw: bytes, compress: bool) -> None:
        body = gzip.compress(raw)[: None if compress else -7] if suffix.endswith(".gz") else raw
        path = folder / f"input-{next(_counter)}{suffix}"
        path.write_bytes(body)
        report = ingest_paths(fuzz_store, [str(path)], IngestOptions(analyze=False, max_bytes=200_000), False)
        accounted = (
            report.added or report.duplicates or report.skipped_sources or report.pending_links
            or report.problems or report.warnings
        )  # fmt: skip
        assert accounted, f"{path.name}: no article, no failure, no note"
        assert all(problem.path == str(path) and problem.reason for problem in report.problems)

    check()
