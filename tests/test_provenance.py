"""The primary-source check as a pure function: found, not found among N items, no coverage, and the window.

Channel items are written for the project; they model a ministry press page and its feed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from counterclaim.model import Article, Direction, ProvenanceStatus, ReuseLink
from counterclaim.provenance import (
    ProvenanceOptions,
    SourceChannels,
    attributed_sources,
    check_provenance,
    lexical_similarity,
    sentence_spans,
)
from test_dossier_example import CLAIM_TEXT, MINISTRY, ExampleRecords, example_records, span


def _check(records: ExampleRecords, items: tuple[Article, ...], links=(), options=None):  # type: ignore[no-untyped-def]
    channels = {MINISTRY: SourceChannels(("mil-ru",), items)}
    return check_provenance(
        records.claim,
        records.accounts,
        records.attributions,
        channels,
        links,
        options=options,
        account_articles={a.id: a for a in records.articles.values()},
    )


def test_only_asserting_sources_are_checked() -> None:
    records = example_records()
    names = [s.name for s in attributed_sources(records.accounts, records.attributions)]
    assert names == [MINISTRY]


def test_unrelated_item_in_window_is_not_found() -> None:
    records = example_records()
    [check] = _check(records, (records.article("mil"),))
    assert check.status is ProvenanceStatus.NOT_FOUND
    assert check.items_checked == 1
    assert check.channel_outlets == ("mil-ru",)
    assert check.window_start is not None and check.window_end is not None
    assert check.window_start < records.claim.first_seen < check.window_end  # type: ignore[operator]


def test_no_items_means_no_coverage() -> None:
    records = example_records()
    [check] = _check(records, ())
    assert check.status is ProvenanceStatus.NO_COVERAGE
    assert check.items_checked == 0


def test_item_outside_the_window_does_not_count() -> None:
    records = example_records()
    old = replace(records.article("mil"), published_at=records.claim.first_seen - timedelta(days=30))  # type: ignore[operator]
    [check] = _check(records, (old,))
    assert check.status is ProvenanceStatus.NO_COVERAGE
    [wide] = _check(records, (old,), options=ProvenanceOptions(window_days=60))
    assert wide.status is ProvenanceStatus.NOT_FOUND


def test_own_publication_carrying_the_claim_is_found_with_its_span() -> None:
    records = example_records()
    text = (
        "Statement of the ministry.\nOn Monday the United States passed target coordinates to Russia for "
        "joint air strikes near Al-Bab."
    )
    item = replace(records.article("mil"), id="m" * 32, text=text)
    [check] = _check(records, (records.article("mil"), item))
    assert check.status is ProvenanceStatus.FOUND
    assert check.found_article_id == item.id
    assert check.found_span is not None
    assert text[check.found_span.start : check.found_span.end] == check.found_span.text
    assert "Al-Bab" in check.found_span.text
    assert check.method.endswith("meaning")


def test_own_item_denying_the_claim_is_not_a_publication_of_it() -> None:
    records = example_records()
    text = (
        "The ministry denied that the United States passed target coordinates to Russia for joint air "
        "strikes near Al-Bab."
    )
    item = replace(records.article("mil"), id="d" * 32, text=text)
    [check] = _check(records, (item,))
    assert check.status is ProvenanceStatus.NOT_FOUND


def test_reuse_link_to_an_account_finds_the_channel_passage() -> None:
    records = example_records()
    text = "Briefing.\nOur aircraft struck near Al-Bab on coordinates passed on by the American side."
    item = replace(records.article("mil"), id="r" * 32, text=text)
    ria = records.article("ria")
    passage = span(item, "struck near Al-Bab on coordinates passed on by the American side")
    link = ReuseLink(item.id, passage, ria.id, span(ria, CLAIM_TEXT), 0.8, Direction.A_TO_B, "c", "fixture")
    [without] = _check(records, (item,), options=ProvenanceOptions(threshold=0.95))
    assert without.status is ProvenanceStatus.NOT_FOUND
    [check] = _check(records, (item,), links=[link], options=ProvenanceOptions(threshold=0.95))
    assert check.status is ProvenanceStatus.FOUND
    assert check.found_span == passage
    assert check.method.endswith("reuse")


def test_sentence_spans_and_lexical_similarity() -> None:
    text = "  First one here.  Second: target coordinates near Al-Bab!\nThird"
    spans = sentence_spans(text)
    assert [s.text for s in spans] == ["First one here.", "Second: target coordinates near Al-Bab!", "Third"]
    assert all(text[s.start : s.end] == s.text for s in spans)
    high, low = lexical_similarity(CLAIM_TEXT, [spans[1].text, spans[0].text])
    assert high > low == 0.0
