"""URL fetches against real local servers: DNS rebinding, a dripping server, redirects to other schemes."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from conftest import local_http_server
from counterclaim.errors import FetchError
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.ingest.fetch import PUBLIC_ONLY, AddressGuard, fetch, is_public
from counterclaim.store import Store
from hostile.conftest import FIXTURES, cli, failures

PAGE = (FIXTURES / "page.html").read_bytes()
# 127.0.0.2 stands for "the public address the guard checked"; 127.0.0.1 is the internal one.
CHECKED = "127.0.0.2"
CHECKED_ONLY = AddressGuard(allowed=(ipaddress.ip_network(f"{CHECKED}/32"),))


def _page_handler(name: str, log: list[tuple[str, str, str]], routes: dict[str, str] | None = None) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            log.append((name, self.path, self.headers.get("Host", "")))
            target = (routes or {}).get(self.path)
            if target is not None:
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = PAGE if name == "checked" else b"<html><body><p>internal admin page</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def twin_servers() -> Iterator[tuple[int, list[tuple[str, str, str]], dict[str, str]]]:
    """Two servers on one port: the checked one on 127.0.0.2 and an internal one on 127.0.0.1."""
    log: list[tuple[str, str, str]] = []
    routes: dict[str, str] = {}
    for _ in range(20):
        checked = ThreadingHTTPServer((CHECKED, 0), _page_handler("checked", log, routes))
        port = checked.server_address[1]
        try:
            internal = ThreadingHTTPServer(("127.0.0.1", port), _page_handler("internal", log))
        except OSError:
            checked.server_close()
            continue
        break
    else:
        pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (checked, internal)]
    for thread in threads:
        thread.start()
    try:
        yield port, log, routes
    finally:
        checked.shutdown()
        internal.shutdown()
        checked.server_close()
        internal.server_close()


@pytest.fixture
def rebinding_resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """A resolver for *.rebind.test that answers the checked address first and 127.0.0.1 after."""
    real = socket.getaddrinfo
    asked: dict[str, int] = {}

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".rebind.test"):
            asked[host] = asked.get(host, 0) + 1
            address = CHECKED if asked[host] == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    return asked


def test_rebinding_connects_to_the_checked_address(
    twin_servers: tuple[int, list[tuple[str, str, str]], dict[str, str]], rebinding_resolver: dict[str, int]
) -> None:
    port, log, _ = twin_servers
    # The rebinding is real: a second lookup of the name gives the internal address.
    assert socket.getaddrinfo("probe.rebind.test", port)[0][4][0] == CHECKED
    assert socket.getaddrinfo("probe.rebind.test", port)[0][4][0] == "127.0.0.1"
    fetched = fetch(f"http://www.rebind.test:{port}/page", max_bytes=1_000_000, timeout=5, guard=CHECKED_ONLY)
    assert fetched.body == PAGE
    assert log == [("checked", "/page", f"www.rebind.test:{port}")]  # Host kept; internal page never asked


def test_rebinding_on_a_redirect_hop_is_pinned_too(
    twin_servers: tuple[int, list[tuple[str, str, str]], dict[str, str]], rebinding_resolver: dict[str, int]
) -> None:
    port, log, routes = twin_servers
    routes["/start"] = f"http://hop.rebind.test:{port}/page"
    fetched = fetch(
        f"http://www.rebind.test:{port}/start", max_bytes=1_000_000, timeout=5, guard=CHECKED_ONLY
    )
    assert fetched.body == PAGE and fetched.url == f"http://hop.rebind.test:{port}/page"
    assert [entry[0] for entry in log] == ["checked", "checked"]
    assert rebinding_resolver == {"www.rebind.test": 1, "hop.rebind.test": 1}


@pytest.mark.parametrize(
    "address",
    ["::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b:1::a00:1", "::ffff:10.0.0.1", "2002:7f00:1::", "::a9fe:a9fe"],
)
def test_ipv6_forms_of_private_ipv4_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(FetchError, match="non-public address"):
        fetch(f"http://[{address}]/", max_bytes=1000, timeout=2, guard=PUBLIC_ONLY)


def test_public_ipv6_forms_stay_public() -> None:
    assert is_public(ipaddress.ip_address("64:ff9b::808:808"))  # NAT64 form of 8.8.8.8
    assert is_public(ipaddress.ip_address("2606:4700::1111"))


class _Drip(BaseHTTPRequestHandler):
    """Sends a page one byte every 0.1 s: each read is quick, the whole answer takes seconds."""

    protocol_version = "HTTP/1.1"
    stop: ClassVar[threading.Event] = threading.Event()

    def do_GET(self) -> None:
        body = b"<html><body><p>" + b"word " * 60 + b"</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:
            if _Drip.stop.is_set():
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def drip_server() -> Iterator[str]:
    _Drip.stop.clear()
    with local_http_server(_Drip) as base:
        yield base
        _Drip.stop.set()


def test_timeout_bounds_the_whole_fetch_not_each_read(drip_server: str) -> None:
    # Without a bound on the whole fetch this succeeds after ~35 s: every byte arrives well within 1 s.
    with pytest.raises(FetchError, match="timed out after 1 s"):
        fetch(f"{drip_server}/page", max_bytes=1_000_000, timeout=1, guard=None)


def test_dripping_server_fails_one_input_and_the_run_goes_on(
    drip_server: str, tmp_path: Path, good_text: Path
) -> None:
    result = cli(
        "ingest", f"{drip_server}/page", str(good_text), "--timeout", "1", "--allow-private",
        "--no-analyze", "--db", str(tmp_path / "s.db"),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert len(failures(result)) == 1 and "timed out" in failures(result)[0]
    assert "articles added                    │     1" in result.stdout


class _Redirects(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        targets = {"/file": "file:///etc/passwd", "/gopher": "gopher://127.0.0.1:70/1"}
        self.send_response(302)
        self.send_header("Location", targets.get(self.path, "/"))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.mark.parametrize("route", ["/file", "/gopher"])
def test_redirect_to_another_scheme_is_a_failed_input(sqlite_store: Store, route: str) -> None:
    with local_http_server(_Redirects) as base:
        report = ingest_paths(
            sqlite_store, [f"{base}{route}"], IngestOptions(allow_private=True, analyze=False)
        )
    assert len(report.problems) == 1 and "refused a redirect" in report.problems[0].reason


def test_redirect_to_file_does_not_stop_the_cli_run(tmp_path: Path, good_text: Path) -> None:
    with local_http_server(_Redirects) as base:
        result = cli(
            "ingest", f"{base}/file", f"{base}/gopher", str(good_text), "--allow-private", "--no-analyze",
            "--db", str(tmp_path / "s.db"),
        )  # fmt: skip
    assert result.returncode == 1, result.stderr
    named = failures(result)
    assert len(named) == 2 and all("refused a redirect" in line for line in named)
    assert "articles added                    │     1" in result.stdout
