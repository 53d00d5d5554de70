"""Saving and loading the pipeline's own bookkeeping: stage completion per article, stored outlet files.

The pipeline asks which articles a stage has not run on; the store answers in one stable order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from counterclaim.store import Store, insert_new
from counterclaim.store.schema.articles import articles
from counterclaim.store.schema.pipeline import outlet_files, stage_runs
from counterclaim.text import utc

# Bound on bound parameters per statement (SQLite allows 32766, PostgreSQL 65535).
_CHUNK = 900


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def mark_done(conn: Connection, stage: str, version: str, article_ids: Sequence[str]) -> None:
    """Record that `stage` (at `version`) has saved its records for these articles."""
    ids = sorted(set(article_ids))
    now = datetime.now(UTC)
    for chunk in _chunks(ids):
        conn.execute(
            stage_runs.delete().where(stage_runs.c.stage == stage, stage_runs.c.article_id.in_(chunk))
        )
        conn.execute(
            stage_runs.insert(),
            [{"article_id": a, "stage": stage, "version": version, "completed_at": now} for a in chunk],
        )


def forget_runs(conn: Connection, stage: str, article_ids: Sequence[str] | None = None) -> None:
    """Mark `stage` as not run on these articles (on every article when None), so it runs again."""
    if article_ids is None:
        conn.execute(stage_runs.delete().where(stage_runs.c.stage == stage))
        return
    for chunk in _chunks(sorted(set(article_ids))):
        conn.execute(
            stage_runs.delete().where(stage_runs.c.stage == stage, stage_runs.c.article_id.in_(chunk))
        )


def analysis_order(
    store: Store,
    article_ids: Sequence[str] | None = None,
    since: datetime | None = None,
    pending_for: Sequence[str] = (),
) -> list[str]:
    """Article ids in the one order analysis follows: publication time (undated last), then id.

    The order depends on the articles only, not on when or in which batches they arrived, so a resumed run and
    an uninterrupted one link the same claims; and an earlier article opens the claim a later one joins.
    With `pending_for` (stage names), only articles one of those stages has not run on, selected in SQL by
    the stage_runs key: a run never loads the completion records of the whole store.
    """
    query = sa.select(articles.c.id, articles.c.published_at)
    if since is not None:
        query = query.where(articles.c.published_at >= since)
    if pending_for:
        query = query.where(sa.or_(*(~_ran(stage) for stage in pending_for)))
    ordering = (articles.c.published_at.is_(None), articles.c.published_at, articles.c.id)
    with store.engine.connect() as conn:
        if article_ids is None:
            return [row.id for row in conn.execute(query.order_by(*ordering))]
        rows = [
            row
            for chunk in _chunks(sorted(set(article_ids)))
            for row in conn.execute(query.where(articles.c.id.in_(chunk)))
        ]
    never = datetime.max.replace(tzinfo=UTC)
    rows.sort(key=lambda row: (row.published_at is None, utc(row.published_at) or never, row.id))
    return [row.id for row in rows]


def _ran(stage: str) -> sa.Exists:
    return (
        sa.select(stage_runs.c.article_id)
        .where(stage_runs.c.article_id == articles.c.id, stage_runs.c.stage == stage)
        .exists()
    )


def completed_among(store: Store, stage: str, article_ids: Sequence[str]) -> set[str]:
    """Which of these articles `stage` has run on."""
    found: set[str] = set()
    with store.engine.connect() as conn:
        for chunk in _chunks(sorted(set(article_ids))):
            query = sa.select(stage_runs.c.article_id).where(
                stage_runs.c.stage == stage, stage_runs.c.article_id.in_(chunk)
            )
            found.update(row[0] for row in conn.execute(query))
    return found


def outdated(store: Store, stage: str, version: str) -> int:
    """How many articles `stage` has run on with a method version other than `version` (an index range)."""
    query = (
        sa.select(sa.func.count())
        .select_from(stage_runs)
        .where(stage_runs.c.stage == stage, stage_runs.c.version != version)
    )
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def save_outlet_file(conn: Connection, name: str, text: str) -> bool:
    """Keep the text of a user's outlet file; False when the same text is stored already."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    row = {"content_hash": digest, "name": name, "text": text, "added_at": datetime.now(UTC)}
    return insert_new(conn, outlet_files, [row]) == 1


def load_outlet_files(store: Store) -> list[tuple[str, str]]:
    """(name, text) of every stored outlet file, oldest first: later files override earlier ones by key."""
    query = sa.select(outlet_files.c.name, outlet_files.c.text).order_by(
        outlet_files.c.added_at, outlet_files.c.content_hash
    )
    with store.engine.connect() as conn:
        return [(row[0], row[1]) for row in conn.execute(query)]
