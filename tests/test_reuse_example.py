"""The reuse stage on the bundled example corpus (examples/): the one copying pair, and nothing else.

Articles go through counterclaim's own ingest; their dates are taken from examples/manifest.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.model import Article, Direction, ReuseLink
from counterclaim.stages.reuse import link_reuse
from counterclaim.store import Store
from counterclaim.store.reuse import load_reuse_clusters, load_reuse_links

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
QUOTE_MARKS = '"\u201c\u201d\u00ab\u00bb'
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / "manifest.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory, manifest: dict[str, Any]) -> Store:
    store = Store(str(tmp_path_factory.mktemp("reuse-example") / "example.db"))
    ingest_paths(
        store,
        [str(EXAMPLES / "corpus")],
        IngestOptions(recursive=True, analyze=False, outlets_file=EXAMPLES / "outlets.toml"),
        progress=False,
    )
    # Ingest may keep only the day of a page's date; the manifest holds each article's exact moment.
    moment = {a["url"]: a["published_at"] for a in manifest["article"]}
    articles = [
        replace(a, published_at=moment.get(a.url or "", a.published_at))
        for batch in store.iter_articles()
        for a in batch
    ]
    link_reuse(store, articles)
    return store


def _pair(store: Store, manifest: dict[str, Any]) -> tuple[Article, Article]:
    (copy,) = [a for a in manifest["article"] if "copies" in a]
    original = next(a for a in manifest["article"] if a["file"] == copy["copies"])
    by_url = {a.url: a for batch in store.iter_articles() for a in batch}
    return by_url[original["url"]], by_url[copy["url"]]


def _sentences(text: str) -> set[str]:
    return {
        s.strip().rstrip(".") for line in text.splitlines() for s in SENTENCE_END.split(line) if s.strip()
    }


def _pair_links(store: Store, original: Article, copy: Article) -> list[ReuseLink]:
    return [x for x in load_reuse_links(store) if {x.a, x.b} == {original.id, copy.id}]


def test_the_copying_pair_is_linked_earlier_to_later(example_store: Store, manifest: dict[str, Any]) -> None:
    original, copy = _pair(example_store, manifest)
    links = _pair_links(example_store, original, copy)
    assert links
    assert all((x.a, x.b) == (original.id, copy.id) for x in links)
    assert all(x.direction == Direction.A_TO_B and x.score == 1.0 for x in links)
    clusters = load_reuse_clusters(example_store, sorted({x.cluster for x in links}))
    assert {c.earliest for c in clusters} == {original.id}


def test_other_links_are_whole_quotations_shared_verbatim(
    example_store: Store, manifest: dict[str, Any]
) -> None:
    # The ministry's statement, quoted word for word by the agency and the outlets that relayed it, is
    # shared wording too; nothing else (no footer, no navigation, no wire credit) is.
    original, copy = _pair(example_store, manifest)
    texts = {a.id: a.text for batch in example_store.iter_articles() for a in batch}
    others = [x for x in load_reuse_links(example_store) if {x.a, x.b} != {original.id, copy.id}]
    for link in others:
        assert link.a_span.text == link.b_span.text
        assert len(link.a_span.text.split()) >= 12
        for article, span in ((link.a, link.a_span), (link.b, link.b_span)):
            before, after = (
                texts[article][span.start - 2 : span.start],
                texts[article][span.end : span.end + 3],
            )
            assert any(c in QUOTE_MARKS for c in before) and any(c in QUOTE_MARKS for c in after)


def test_spans_cover_exactly_the_shared_sentences(example_store: Store, manifest: dict[str, Any]) -> None:
    original, copy = _pair(example_store, manifest)
    shared = {s for s in _sentences(original.text) & _sentences(copy.text) if len(s.split()) >= 12}
    assert len(shared) >= 2
    links = _pair_links(example_store, original, copy)
    for link in links:
        assert link.a_span.text == link.b_span.text
        assert original.text[link.a_span.start : link.a_span.end] == link.a_span.text
        assert copy.text[link.b_span.start : link.b_span.end] == link.b_span.text
        # Every sentence inside a span is a shared one: the spans do not spill into the paragraphs around.
        assert _sentences(link.a_span.text) <= shared
    covered = {s for link in links for s in _sentences(link.a_span.text)}
    assert covered == shared
