"""One JSON shape per entity (article, attribution, claim, account, reuse link), one formula-safe CSV writer.

The CLI's `--json`, the web API and the exports all serialise records through these functions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from counterclaim.model import Account, Article, ArticleCopy, Attribution, Claim, ReuseLink, Span


def time_record(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC (what every record carries), or None when unknown."""
    return moment.astimezone(UTC).isoformat() if moment else None


def span_record(span: Span | None) -> dict[str, Any] | None:
    return {"start": span.start, "end": span.end, "text": span.text} if span is not None else None


def article_record(
    article: Article, with_text: bool = True, copies: Sequence[ArticleCopy] | None = None
) -> dict[str, Any]:
    """Every field of an article; the text only when asked (listings leave it out); with `copies`, every
    file, entry, record or URL the same text was stored from."""
    record: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "outlet": article.outlet,
        "site_name": article.site_name,
        "authors": list(article.authors),
        "published_at": time_record(article.published_at),
        "language": article.language,
        "source_id": article.source_id,
        "source_path": article.source_path,
        "extraction": article.extraction,
        "warnings": list(article.warnings),
    }
    if copies is not None:
        record["copies"] = [
            {
                "source_id": copy.source_id,
                "source_path": copy.source_path,
                "url": copy.url,
                "outlet": copy.outlet,
                "title": copy.title,
                "published_at": time_record(copy.published_at),
            }
            for copy in copies
        ]
    if with_text:
        record["text"] = article.text
    return record


def attribution_record(attribution: Attribution) -> dict[str, Any]:
    """Every field of an attribution; spans as {start, end, text}."""
    speaker = attribution.speaker
    return {
        "id": attribution.id,
        "article_id": attribution.article_id,
        "source": [span_record(s) for s in attribution.source],
        "speaker": None
        if speaker is None
        else {
            "name": speaker.name,
            "person": speaker.person,
            "organisation": speaker.organisation,
            "role": speaker.role,
            "resolved_from": span_record(speaker.resolved_from),
        },
        "cue": [span_record(s) for s in attribution.cue],
        "content": [span_record(s) for s in attribution.content],
        "direct": attribution.direct,
        "polarity": attribution.polarity.value,
        "hedges": [span_record(s) for s in attribution.hedges],
        "relay_chain": [{"name": r.name, "span": span_record(r.span)} for r in attribution.relay_chain],
        "channel": attribution.channel,
        "channel_span": span_record(attribution.channel_span),
        "addressee": attribution.addressee,
        "addressee_span": span_record(attribution.addressee_span),
        "place": attribution.place,
        "place_span": span_record(attribution.place_span),
        "time_span": span_record(attribution.time_span),
        "time_date": attribution.time_date.isoformat() if attribution.time_date else None,
        "method": attribution.method,
    }


def claim_record(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "text": claim.canonical_text,
        "article_id": claim.canonical_article_id,
        "span": span_record(claim.canonical_span),
        "first_seen": time_record(claim.first_seen),
        "method": claim.method,
    }


def account_record(account: Account) -> dict[str, Any]:
    return {
        "claim_id": account.claim_id,
        "article_id": account.article_id,
        "attribution_id": account.attribution_id,
        "stance": account.stance.value,
        "score": account.score,
        "method": account.method,
        "evidence": span_record(account.evidence),
    }


def reuse_link_record(link: ReuseLink) -> dict[str, Any]:
    """A shared passage: both spans, direction (earlier to later), similarity and cluster."""
    return {
        "a": link.a,
        "a_span": span_record(link.a_span),
        "b": link.b,
        "b_span": span_record(link.b_span),
        "score": link.score,
        "direction": link.direction.value,
        "method": link.method,
        "cluster": link.cluster,
    }


# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """The value as a spreadsheet will show it, never run it: a formula-like text gets a leading quote."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a header row; every cell through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()
