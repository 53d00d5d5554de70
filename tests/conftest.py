"""Shared test fixtures: a store on SQLite and on a real throwaway PostgreSQL 15 cluster.

PostgreSQL comes from COUNTERCLAIM_TEST_PG (a server URL) or a cluster this file starts with initdb/pg_ctl.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from counterclaim.embeddings import Embedder
from counterclaim.errors import ModelError
from counterclaim.model import Article
from counterclaim.stages import Models
from counterclaim.store import Store, article_id

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("COUNTERCLAIM_SHARED", REPO.parent / "shared"))
# The fictional outlets of the bundled example corpus: a registry file of its own, as a user would write one.
EXAMPLE_OUTLETS = REPO / "examples" / "outlets.toml"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def require(path: Path, what: str) -> None:
    """Skip a test whose shared data set (or tool) is missing on a developer's machine; in CI (CI=true) fail
    instead, so a floor is never silently not checked."""
    if path.exists():
        return
    message = f"{what} not found at {path}: set COUNTERCLAIM_DATA (or COUNTERCLAIM_SHARED) to the shared data"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def story_articles(path: Path) -> dict[str, Article]:
    """The articles of a story fixture (JSON articles: key, title, outlet, published_at, text), by key."""
    records = json.loads(path.read_text(encoding="utf-8"))["articles"]
    return {
        r["key"]: Article(
            id=article_id(r["text"]),
            text=r["text"],
            title=r["title"],
            outlet=r["outlet"],
            published_at=datetime.fromisoformat(r["published_at"]),
        )
        for r in records
    }


def script_module(name: str, path: Path) -> ModuleType:
    """Import a script that is not part of the package (a benchmark, an example generator) by its path."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before running: dataclasses look their module up while the file executes.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def local_http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on a free loopback port, serving `handler`; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str) -> list[str]:
    # initdb refuses to run as root; the cluster runs as the postgres user in a directory it owns.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


class PostgresCluster:
    """A PostgreSQL server that lives for one test session, in a temporary directory."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="counterclaim-pg-"))
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = self.directory / "data"
        subprocess.run(
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"),
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(self.directory / "log"),
                "-w",
                "start",
            ),
            check=True,
            capture_output=True,
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop"
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server to create test databases on."""
    given = os.environ.get("COUNTERCLAIM_TEST_PG")
    if given:
        yield given
        return
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL binaries not found in {PG_BIN}: CI must run the PostgreSQL tests.")
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN}; set PG_BIN or COUNTERCLAIM_TEST_PG")
    cluster = PostgresCluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _fresh_postgres_database(server_url: str) -> str:
    name = f"cc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'counterclaim.db'}"
    server = request.getfixturevalue("postgres_server")
    return _fresh_postgres_database(server)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A store on SQLite only, for tests of logic that does not depend on the database."""
    opened = Store(f"sqlite:///{tmp_path / 'counterclaim.db'}")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One MiniLM session for every test that embeds; the committed model must load."""
    try:
        return Embedder.load(threads=1)
    except ModelError as error:
        pytest.fail(f"the committed embedding model must load: {error}")


@pytest.fixture(scope="session")
def models() -> Iterator[Models]:
    """The analysis models, loaded once for the whole test session (each on first use) and shared by every
    pipeline a test builds: `Pipeline(store, models=models)`."""
    shared = Models()
    try:
        yield shared
    finally:
        shared.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED


@pytest.fixture(scope="session")
def founding_sample() -> Path:
    """The founding example, read by path (its text never enters the repository)."""
    path = SHARED / "samples" / "000_470af121b093634c.txt"
    require(path, "the founding example")
    return path
