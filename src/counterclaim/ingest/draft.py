"""What an input reader hands on before an article is stored: text and metadata, not yet hashed or linked.

Readers of every format (HTML, text, feeds, JSONL, WARC) produce drafts, failures and pending feed links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True, slots=True)
class Draft:
    """One article as read from an input, before its id, language and outlet are settled."""

    text: str
    extraction: str
    title: str | None = None
    url: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    language: str | None = None
    source_id: str | None = None
    # An outlet key or name the input itself names (a JSONL `outlet` field).
    outlet: str | None = None
    # Where inside the source the article came from (a JSONL line, a WARC record), for messages.
    location: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Failure:
    """A part of an input (a JSONL line, a WARC record, a feed entry) that could not be read."""

    location: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class PendingLink:
    """A feed entry that carries only a link: a later URL ingest can fetch it."""

    url: str
    feed: str
    title: str | None = None
    published_at: datetime | None = None


Item = Draft | Failure | PendingLink


def parse_moment(value: object) -> datetime | None:
    """A publication time from an ISO string or a date, in UTC; None when it cannot be read."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
