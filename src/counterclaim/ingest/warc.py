"""WARC and WARC.gz archives with warcio: every HTML response record becomes an article.

The record's target URI is the article URL, its WARC-Record-ID the source id, its WARC-Date a date fallback.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from counterclaim.errors import InputError
from counterclaim.ingest.decode import decode_bytes
from counterclaim.ingest.draft import Draft, Failure, parse_moment
from counterclaim.ingest.html import DEFAULT_SETTINGS, ExtractionSettings, read_html

_HTML_TYPES = ("text/html", "application/xhtml+xml")
# warcio meets a malformed archive with whichever error its parsing hits (a response record without a
# WARC-Target-URI is an AttributeError): every one of them means a broken archive.
_BROKEN = (
    ArchiveLoadFailed,
    EOFError,
    OSError,
    zlib.error,
    ValueError,
    LookupError,
    AttributeError,
    TypeError,
)


def read_warc(
    stream: IO[bytes], max_bytes: int, settings: ExtractionSettings = DEFAULT_SETTINGS
) -> Iterator[Draft | Failure]:
    """Drafts of the HTML responses; a record that fails is a failure, a broken archive ends the reading.

    A record cut short (a truncated archive) is never an article: it is reported and reading stops.
    """
    number = 0
    try:
        for record in ArchiveIterator(stream):
            number += 1
            if record.rec_type not in ("response", "resource") or not _is_html_page(record):
                _skip(record)
                if _cut_short(record):
                    yield _truncated(number, record)
                    return
                continue
            item = _record_item(record, number, max_bytes, settings)
            if _cut_short(record):
                yield _truncated(number, record)
                return
            yield item
    except _BROKEN as exc:
        yield Failure(f"after record {number}", f"truncated or corrupt WARC ({_short(exc)})")


def _skip(record: Any) -> None:
    """Read a record we do not keep to its end, so a cut in it is seen."""
    while record.raw_stream.read(1 << 16):
        pass


def _cut_short(record: Any) -> bool:
    """True when the archive ended before the record's declared Content-Length."""
    return int(getattr(record.raw_stream, "limit", 0) or 0) > 0


def _truncated(number: int, record: Any) -> Failure:
    uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("WARC-Record-ID")
    return Failure(
        f"record {number} ({uri})",
        "truncated WARC: the archive ends inside this record, which is left out; "
        "the records before it were read",
    )


def _is_html_page(record: Any) -> bool:
    headers = record.http_headers
    if headers is not None:
        status = headers.get_statuscode()
        if status and not status.startswith("2"):
            return False
        content_type = headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def _record_item(record: Any, number: int, max_bytes: int, settings: ExtractionSettings) -> Draft | Failure:
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    uri = record.rec_headers.get_header("WARC-Target-URI")
    location = f"record {number} ({uri or record_id})"
    payload = record.content_stream().read(max_bytes + 1)
    if len(payload) > max_bytes:
        _skip(record)
        return Failure(location, f"record payload over the {max_bytes / 1e6:.0f} MB limit")
    try:
        decoded = decode_bytes(payload, _charset(record))
        draft = read_html(decoded.text, url=uri, settings=settings, location=location)
    except InputError as exc:
        return Failure(location, str(exc))
    captured = parse_moment(record.rec_headers.get_header("WARC-Date"))
    if draft.published_at is None and captured is not None:
        draft = replace(draft, published_at=captured, warnings=(*draft.warnings, "date is the capture date"))
    if decoded.note is not None:
        draft = replace(draft, warnings=(*draft.warnings, decoded.note))
    return replace(draft, url=uri or draft.url, source_id=record_id)


def _charset(record: Any) -> str | None:
    headers = record.http_headers
    content_type = (headers.get_header("Content-Type") if headers is not None else None) or ""
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).split("\n", 1)[0][:120]
