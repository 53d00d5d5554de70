"""The attribution stage: who said what in each article (source, cue, content, relay, channel, polarity).

Independent per article, so the engine may run it anywhere (pool, Ray); it replaces an article's stored
attributions and keeps the sentence vectors of the encoder's one reading of the article (stance, search).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from counterclaim import __version__
from counterclaim.model import Article, Attribution
from counterclaim.stages import Models, Stage, StageContext
from counterclaim.store.attributions import save_attributions
from counterclaim.store.vectors import SentenceVectors, save_sentence_vectors

if TYPE_CHECKING:
    from counterclaim.attribution import ArticleReading
    from counterclaim.claims import LinkingVectors
    from counterclaim.embeddings import SentenceReading


class Extractor(Protocol):
    """Anything that reads a batch's articles: the extractor itself, or a pool of them."""

    def extract(self, articles: Sequence[Article]) -> list[Attribution]: ...

    def read(self, articles: Sequence[Article]) -> list[ArticleReading]: ...


@dataclass(frozen=True, slots=True)
class ReadArticle:
    """What the per-article stage hands the driver for one article: its attributions and sentence vectors
    (saved by this stage), and the vectors the claims stage places and links it by."""

    article_id: str
    attributions: list[Attribution]
    sentences: SentenceReading
    linking: LinkingVectors


def attribution_partition(models: Models, articles: list[Article]) -> list[ArticleReading]:
    """Attributions (and the cue layer's sentence reading) of each article only: for callers that want no
    claims (AttributionPool)."""
    return models.extractor.read(articles)


def extract_partition(models: Models, articles: list[Article]) -> list[ReadArticle]:
    """The per-article part, run by the engine wherever it runs: everything the encoder and the parser read
    in each article, each article alone (so its rows do not depend on the partition it ran in)."""
    from counterclaim.claims import read_for_linking
    from counterclaim.stance import read_article

    found: list[ReadArticle] = []
    for article, reading in zip(articles, models.extractor.read(articles), strict=True):
        # Without a contextual cue layer the extractor read no sentences: read them here, the same way.
        sentences = reading.sentences or read_article(models.encoder, article.text)
        linking = read_for_linking(
            models.encoder, article, reading.attributions, (sentences.spans, sentences.vectors)
        )
        found.append(ReadArticle(article.id, reading.attributions, sentences, linking))
    return found


def extract_attributions(context: StageContext, batch: list[Article]) -> int:
    """Extract (through the run's engine) and save the attributions of a batch of stored articles with their
    sentence vectors, and keep the batch's linking vectors for the claims stage; returns how many attributions
    were found. The driver writes: engines return records, never touch the store."""
    if not batch:
        return 0
    from counterclaim.stance import sentence_method

    read = {item.article_id: item for item in context.partitions().map(extract_partition, batch)}
    context.linking = {article_id: item.linking for article_id, item in read.items()}
    vectors = {
        article_id: SentenceVectors(item.sentences.spans, item.sentences.vectors)
        for article_id, item in read.items()
    }
    with context.store.begin() as conn:
        for article in batch:
            save_attributions(conn, article.id, read[article.id].attributions)
        save_sentence_vectors(conn, sentence_method(context.models.encoder), vectors)
    return sum(len(item.attributions) for item in read.values())


STAGE = Stage(
    name="attributions",
    version=f"counterclaim.attribution/{__version__}",
    reads=("articles",),
    writes=("attributions", "sentence_vectors"),
    run=extract_attributions,
)
