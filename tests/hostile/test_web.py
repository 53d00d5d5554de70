"""The web server against hostile requests: uploads refused before their body is read, huge offsets,
CSP directives, verdict links; on a real uvicorn server over a real socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from counterclaim.dossier import load_dossier
from counterclaim.errors import UsageError
from counterclaim.export.html_report import html_report
from counterclaim.model import IngestReport, Verdict
from counterclaim.store import Store
from counterclaim.store.provenance import save_verdict
from counterclaim.web import create_app
from counterclaim.web.app import MAX_REQUEST_BYTES, store_plain_text
from test_dossier_example import example_records, store_example

TOKEN = "hostile-suite-token-0123456789"


def _serve(app: object) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class _CountingIngest:
    """The upload's ingest, recording whether any request got as far as ingesting."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, store: Store, paths: list[Path]) -> IngestReport:
        self.calls += 1
        return store_plain_text(store, paths)


@pytest.fixture
def servers(sqlite_store: Store) -> Iterator[tuple[int, int, _CountingIngest]]:
    """A server with a token and a read-only one, both over the same store."""
    ingest = _CountingIngest()
    writable = _serve(create_app(sqlite_store, token=TOKEN, ingest=ingest))
    read_only = _serve(create_app(sqlite_store, ingest=ingest))
    yield next(writable), next(read_only), ingest
    for server in (writable, read_only):
        next(server, None)


def _post_headers_only(port: int, headers: dict[str, str]) -> bytes:
    """Send an upload's headers and 64 KiB of a 1 GB body, then read what the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        lines = ["POST /api/ingest HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        conn.sendall(b"x" * 65536)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


BIG = {"Content-Type": "multipart/form-data; boundary=b", "Content-Length": str(10**9)}


def test_upload_is_refused_before_its_body_is_read(servers: tuple[int, int, _CountingIngest]) -> None:
    writable, read_only, ingest = servers
    # Only 64 KiB of the announced 1 GB is ever sent: an answer at all means the body was not awaited.
    assert _post_headers_only(writable, BIG).startswith(b"HTTP/1.1 401")
    assert _post_headers_only(writable, {**BIG, "Authorization": "Bearer wrong"}).startswith(b"HTTP/1.1 401")
    assert _post_headers_only(read_only, {**BIG, "Authorization": f"Bearer {TOKEN}"}).startswith(
        b"HTTP/1.1 403"
    )
    too_big = _post_headers_only(writable, {**BIG, "Authorization": f"Bearer {TOKEN}"})
    assert too_big.startswith(b"HTTP/1.1 413")
    assert ingest.calls == 0


def test_chunked_upload_over_the_cap_is_cut_off(servers: tuple[int, int, _CountingIngest]) -> None:
    writable, _, ingest = servers
    headers = {
        "Content-Type": "multipart/form-data; boundary=b",
        "Transfer-Encoding": "chunked",
        "Authorization": f"Bearer {TOKEN}",
    }
    with socket.create_connection(("127.0.0.1", writable), timeout=30) as conn:
        head = ["POST /api/ingest HTTP/1.1", f"Host: 127.0.0.1:{writable}"]
        head += [f"{key}: {value}" for key, value in headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        part = b'--b\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n'
        conn.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        chunk = b"a" * (1 << 20)
        sent = 0
        try:
            while sent <= MAX_REQUEST_BYTES + (4 << 20):
                conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed while we were still sending
        answer = conn.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert ingest.calls == 0


def test_upload_reports_skipped_sources_and_problems(sqlite_store: Store, tmp_path: Path) -> None:
    from counterclaim.ingest import IngestOptions, ingest_paths

    def real_ingest(store: Store, paths: list[Path]) -> IngestReport:
        return ingest_paths(store, [str(p) for p in paths], IngestOptions(analyze=False), progress=False)

    body = b"Ministry denies report\n\nThe ministry said on Monday that no data had been passed to anyone."
    with TestClient(create_app(sqlite_store, token=TOKEN, ingest=real_ingest)) as client:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        first = client.post("/api/ingest", files={"files": ("a.txt", body)}, headers=auth).json()
        again = client.post("/api/ingest", files={"files": ("a.txt", body)}, headers=auth).json()
        empty = client.post("/api/ingest", data={"other": "x"}, headers=auth)
    assert len(first["added"]) == 1 and first["skipped_sources"] == []
    assert again["added"] == [] and len(again["skipped_sources"]) == 1
    assert empty.status_code == 400 and "files" in empty.json()["error"]["message"]


def test_huge_offsets_answer_422_and_csp_has_every_directive(sqlite_store: Store) -> None:
    with TestClient(create_app(sqlite_store)) as client:
        for path in ("/api/claims", "/api/articles", "/api/accounts?claim_id=x&", "/"):
            joiner = "" if path.endswith("&") else "?"
            answer = client.get(f"{path}{joiner}offset={2**63}")
            assert answer.status_code == 422, path
        csp = client.get("/api/claims").headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp and "form-action 'self'" in csp and "frame-ancestors 'none'" in csp


def _claim(store: Store) -> str:
    records = example_records()
    store_example(store, records)
    return records.claim.id


def test_verdict_url_must_be_http(sqlite_store: Store) -> None:
    claim_id = _claim(sqlite_store)
    for url in (
        "javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "file:///etc/passwd",
        " http://x.org",
    ):
        with pytest.raises(UsageError, match="not an http"), sqlite_store.begin() as conn:
            save_verdict(conn, Verdict(claim_id, "False", "Desk", datetime.now(UTC), url))
    with sqlite_store.begin() as conn:
        save_verdict(
            conn, Verdict(claim_id, "False", "Desk", datetime.now(UTC), "https://desk.example/review")
        )


def test_exported_report_has_a_csp_and_no_script_link(sqlite_store: Store) -> None:
    claim_id = _claim(sqlite_store)
    from counterclaim.store.tables import verdicts

    # A row written before the check existed still never becomes a live link.
    with sqlite_store.begin() as conn:
        conn.execute(
            verdicts.insert().values(
                claim_id=claim_id, rating="False", reviewer="Desk", reviewed_at=datetime.now(UTC),
                url="javascript:alert(1)", notes=None,
            )
        )  # fmt: skip
    report = html_report(load_dossier(sqlite_store, claim_id))
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;' in report
    assert "Verdict by Desk" in report and "javascript:" not in report


def test_verdict_cli_refuses_a_script_url(tmp_path: Path) -> None:
    from hostile.conftest import cli

    db = tmp_path / "s.db"
    store = Store(str(db))
    claim_id = _claim(store)
    store.close()
    verdict = ["verdict", claim_id, "--rating", "False", "--reviewer", "Desk", "--db", str(db)]
    result = cli(*verdict, "--url", "javascript:alert(1)")
    assert result.returncode == 2 and "not an http(s) link" in " ".join(result.stderr.split())
