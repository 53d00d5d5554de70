"""Ingest of every format into a real store: HTML, text, feeds, JSONL, WARC, directories, globs, outlets."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import sqlalchemy as sa
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.store import Store, article_id
from counterclaim.store.tables import ingested_sources, pending_links

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
QUIET = IngestOptions(analyze=False)


def inputs_dir(tmp_path: Path) -> Path:
    """A directory of inputs apart from the SQLite store, which lives in tmp_path."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    return inputs


def write_warc(
    path: Path, pages: list[tuple[str, bytes]], content_type: str = "text/html; charset=utf-8"
) -> None:
    """A gzipped WARC with one response record per (url, html) pair, plus a non-HTML record."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, html in [*pages, ("https://example.org/logo.png", b"\x89PNG....")]:
            kind = content_type if url.endswith(".png") is False else "image/png"
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(html), http_headers=headers
            )
            writer.write_record(record)


def test_every_format_into_the_store(store: Store, tmp_path: Path) -> None:
    tmp_path = inputs_dir(tmp_path)
    for name in ("page.html", "plain_article.txt", "prescraped_report.txt", "articles.jsonl", "feed_rss.xml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    report = ingest_paths(store, [str(tmp_path)], QUIET, progress=False)

    # page 1, plain 1, pre-scraped 1, JSONL 3 good lines, RSS 1 full entry
    assert len(report.added) == 7
    assert [problem.reason.split(":")[0] for problem in report.problems] == ["line 3"]
    assert report.pending_links == ["https://harbourledger.example/news/storm-closes-port"]

    page = next(a for a in store.articles() if a.extraction.startswith("trafilatura"))
    assert page.title == "Coastal Agency Rejects Claim Of Shared Radar Data"
    assert page.url == "https://harbourledger.example/news/2021/05/coastal-agency-rejects-claim"
    assert page.site_name == "The Harbour Ledger"
    assert page.authors == ("Mira Okafor",)
    assert page.published_at is not None and page.published_at.date().isoformat() == "2021-05-14"
    assert page.language == "en"
    assert page.outlet == "harbourledger.example"
    assert "Most read" not in page.text and "All rights reserved" not in page.text
    assert page.text.startswith("The Coastal Agency on Friday rejected")

    jsonl = {a.source_id: a for a in store.articles() if a.extraction == "jsonl"}
    assert set(jsonl) == {"kd-0001", "kd-0002", "nt-0001"}
    assert jsonl["kd-0002"].published_at is not None and jsonl["kd-0002"].published_at.hour == 8
    outlets = {outlet.key: outlet for outlet in store.outlets()}
    assert jsonl["kd-0001"].outlet in outlets
    assert outlets["harbourledger.example"].domains == ("harbourledger.example",)

    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(pending_links)).scalar_one() == 1
        # the JSONL file had a bad line, so it is not marked done; the four others are
        assert conn.execute(sa.select(sa.func.count()).select_from(ingested_sources)).scalar_one() == 4


def test_text_given_as_plain_text_is_stored_exactly(sqlite_store: Store, tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    shutil.copy(FIXTURES / "plain_article.txt", source)
    jsonl = FIXTURES / "articles.jsonl"
    ingest_paths(sqlite_store, [str(source), str(jsonl)], QUIET, progress=False)
    stored = {article.id: article for article in sqlite_store.articles()}
    original = source.read_text(encoding="utf-8")
    assert stored[article_id(original)].text == original
    first_line_text = jsonl.read_text(encoding="utf-8").splitlines()[0]
    assert any(article.text in first_line_text.replace("\\n", "\n") for article in stored.values())
    kd1 = next(article for article in stored.values() if article.source_id == "kd-0001")
    start = kd1.text.index("coordinated every movement")
    assert kd1.text[start : start + 26] == "coordinated every movement"


def test_atom_feed_and_reuse_corpus_jsonl(sqlite_store: Store, tmp_path: Path) -> None:
    corpus = tmp_path / "reuse.jsonl"
    corpus.write_text(
        '{"id": "r1", "outlet": "tass", "date": "2017-01-23", "text": "Ministry: strikes were joint."}\n'
        '{"id": "r2", "outlet": "rt", "date": "2017-01-23", "text": "Strikes joint, ministry says."}\n',
        encoding="utf-8",
    )
    report = ingest_paths(sqlite_store, [str(FIXTURES / "feed_atom.xml"), str(corpus)], QUIET, progress=False)
    assert len(report.added) == 3 and not report.problems
    atom = next(a for a in sqlite_store.articles() if a.extraction.startswith("feed-content"))
    assert atom.authors == ("Tomas Brandt",)
    assert atom.url == "https://kessinpost.example/2021/03/conflicting-accounts"
    assert atom.text.count("\n\n") == 2
    assert {a.source_id for a in sqlite_store.articles()} >= {"r1", "r2"}


def test_warc_html_responses_become_articles(sqlite_store: Store, tmp_path: Path) -> None:
    html = (FIXTURES / "page.html").read_bytes()
    other = html.replace(b"radar data", b"sonar logs").replace(b"Friday", b"Saturday")
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [("https://harbourledger.example/a", html), ("https://harbourledger.example/b", other)])
    report = ingest_paths(sqlite_store, [str(warc)], QUIET, progress=False)
    assert len(report.added) == 2 and not report.problems
    articles = sqlite_store.articles()
    assert {a.url for a in articles} == {"https://harbourledger.example/a", "https://harbourledger.example/b"}
    assert all(a.source_id and a.source_id.startswith("<urn:uuid:") for a in articles)


def test_same_article_from_another_format_is_a_duplicate(sqlite_store: Store, tmp_path: Path) -> None:
    text = (FIXTURES / "plain_article.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "x", "text": text.upper()}) + "\n", encoding="utf-8")
    first = ingest_paths(sqlite_store, [str(tmp_path / "a.txt")], QUIET, progress=False)
    second = ingest_paths(sqlite_store, [str(tmp_path / "b.jsonl")], QUIET, progress=False)
    assert len(first.added) == 1
    assert second.added == [] and second.duplicates == first.added
    assert sqlite_store.count_articles() == 1


def test_second_run_skips_sources_whole(sqlite_store: Store, tmp_path: Path) -> None:
    tmp_path = inputs_dir(tmp_path)
    for name in ("page.html", "plain_article.txt", "feed_atom.xml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    first = ingest_paths(sqlite_store, [str(tmp_path)], QUIET, progress=False)
    second = ingest_paths(sqlite_store, [str(tmp_path)], QUIET, progress=False)
    assert len(first.added) == 3
    assert second.added == [] and second.duplicates == []
    assert sorted(second.skipped_sources) == sorted(
        str(tmp_path / name) for name in ("page.html", "plain_article.txt", "feed_atom.xml")
    )


def test_globs_and_recursive_directories(sqlite_store: Store, tmp_path: Path) -> None:
    tmp_path = inputs_dir(tmp_path)
    (tmp_path / "deep" / "er").mkdir(parents=True)
    shutil.copy(FIXTURES / "plain_article.txt", tmp_path / "top.txt")
    shutil.copy(FIXTURES / "page.html", tmp_path / "deep" / "er" / "page.html")
    (tmp_path / ".hidden.txt").write_text("not an article anyone asked for, hidden", encoding="utf-8")
    flat = ingest_paths(sqlite_store, [str(tmp_path)], QUIET, progress=False)
    assert len(flat.added) == 1
    deep = ingest_paths(
        sqlite_store, [str(tmp_path)], IngestOptions(recursive=True, analyze=False), progress=False
    )
    assert len(deep.added) == 1 and deep.skipped_sources == [str(tmp_path / "top.txt")]
    globbed = ingest_paths(
        sqlite_store,
        [str(tmp_path / "**" / "*.html")],
        IngestOptions(recursive=True, analyze=False),
        progress=False,
    )
    assert globbed.skipped_sources == [str(tmp_path / "deep" / "er" / "page.html")]


def test_outlet_option_and_registry_match(sqlite_store: Store, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    shutil.copy(FIXTURES / "page.html", page)
    forced = ingest_paths(
        sqlite_store,
        [str(page)],
        IngestOptions(outlet="Harbour Ledger Weekly", analyze=False),
        progress=False,
    )
    assert sqlite_store.get_article(forced.added[0]).outlet == "harbour-ledger-weekly"
    assert any("not in the registry" in warning for warning in forced.warnings)
    registry_page = tmp_path / "tass.html"
    registry_page.write_text(
        (FIXTURES / "page.html")
        .read_text(encoding="utf-8")
        .replace("https://harbourledger.example/news/2021/05/", "https://tass.com/world/")
        .replace("radar data", "flight data"),
        encoding="utf-8",
    )
    matched = ingest_paths(sqlite_store, [str(registry_page)], QUIET, progress=False)
    assert sqlite_store.get_article(matched.added[0]).outlet == "tass"
    assert "tass" in {outlet.key for outlet in sqlite_store.outlets()}
