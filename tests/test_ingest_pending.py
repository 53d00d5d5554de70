"""Links feeds list without their text are fetched later by `ingest --pending`, from a real HTTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
import typer
from typer.testing import CliRunner

from conftest import local_http_server
from counterclaim.cli import ingest as ingest_cli
from counterclaim.errors import UsageError
from counterclaim.ingest import IngestOptions, ingest_paths, ingest_pending
from counterclaim.ingest.ledger import load_pending_links
from counterclaim.store import Store

PAGE = (Path(__file__).parent / "fixtures" / "ingest" / "page.html").read_bytes()


def teaser_feed(base: str) -> bytes:
    """An RSS feed whose two entries carry only a title and a link: one page exists, one is missing."""
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        "<pubDate>Tue, 11 Mar 2025 09:00:00 +0000</pubDate></item>"
        for title, path in (("Agency rejects radar claim", "/story"), ("Gone story", "/gone"))
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Ledger</title>'
        f"<link>{base}/</link><description>news</description>{items}</channel></rss>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.hits.append(self.path)
        host, port = self.server.server_address[:2]
        base = f"http://{host!s}:{port}"
        if self.path == "/feed":
            self._send(200, "application/rss+xml", teaser_feed(base))
        elif self.path == "/story":
            self._send(200, "text/html; charset=utf-8", PAGE)
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture()
def server() -> Iterator[str]:
    with local_http_server(_Handler) as base:
        yield base


def test_pending_links_are_fetched_and_failures_stay_pending(sqlite_store: Store, server: str) -> None:
    options = IngestOptions(allow_private=True, analyze=False)
    first = ingest_paths(sqlite_store, [f"{server}/feed"], options, progress=False)
    assert sorted(first.pending_links) == [f"{server}/gone", f"{server}/story"]
    assert first.added == []
    fetched = ingest_pending(sqlite_store, options, progress=False)
    assert len(fetched.added) == 1
    assert [p.path for p in fetched.problems] == [f"{server}/gone"]
    assert [link.url for link in load_pending_links(sqlite_store)] == [f"{server}/gone"]
    (article,) = sqlite_store.articles()
    assert article.source_path == f"{server}/story"
    again = ingest_pending(sqlite_store, options, progress=False)
    assert again.added == [] and [p.path for p in again.problems] == [f"{server}/gone"]


def test_nothing_pending_fetches_nothing(sqlite_store: Store) -> None:
    before = len(_Handler.hits)
    report = ingest_pending(sqlite_store, IngestOptions(allow_private=True, analyze=False), progress=False)
    assert report.added == [] and report.problems == []
    assert len(_Handler.hits) == before


def test_cli_pending_flag_and_usage(tmp_path: Path, server: str) -> None:
    db = f"sqlite:///{tmp_path / 'cc.db'}"
    app = typer.Typer()
    ingest_cli.register(app)
    app.command("noop")(lambda: None)  # two commands, so the command name is part of the call
    runner = CliRunner()
    base = ["--db", db, "--allow-private", "--no-analyze", "--json"]
    feed = runner.invoke(app, ["ingest", f"{server}/feed", *base])
    assert feed.exit_code == 0, feed.output
    fetched = runner.invoke(app, ["ingest", "--pending", *base])
    assert fetched.exit_code == 1  # the missing page is reported, the other stored
    record = json.loads(fetched.stdout)
    assert len(record["added"]) == 1
    assert record["problems"][0]["path"] == f"{server}/gone"
    usage = runner.invoke(app, ["ingest", "--db", db])
    assert isinstance(usage.exception, UsageError)
    assert "--pending" in str(usage.exception)
