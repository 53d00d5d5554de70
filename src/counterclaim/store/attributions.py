"""Persistence of the attribution stage: save an article's attributions and load them back.

Spans are stored as [start, end]; their text is cut from the stored article text on load.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from counterclaim.model import Attribution, Polarity, Relay, Span, Speaker
from counterclaim.store import Store
from counterclaim.store.schema.articles import articles
from counterclaim.store.schema.attributions import attributions


def save_attributions(conn: Connection, article_id: str, found: Sequence[Attribution]) -> None:
    """Replace the stored attributions of one article with `found` (those of other articles are ignored)."""
    conn.execute(attributions.delete().where(attributions.c.article_id == article_id))
    rows = [_row(a, position) for position, a in enumerate(x for x in found if x.article_id == article_id)]
    if rows:
        conn.execute(attributions.insert(), rows)


def load_attributions(store: Store, article_ids: Sequence[str] | None = None) -> list[Attribution]:
    """Stored attributions, of the given articles or of all, in article then text order."""
    query = sa.select(attributions, articles.c.text.label("article_text")).join(
        articles, articles.c.id == attributions.c.article_id
    )
    if article_ids is not None:
        query = query.where(attributions.c.article_id.in_(list(article_ids)))
    query = query.order_by(attributions.c.article_id, attributions.c.position)
    with store.engine.connect() as conn:
        return [_attribution(row) for row in conn.execute(query).mappings()]


def load_attributions_by_id(store: Store, attribution_ids: Sequence[str]) -> list[Attribution]:
    """Stored attributions with these ids, in article then text order."""
    found: list[Attribution] = []
    for start in range(0, len(attribution_ids), 900):
        chunk = list(attribution_ids[start : start + 900])
        query = (
            sa.select(attributions, articles.c.text.label("article_text"))
            .join(articles, articles.c.id == attributions.c.article_id)
            .where(attributions.c.id.in_(chunk))
            .order_by(attributions.c.article_id, attributions.c.position)
        )
        with store.engine.connect() as conn:
            found.extend(_attribution(row) for row in conn.execute(query).mappings())
    return found


def _pair(span: Span | None) -> list[int] | None:
    return [span.start, span.end] if span is not None else None


def _pairs(spans: Sequence[Span]) -> list[list[int]]:
    return [[s.start, s.end] for s in spans]


def _row(attribution: Attribution, position: int) -> dict[str, Any]:
    speaker = attribution.speaker
    return {
        "id": attribution.id,
        "article_id": attribution.article_id,
        "position": position,
        "source": _pairs(attribution.source),
        "speaker_name": speaker.name if speaker else None,
        "speaker_person": speaker.person if speaker else None,
        "speaker_organisation": speaker.organisation if speaker else None,
        "speaker_role": speaker.role if speaker else None,
        "speaker_resolved_from": _pair(speaker.resolved_from) if speaker else None,
        "cue": _pairs(attribution.cue),
        "content": _pairs(attribution.content),
        "direct": attribution.direct,
        "polarity": str(attribution.polarity),
        "hedges": _pairs(attribution.hedges),
        "relay_chain": [{"name": r.name, "span": _pair(r.span)} for r in attribution.relay_chain],
        "channel": attribution.channel,
        "channel_span": _pair(attribution.channel_span),
        "addressee": attribution.addressee,
        "addressee_span": _pair(attribution.addressee_span),
        "place": attribution.place,
        "place_span": _pair(attribution.place_span),
        "time_span": _pair(attribution.time_span),
        "time_date": attribution.time_date,
        "method": attribution.method,
    }


def _attribution(row: RowMapping) -> Attribution:
    text: str = row["article_text"]

    def span(pair: Sequence[int] | None) -> Span | None:
        return Span.of(text, int(pair[0]), int(pair[1])) if pair else None

    def spans(pairs: Sequence[Sequence[int]] | None) -> tuple[Span, ...]:
        return tuple(Span.of(text, int(p[0]), int(p[1])) for p in pairs or ())

    has_speaker = any(row[key] for key in ("speaker_person", "speaker_organisation", "speaker_role"))
    speaker = (
        Speaker(
            person=row["speaker_person"],
            organisation=row["speaker_organisation"],
            role=row["speaker_role"],
            resolved_from=span(row["speaker_resolved_from"]),
        )
        if has_speaker
        else None
    )
    return Attribution(
        id=row["id"],
        article_id=row["article_id"],
        source=spans(row["source"]),
        speaker=speaker,
        cue=spans(row["cue"]),
        content=spans(row["content"]),
        direct=bool(row["direct"]),
        polarity=Polarity(row["polarity"]),
        method=row["method"],
        hedges=spans(row["hedges"]),
        relay_chain=tuple(Relay(r["name"], span(r["span"])) for r in row["relay_chain"] or ()),
        channel=row["channel"],
        channel_span=span(row["channel_span"]),
        addressee=row["addressee"],
        addressee_span=span(row["addressee_span"]),
        place=row["place"],
        place_span=span(row["place_span"]),
        time_span=span(row["time_span"]),
        time_date=row["time_date"],
    )
