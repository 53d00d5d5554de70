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
from counterclaim.model import Article, Direction
from counterclaim.stages.reuse import link_reuse
from counterclaim.store import Store
from counterclaim.store.reuse import load_reuse_clusters, load_reuse_links

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
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


def test_only_the_copying_pair_is_linked_earlier_to_later(
    example_store: Store, manifest: dict[str, Any]
) -> None:
    original, copy = _pair(example_store, manifest)
    links = load_reuse_links(example_store)
    assert links
    assert {(x.a, x.b) for x in links} == {(original.id, copy.id)}
    assert all(x.direction == Direction.A_TO_B and x.score == 1.0 for x in links)
    assert {c.earliest for c in load_reuse_clusters(example_store)} == {original.id}


def test_spans_cover_exactly_the_shared_sentences(example_store: Store, manifest: dict[str, Any]) -> None:
    original, copy = _pair(example_store, manifest)
    shared = {s for s in _sentences(original.text) & _sentences(copy.text) if len(s.split()) >= 12}
    assert len(shared) >= 2
    links = load_reuse_links(example_store)
    for link in links:
        assert link.a_span.text == link.b_span.text
        assert original.text[link.a_span.start : link.a_span.end] == link.a_span.text
        assert copy.text[link.b_span.start : link.b_span.end] == link.b_span.text
        # Every sentence inside a span is a shared one: the spans do not spill into the paragraphs around.
        assert _sentences(link.a_span.text) <= shared
    covered = {s for link in links for s in _sentences(link.a_span.text)}
    assert covered == shared
