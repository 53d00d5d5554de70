"""URL ingest against a real local HTTP server, and the guard against private and metadata addresses."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import local_http_server
from counterclaim.errors import FetchError
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.ingest.fetch import PUBLIC_ONLY, AddressGuard, fetch
from counterclaim.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PAGE = (FIXTURES / "page.html").read_bytes()
FEED = (FIXTURES / "feed_rss.xml").read_bytes()
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/page": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
    "/feed": (200, {"Content-Type": "application/rss+xml"}, FEED),
    "/moved": (302, {"Location": "/page"}, b""),
    "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
    "/to-private": (301, {"Location": "http://10.1.2.3/admin"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    "/big": (200, {"Content-Type": "text/html"}, b"<p>" + b"word " * 50_000 + b"</p>"),
}


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.hits.append(self.path)
        status, headers, body = ROUTES.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_http_server(_Handler) as base:
        yield base


LOCAL_ONLY = AddressGuard(allowed=(ipaddress.ip_network("127.0.0.1/32"),))


def test_page_and_feed_by_url_with_allow_private(sqlite_store: Store, server: str) -> None:
    options = IngestOptions(allow_private=True, analyze=False)
    report = ingest_paths(sqlite_store, [f"{server}/page", f"{server}/feed"], options, progress=False)
    assert not report.problems
    assert len(report.added) == 2 and len(report.pending_links) == 1
    page = next(a for a in sqlite_store.articles() if a.extraction.startswith("trafilatura"))
    assert page.title == "Coastal Agency Rejects Claim Of Shared Radar Data"
    assert page.source_path == f"{server}/page"
    again = ingest_paths(sqlite_store, [f"{server}/page"], options, progress=False)
    assert again.skipped_sources == [f"{server}/page"]


def test_redirect_is_followed(server: str) -> None:
    fetched = fetch(f"{server}/moved", max_bytes=1_000_000, timeout=5, guard=LOCAL_ONLY)
    assert fetched.url == f"{server}/page" and fetched.kind == "html" and fetched.body == PAGE


@pytest.mark.parametrize("route", ["/to-metadata", "/to-private"])
def test_each_redirect_target_is_checked(server: str, route: str) -> None:
    with pytest.raises(FetchError, match="non-public address"):
        fetch(f"{server}{route}", max_bytes=1_000_000, timeout=5, guard=LOCAL_ONLY)


def test_redirect_loop_size_cap_and_content_type(server: str) -> None:
    with pytest.raises(FetchError, match="redirects"):
        fetch(f"{server}/loop", max_bytes=1_000_000, timeout=5, guard=None)
    with pytest.raises(FetchError, match="limit"):
        fetch(f"{server}/big", max_bytes=10_000, timeout=5, guard=None)
    with pytest.raises(FetchError, match="content type"):
        fetch(f"{server}/image", max_bytes=1_000_000, timeout=5, guard=None)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(f"{server}/missing", max_bytes=1_000_000, timeout=5, guard=None)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/page",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/",
        "http://[::1]/",
    ],
)
def test_guard_refuses_private_addresses_without_allow_private(sqlite_store: Store, url: str) -> None:
    report = ingest_paths(sqlite_store, [url], IngestOptions(analyze=False), progress=False)
    assert len(report.problems) == 1
    assert "non-public address" in report.problems[0].reason
    assert "--allow-private" in report.problems[0].reason


def test_guard_refuses_before_connecting(server: str) -> None:
    before = len(_Handler.hits)
    with pytest.raises(FetchError):
        fetch(f"{server}/page", max_bytes=1_000_000, timeout=5, guard=PUBLIC_ONLY)
    assert len(_Handler.hits) == before
