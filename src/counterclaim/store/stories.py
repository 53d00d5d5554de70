"""Persistence of stories: which story each article belongs to, each story's index profile, story lookups.

A claim's story is the story of its canonical article (a join, so merges and new canonicals need no update).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from counterclaim.claims.linking import ClaimIndex
from counterclaim.claims.stories import STORY_METHOD, StoryIndex, StoryPlacement, story_settings
from counterclaim.store import Store
from counterclaim.store.claims import restore_profile
from counterclaim.store.schema.articles import articles
from counterclaim.store.schema.claims import article_stories, claim_statements, claims, stories
from counterclaim.text import utc

DIMENSION = 384


@dataclass(frozen=True, slots=True)
class StoryClaim:
    """A claim of a story with its support: how many articles carry it."""

    claim_id: str
    text: str
    articles: int


@dataclass(frozen=True, slots=True)
class Story:
    """A story (event or topic) with its articles and its claims, most widely carried first."""

    id: str
    article_ids: tuple[str, ...]
    claims: tuple[StoryClaim, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "story_id": self.id,
            "articles": len(self.article_ids),
            "article_ids": list(self.article_ids),
            "claims": [{"claim_id": c.claim_id, "text": c.text, "articles": c.articles} for c in self.claims],
        }


def open_story_index(store: Store) -> StoryIndex:
    """The story index holding every stored story (read once per run, then kept in step)."""
    index = ClaimIndex(DIMENSION, story_settings())
    query = sa.select(stories).order_by(stories.c.first_seen, stories.c.id)
    with store.engine.connect() as conn:
        for row in conn.execute(query).mappings():
            restore_profile(index, row)
    return StoryIndex(index)


def save_placements(
    conn: Connection,
    index: StoryIndex,
    placements: Sequence[StoryPlacement],
    published: dict[str, datetime | None],
) -> None:
    """Write where each article went and the profiles of the stories it touched."""
    if not placements:
        return
    conn.execute(
        article_stories.insert(),
        [
            {"article_id": p.article_id, "story_id": p.story_id, "score": p.score, "opened": p.opened}
            for p in placements
        ],
    )
    touched = list(dict.fromkeys(p.story_id for p in placements))
    stored = {row[0] for row in conn.execute(sa.select(stories.c.id).where(stories.c.id.in_(touched)))}
    opened_by = {p.story_id: p.article_id for p in placements if p.opened}
    for story_id in touched:
        profile = index.index.claims[index.slot_of[story_id]]
        row = {
            "vector_sum": profile.vector_sum.astype(np.float32).tobytes(),
            "members": profile.members,
            "terms": {
                "terms": dict(sorted(profile.term_counts.items())),
                "entities": dict(sorted(profile.entity_counts.items())),
            },
        }
        if story_id in stored:
            conn.execute(stories.update().where(stories.c.id == story_id).values(**row))
        else:
            lead = opened_by[story_id]
            conn.execute(
                stories.insert(),
                {
                    "id": story_id,
                    "lead_article_id": lead,
                    "first_seen": utc(published.get(lead)),
                    "method": STORY_METHOD,
                    **row,
                },
            )


def clear_stories(conn: Connection) -> None:
    """Forget every story (the claims stage is re-run over the whole corpus)."""
    for table in (article_stories, stories):
        conn.execute(table.delete())


def placed_article_ids(store: Store, article_ids: Iterable[str]) -> set[str]:
    ids = list(article_ids)
    if not ids:
        return set()
    query = sa.select(article_stories.c.article_id).where(article_stories.c.article_id.in_(ids))
    with store.engine.connect() as conn:
        return {row[0] for row in conn.execute(query)}


def stories_of_claims(store: Store, claim_ids: Sequence[str]) -> dict[str, str]:
    """Claim id -> story id (the story of the claim's canonical article), for the claims that have one."""
    if not claim_ids:
        return {}
    query = (
        sa.select(claims.c.id, article_stories.c.story_id)
        .join(article_stories, article_stories.c.article_id == claims.c.canonical_article_id)
        .where(claims.c.id.in_(list(claim_ids)))
    )
    with store.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(query)}


def story_sizes(store: Store, story_ids: Sequence[str]) -> dict[str, int]:
    """Story id -> how many articles it holds."""
    if not story_ids:
        return {}
    query = (
        sa.select(article_stories.c.story_id, sa.func.count())
        .where(article_stories.c.story_id.in_(list(story_ids)))
        .group_by(article_stories.c.story_id)
    )
    with store.engine.connect() as conn:
        return {row[0]: int(row[1]) for row in conn.execute(query)}


def load_story(store: Store, story_id: str, max_claims: int = 20) -> Story:
    """A story's articles (earliest first) and its claims carried by the most articles."""
    with store.engine.connect() as conn:
        article_ids = [
            row[0]
            for row in conn.execute(
                sa.select(article_stories.c.article_id)
                .join(articles, articles.c.id == article_stories.c.article_id)
                .where(article_stories.c.story_id == story_id)
                .order_by(articles.c.published_at, article_stories.c.article_id)
            )
        ]
        support = sa.func.count(sa.distinct(claim_statements.c.article_id))
        found = conn.execute(
            sa.select(claims.c.id, claims.c.canonical_text, support.label("articles"))
            .join(article_stories, article_stories.c.article_id == claims.c.canonical_article_id)
            .join(claim_statements, claim_statements.c.claim_id == claims.c.id)
            .where(article_stories.c.story_id == story_id)
            .group_by(claims.c.id, claims.c.canonical_text)
            .order_by(sa.desc("articles"), claims.c.id)
            .limit(max_claims)
        ).all()
    return Story(story_id, tuple(article_ids), tuple(StoryClaim(c, t, int(n)) for c, t, n in found))


def story_of_claim(store: Store, claim_id: str) -> Story | None:
    """The story a claim belongs to (None for claims of stores made before stories)."""
    story_id = stories_of_claims(store, [claim_id]).get(claim_id)
    return load_story(store, story_id) if story_id else None
