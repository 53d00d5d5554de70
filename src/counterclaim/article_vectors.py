"""Articles' sentence vectors for stance: read from the store where kept, else embedded once to be kept.

The claims stage reads them for every (claim, article) account, so an article that joins many claims,
over many batches, is embedded once; a reader (a dossier) may use them without writing.
"""

from __future__ import annotations

from collections.abc import Sequence

from counterclaim.model import Article
from counterclaim.stance import BodyIndex, StanceModel
from counterclaim.store import Store
from counterclaim.store.vectors import SentenceVectors, load_sentence_vectors


def article_bodies(
    store: Store, model: StanceModel, articles: Sequence[Article]
) -> tuple[dict[str, BodyIndex], dict[str, SentenceVectors]]:
    """Each article's sentences with their vectors, and those just embedded (for the caller to keep with
    `store.vectors.save_sentence_vectors(conn, model.sentence_method, ...)` in its own transaction).

    An encoder without a digest (built by hand) has nothing to key vectors by: they are embedded, not kept.
    """
    unique = list({article.id: article for article in articles}.values())
    keyed = bool(model.embedder.model_id)
    kept = load_sentence_vectors(store, [a.id for a in unique], model.sentence_method) if keyed else {}
    missing = [article for article in unique if article.id not in kept]
    # The articles not kept yet are embedded together: one batch of sentences sorted by length.
    embedded = dict(
        zip([a.id for a in missing], model.index_articles([a.text for a in missing]), strict=True)
    )
    bodies = dict(embedded)
    for article in unique:
        if article.id in kept:
            bodies[article.id] = BodyIndex(article.text, kept[article.id].spans, kept[article.id].vectors)
    if not keyed:
        return bodies, {}
    return bodies, {key: SentenceVectors(index.spans, index.vectors) for key, index in embedded.items()}
