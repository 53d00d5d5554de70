"""Persistence of primary-source checks and recorded verdicts: save and load, nothing else.

The stage that makes the checks is `counterclaim.stages.provenance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from counterclaim.errors import UsageError
from counterclaim.model import ProvenanceCheck, ProvenanceStatus, Span, Verdict
from counterclaim.store import Store
from counterclaim.store.schema.dossier import provenance_checks, verdicts
from counterclaim.text import utc


def save_provenance(conn: Connection, claim_id: str, checks: Sequence[ProvenanceCheck]) -> None:
    """Replace the stored checks of one claim."""
    conn.execute(provenance_checks.delete().where(provenance_checks.c.claim_id == claim_id))
    rows = [_check_row(check) for check in checks if check.claim_id == claim_id]
    if rows:
        conn.execute(provenance_checks.insert(), rows)


def load_provenance(store: Store, claim_id: str) -> list[ProvenanceCheck]:
    query = (
        sa.select(provenance_checks)
        .where(provenance_checks.c.claim_id == claim_id)
        .order_by(provenance_checks.c.source)
    )
    with store.engine.connect() as conn:
        return [_check_from_row(row) for row in conn.execute(query).mappings()]


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and url == url.strip()


def save_verdict(conn: Connection, verdict: Verdict) -> None:
    """Record a reviewer's verdict; verdicts accumulate, the newest last."""
    if not verdict.rating.strip() or not verdict.reviewer.strip():
        raise UsageError("A verdict needs a --rating and a --reviewer: both were not given.")
    if verdict.url is not None and not _is_web_url(verdict.url):
        raise UsageError(
            f"The verdict URL {verdict.url[:200]!r} is not an http(s) link: give the address where the "
            "review is published (https://...)."
        )
    conn.execute(
        verdicts.insert().values(
            claim_id=verdict.claim_id,
            rating=verdict.rating,
            reviewer=verdict.reviewer,
            reviewed_at=utc(verdict.reviewed_at),
            url=verdict.url,
            notes=verdict.notes,
        )
    )


def load_verdicts(store: Store, claim_id: str | None = None) -> list[Verdict]:
    query = sa.select(verdicts).order_by(verdicts.c.reviewed_at, verdicts.c.id)
    if claim_id is not None:
        query = query.where(verdicts.c.claim_id == claim_id)
    with store.engine.connect() as conn:
        return [
            Verdict(
                claim_id=row["claim_id"],
                rating=row["rating"],
                reviewer=row["reviewer"],
                reviewed_at=utc(row["reviewed_at"]) or datetime.now(UTC),
                url=row["url"],
                notes=row["notes"],
            )
            for row in conn.execute(query).mappings()
        ]


def _check_row(check: ProvenanceCheck) -> dict[str, Any]:
    span = check.found_span
    return {
        "claim_id": check.claim_id,
        "source": check.source,
        "status": check.status.value,
        "channel_outlets": list(check.channel_outlets),
        "items_checked": check.items_checked,
        "window_start": utc(check.window_start),
        "window_end": utc(check.window_end),
        "found_article_id": check.found_article_id,
        "found_span": [span.start, span.end, span.text] if span else None,
        "method": check.method,
    }


def _check_from_row(row: RowMapping) -> ProvenanceCheck:
    span = row["found_span"]
    return ProvenanceCheck(
        claim_id=row["claim_id"],
        source=row["source"],
        status=ProvenanceStatus(row["status"]),
        channel_outlets=tuple(row["channel_outlets"] or ()),
        items_checked=row["items_checked"],
        window_start=utc(row["window_start"]),
        window_end=utc(row["window_end"]),
        found_article_id=row["found_article_id"],
        found_span=Span(int(span[0]), int(span[1]), str(span[2])) if span else None,
        method=row["method"],
    )
