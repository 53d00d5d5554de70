"""Stories above claims: articles of one event share a story, a dossier weighs every article of its story.

Runs the analysis on the FNC-1-shaped sample written for the project (tests/fixtures/dossiers: three
stories of four or five articles, and two articles about other things).
"""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
import sqlalchemy as sa

from conftest import REPO, script_module
from counterclaim.claims.stories import StoryIndex, lead_text, story_id_for
from counterclaim.dossier import _story_prior, from_story, load_dossier
from counterclaim.embeddings import Embedder
from counterclaim.model import Account, Article, Stance
from counterclaim.stages import Models
from counterclaim.store import Store
from counterclaim.store.schema.claims import article_stories
from counterclaim.store.search import find_claim, rank_claims
from counterclaim.store.stories import load_story, stories_of_claims

FIXTURE = REPO / "tests" / "fixtures" / "dossiers"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[str, str]]:
    """The sample ingested and analysed; returns the store and body id -> article id."""
    bench = script_module("dossier_e2e", REPO / "bench" / "dossier_e2e.py")
    with (FIXTURE / "bodies.csv").open(encoding="utf-8", newline="") as handle:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(handle)}
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('stories') / 'stories.db'}")
    ids, body_ids = bench.ingest(store, bodies)
    bench.analyse(store, ids)
    return store, {body: article for article, found in body_ids.items() for body in found}


def gold_stories() -> dict[str, set[str]]:
    """Headline -> its related bodies: each headline of the sample is one story."""
    found: dict[str, set[str]] = defaultdict(set)
    with (FIXTURE / "stances.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Stance"] != "unrelated":
                found[row["Headline"]].add(row["Body ID"])
    return found


def story_of_articles(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(article_stories.c.article_id, article_stories.c.story_id)).all())


def test_articles_of_one_event_share_a_story_and_events_stay_apart(
    analysed: tuple[Store, dict[str, str]],
) -> None:
    store, article_of = analysed
    story = story_of_articles(store)
    assert set(article_of.values()) <= set(story), "every analysed article is placed in a story"
    seen: list[str] = []
    for bodies in gold_stories().values():
        found = {story[article_of[body]] for body in bodies}
        assert len(found) == 1, f"one event split over stories: {sorted(bodies)}"
        seen.append(found.pop())
    assert len(set(seen)) == len(seen), "two events share a story"


def test_a_story_holds_several_claims_with_their_support(analysed: tuple[Store, dict[str, str]]) -> None:
    store, article_of = analysed
    story = load_story(store, story_of_articles(store)[article_of["201"]])
    assert len(story.article_ids) == 4 and len(story.claims) >= 2
    assert [c.articles for c in story.claims] == sorted((c.articles for c in story.claims), reverse=True)
    claim_ids = [c.claim_id for c in story.claims]
    assert set(stories_of_claims(store, claim_ids).values()) == {story.id}


def test_dossier_judges_every_story_article_against_the_claim(analysed: tuple[Store, dict[str, str]]) -> None:
    store, article_of = analysed
    search = find_claim(store, "Chemical leak closes the Port of Calvane")
    assert search.best is not None and search.best.story_id is not None
    assert search.to_json()["stories"], "the stories considered are listed"
    dossier = load_dossier(store, search.best.claim.id)
    assert dossier.story is not None and dossier.story.id == search.best.story_id
    listed = {entry.article_id for entry in dossier.accounts if entry.stance is not Stance.UNRELATED}
    port = {article_of[body] for body in ("201", "202", "203", "204")}
    assert port <= set(dossier.story.article_ids)
    assert len(listed & port) >= 3
    # Nothing from the other events' articles is listed.
    assert not listed - port
    linked = {e.article_id for e in dossier.accounts if not from_story(e.account)}
    # Story accounts are only for articles that have no account of their own for this claim.
    assert not {e.article_id for e in dossier.accounts if from_story(e.account)} & linked


def test_placement_is_incremental_and_deterministic() -> None:
    embedder = Embedder.load(threads=1)
    articles = [
        Article(id="a1", text="Floods closed the Harlow bridge on Monday. Crews pumped water all night."),
        Article(id="a2", text="The Harlow bridge was closed by floods on Monday, officials said."),
        Article(id="a3", text="A violinist won the Orsk prize for her recording of early sonatas."),
    ]

    def placed() -> list[str]:
        index = StoryIndex.empty()
        vectors = embedder.encode([lead_text(article) for article in articles])
        first = index.place(articles[:2], vectors[:2])
        return [p.story_id for p in first + index.place(articles[2:], vectors[2:])]

    keys = placed()
    assert keys[0] == keys[1] == story_id_for("a1") and keys[2] == story_id_for("a3")
    assert placed() == keys


def test_lead_is_the_title_and_first_sentences() -> None:
    body = " ".join(f"Sentence number {n} is here." for n in range(10))
    lead = lead_text(Article(id="x", text=body, title="A title"))
    assert lead.startswith("A title Sentence number 0") and "number 3" in lead and "number 4" not in lead
    long = Article(id="y", text=" ".join(["word"] * 500) + ".")
    assert len(lead_text(long).split()) == 120


def test_within_a_story_the_widely_carried_claim_wins_over_an_aside_about_as_near() -> None:
    from datetime import UTC, datetime

    from counterclaim.model import Claim, Span
    from counterclaim.store.search import STORY_CLAIM_MARGIN, SearchHit, best_of_story

    def hit(key: str, meaning: float, articles: int, story: str, proposition: bool = True) -> SearchHit:
        text = f"Claim {key} is stated in full."
        claim = Claim(key, text, "a", Span(0, len(text), text), datetime(2025, 1, 1, tzinfo=UTC), "test")
        return SearchHit(claim, meaning, articles, proposition, meaning, story, 9)

    aside, main, other_story, fragment = (
        hit("aside", 0.60, 1, "s1"),
        hit("main", 0.60 - STORY_CLAIM_MARGIN + 0.01, 7, "s1"),
        hit("other", 0.59, 30, "s2"),
        hit("fragment", 0.58, 12, "s1", proposition=False),
    )
    assert best_of_story([aside, other_story, main, fragment]).claim.id == "main"
    far = hit("far", 0.60 - STORY_CLAIM_MARGIN - 0.01, 7, "s1")
    assert best_of_story([aside, other_story, far]).claim.id == "aside"


def test_stories_are_saved_once_and_resume_on_both_stores(store: Store) -> None:
    from counterclaim.claims import load_encoder
    from counterclaim.stages.claims import link_claims
    from counterclaim.store.claims import open_linker

    articles = [
        Article(
            id="s1",
            text="Floods closed the Harlow bridge on Monday. Crews pumped water from the roads all night.",
        ),
        Article(
            id="s2",
            text="The Harlow bridge was closed by floods on Monday, officials said. Crews pumped water.",
        ),
        Article(
            id="s3", text="A violinist won the Orsk prize for her recording of early sonatas, the jury said."
        ),
    ]
    with store.begin() as conn:
        for article in articles:
            store.add_article(article, conn)
    encoder = load_encoder()
    link_claims(store, articles[:2], linker=open_linker(store, encoder))
    # A new run reads the story index back from the store and places the next article against it.
    link_claims(store, articles, linker=open_linker(store, encoder))
    placed = story_of_articles(store)
    assert sorted(placed) == ["s1", "s2", "s3"]
    assert placed["s1"] == placed["s2"] == story_id_for("s1") and placed["s3"] == story_id_for("s3")
    reopened = open_linker(store, encoder).stories
    assert reopened is not None
    assert reopened.index.claims[reopened.slot_of[story_id_for("s1")]].members == 2


def test_a_doubtful_story_article_gets_the_classifier_stance_with_evidence(models: Models) -> None:
    # Relatedness between the story floor and the model's own threshold: the story lends the article its
    # benefit of the doubt, and the classifier reads which way it leans, pointing at the sentence it read.
    claim = "The Harwick Motors plant in Dunmore will close next year."
    article = Article(
        id="story-doubtful",
        text=(
            "Workers gathered outside the gates on Monday. "
            "Harwick Motors denied that the Dunmore plant would close, calling the reports false. "
            "The union said it would keep talking to management."
        ),
    )
    unsure = Account("c1", article.id, Stance.UNRELATED, 0.4, "m", None, None)
    sure = Account("c1", "other", Stance.UNRELATED, 0.9, "m", None, None)
    (body,) = models.stance.index_bodies([article.text])
    (read, kept) = _story_prior(models.stance, claim, [unsure, sure], {article.id: body})
    assert kept == sure, "an article the model is sure is unrelated stays unrelated"
    assert read.stance is not Stance.UNRELATED
    assert read.evidence is not None and "Dunmore plant" in read.evidence.text
    assert 0.0 < read.score <= 0.6


def test_every_search_surface_opens_the_claim_report_search_opens(
    analysed: tuple[Store, dict[str, str]],
) -> None:
    """The web claim list, `/api/search`'s order and `claims --search` put first the claim `report --search`
    opens, and say "no match" where it does: one ranking, not a centroid order beside it."""
    from counterclaim.web.queries import ClaimFilters, list_claims

    store, _ = analysed
    for headline in gold_stories():
        best = find_claim(store, headline).best
        assert best is not None, headline
        assert rank_claims(store, headline, 5)[0].claim.id == best.claim.id
        listed = list_claims(store, ClaimFilters(search=headline), [], limit=5, offset=0)
        assert listed[0].claim.id == best.claim.id
    unrelated = "an unrelated query about volcanoes"
    assert find_claim(store, unrelated).best is None
    assert rank_claims(store, unrelated, 5) == []
    assert list_claims(store, ClaimFilters(search=unrelated), [], limit=5, offset=0) == []
