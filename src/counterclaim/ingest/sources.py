"""Turns the command line's inputs (files, directories, globs, URLs) into a list of sources and their kinds.

A missing path, an empty glob or a non-http URL is a usage error raised before anything is read; a path that
cannot be read (permissions) becomes a source carrying its error, reported as a failed input.
"""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from counterclaim.errors import UsageError
from counterclaim.ingest.decode import GZIP_MAGIC
from counterclaim.ingest.feeds import looks_like_feed
from counterclaim.ingest.fetch import check_url

HTML, TEXT, JSON, JSONL, FEED, WARC = "html", "text", "json", "jsonl", "feed", "warc"
STREAMED_KINDS = frozenset({JSONL, WARC})
_SUFFIX_KINDS = {
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".shtml": HTML,
    ".txt": TEXT,
    ".text": TEXT,
    ".json": JSON,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
    ".xml": FEED,
    ".rss": FEED,
    ".atom": FEED,
    ".rdf": FEED,
    ".warc": WARC,
    ".arc": WARC,
}
_HEAD_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Source:
    """One input: a local file or a URL; `name` is how messages refer to it."""

    name: str
    path: Path | None = None
    url: str | None = None
    # Why this input cannot be read at all (an unreadable directory): reported, and the run goes on.
    error: str | None = None


def is_url(value: str) -> bool:
    return "://" in value


def expand_inputs(inputs: list[str], recursive: bool) -> list[Source]:
    """Every source named by the inputs, in order, each once."""
    if not inputs:
        raise UsageError("Give at least one file, directory, glob or URL to ingest.")
    found: dict[str, Source] = {}
    for value in inputs:
        for source in _expand_one(value, recursive):
            found.setdefault(source.name, source)
    return list(found.values())


def _expand_one(value: str, recursive: bool) -> list[Source]:
    if is_url(value):
        check_url(value)
        return [Source(name=value, url=value)]
    path = Path(value).expanduser()
    try:
        if path.is_file():
            return [Source(name=str(path), path=path)]
        if path.is_dir():
            return _directory_sources(path, recursive)
    except OSError as exc:
        return [Source(name=str(path), path=path, error=cannot_read(exc))]
    if glob.has_magic(value):
        matches = sorted(Path(match) for match in glob.glob(value, recursive=recursive))  # noqa: PTH207 (Path.glob takes no absolute pattern)
        files = [match for match in matches if match.is_file()]
        if not files:
            raise UsageError(
                f"No file matches {value!r}: check the pattern (quote it so the shell leaves it)."
            )
        return [Source(name=str(match), path=match) for match in files]
    raise UsageError(f"{value} does not exist: give an existing file, directory, glob or http(s) URL.")


def cannot_read(exc: OSError) -> str:
    """The reason a path cannot be read, with what to do about it."""
    reason = exc.strerror or type(exc).__name__
    hint = ": check its permissions" if isinstance(exc, PermissionError) else ""
    return f"cannot read it ({reason}){hint}"


def _directory_sources(directory: Path, recursive: bool) -> list[Source]:
    """Files of a directory (and below, with recursive), hidden ones left out, in name order.

    A subdirectory or file that cannot be read is a source with its error, never silently left out.
    """
    found: list[Source] = []

    def unreadable(exc: OSError) -> None:
        name = str(exc.filename) if exc.filename else str(directory)
        found.append(Source(name=name, path=Path(name), error=cannot_read(exc)))

    for folder, subfolders, names in os.walk(directory, onerror=unreadable):
        # Hidden folders are skipped; without recursive, only the top folder is read.
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".")) if recursive else []
        for name in names:
            if name.startswith("."):
                continue
            candidate = Path(folder) / name
            try:
                is_file = candidate.is_file()
            except OSError as exc:
                found.append(Source(name=str(candidate), path=candidate, error=cannot_read(exc)))
                continue
            if is_file:
                found.append(Source(name=str(candidate), path=candidate))
    return sorted(found, key=lambda source: source.name)


def kind_of(path: Path) -> str:
    """The input kind from the file name, or from its first bytes when the name does not say."""
    name = path.name.lower().removesuffix(".gz")
    kind = _SUFFIX_KINDS.get(Path(name).suffix)
    if kind is not None:
        return kind
    return sniff_kind(head_bytes(path))


def head_bytes(path: Path) -> bytes:
    """The first bytes of a file, uncompressed when it is gzip (a broken stream gives what could be read)."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head.startswith(GZIP_MAGIC):
        return head
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(_HEAD_BYTES)
    except (EOFError, OSError, zlib.error):
        return head


def sniff_kind(head: bytes) -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"WARC/"):
        return WARC
    if start.startswith(b"{"):
        return JSONL
    if start.startswith(b"["):
        return JSON
    if start.startswith(b"<"):
        return FEED if looks_like_feed(start.decode("utf-8", "replace")) else HTML
    return TEXT
