"""Sentence vectors kept per article (issue 15): a round trip on SQLite and PostgreSQL keyed by method, an
article embedded once however many batches its claims grow in, and the same rows from two identical runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from conftest import story_articles
from counterclaim.embeddings import Embedder
from counterclaim.model import Article
from counterclaim.pipeline import Pipeline
from counterclaim.stages import Models
from counterclaim.stance import StanceModel
from counterclaim.store import Store, article_id
from counterclaim.store.schema.claims import accounts, claim_statements, claims
from counterclaim.store.schema.vectors import sentence_vectors
from counterclaim.store.vectors import SentenceVectors, load_sentence_vectors, save_sentence_vectors

STORY = Path(__file__).parent / "fixtures" / "claims" / "strike_story.json"


def story() -> list[Article]:
    """The story's articles in publication order."""
    found = list(story_articles(STORY).values())
    return sorted(found, key=lambda article: (article.published_at is None, article.published_at))


def test_vectors_round_trip_exactly_and_only_under_their_method(store: Store, models: Models) -> None:
    stance = models.stance
    article = story()[0]
    store.add_article(article)
    (body,) = stance.index_articles([article.text])
    assert len(body.spans) >= 2 and body.vectors.shape == (len(body.spans), 384)
    with store.begin() as conn:
        save_sentence_vectors(
            conn, stance.sentence_method, {article.id: SentenceVectors(body.spans, body.vectors)}
        )
    kept = load_sentence_vectors(store, [article.id, "no-such-article"], stance.sentence_method)
    assert list(kept) == [article.id]
    assert kept[article.id].spans == body.spans
    # Fresh vectors are rounded to float16 as kept, so reading them back changes nothing.
    assert np.array_equal(kept[article.id].vectors, body.vectors)
    # Another encoder's vectors are another key: a model change never reads these.
    assert load_sentence_vectors(store, [article.id], "sentences-f16-v1:another-model") == {}
    # Saving again keeps the first vectors (a re-run adds nothing twice).
    with store.begin() as conn:
        save_sentence_vectors(
            conn, stance.sentence_method, {article.id: SentenceVectors(body.spans[:1], body.vectors[:1])}
        )
    assert load_sentence_vectors(store, [article.id], stance.sentence_method)[article.id].spans == body.spans


def test_kept_vectors_give_the_stances_fresh_ones_give(models: Models) -> None:
    stance = models.stance
    articles = story()
    claim = "Karsland passed target coordinates to the Valdorian air force"
    pairs = [(claim, article) for article in articles]
    bodies = dict(
        zip([a.id for a in articles], stance.index_articles([a.text for a in articles]), strict=True)
    )
    assert stance.article_stances(pairs, bodies) == stance.article_stances(pairs)


# A wire story states two claims; a later article repeats the first, a still later one the second. Each
# later batch makes one of the wire story's claims shared, so each owes the wire story an account.
TRIO = (
    (
        "2025-03-01T08:00:00+00:00",
        "The Ostmark port authority closed the northern harbour to cargo ships on Monday, officials said. "
        "The authority also said that the Brenner shipyard will cut four hundred jobs by the end of "
        "the year. "
        "Dock workers gathered outside the gates in the afternoon.",
    ),
    (
        "2025-03-01T12:00:00+00:00",
        "Cargo ships were turned away on Monday after the Ostmark port authority closed the northern harbour "
        "to cargo ships, according to officials. Shipping firms said they would divert to Lenz.",
    ),
    (
        "2025-03-02T09:00:00+00:00",
        "Union leaders reacted angrily after the port authority said that the Brenner shipyard will cut four "
        "hundred jobs by the end of the year. A strike vote is planned for next week.",
    ),
)


def test_an_article_is_embedded_once_however_many_batches_its_claims_grow_in(
    sqlite_store: Store, models: Models, monkeypatch: Any
) -> None:
    articles = [
        Article(id=article_id(text), text=text, published_at=datetime.fromisoformat(when))
        for when, text in TRIO
    ]
    for article in articles:
        sqlite_store.add_article(article)
    embedded: Counter[str] = Counter()
    original = Embedder.read_sentences

    def counted(self: Embedder, text: str, spans: Any, states: bool = False) -> Any:
        embedded[text] += 1
        return original(self, text, spans, states)

    # Every reading of an article's sentences (the cue layer's, the kept vectors', a stance fallback's).
    monkeypatch.setattr(Embedder, "read_sentences", counted)
    # One article a batch: the wire story's claims become shared in two later batches.
    Pipeline(sqlite_store, models=models).analyze(progress=False, batch_size=1)
    with sqlite_store.engine.connect() as conn:
        stance_rows = conn.execute(
            sa.select(accounts.c.claim_id, accounts.c.article_id).where(accounts.c.attribution_id.is_(None))
        ).all()
        kept = conn.execute(sa.select(sentence_vectors.c.article_id)).scalars().all()
    first = articles[0]
    first_claims = {claim for claim, article in stance_rows if article == first.id}
    assert len(first_claims) == 2, "both of the wire story's claims should be shared, in two batches"
    # Read once, by the per-article stage, which keeps the vectors of every article it reads (attribution
    # contents are read as texts of their own, for the speakers' stances).
    assert embedded[first.text] == 1
    assert [embedded[article.text] for article in articles] == [1, 1, 1]
    assert sorted(kept) == sorted(article.id for article in articles)


def rows_of(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every claim, statement and account row, sorted: what two runs must agree on."""
    found = {}
    with store.engine.connect() as conn:
        for table in (claims, claim_statements, accounts, sentence_vectors):
            found[table.name] = sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
    return found


def test_two_identical_runs_store_the_same_rows(tmp_path: Path, models: Models) -> None:
    runs = []
    for name in ("first", "second"):
        store = Store(f"sqlite:///{tmp_path / name}.db")
        try:
            for article in story():
                store.add_article(article)
            Pipeline(store, models=models).analyze(progress=False, batch_size=2)
            runs.append(rows_of(store))
        finally:
            store.close()
    assert runs[0]["accounts"], "the story must give accounts for the comparison to mean something"
    assert runs[0] == runs[1]


def test_the_batch_size_changes_no_row(tmp_path: Path, models: Models) -> None:
    # Every encoder call holds one article's sentences or statements, one claim text or one content: int8
    # activations are scaled per call, so calls that mixed a batch's texts gave stances that moved with it.
    runs = []
    for size in (1, 3):
        store = Store(f"sqlite:///{tmp_path / f'batch{size}'}.db")
        try:
            for article in story():
                store.add_article(article)
            Pipeline(store, models=models).analyze(progress=False, batch_size=size)
            rows = rows_of(store)
        finally:
            store.close()
        # Account ids count insertions, which the batch size orders differently.
        rows["accounts"] = sorted(row[1:] for row in rows["accounts"])
        runs.append(rows)
    assert runs[0]["accounts"], "the story must give accounts for the comparison to mean something"
    assert runs[0] == runs[1]


def test_a_run_that_reads_again_what_an_earlier_one_left_unread_stores_the_same_rows(
    tmp_path: Path, models: Models
) -> None:
    # One store runs every stage at once; the other ran attributions only, and lost the sentence vectors (as a
    # store analysed by an earlier version holds none), so its claims stage reads the articles itself.
    at_once, resumed = (Store(f"sqlite:///{tmp_path / name}.db") for name in ("once", "resumed"))
    try:
        for store in (at_once, resumed):
            for article in story():
                store.add_article(article)
        Pipeline(at_once, models=models).analyze(progress=False, batch_size=2)
        Pipeline(resumed, models=models).analyze(stage="attributions", progress=False, batch_size=2)
        with resumed.begin() as conn:
            conn.execute(sentence_vectors.delete())
        Pipeline(resumed, models=models).analyze(progress=False, batch_size=2)
        first, second = rows_of(at_once), rows_of(resumed)
    finally:
        at_once.close()
        resumed.close()
    assert first["accounts"], "the story must give accounts for the comparison to mean something"
    for table in ("claims", "claim_statements", "accounts"):
        assert first[table] == second[table], table
    # The claims stage reads only the articles stance needs; each is read as the per-article stage read it.
    assert second["sentence_vectors"]
    assert set(second["sentence_vectors"]) <= set(first["sentence_vectors"])


def test_stance_sessions_run_one_intra_op_thread() -> None:
    model = StanceModel.load()
    assert model.embedder.session.get_session_options().intra_op_num_threads == 1
    assert model.embedder.model_id


CHILD_RUN = """
import sys
sys.path.insert(0, {tests!r})
from test_sentence_vectors import story
from counterclaim.pipeline import Pipeline
from counterclaim.store import Store

store = Store({url!r})
for article in story():
    store.add_article(article)
Pipeline(store).analyze(progress=False, batch_size=2)
store.close()
"""


def test_runs_in_processes_with_other_hash_seeds_store_the_same_rows(tmp_path: Path) -> None:
    """Set and dict order follow the process's hash seed; linking must not (sums, ties in a fixed order)."""
    runs = []
    for seed in ("0", "1", "2"):
        url = f"sqlite:///{tmp_path / seed}.db"
        code = CHILD_RUN.format(tests=str(Path(__file__).parent), url=url)
        env = {**os.environ, "PYTHONHASHSEED": seed, "HF_HUB_OFFLINE": "1"}
        subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=600)
        store = Store(url)
        try:
            runs.append(rows_of(store))
        finally:
            store.close()
    assert runs[0]["claims"], "the story must give claims for the comparison to mean something"
    assert runs[0] == runs[1] == runs[2]
