"""Rules about text and time shared by every stage: one definition each, imported wherever they are needed.

Time: every stored or compared moment is timezone-aware UTC (`utc`).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC; a naive one is taken to be UTC already (what the stores and feeds give)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
