"""Tests of the reuse stage's core: tokens, fingerprints, alignment, boilerplate, direction and clusters.

Texts are written for these tests; no store is involved (see test_reuse_store.py).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterclaim.model import Article, Direction
from counterclaim.reuse import (
    Basis,
    ReuseIndex,
    ReuseSettings,
    assign_clusters,
    find_reuse,
    link_record,
    links_overlapping,
)
from counterclaim.reuse.align import boilerplate_masks
from counterclaim.reuse.shingles import fingerprint, shingle_hashes, tokenize

WORDS = [
    "ministry",
    "statement",
    "coalition",
    "aircraft",
    "strikes",
    "targets",
    "town",
    "border",
    "officials",
    "reported",
    "militants",
    "depot",
    "command",
    "post",
    "joint",
    "operation",
    "airbase",
    "commanders",
    "line",
    "coordinates",
    "spokesman",
    "government",
    "defence",
    "army",
    "agency",
    "report",
    "council",
    "minister",
    "capital",
    "region",
    "province",
    "river",
    "bridge",
    "market",
    "election",
    "vote",
    "parliament",
    "budget",
    "tax",
    "court",
    "judge",
    "police",
    "station",
    "harbour",
    "ship",
    "cargo",
    "train",
    "rail",
    "winter",
    "spring",
    "summer",
    "autumn",
]
T0 = datetime(2025, 3, 11, 9, 0, tzinfo=UTC)


def prose(seed: int, count: int) -> str:
    rng = random.Random(seed * 1009 + count)
    words = [rng.choice(WORDS) for _ in range(count)]
    sentences = [" ".join(words[i : i + 12]).capitalize() + "." for i in range(0, count, 12)]
    return " ".join(sentences)


def article(key: str, outlet: str | None, text: str, hours: float | None = 0) -> Article:
    published = None if hours is None else T0 + timedelta(hours=hours)
    return Article(id=key, text=text, outlet=outlet, published_at=published)


def edited(text: str, rate: float, seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for word in text.split(" "):
        if rng.random() < rate:
            out.append("substitute")
        else:
            out.append(word)
    return " ".join(out)


PASSAGE = prose(1, 60)


def test_tokens_carry_exact_offsets_and_fold_case() -> None:
    texts = ["Pentagon spokesman Eric Pahon said, \u201cNo.\u201d", "pentagon SPOKESMAN"]
    batch = tokenize(texts)
    first = batch.doc(0)
    assert [texts[0][s:e] for s, e in zip(first.starts, first.ends, strict=True)] == [
        "Pentagon",
        "spokesman",
        "Eric",
        "Pahon",
        "said",
        "No",
    ]
    assert list(batch.doc(1).hashes) == list(first.hashes[:2])


def test_tokens_of_non_ascii_text_keep_offsets() -> None:
    text = "Министерство обороны: «удары» — café Über"
    doc = tokenize([text]).doc(0)
    assert [text[s:e] for s, e in zip(doc.starts, doc.ends, strict=True)] == [
        "Министерство",
        "обороны",
        "удары",
        "café",
        "Über",
    ]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(ReuseSettings().window + ReuseSettings().shingle - 1, 40))
def test_winnowing_guarantees_a_shared_fingerprint_for_a_shared_run(seed: int, run: int) -> None:
    shared = prose(seed, run)
    texts = [
        prose(seed + 1, 30) + " " + shared + " " + prose(seed + 2, 30),
        prose(seed + 3, 25) + " " + shared,
    ]
    s = ReuseSettings()
    prints = fingerprint(tokenize(texts), s.shingle, s.window)
    first = set(prints.hashes[prints.doc == 0].tolist())
    second = set(prints.hashes[prints.doc == 1].tolist())
    assert first & second


def test_shingles_are_order_sensitive() -> None:
    a = tokenize(["one two three four five"]).doc(0).hashes
    b = tokenize(["five four three two one"]).doc(0).hashes
    assert shingle_hashes(a, 5)[0] != shingle_hashes(b, 5)[0]


def test_verbatim_passage_is_linked_with_exact_spans_and_direction() -> None:
    first = article("a", "rt", prose(2, 40) + "\n\n" + PASSAGE + "\n\n" + prose(3, 30), hours=0)
    second = article("b", "tass", prose(4, 25) + "\n\n" + PASSAGE, hours=2)
    (link,) = find_reuse([second, first], ReuseIndex())
    assert (link.a, link.b, link.direction) == ("a", "b", Direction.A_TO_B)
    assert link.a_span.text == PASSAGE.rstrip(".")
    assert link.b_span.text == PASSAGE.rstrip(".")
    assert first.text[link.a_span.start : link.a_span.end] == link.a_span.text
    assert link.score == 1.0


@pytest.mark.parametrize("rate", [0.02, 0.05, 0.10])
def test_edited_copies_are_found(rate: float) -> None:
    found = 0
    for seed in range(10):
        original = prose(100 + seed, 80)
        copy = edited(original, rate, seed)
        links = find_reuse(
            [article("a", "x", prose(seed, 30) + " " + original), article("b", "y", copy, 1)], ReuseIndex()
        )
        found += bool(links)
        for link in links:
            assert link.score >= ReuseSettings().min_score
    assert found >= 9


def test_short_shared_text_is_not_reported_but_a_full_quotation_is() -> None:
    quote = "There was no provision of targets to the army and no joint strikes on the town"
    short = prose(9, 20)
    a = article("a", "x", f"{prose(5, 30)} {short} A spokesman told us, \u201c{quote}.\u201d {prose(6, 20)}")
    b = article("b", "y", f"{prose(7, 30)} {short} Another official said: \u201c{quote}.\u201d", hours=3)
    (link,) = find_reuse([a, b], ReuseIndex())
    assert link.a_span.text == quote
    assert link.b_span.text == quote


def test_same_outlet_copies_are_not_links() -> None:
    a = article("a", "rt", prose(2, 20) + " " + PASSAGE)
    b = article("b", "rt", PASSAGE + " " + prose(3, 20), hours=1)
    assert find_reuse([a, b], ReuseIndex()) == []


def test_outlet_footer_and_cross_outlet_legal_lines_are_left_out() -> None:
    footer = prose(50, 50)
    legal = prose(51, 45)
    index = ReuseIndex(ReuseSettings(max_docs=6, max_outlets=4, per_outlet_docs=3))
    batch = []
    for n in range(8):
        outlet = f"outlet{n}"
        for k in range(4):
            body = prose(1000 + n * 10 + k, 60)
            batch.append(
                article(f"{outlet}-{k}", outlet, f"{body}\n\n{legal}\n\n{footer if n < 2 else ''}", n + k)
            )
    passage_a = article(
        "p1", "outlet0", prose(2, 30) + "\n\n" + PASSAGE + "\n\n" + legal + "\n\n" + footer, 50
    )
    passage_b = article("p2", "outlet1", PASSAGE + "\n\n" + legal + "\n\n" + footer, 52)
    links = find_reuse([*batch, passage_a, passage_b], index)
    assert [(x.a, x.b) for x in links] == [("p1", "p2")]
    assert links[0].a_span.text == PASSAGE.rstrip(".")


def test_direction_is_unknown_for_ties_and_missing_dates() -> None:
    for hours_b, basis in ((0, Basis.TIE), (None, Basis.UNDATED)):
        links = find_reuse([article("a", "x", PASSAGE), article("b", "y", PASSAGE, hours_b)], ReuseIndex())
        assert [x.direction for x in links] == [Direction.UNKNOWN]
        published = {"a": T0, "b": None if hours_b is None else T0}
        _, (cluster,) = assign_clusters(links, published)
        assert cluster.basis == basis


def test_a_new_batch_is_compared_with_the_index_not_recomputed() -> None:
    index = ReuseIndex()
    first = [article(f"o{n}", f"out{n}", prose(200 + n, 80), n) for n in range(5)]
    assert find_reuse(first, index) == []
    copy = article("c", "copier", prose(9, 20) + " " + first[2].text, 10)
    (link,) = find_reuse([copy], index)
    assert (link.a, link.b) == ("o2", "c")
    assert find_reuse([copy], index) == []


def test_batches_find_what_one_batch_finds() -> None:
    corpus = [
        article(f"d{n}", f"out{n % 7}", prose(300 + n % 4, 70) + " " + prose(400 + n, 30), n)
        for n in range(24)
    ]
    whole = {(x.a, x.b) for x in find_reuse(corpus, ReuseIndex())}
    index = ReuseIndex()
    parts = {(x.a, x.b) for start in range(0, 24, 5) for x in find_reuse(corpus[start : start + 5], index)}
    assert whole and parts == whole


def test_clusters_group_copies_of_copies_and_name_the_earliest() -> None:
    original = article("orig", "wire", prose(11, 10) + " " + PASSAGE, hours=0)
    copy = article("copy", "paper", PASSAGE + " " + prose(12, 10), hours=5)
    copy_of_copy = article("copy2", "blog", prose(13, 15) + " " + edited(PASSAGE, 0.02, 3), hours=9)
    other = article("x1", "wire", prose(20, 70), hours=1)
    other_copy = article("x2", "blog", prose(21, 5) + " " + prose(20, 70), hours=2)
    batch = [copy_of_copy, other_copy, copy, other, original]
    linked, clusters = assign_clusters(find_reuse(batch, ReuseIndex()), {a.id: a.published_at for a in batch})
    by_earliest = {c.earliest: c for c in clusters}
    assert set(by_earliest) == {"orig", "x1"}
    assert set(by_earliest["orig"].articles) == {"orig", "copy", "copy2"}
    assert by_earliest["orig"].basis == Basis.DATED
    assert all(x.direction == Direction.A_TO_B for x in linked)
    assert len({x.cluster for x in linked}) == 2


def test_link_record_has_the_documented_fields() -> None:
    links = find_reuse([article("a", "x", PASSAGE), article("b", "y", PASSAGE, 1)], ReuseIndex())
    linked, (cluster,) = assign_clusters(links, {"a": T0, "b": T0 + timedelta(hours=1)})
    record = link_record(linked[0], cluster)
    assert set(record) >= {"a", "a_span", "b", "b_span", "score", "direction", "cluster", "method"}
    assert record["a_span"] == {"start": 0, "end": len(PASSAGE.rstrip(".")), "text": PASSAGE.rstrip(".")}
    assert record["direction"] == "a->b"
    assert record["earliest"] == "a"


def test_links_overlapping_a_span() -> None:
    from counterclaim.model import Span

    links = find_reuse(
        [article("a", "x", prose(1, 30) + " " + PASSAGE), article("b", "y", PASSAGE, 1)], ReuseIndex()
    )
    inside = links[0].a_span.start + 5
    assert links_overlapping(links, "a", [Span(inside, inside + 10, "")]) == links
    assert links_overlapping(links, "a", [Span(0, 10, "")]) == []
    assert links_overlapping(links, "zzz", [Span(inside, inside + 10, "")]) == []


def test_index_stays_bounded_per_fingerprint() -> None:
    s = ReuseSettings(max_postings=6)
    index = ReuseIndex(s)
    legal = prose(77, 60)
    find_reuse([article(f"d{n}", f"o{n}", prose(n, 30) + " " + legal, n) for n in range(20)], index)
    find_reuse([article(f"e{n}", f"p{n}", legal + " " + prose(100 + n, 30), n) for n in range(20)], index)
    counts = np.concatenate(
        [np.unique(c.hashes, return_counts=True)[1] for p in index.partitions for c in p.chunks]
    )
    assert counts.max() == s.max_postings


def test_tokenising_in_groups_matches_one_text_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import counterclaim.reuse.shingles as shingles

    texts = [prose(n, 20 + n) for n in range(12)]
    monkeypatch.setattr(shingles, "_GROUP_CHARS", 300)
    grouped = tokenize(texts)
    for n, text in enumerate(texts):
        alone = tokenize([text]).doc(0)
        mine = grouped.doc(n)
        assert mine.starts.tolist() == alone.starts.tolist()
        assert mine.hashes.tolist() == alone.hashes.tolist()


def test_boilerplate_edges_are_fingerprints_overlapping_a_flagged_shingle() -> None:
    from counterclaim.reuse.index import boilerplate_edges

    flagged = np.asarray([7 * (1 << 32) + 20], dtype=np.int64)  # article 7, a boilerplate shingle at token 20
    docs = np.asarray([7, 7, 7, 7, 7, 8], dtype=np.int64)
    positions = np.asarray([15, 16, 20, 24, 25, 20], dtype=np.int64)
    edges = boilerplate_edges(docs, positions, flagged, shingle=5)
    assert edges.tolist() == [False, True, True, True, False, False]
    assert not boilerplate_edges(docs, positions, flagged[:0], shingle=5).any()


def test_articles_sharing_only_a_legal_line_and_its_edge_are_not_candidates() -> None:
    from counterclaim.reuse import _views, index_batch
    from counterclaim.reuse.index import boilerplate_edges, candidate_pairs

    legal = prose(61, 40)
    index = ReuseIndex(ReuseSettings(max_docs=6, max_outlets=4, per_outlet_docs=3))
    # The legal line recurs over two months: spread over time, so the caps apply to it.
    find_reuse(
        [article(f"o{n}", f"outlet{n}", prose(300 + n, 50) + " " + legal, n * 24 * 8) for n in range(8)],
        index,
    )
    # Two new articles whose words just before the legal line match: a shared shingle at its edge.
    lead = "Officials reported the depot"
    new = [article(f"n{n}", f"new{n}", f"{prose(400 + n, 50)} {lead} {legal}", 24 * 70 + n) for n in range(2)]
    numbers, prints = index_batch(new, index)
    pair = (int(numbers[0]), int(numbers[1]))
    low, high, _ = candidate_pairs(index, prints.hashes, prints.doc, numbers)
    assert pair in set(zip(low.tolist(), high.tolist(), strict=True))
    _, flagged, _ = _views(index, new, numbers)
    edge = boilerplate_edges(prints.doc, prints.pos, flagged, index.settings.shingle)
    low, high, _ = candidate_pairs(
        index, prints.hashes, prints.doc, numbers, (prints.hashes[edge], prints.doc[edge])
    )
    assert pair not in set(zip(low.tolist(), high.tolist(), strict=True))


def test_a_passage_carried_by_many_outlets_within_hours_is_one_cluster_with_bounded_links() -> None:
    # A wire story carried by 120 outlets within a few hours: virality, not boilerplate, however many.
    story = prose(900, 80)
    carriers = [
        article(
            f"c{n:03d}", f"outlet{n}", f"{prose(1000 + n, 25)}\n\n{story}\n\n{prose(2000 + n, 20)}", n / 40
        )
        for n in range(120)
    ]
    index = ReuseIndex()
    links = [x for start in range(0, 120, 40) for x in find_reuse(carriers[start : start + 40], index)]
    linked, clusters = assign_clusters(links, {a.id: a.published_at for a in carriers})
    story_clusters = [c for c in clusters if len(c.articles) > 2]
    assert len(story_clusters) == 1
    assert set(story_clusters[0].articles) == {a.id for a in carriers}
    assert story_clusters[0].earliest == "c000"
    # Each carrier is compared with the passage's earliest carriers (a few pairs per carrier), not with
    # every other one (7,140 pairs).
    assert len({(x.a, x.b) for x in linked}) <= 2 * ReuseSettings().fanout * 120


def test_the_same_passage_recurring_over_months_is_boilerplate() -> None:
    legal = prose(901, 50)
    spread = [
        article(f"s{n:03d}", f"outlet{n}", f"{prose(3000 + n, 40)}\n\n{legal}", n * 24 * 5) for n in range(60)
    ]
    assert find_reuse(spread, ReuseIndex()) == []


def test_a_media_group_footer_recurring_over_weeks_is_not_linked_below_the_caps() -> None:
    footer = prose(902, 45)
    members = [
        article(f"g{n}", f"member{n}", f"{prose(4000 + n, 60)}\n\n{footer}", n * 24 * 6) for n in range(6)
    ]
    assert find_reuse(members, ReuseIndex()) == []


def test_a_quotation_followed_by_a_shared_attribution_is_linked_with_its_exact_span() -> None:
    quote = "We have no information about any joint strikes and the ministry did not plan them"
    a = article(
        "a", "x", f"{prose(11, 40)}\n\n\u201c{quote},\u201d Pahon said in a statement.\n\n{prose(12, 30)}"
    )
    b = article("b", "y", f'{prose(13, 35)}\n\n"{quote}," Pahon said in a statement.', hours=2)
    (link,) = find_reuse([a, b], ReuseIndex())
    assert link.a_span.text == quote
    assert link.b_span.text == quote


def test_a_quotation_after_a_long_shared_lead_in_is_linked_with_its_exact_span() -> None:
    quote = "There was no provision of targets to the army and no joint strikes on the town"
    lead = "Eric Pahon, a spokesman for the defence ministry, told reporters:"
    a = article("a", "x", f"{prose(21, 40)}\n\n{lead} \u201c{quote}.\u201d\n\n{prose(22, 30)}")
    b = article("b", "y", f"{prose(23, 35)}\n\n{lead} \u00ab{quote}.\u00bb", hours=2)
    (link,) = find_reuse([a, b], ReuseIndex())
    assert link.a_span.text == quote
    assert link.b_span.text == quote


@pytest.mark.parametrize(("words", "linked"), [(11, False), (12, True), (39, True)])
def test_a_quoted_statement_is_a_link_from_twelve_words(words: int, linked: bool) -> None:
    statement = " ".join(prose(31, words + 12).replace(".", "").lower().split()[:words])
    a = article(
        "a", "x", f"{prose(32, 40)}\n\nThe ministry said: \u201c{statement}.\u201d\n\n{prose(33, 30)}"
    )
    b = article(
        "b", "y", f"{prose(34, 35)}\n\nA spokeswoman told reporters, \u00ab{statement}.\u00bb", hours=2
    )
    links = find_reuse([a, b], ReuseIndex())
    assert [(x.a_span.text, x.b_span.text) for x in links] == ([(statement, statement)] if linked else [])


def test_one_outlet_running_a_story_in_its_body_again_and_again_is_not_its_boilerplate() -> None:
    # "daily" runs the wire story in five updates within hours: repeated within one outlet, but inside
    # the body and in a burst. The footer "daily" shares with "herald" sits at the edge of every article:
    # repeated within each outlet at the edges, it is their boilerplate however close in time.
    story, footer = prose(950, 60), prose(951, 45)
    wire = article("wire", "wire", f"{prose(952, 30)}\n\n{story}\n\n{prose(953, 30)}", hours=-1)
    daily = [
        article(f"d{n}", "daily", f"{prose(960 + n, 100)}\n\n{story}\n\n{prose(970 + n, 60)}\n\n{footer}", n)
        for n in range(5)
    ]
    herald = [
        article(f"h{n}", "herald", f"{prose(980 + n, 60)}\n\n{prose(990 + n, 60)}\n\n{footer}", n)
        for n in range(5)
    ]
    batch = [wire, *daily, *herald]
    linked, clusters = assign_clusters(find_reuse(batch, ReuseIndex()), {a.id: a.published_at for a in batch})
    (cluster,) = clusters
    assert cluster.earliest == "wire"
    assert set(cluster.articles) == {"wire", *(a.id for a in daily)}
    assert all(x.a_span.text == story.rstrip(".") == x.b_span.text for x in linked)


def test_a_flagged_shingle_across_a_line_break_masks_only_its_larger_side() -> None:
    # "... no joint strikes.” | Terms of use apply ..." is flagged because the footer after the break
    # recurs after paragraphs that end in "strikes": the quotation's last word is not boilerplate.
    text = "He said: \u201cthere were no joint strikes.\u201d\n\nTerms of use apply to all content here"
    tokens = tokenize([text])
    breaks = tokens.line_starts
    assert np.flatnonzero(breaks).tolist() == [7]
    settings = ReuseSettings()
    one = np.zeros(1, dtype=np.int64)
    # The shingle at token 6 ("strikes Terms of use apply"): four of its five words follow the break.
    mask = boilerplate_masks(tokens.bounds, one, one + 6, settings, breaks)
    assert np.flatnonzero(mask).tolist() == [7, 8, 9, 10]
    assert np.flatnonzero(boilerplate_masks(tokens.bounds, one, one + 6, settings)).tolist() == [
        6,
        7,
        8,
        9,
        10,
    ]
    # The shingle at token 4 ("no joint strikes Terms of"): three of five words before the break.
    assert np.flatnonzero(boilerplate_masks(tokens.bounds, one, one + 4, settings, breaks)).tolist() == [
        4,
        5,
        6,
    ]


def crowded(count: int = 36) -> list[Article]:
    """Articles whose fingerprints fill up a small index: a story carried by most outlets within hours
    (edited in places, its earliest carrier arriving late), an outlet's own footer, and a legal line many
    outlets carry over months, in the order a crawler might bring them."""
    story, footer, legal = prose(1100, 70), prose(1101, 45), prose(1102, 40)
    out = []
    for n in range(count):
        outlet = "daily" if n % 5 == 0 else f"outlet{n}"
        parts = [prose(1200 + n, 30)]
        if n % 3:
            parts.append(edited(story, 0.03 * (n % 4), n))
        if n % 4 == 0:
            parts.append(legal)
        parts.append(prose(1300 + n, 25))
        if outlet == "daily":
            parts.append(footer)
        # Arrival order is not publication order: the story's first carrier (n = 13) comes in a late batch.
        hours = (n * 7) % count if n % 4 else n * 24 * 9
        out.append(article(f"k{n:02d}", outlet, "\n\n".join(parts), None if n == 22 else hours - 13))
    return out


def crowded_links(
    articles: list[Article], settings: ReuseSettings, size: int
) -> tuple[set[tuple], ReuseIndex]:
    index = ReuseIndex(settings)
    links = [
        x
        for start in range(0, len(articles), size)
        for x in find_reuse(articles[start : start + size], index)
    ]
    return {
        (x.a, x.a_span.start, x.a_span.end, x.b, x.b_span.start, x.b_span.end, x.score) for x in links
    }, index


def test_verdicts_kept_link_what_reading_the_postings_every_time_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from counterclaim.reuse import index as index_module

    settings = ReuseSettings(max_postings=6)
    corpus = crowded()
    routes = {"kept": 0, "again": 0}
    pairs_by_verdicts = index_module._pairs_by_verdicts

    def counted(*args: Any) -> tuple[np.ndarray, np.ndarray]:
        pairs, again = pairs_by_verdicts(*args)
        routes["kept"] += len(pairs)
        routes["again"] += int(again.sum())
        return pairs, again

    monkeypatch.setattr(index_module, "_pairs_by_verdicts", counted)
    kept, index = crowded_links(corpus, settings, 6)
    assert sum(len(p.frozen) for p in index.partitions) > 0
    # Both ways were taken: new carriers paired with the earliest carriers kept with a verdict, and with
    # the postings read again when a new carrier came before those.
    assert routes["kept"] > 0 and routes["again"] > 0

    # Without frozen verdicts, and every pair drawn from the postings read again.
    monkeypatch.setattr(ReuseIndex, "freeze", lambda *args: None)
    monkeypatch.setattr(
        index_module,
        "_pairs_by_verdicts",
        lambda index, verdicts, rows, carriers: (np.zeros(0, dtype=np.int64), np.ones(len(rows), dtype=bool)),
    )
    read, plain = crowded_links(corpus, settings, 6)
    assert sum(len(p.frozen) for p in plain.partitions) == 0
    assert len(kept) > 20
    assert kept == read


def test_a_full_fingerprint_is_judged_by_its_postings_alone() -> None:
    # Four outlets carry a statement within hours and fill its postings; six more quote it over the
    # following months. Judged with those six the passage would look like a recurring line (carried by
    # more than `max_docs`, scattered in time); judged by its postings, as every later batch judges it,
    # it is a statement carried in a burst, and each late quotation links to its earliest carrier.
    settings = ReuseSettings(max_postings=4, max_docs=3)
    statement = prose(1400, 60)
    burst = [article(f"b{n}", f"first{n}", f"{prose(1410 + n, 30)}\n\n{statement}", n) for n in range(4)]
    late = [
        article(f"l{n}", f"later{n}", f"{prose(1420 + n, 30)}\n\n{statement}", 24 * 30 * (n + 1))
        for n in range(6)
    ]
    index = ReuseIndex(settings)
    assert len(find_reuse(burst, index)) == 3
    links = find_reuse(late, index)
    assert sorted((x.a, x.b) for x in links) == [("b0", f"l{n}") for n in range(6)]
