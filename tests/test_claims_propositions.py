"""One proposition per claim: with the one-article rules, paraphrases across articles join one claim and the
story's other sentences do not; without them (the default) those sentences bucket into it.

Real embedder, hand-written articles in the pattern of wire coverage: each restates the story's main
proposition in its own words and adds a background sentence (history, biography) or a side fact that shares
the story's names and terms. Linked as the claims stage links them (candidates, then the claim index).
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from counterclaim.claims import ClaimLinker, LinkedCandidate, candidates_of
from counterclaim.claims.linking import ClaimIndex, LinkingSettings
from counterclaim.claims.terms import StatementTerms
from counterclaim.embeddings import Embedder
from counterclaim.model import Article
from counterclaim.store import Store
from counterclaim.store.claims import open_linker, save_linking

MAIN = (
    "The Brenmouth city council voted on Tuesday to close the Velka ferry terminal by the end of March.",
    "Brenmouth councillors decided on Tuesday to shut the Velka ferry terminal at the end of March, "
    "the council said.",
    "The Velka ferry terminal will close in March after a vote by the Brenmouth council on Tuesday.",
)
BACKGROUND = (
    "The Velka ferry terminal opened in 1962 and was rebuilt by Brenmouth after a fire in 1988.",
    "The Velka terminal handles about 400,000 ferry passengers a year, most of them commuters from "
    "Brenmouth to the islands.",
    "Maren Oduya, the Brenmouth council leader, grew up on the islands and worked as a ferry engineer "
    "for 20 years.",
    "The Velka ferry terminal was built in 1962 on the site of an old fish market.",
)
ARTICLES = (
    (MAIN[0], BACKGROUND[0], "Council leader Maren Oduya, 54, has led the Brenmouth council since 2016."),
    (MAIN[1], BACKGROUND[1], "Maren Oduya said the council had no other choice."),
    (MAIN[2], BACKGROUND[2], BACKGROUND[3]),
)


# The one-article rules (off by default: measured in the README's claim-linking section).
ONE_PROPOSITION = LinkingSettings(rejoin_threshold=0.75, keep_apart_articles=True)


def linked(embedder: Embedder, settings: LinkingSettings) -> dict[str, str]:
    """Statement text -> the claim it ended in, for the three articles linked in one batch."""
    found = [Article(id=f"velka-{n}", text=" ".join(sentences)) for n, sentences in enumerate(ARTICLES)]
    linker = ClaimLinker.empty(embedder, settings)
    items: list[LinkedCandidate] = linker.link(found, candidates_of(found, []))
    merges = linker.merges()
    return {item.candidate.text: merges.get(item.claim_id, item.claim_id) for item in items}


def test_paraphrases_join_one_claim_and_background_stays_out(embedder: Embedder) -> None:
    claims = linked(embedder, ONE_PROPOSITION)
    assert all(text in claims for text in MAIN), sorted(claims)
    main = {claims[text] for text in MAIN}
    assert len(main) == 1, "the three wordings of the vote are one claim"
    joined = [text for text in BACKGROUND if claims.get(text) in main]
    assert not joined, f"background joined the main claim: {joined}"


def test_the_old_topic_linking_bucketed_this_story(embedder: Embedder) -> None:
    # Without the one-article rules (the default linking), the same statements end in one topic bucket:
    # the behaviour the test above guards against (so that test can fail).
    claims = linked(embedder, LinkingSettings())
    main = {claims[text] for text in MAIN}
    assert any(claims.get(text) in main for text in BACKGROUND)


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


TERMS = StatementTerms(frozenset({"velka", "ferry"}), frozenset())


def test_a_claim_cannot_drift_past_its_anchor() -> None:
    # Each statement is close to the previous one, but the third is far from the statement that opened it.
    settings = LinkingSettings(threshold=0.7, lexical_weight=0, entity_weight=0, anchor_floor=0.6)
    index = ClaimIndex(2, settings)
    first = index.add(unit(1, 0), TERMS)
    second = index.add(unit(0.9, 0.44), TERMS)
    third = index.add(unit(0.5, 0.87), TERMS)
    assert not second.opened and second.slot == first.slot
    assert third.opened, "cosine 0.5 to the anchor is under the floor"


def test_a_second_statement_of_one_article_needs_the_rejoin_score() -> None:
    settings = LinkingSettings(threshold=0.6, lexical_weight=0, entity_weight=0, rejoin_threshold=0.9)
    index = ClaimIndex(2, settings)
    first = index.add(unit(1, 0), TERMS)
    other_article = index.add(unit(0.8, 0.6), TERMS)
    assert not other_article.opened
    same_article = index.add(unit(0.8, 0.6), TERMS, rejoin=frozenset({first.slot}))
    assert same_article.opened
    restated = index.add(unit(1, 0.05), TERMS, rejoin=frozenset({first.slot}))
    assert not restated.opened and restated.slot == first.slot


def test_bridged_claims_merge_only_when_their_anchors_are_close() -> None:
    base = {"threshold": 0.9, "lexical_weight": 0, "entity_weight": 0, "merge_threshold": 0.5}
    for floor, merges in ((None, True), (0.9, False)):
        index = ClaimIndex(2, LinkingSettings(**base, merge_anchor_floor=floor))  # type: ignore[arg-type]
        index.add(unit(1, 0), TERMS, "big")
        index.add(unit(1, 0), TERMS, "big-2")
        index.add(unit(0.8, 0.6), TERMS, "small")
        bridge = index.add(unit(0.95, 0.3), TERMS, "bridge")
        assert (bridge.merged == ("small",)) is merges


def test_claims_that_share_an_article_do_not_merge() -> None:
    settings = LinkingSettings(
        threshold=0.9, lexical_weight=0, entity_weight=0, merge_threshold=0.5, keep_apart_articles=True
    )
    index = ClaimIndex(2, settings)
    index.add(unit(1, 0), TERMS, "lead", article="one")
    index.add(unit(1, 0), TERMS, "lead-2", article="two")
    index.add(unit(0.8, 0.6), TERMS, "background", article="one")
    bridge = index.add(unit(0.95, 0.3), TERMS, "bridge", article="three")
    assert bridge.merged == (), "article one says both: they are two statements, not one opened twice"
    apart = LinkingSettings(**{**asdict(settings), "keep_apart_articles": False})
    index = ClaimIndex(2, apart)
    index.add(unit(1, 0), TERMS, "lead", article="one")
    index.add(unit(1, 0), TERMS, "lead-2", article="two")
    index.add(unit(0.8, 0.6), TERMS, "background", article="one")
    assert index.add(unit(0.95, 0.3), TERMS, "bridge", article="three").merged == ("background",)


def test_a_reopened_linker_keeps_anchors_and_articles(store: Store, embedder: Embedder) -> None:
    settings = LinkingSettings(rejoin_threshold=0.75, keep_apart_articles=True, anchor_floor=0.4)
    found = [Article(id=f"velka-{n}", text=" ".join(sentences)) for n, sentences in enumerate(ARTICLES)]
    for article in found:
        store.add_article(article)
    linker = open_linker(store, embedder, settings)
    linked_now = linker.link(found[:2], candidates_of(found[:2], []))
    with store.begin() as conn:
        save_linking(conn, linker, linked_now)
    reopened = open_linker(store, embedder, settings)
    for claim_id, slot in linker.slot_of.items():
        before, after = linker.index.claims[slot], reopened.index.claims[reopened.slot_of[claim_id]]
        assert after.articles == before.articles and after.articles
        assert before.anchor is not None and after.anchor is not None
        assert np.array_equal(after.anchor, before.anchor)
    # The third article links the same way whether the index was kept in memory or read back.
    kept = linker.link(found[2:], candidates_of(found[2:], []))
    read = reopened.link(found[2:], candidates_of(found[2:], []))
    assert [(i.claim_id, i.opened) for i in kept] == [(i.claim_id, i.opened) for i in read]
