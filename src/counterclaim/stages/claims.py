"""The claims and stance stage: link each article's statements into claims, and give every member a stance.

Corpus-wide: the claim index (read from the store once, kept in step) decides which claim a statement joins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa

from counterclaim.article_vectors import article_bodies
from counterclaim.claims import (
    ClaimLinker,
    LinkedCandidate,
    LinkingVectors,
    Member,
    claim_accounts,
    lead_vector,
    members_of,
    read_for_linking,
)
from counterclaim.claims.candidates import candidates_of
from counterclaim.claims.linking import METHOD
from counterclaim.claims.stories import StoryIndex, StoryPlacement
from counterclaim.model import Article, Attribution
from counterclaim.stages import Stage, StageContext
from counterclaim.store import Store
from counterclaim.store.attributions import load_attributions, load_attributions_by_id
from counterclaim.store.claims import linked_article_ids, open_linker, save_accounts, save_linking
from counterclaim.store.schema.claims import accounts, claim_statements
from counterclaim.store.stories import open_story_index, placed_article_ids, save_placements
from counterclaim.store.vectors import save_sentence_vectors

if TYPE_CHECKING:
    from counterclaim.stance import StanceModel


def link_claims(
    store: Store,
    batch: list[Article],
    linker: ClaimLinker | None = None,
    stance_model: StanceModel | None = None,
    read: Mapping[str, LinkingVectors] | None = None,
) -> int:
    """Link the statements of new articles into claims and save accounts with stances; returns claims touched.

    Needs the batch's attributions saved first. Articles already linked are skipped: the stage can be re-run.
    `read` holds lead and statement vectors the per-article stage made; the others are embedded here.
    """
    done = linked_article_ids(store, (article.id for article in batch))
    fresh = [article for article in batch if article.id not in done]
    if not fresh:
        return 0
    if linker is None:
        from counterclaim.claims import load_encoder

        linker = open_linker(store, load_encoder())
    if stance_model is None:
        from counterclaim.stance import StanceModel

        stance_model = StanceModel.load()
    found_attributions = load_attributions(store, [article.id for article in fresh])
    read = linking_vectors(store, linker, stance_model, fresh, found_attributions, read or {})
    stories, placements = place_stories(store, linker, fresh, read)
    linked = linker.link(fresh, candidates_of(fresh, found_attributions), read)
    members = missing_members(store, linker, linked)
    texts = {m.claim_id: linker.states[m.claim_id].canonical.statement.text for m in members}
    by_id = {article.id: article for article in fresh}
    earlier = sorted({m.article_id for m in members} - set(by_id))
    by_id.update({article.id: article for article in store.articles(ids=earlier)} if earlier else {})
    wanted = {m.attribution_id for m in members if m.attribution_id}
    attributions = {a.id: a for a in found_attributions if a.id in wanted}
    missing = sorted(wanted - set(attributions))
    if missing:
        # By primary key: an earlier member article's other attributions are not read.
        attributions.update({a.id: a for a in load_attributions_by_id(store, missing)})
    # Article stance reads each member article's sentence vectors: kept in the store from the first batch
    # that needed them, so an article is embedded once however many claims it joins, in however many batches.
    stance_articles = [by_id[m.article_id] for m in members if m.attribution_id is None]
    bodies, embedded = article_bodies(store, stance_model, stance_articles)
    found_accounts = claim_accounts(stance_model, members, texts, by_id, attributions, bodies)
    with store.begin() as conn:
        save_placements(conn, stories, placements, {a.id: a.published_at for a in fresh})
        save_linking(conn, linker, linked)
        save_accounts(conn, found_accounts)
        save_sentence_vectors(conn, stance_model.sentence_method, embedded)
    return len({item.claim_id for item in linked})


def linking_vectors(
    store: Store,
    linker: ClaimLinker,
    stance_model: StanceModel,
    fresh: list[Article],
    found_attributions: Sequence[Attribution],
    read: Mapping[str, LinkingVectors],
) -> dict[str, LinkingVectors]:
    """The batch's lead and statement vectors: as the per-article stage made them, or, for an article whose
    attributions an earlier run saved, made here the same way (from its kept sentence vectors, else a new
    reading of it)."""
    missing = [article for article in fresh if article.id not in read]
    if not missing:
        return dict(read)
    bodies, embedded = article_bodies(store, stance_model, missing)
    if embedded:
        # Kept at once (derived, idempotent rows): the stance step below reads them instead of reading again.
        with store.begin() as conn:
            save_sentence_vectors(conn, stance_model.sentence_method, embedded)
    by_article: dict[str, list[Attribution]] = {}
    for attribution in found_attributions:
        by_article.setdefault(attribution.article_id, []).append(attribution)
    made = {
        article.id: read_for_linking(
            linker.encoder,
            article,
            by_article.get(article.id, []),
            (bodies[article.id].spans, bodies[article.id].vectors),
        )
        for article in missing
    }
    return {**read, **made}


def place_stories(
    store: Store, linker: ClaimLinker, fresh: list[Article], read: Mapping[str, LinkingVectors] | None = None
) -> tuple[StoryIndex, list[StoryPlacement]]:
    """Put each new article into its story (by its lead), before its statements are linked into claims.

    A lead's vector is the one `read` holds, else embedded now, alone, as the per-article stage does.
    """
    if linker.stories is None:
        linker.stories = open_story_index(store)
    placed = placed_article_ids(store, (article.id for article in fresh))
    unplaced = [article for article in fresh if article.id not in placed]
    if not unplaced:
        return linker.stories, []
    known = read or {}
    vectors = [
        known[article.id].lead if article.id in known else lead_vector(linker.encoder, article)
        for article in unplaced
    ]
    return linker.stories, linker.stories.place(unplaced, np.stack(vectors))


def missing_members(store: Store, linker: ClaimLinker, linked: Sequence[LinkedCandidate]) -> list[Member]:
    """Members of the claims this batch touched that need an account: claims of two statements or more only.

    A one-statement claim gets no account (most sentences are one); when a later statement joins it, the
    members of earlier batches are picked up here: every (claim, article) of a shared claim gets its account.
    """
    merges = linker.merges()
    shared = {
        item.claim_id for item in linked if linker.index.claims[linker.slot_of[item.claim_id]].members >= 2
    }
    if not shared:
        return []
    stored_ids = sorted(shared | {old for old, new in merges.items() if new in shared})
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(
                claim_statements.c.claim_id, claim_statements.c.article_id, claim_statements.c.attribution_id
            ).where(claim_statements.c.claim_id.in_(stored_ids))
        ).all()
        existing = conn.execute(
            sa.select(accounts.c.claim_id, accounts.c.article_id, accounts.c.attribution_id).where(
                accounts.c.claim_id.in_(stored_ids)
            )
        ).all()
    done = {Member(merges.get(c, c), a, t) for c, a, t in existing}
    stored_members = [Member(merges.get(c, c), a, None) for c, a, _ in stored]
    stored_members += [Member(merges.get(c, c), a, t) for c, a, t in stored if t]
    candidates = stored_members + members_of(linked)
    needed = [m for m in candidates if m.claim_id in shared and m not in done]
    return list(dict.fromkeys(needed))


def _run(context: StageContext, batch: list[Article]) -> int:
    try:
        return link_claims(context.store, batch, context.linker, context.models.stance, read=context.linking)
    except Exception:
        # The batch's transaction rolled back but the in-memory index moved on: reread it from the store.
        context.forget_linker()
        raise


STAGE = Stage(
    name="claims",
    version=METHOD,
    reads=("articles", "attributions"),
    writes=("claims", "accounts"),
    run=_run,
    corpus_wide=True,
)
