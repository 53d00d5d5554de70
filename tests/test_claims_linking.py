"""The claim index on hand-made vectors: attach or open by threshold, blocking by shared terms, merges."""

from __future__ import annotations

import numpy as np

from counterclaim.claims.linking import ClaimIndex, LinkingSettings, final_key, link_statements
from counterclaim.claims.terms import StatementTerms, statement_terms


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def terms(*words: str) -> StatementTerms:
    return StatementTerms(frozenset(words), frozenset())


def test_close_statement_attaches_and_distant_one_opens_a_claim() -> None:
    index = ClaimIndex(3, LinkingSettings(threshold=0.8, lexical_weight=0, entity_weight=0))
    first = index.add(unit(1, 0, 0), terms("strike", "velka"))
    close = index.add(unit(1, 0.1, 0), terms("strike", "velka"))
    far = index.add(unit(0, 0, 1), terms("strike", "ferry"))
    assert first.opened and not close.opened and far.opened
    assert close.slot == first.slot != far.slot
    assert index.claims[first.slot].members == 2


def test_statements_sharing_no_term_are_never_compared() -> None:
    index = ClaimIndex(3, LinkingSettings(threshold=0.5))
    index.add(unit(1, 0, 0), terms("strike", "velka"))
    decision = index.add(unit(1, 0, 0), terms("ferry", "terminal"))
    assert decision.opened
    assert index.blocked(terms("ferry")) == [decision.slot]


def test_terms_carried_by_too_many_claims_do_not_block() -> None:
    index = ClaimIndex(3, LinkingSettings(threshold=2.0, max_posting=3))
    for _ in range(4):
        index.add(unit(1, 0, 0), terms("common"))
    assert index.blocked(terms("common")) == []
    assert len(index.blocked(terms("common", "rare"))) == 0


def test_lexical_overlap_lifts_a_borderline_statement_over_the_threshold() -> None:
    settings = LinkingSettings(threshold=0.8, lexical_weight=0.3, entity_weight=0)
    vector_a, vector_b = unit(1, 0, 0), unit(0.7, 0.7, 0)
    shared = ClaimIndex(3, settings)
    shared.add(vector_a, terms("coordinat", "velka", "raid"))
    assert not shared.add(vector_b, terms("coordinat", "velka", "raid")).opened
    thin = ClaimIndex(3, settings)
    thin.add(vector_a, terms("coordinat", "velka", "raid"))
    assert thin.add(vector_b, terms("velka", "weather", "rain")).opened


def test_a_bridging_statement_merges_two_close_claims_into_the_larger() -> None:
    settings = LinkingSettings(threshold=0.9, lexical_weight=0, entity_weight=0, merge_threshold=0.5)
    index = ClaimIndex(2, settings)
    big = index.add(unit(1, 0), terms("x"), "big")
    index.add(unit(1, 0), terms("x"), "big-2")
    small = index.add(unit(0.8, 0.6), terms("x"), "small")
    assert small.opened and small.slot != big.slot
    bridge = index.add(unit(0.95, 0.3), terms("x"), "bridge")
    assert bridge.merged == ("small",)
    assert bridge.slot == big.slot
    assert index.claims[big.slot].members == 4
    assert index.claims[small.slot].members == 0
    assert index.blocked(terms("x")) == [big.slot]


def test_no_merge_without_merge_threshold() -> None:
    settings = LinkingSettings(threshold=0.9, lexical_weight=0, entity_weight=0, merge_threshold=None)
    index = ClaimIndex(2, settings)
    index.add(unit(1, 0), terms("x"))
    index.add(unit(0.8, 0.6), terms("x"))
    assert index.add(unit(0.95, 0.3), terms("x")).merged == ()


def test_link_statements_reports_final_claims_after_merges() -> None:
    settings = LinkingSettings(threshold=0.9, lexical_weight=0, entity_weight=0, merge_threshold=0.5)
    vectors = np.stack([unit(1, 0), unit(1, 0), unit(0.8, 0.6), unit(0.95, 0.3), unit(0, 1)])
    keys = link_statements(vectors, [terms("x")] * 4 + [terms("y")], settings)
    assert len(set(keys[:4])) == 1 and keys[4] != keys[0]
    assert final_key("a", {"a": "b", "b": "c"}) == "c"


def test_search_ranks_claims_by_centroid_similarity() -> None:
    index = ClaimIndex(2, LinkingSettings())
    index.add(unit(1, 0), statement_terms("Norland bombers struck depots"))
    index.add(unit(0, 1), statement_terms("Brenmouth opened a ferry terminal"))
    ranked = index.search(unit(0.1, 1), limit=2)
    assert [slot for slot, _ in ranked] == [1, 0]


def test_a_denial_joins_its_claim_from_a_lower_score_than_a_statement_that_could_open_one() -> None:
    settings = LinkingSettings(threshold=0.6, lexical_weight=0, entity_weight=0, denial_threshold=0.5)
    claim, reworded = unit(1, 0, 0), unit(0.55, (1 - 0.55**2) ** 0.5, 0)
    assertion = ClaimIndex(3, settings)
    assertion.add(claim, terms("strike", "velka"))
    (_, score), *_ = assertion.ranked(reworded, terms("strike", "velka"))
    assert 0.5 <= score < 0.6
    assert assertion.add(reworded, terms("strike", "velka")).opened
    denial = ClaimIndex(3, settings)
    first = denial.add(claim, terms("strike", "velka"))
    joined = denial.add(reworded, terms("strike", "velka"), denial=True)
    assert not joined.opened and joined.slot == first.slot
    # Below the denial threshold a denial still opens its own claim; without one it needs the plain threshold.
    far = unit(0.3, -((1 - 0.3**2) ** 0.5), 0)
    assert denial.add(far, terms("strike", "velka"), denial=True).opened
    plain = LinkingSettings(threshold=0.6, lexical_weight=0, entity_weight=0, denial_threshold=None)
    strict = ClaimIndex(3, plain)
    strict.add(claim, terms("strike", "velka"))
    assert strict.add(reworded, terms("strike", "velka"), denial=True).opened
