"""JSON Lines articles (one object a line) and JSON files holding one article or a list of them.

Schema: text (required), id (kept as source_id), url, outlet, title, authors, date or published_at, language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from counterclaim.ingest.draft import Draft, Failure, parse_moment

METHOD = "jsonl"
FIELDS = ("id", "url", "outlet", "site_name", "title", "authors", "date", "published_at", "language", "text")
_CHUNK = 1 << 16
_NESTED = "JSON nested too deeply to read: flatten the record"


@dataclass(frozen=True, slots=True)
class OversizeLine:
    """A line longer than the cap; only its size up to the cap was read, none of it kept."""

    max_bytes: int


def capped_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes | OversizeLine]:
    """The lines of a byte stream, each at most `max_bytes`; a longer one is skipped to its end, unkept.

    Memory stays under `max_bytes` plus one read chunk whatever the stream holds.
    """
    line = bytearray()
    skipping = False
    while chunk := stream.read(_CHUNK):
        start = 0
        while start < len(chunk):
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if not skipping:
                line += piece
                if len(line) > max_bytes:
                    skipping = True
                    line.clear()
            if end < 0:
                break
            yield OversizeLine(max_bytes) if skipping else bytes(line)
            line.clear()
            skipping = False
            start = end + 1
    if skipping:
        yield OversizeLine(max_bytes)
    elif line:
        yield bytes(line)


def read_jsonl(lines: Iterable[bytes | OversizeLine]) -> Iterator[Draft | Failure]:
    """One draft per good line; a bad line is a failure naming its line number, and reading goes on."""
    for number, raw in enumerate(lines, start=1):
        location = f"line {number}"
        if isinstance(raw, OversizeLine):
            yield Failure(
                location,
                f"line over the {_size(raw.max_bytes)} limit: skipped (raise it with --max-bytes)",
            )
            continue
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield Failure(location, f"malformed JSON ({_short(exc)})")
            continue
        except RecursionError:
            yield Failure(location, _NESTED)
            continue
        yield draft_from_record(record, location)


def read_json_document(text: str) -> Iterator[Draft | Failure]:
    """A .json file: one article object, or a list of them."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Failure(None, f"malformed JSON ({_short(exc)})")
        return
    except RecursionError:
        yield Failure(None, _NESTED)
        return
    records = document if isinstance(document, list) else [document]
    for number, record in enumerate(records, start=1):
        yield draft_from_record(record, f"item {number}" if isinstance(document, list) else None)


def draft_from_record(record: Any, location: str | None) -> Draft | Failure:
    """An article object to a draft; its text is kept exactly as given."""
    if not isinstance(record, dict):
        return Failure(location, f"expected a JSON object with a 'text' field, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Failure(location, "no 'text' field, or it is empty: every article needs its text")
    moment_value = record.get("published_at", record.get("date"))
    published = parse_moment(moment_value)
    warnings: tuple[str, ...] = ()
    if moment_value not in (None, "") and published is None:
        warnings = (f"unreadable date {moment_value!r}: use ISO 8601 (2017-01-23 or 2017-01-23T10:00:00Z)",)
    return Draft(
        text=text,
        extraction=METHOD,
        title=_string(record.get("title")),
        url=_string(record.get("url")),
        site_name=_string(record.get("site_name")),
        authors=_authors(record.get("authors", record.get("author"))),
        published_at=published,
        language=_string(record.get("language")),
        source_id=_string(record.get("id")),
        outlet=_string(record.get("outlet")),
        location=location,
        warnings=warnings,
    )


def _string(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list):
        return tuple(str(name).strip() for name in value if str(name).strip())
    return ()


def _size(count: int) -> str:
    return f"{count / 1e6:g} MB" if count >= 1_000_000 else f"{count:,} bytes"


def _short(exc: Exception) -> str:
    return str(exc).split("\n", 1)[0][:120]
