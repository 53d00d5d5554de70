"""Tests of the bundled example corpus (examples/): every file parses, every outlet resolves, the story holds.

Reads the files with standard parsers (html.parser, feedparser, json, warcio), not counterclaim's ingest code.
"""

from __future__ import annotations

import gzip
import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path
from typing import Any

import feedparser
import pytest
import trafilatura
from warcio.archiveiterator import ArchiveIterator

from conftest import EXAMPLE_OUTLETS, require, script_module
from counterclaim.outlets import OutletRegistry, load_registry

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CORPUS = EXAMPLES / "corpus"
FOUNDING_EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "000_470af121b093634c.txt"
JSONL_FIELDS = {"id", "url", "outlet", "title", "authors", "published_at", "language", "text"}
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘'(A-Z0-9])")


@dataclass(frozen=True)
class Item:
    """One article of the corpus as the test reads it, beside its manifest entry."""

    file: str
    entry: str | None
    title: str
    url: str | None
    published_at: datetime | None
    site_name: str | None
    body: str


class PageReader(HTMLParser):
    """Collects the title, meta tags, canonical link and the paragraphs inside the article body of a page."""

    BODY_CLASSES = ("story-body", "press-release", "press-list")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.title = ""
        self.paragraphs: list[str] = []
        self._stack: list[tuple[str, bool]] = []
        self._in_title = False
        self._text: list[str] | None = None

    @property
    def in_body(self) -> bool:
        return any(is_body for _, is_body in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and "content" in values:
            name = values.get("property") or values.get("name")
            if name:
                self.meta[name] = values["content"]
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href")
        elif tag == "title":
            self._in_title = True
        elif tag in {"p", "li"} and self.in_body:
            self._text = []
        if tag not in {"meta", "link", "br", "img"}:
            is_body = tag == "article" or any(c in values.get("class", "").split() for c in self.BODY_CLASSES)
            self._stack.append((tag, is_body))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in {"p", "li"} and self._text is not None:
            self.paragraphs.append(" ".join("".join(self._text).split()))
            self._text = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._text is not None:
            self._text.append(data)


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def page_item(file: str, html: str, entry: str | None = None) -> Item:
    page = read_page(html)
    published = page.meta.get("article:published_time")
    return Item(
        file=file,
        entry=entry,
        title=page.title.strip(),
        url=page.canonical or entry,
        published_at=datetime.fromisoformat(published) if published else None,
        site_name=page.meta.get("og:site_name"),
        body="\n".join(page.paragraphs),
    )


def read_html_files() -> Iterator[Item]:
    for path in sorted((CORPUS / "html").glob("*.html")):
        yield page_item(rel(path), path.read_text(encoding="utf-8"))


def read_feed() -> tuple[Any, list[Item]]:
    path = CORPUS / "feeds" / "valnews-rss.xml"
    feed = feedparser.parse(path.read_bytes())
    items = [
        Item(
            file=rel(path),
            entry=entry.id,
            title=entry.title,
            url=entry.link,
            published_at=parsedate_to_datetime(entry.published),
            site_name=feed.feed.title,
            body="\n".join(read_fragment(entry.content[0].value)),
        )
        for entry in feed.entries
        if "content" in entry
    ]
    return feed, items


def read_fragment(html: str) -> list[str]:
    return read_page(f"<article>{html}</article>").paragraphs


def read_jsonl() -> list[dict[str, Any]]:
    path = CORPUS / "jsonl" / "continental-press-wire-2025-03.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def jsonl_items() -> list[Item]:
    return [
        Item(
            file="corpus/jsonl/continental-press-wire-2025-03.jsonl",
            entry=record["id"],
            title=record["title"],
            url=record["url"],
            published_at=datetime.fromisoformat(record["published_at"]),
            site_name=record["outlet"],
            body=record["text"],
        )
        for record in read_jsonl()
    ]


def warc_path() -> Path:
    return CORPUS / "warc" / "mod-valdoria-crawl-2025-03-13.warc.gz"


def warc_records() -> list[tuple[str, str | None, str | None, bytes]]:
    """(type, target URI, content type, payload) of every record."""
    with warc_path().open("rb") as stream:
        return [
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
                record.http_headers.get_header("Content-Type") if record.http_headers else None,
                record.content_stream().read(),
            )
            for record in ArchiveIterator(stream)
        ]


def warc_items() -> list[Item]:
    return [
        page_item(rel(warc_path()), payload.decode("utf-8"), entry=uri)
        for kind, uri, content_type, payload in warc_records()
        if kind == "response" and content_type and content_type.startswith("text/html")
    ]


def text_items() -> list[Item]:
    return [
        Item(rel(path), None, "", None, None, None, path.read_text(encoding="utf-8"))
        for path in sorted((CORPUS / "text").glob("*.txt"))
    ]


def all_items() -> list[Item]:
    return [*read_html_files(), *read_feed()[1], *jsonl_items(), *warc_items(), *text_items()]


def rel(path: Path) -> str:
    return path.relative_to(EXAMPLES).as_posix()


def sentences(text: str) -> list[str]:
    return [s.strip() for paragraph in text.splitlines() for s in SENTENCE_END.split(paragraph) if s.strip()]


def words(text: str) -> int:
    return len(text.split())


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return tomllib.loads((EXAMPLES / "manifest.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def articles(manifest: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(a["file"], a.get("entry")): a for a in manifest["article"]}


@pytest.fixture(scope="module")
def items() -> dict[tuple[str, str | None], Item]:
    return {(item.file, item.entry): item for item in all_items()}


@pytest.fixture(scope="module")
def registry() -> OutletRegistry:
    return load_registry(EXAMPLE_OUTLETS)


# --- every file parses and agrees with the manifest -----------------------------------------------


def test_corpus_has_at_least_twelve_articles_in_five_formats(manifest: dict[str, Any]) -> None:
    files = {a["file"] for a in manifest["article"]}
    assert len(manifest["article"]) >= 12
    assert {Path(f).parts[1] for f in files} == {"html", "text", "feeds", "jsonl", "warc"}


def test_manifest_lists_every_corpus_file_and_every_article(
    manifest: dict[str, Any], items: dict[tuple[str, str | None], Item]
) -> None:
    on_disk = {rel(p) for p in CORPUS.rglob("*") if p.is_file()}
    listed = {a["file"] for a in manifest["article"]} | {a["file"] for a in manifest["not_article"]}
    assert on_disk == listed
    assert set(items) == {(a["file"], a.get("entry")) for a in manifest["article"]}


@pytest.mark.parametrize("path", sorted((CORPUS / "html").glob("*.html")), ids=lambda p: p.name)
def test_html_page_has_title_date_site_name_and_canonical_url(
    path: Path, articles: dict[tuple[str, str | None], dict[str, Any]], registry: OutletRegistry
) -> None:
    page = read_page(path.read_text(encoding="utf-8"))
    article = articles[(rel(path), None)]
    assert page.title.strip()
    assert page.meta["og:title"]
    assert page.meta["author"]
    published = datetime.fromisoformat(page.meta["article:published_time"])
    assert published.tzinfo is not None
    assert published == article["published_at"]
    assert page.canonical == article["url"]
    by_name = registry.match(site_name=page.meta["og:site_name"])
    assert by_name is not None
    assert by_name.key == article["outlet"]
    assert len(page.paragraphs) >= 4


@pytest.mark.parametrize("path", sorted((CORPUS / "html").glob("*.html")), ids=lambda p: p.name)
def test_trafilatura_finds_metadata_and_leaves_out_navigation(
    path: Path, articles: dict[tuple[str, str | None], dict[str, Any]]
) -> None:
    html = path.read_text(encoding="utf-8")
    article = articles[(rel(path), None)]
    metadata = trafilatura.extract_metadata(html)
    assert metadata.title
    assert metadata.date == article["published_at"].date().isoformat()
    assert metadata.sitename
    text = trafilatura.extract(html) or ""
    first = read_page(html).paragraphs[1]
    assert first[:60] in text
    assert "All rights reserved" not in text
    assert "Privacy" not in text


def test_feed_parses_with_full_content_entries_and_one_link_only_entry(
    articles: dict[tuple[str, str | None], dict[str, Any]], registry: OutletRegistry
) -> None:
    feed, items = read_feed()
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    link_only = [entry for entry in feed.entries if "content" not in entry]
    assert len(link_only) == 1
    assert "summary" not in link_only[0]
    assert link_only[0].link.startswith("https://valnews.example/")
    assert len(items) == 3
    for item in items:
        article = articles[(item.file, item.entry)]
        assert item.published_at == article["published_at"]
        assert item.url == article["url"]
        assert len(item.body.split()) > 60


def test_jsonl_records_have_the_documented_fields(
    articles: dict[tuple[str, str | None], dict[str, Any]], registry: OutletRegistry
) -> None:
    records = read_jsonl()
    assert len(records) >= 2
    assert len({r["id"] for r in records}) == len(records)
    for record in records:
        assert set(record) == JSONL_FIELDS
        assert isinstance(record["authors"], list)
        assert record["language"] == "en"
        published = datetime.fromisoformat(record["published_at"])
        assert published.tzinfo is not None
        article = articles[("corpus/jsonl/continental-press-wire-2025-03.jsonl", record["id"])]
        assert published == article["published_at"]
        outlet = registry.match(site_name=record["outlet"])
        assert outlet is not None
        assert outlet.key == article["outlet"]


def test_warc_records_read_back_with_unique_fixed_ids(manifest: dict[str, Any]) -> None:
    with warc_path().open("rb") as stream:
        ids = [record.rec_headers.get_header("WARC-Record-ID") for record in ArchiveIterator(stream)]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("<urn:uuid:00000000-0000-4000-8000-") for i in ids)
    records = warc_records()
    assert records[0][0] == "warcinfo"
    skipped = {a["entry"] for a in manifest["not_article"] if a["file"].endswith(".warc.gz")}
    non_html = {uri for kind, uri, ctype, _ in records if kind == "response" and "html" not in (ctype or "")}
    assert non_html == skipped
    assert all(item.title for item in warc_items())


def test_make_warc_is_deterministic(tmp_path: Path) -> None:
    make_warc = script_module("make_warc", EXAMPLES / "make_warc.py")
    out = tmp_path / "again.warc.gz"
    make_warc.write_crawl(out)
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(warc_path().read_bytes())
    assert out.read_bytes() == warc_path().read_bytes()


def test_every_article_resolves_to_a_fictional_outlet_by_url_and_key(
    manifest: dict[str, Any], items: dict[tuple[str, str | None], Item], registry: OutletRegistry
) -> None:
    for article in manifest["article"]:
        outlet = registry.match(url=article["url"])
        assert outlet is not None, article["url"]
        assert outlet.key == article["outlet"]
        assert registry.is_fictional(outlet.key)
        item = items[(article["file"], article.get("entry"))]
        if item.url is not None:
            assert item.url == article["url"]


def test_all_dates_fall_within_four_days(manifest: dict[str, Any]) -> None:
    dates = [a["published_at"] for a in manifest["article"]]
    assert all(d.tzinfo is not None for d in dates)
    assert max(dates) - min(dates) <= timedelta(days=4)
    assert min(dates) >= datetime(2025, 3, 9, tzinfo=UTC)


# --- the story ------------------------------------------------------------------------------------


def test_the_copying_pair_shares_whole_sentences_and_the_direction_is_dated(
    manifest: dict[str, Any], items: dict[tuple[str, str | None], Item]
) -> None:
    (copy,) = [a for a in manifest["article"] if "copies" in a]
    original = next(a for a in manifest["article"] if a["file"] == copy["copies"])
    shared = set(sentences(items[(copy["file"], None)].body)) & set(
        sentences(items[(original["file"], None)].body)
    )
    long_shared = [s for s in shared if words(s) >= 15]
    assert len(long_shared) >= 2
    assert sum(words(s) for s in long_shared) >= 40
    assert original["outlet"] != copy["outlet"]
    assert original["published_at"] < copy["published_at"]


def test_no_other_pair_of_outlets_shares_two_sentences(
    manifest: dict[str, Any], items: dict[tuple[str, str | None], Item]
) -> None:
    outlet_of = {(a["file"], a.get("entry")): a["outlet"] for a in manifest["article"]}
    sharing = set()
    for a, b in combinations(items.values(), 2):
        if outlet_of[(a.file, a.entry)] == outlet_of[(b.file, b.entry)]:
            continue
        common = {s for s in set(sentences(a.body)) & set(sentences(b.body)) if words(s) >= 10}
        if len(common) >= 2:
            sharing.add(frozenset({outlet_of[(a.file, a.entry)], outlet_of[(b.file, b.entry)]}))
    assert sharing == {frozenset({"orsenna-telegraph", "valdoria-today"})}


def test_each_outlet_repeats_its_own_boilerplate(manifest: dict[str, Any]) -> None:
    by_outlet: dict[str, list[str]] = {}
    for article in manifest["article"]:
        by_outlet.setdefault(article["outlet"], []).append(article["file"])
    for outlet, files in by_outlet.items():
        assert len(files) >= 2, f"{outlet} needs two articles so its boilerplate repeats"


def test_the_ministry_site_never_carries_the_claim(items: dict[tuple[str, str | None], Item]) -> None:
    channel = [item for item in items.values() if item.url and "mod.valdoria.example" in item.url]
    assert len(channel) == 3
    for item in channel:
        assert "Dunmarrow" not in item.body
        assert "coordinates" not in item.body
        assert "coalition" not in item.body


def test_relays_and_denials_carry_the_claim(
    manifest: dict[str, Any], items: dict[tuple[str, str | None], Item]
) -> None:
    for article in manifest["article"]:
        body = items[(article["file"], article.get("entry"))].body
        if article["role"] in {"relay", "denial", "neutral", "reassertion"}:
            assert "Dunmarrow" in body or "coordinates" in body
        if article["role"] == "unrelated":
            assert "coordinates" not in body
            assert "joint" not in body


def test_the_independent_report_has_every_pattern_of_the_founding_example() -> None:
    text = (CORPUS / "text" / "meridian-report-2025-03-11-karsland-denies-joint-strikes.txt").read_text(
        "utf-8"
    )
    for pattern in [
        r"the state-run Valnews agency quoted the Defence Ministry as saying",
        r"did not post the statement on its website",
        r"told Meridian Report in an e-mailed statement",
        r"deferred questions to the Defence Department",
        r"\breportedly\b",
        r"^He added",
        r"16x9 Image",
        r"undesirable organization",
    ]:
        assert re.search(pattern, text, flags=re.MULTILINE), pattern


def test_examples_are_not_copied_from_the_founding_example(items: dict[tuple[str, str | None], Item]) -> None:
    require(FOUNDING_EXAMPLE, "the founding example")
    founding = FOUNDING_EXAMPLE.read_text(encoding="utf-8").split()
    size = 10
    shingles = {tuple(founding[i : i + size]) for i in range(len(founding) - size + 1)}
    for item in items.values():
        tokens = item.body.split()
        copied = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
        assert not [s for s in copied if tuple(s.split()) in shingles], item.file
