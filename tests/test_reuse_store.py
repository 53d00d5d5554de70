"""The reuse stage against a real store (SQLite and PostgreSQL): incremental batches, clusters, the CLI.

Texts come from the generator of test_reuse.py; nothing is copied from shared data.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from counterclaim.model import Article, Attribution, Direction, Polarity, ReuseLink, Span
from counterclaim.reuse import Basis, ReuseIndex, ReuseSettings, find_reuse
from counterclaim.stages.reuse import link_reuse
from counterclaim.store import Store, article_id
from counterclaim.store import reuse as reuse_store
from counterclaim.store.reuse import (
    links_overlapping,
    load_reuse_clusters,
    load_reuse_links,
    reuse_of_attribution,
)
from counterclaim.store.schema.reuse import reuse_fingerprints
from test_reuse import T0, crowded, edited, prose

STATEMENT = prose(500, 70)


def stored(store: Store, outlet: str, text: str, hours: float | None) -> Article:
    article = Article(
        id=article_id(text),
        text=text,
        outlet=outlet,
        published_at=None if hours is None else T0 + timedelta(hours=hours),
    )
    store.add_article(article)
    return article


def story(store: Store) -> dict[str, Article]:
    return {
        "ministry": stored(store, "mod", prose(1, 20) + "\n\n" + STATEMENT + "\n\n" + prose(2, 40), 0),
        "rt": stored(store, "rt", prose(3, 30) + "\n\n" + STATEMENT + "\n\n" + prose(4, 20), 2),
        "tass": stored(store, "tass", edited(STATEMENT, 0.05, 1) + "\n\n" + prose(5, 30), 3),
        "other": stored(store, "rferl", prose(6, 120), 1),
    }


def test_batches_are_compared_with_the_stored_index(store: Store) -> None:
    articles = story(store)
    assert link_reuse(store, [articles["ministry"], articles["other"]]) == 0
    assert link_reuse(store, [articles["rt"]]) == 1
    # A new carrier is compared with the passage's earliest carrier, not with every stored one.
    assert link_reuse(store, [articles["tass"]]) == 1
    assert link_reuse(store, list(articles.values())) == 0
    links = load_reuse_links(store)
    pairs = {(x.a, x.b) for x in links}
    m, rt, tass = articles["ministry"].id, articles["rt"].id, articles["tass"].id
    assert pairs == {(m, rt), (m, tass)}
    assert all(x.direction == Direction.A_TO_B for x in links)
    assert len({x.cluster for x in links}) == 1
    (cluster,) = load_reuse_clusters(store)
    assert (cluster.id, cluster.earliest, cluster.basis) == (links[0].cluster, m, Basis.DATED)
    assert set(cluster.articles) == {m, rt, tass}
    assert cluster.earliest_span.text == STATEMENT.rstrip(".")
    for link in links:
        text_a = articles_by_id(articles)[link.a].text
        assert text_a[link.a_span.start : link.a_span.end] == link.a_span.text


def articles_by_id(articles: dict[str, Article]) -> dict[str, Article]:
    return {a.id: a for a in articles.values()}


def test_stored_links_match_one_in_memory_pass(store: Store) -> None:
    articles = story(store)
    for article in articles.values():
        link_reuse(store, [article])
    in_memory = find_reuse(list(articles.values()), ReuseIndex())
    key = {(x.a, x.a_span.start, x.a_span.end, x.b, x.b_span.start, x.b_span.end) for x in in_memory}
    saved = {
        (x.a, x.a_span.start, x.a_span.end, x.b, x.b_span.start, x.b_span.end)
        for x in load_reuse_links(store)
    }
    assert key == saved


def test_links_of_one_article_and_of_an_attribution(store: Store) -> None:
    articles = story(store)
    link_reuse(store, list(articles.values()))
    rt = articles["rt"]
    assert {x.a for x in load_reuse_links(store, [rt.id])} | {
        x.b for x in load_reuse_links(store, [rt.id])
    } >= {rt.id}
    assert load_reuse_links(store, [articles["other"].id]) == []
    start = rt.text.index(STATEMENT)
    content = Span.of(rt.text, start + 10, start + 60)
    attribution = Attribution("at1", rt.id, (), None, (), (content,), False, Polarity.ASSERTS, "test")
    overlapping = reuse_of_attribution(store, attribution)
    assert {frozenset((x.a, x.b)) for x in overlapping} == {frozenset((articles["ministry"].id, rt.id))}
    elsewhere = Attribution(
        "at2", rt.id, (), None, (), (Span.of(rt.text, 0, 20),), False, Polarity.ASSERTS, "t"
    )
    assert links_overlapping(load_reuse_links(store), elsewhere) == []


def test_clusters_merge_when_a_bridging_article_arrives(store: Store) -> None:
    first, second = prose(600, 60), prose(601, 60)
    a = stored(store, "one", first + "\n\n" + prose(602, 10), 0)
    b = stored(store, "two", second + "\n\n" + prose(603, 10), 1)
    link_reuse(store, [a, b])
    c = stored(store, "three", first + "\n\n" + prose(604, 5), 2)
    d = stored(store, "four", second + "\n\n" + prose(605, 5), 3)
    link_reuse(store, [c, d])
    assert len(load_reuse_clusters(store)) == 2
    # An undated article carrying both passages links the two clusters' articles, not the clusters.
    e = stored(store, "five", first + "\n\n" + prose(606, 8) + "\n\n" + second, None)
    link_reuse(store, [e])
    clusters = load_reuse_clusters(store)
    assert len(clusters) == 2
    assert {c.earliest for c in clusters} == {a.id, b.id}
    assert {c.basis for c in clusters} == {Basis.UNDATED}
    assert {x.cluster for x in load_reuse_links(store)} == {c.id for c in clusters}


def test_a_stored_cluster_past_the_link_horizon_is_joined_not_written_twice(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Copies of copies of a viral passage reach past the few hops of stored links a batch reads: the new
    # cluster then starts from a passage a stored cluster holds, under the same id. Here the horizon is
    # zero hops, so every stored cluster lies past it (this failed with a UNIQUE error on reuse_clusters).
    passage = prose(650, 60)
    first = stored(store, "one", passage + "\n\n" + prose(651, 10), 0)
    second = stored(store, "two", passage + "\n\n" + prose(652, 10), 1)
    link_reuse(store, [first, second])
    (before,) = load_reuse_clusters(store)
    monkeypatch.setattr(reuse_store, "_CLUSTER_HOPS", 0)
    third = stored(store, "three", prose(653, 5) + "\n\n" + passage, 2)
    link_reuse(store, [third])
    (after,) = load_reuse_clusters(store)
    assert after.id == before.id
    assert after.earliest == first.id
    assert set(after.articles) == {first.id, second.id, third.id}
    # The third article's link and the stored one both name the one cluster.
    links = load_reuse_links(store)
    assert len(links) == 2
    assert {link.cluster for link in links} == {after.id}


def test_the_stored_index_is_bounded_per_fingerprint(store: Store) -> None:
    settings = ReuseSettings(max_postings=5)
    legal = prose(700, 50)
    for n in range(3):
        batch = [
            stored(store, f"o{n}-{k}", prose(710 + 10 * n + k, 40) + "\n\n" + legal, n) for k in range(4)
        ]
        link_reuse(store, batch, settings)
    with store.engine.connect() as conn:
        most = conn.execute(
            sa.select(sa.func.count()).select_from(reuse_fingerprints).group_by(reuse_fingerprints.c.hash)
        ).all()
    assert max(r[0] for r in most) == settings.max_postings


def test_cli_prints_one_json_object_per_link(store_url: str) -> None:
    store = Store(store_url)
    articles = story(store)
    from counterclaim.cli.reuse import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["reuse", "--db", store_url, "--json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    # rt and tass each linked with the passage's earliest carrier, the ministry.
    assert len(records) == 2
    assert {r["direction"] for r in records} == {"a->b"}
    assert {r["basis"] for r in records} == {"dated"}
    assert {(r["earliest"], r["earliest_basis"], r["carriers"]) for r in records} == {
        (articles["ministry"].id, "dated", 3)
    }
    first = next(r for r in records if r["b"] == articles["rt"].id)
    span = first["a_span"]
    assert articles["ministry"].text[span["start"] : span["end"]] == span["text"] == STATEMENT.rstrip(".")
    assert first["earliest"] == articles["ministry"].id
    table = CliRunner().invoke(app, ["reuse", "--db", store_url, "--article", articles["tass"].id[:10]])
    assert table.exit_code == 0, table.output
    assert "1 shared passages" in table.output


def test_a_run_interrupted_between_batches_ends_with_the_links_of_one_run(store_url: str) -> None:
    # Small postings caps so fingerprints fill up and are judged for good on the way: what a resumed run
    # knows of them comes from the stored index alone, and must give the links an uninterrupted run gives.
    settings = ReuseSettings(max_postings=6)
    corpus = crowded()
    first = Store(store_url)
    articles = [stored(first, a.outlet or "", a.text, _hours(a)) for a in corpus]
    in_memory = ReuseIndex(settings)
    expected = {
        _span_key(x) for start in range(0, 36, 6) for x in find_reuse(articles[start : start + 6], in_memory)
    }
    for start in range(0, 18, 6):
        link_reuse(first, articles[start : start + 6], settings)
    first.close()
    resumed = Store(store_url)
    for start in range(18, 36, 6):
        link_reuse(resumed, articles[start : start + 6], settings)
    assert len(expected) > 20
    assert {_span_key(x) for x in load_reuse_links(resumed)} == expected


def _hours(article: Article) -> float | None:
    if article.published_at is None:
        return None
    return (article.published_at - T0).total_seconds() / 3600


def _span_key(link: ReuseLink) -> tuple[str, int, int, str, int, int]:
    return (link.a, link.a_span.start, link.a_span.end, link.b, link.b_span.start, link.b_span.end)
