"""Every engine stores the same rows: a pool of 2 and a real two-node Ray cluster equal the local engine.

The cluster runs on loopback only, in its own network namespace (bench/ray_cluster.sh), as a user would run
`counterclaim analyze --engine ray --address HOST:PORT` against theirs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import EXAMPLE_OUTLETS, REPO
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.pipeline import Pipeline
from counterclaim.stages import Models
from counterclaim.store import Store, tables

CORPUS = [str(REPO / "examples" / "corpus" / kind) for kind in ("html", "feeds", "jsonl", "warc")]
CLUSTER = REPO / "bench" / "ray_cluster.sh"
# What the analysis writes; ids are content hashes, so equal rows mean equal findings.
COMPARED = (
    "attributions",
    "claims",
    "claim_statements",
    "accounts",
    "stories",
    "article_stories",
    "reuse_links",
    "reuse_clusters",
    "provenance_checks",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "counterclaim"), *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "HF_HUB_OFFLINE": "1"}


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The counterclaim command with these arguments, its output captured (it must fail fast)."""
    return subprocess.run(_cli(*args), capture_output=True, text=True, env=_env(), timeout=120, check=False)


def rows(path: Path) -> dict[str, list[str]]:
    """Every row the analysis wrote, table by table, as sorted text."""
    store = Store(str(path))
    try:
        with store.engine.connect() as conn:
            return {
                name: sorted(_row_text(row) for row in conn.execute(sa.select(getattr(tables, name))))
                for name in COMPARED
            }
    finally:
        store.close()


def _row_text(row: sa.Row[tuple[object, ...]]) -> str:
    # JSON objects compare by content: a term-count object's key order is set-iteration order, which
    # differs between processes (string hashing) without changing what is stored.
    return json.dumps(
        [json.dumps(value, sort_keys=True) if isinstance(value, dict) else repr(value) for value in row]
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus stored, not analysed: each engine analyses a copy of this file."""
    path = tmp_path_factory.mktemp("engines") / "ingested.db"
    store = Store(str(path))
    options = IngestOptions(recursive=True, outlets_file=EXAMPLE_OUTLETS, analyze=False)
    ingest_paths(store, CORPUS, options, progress=False)
    text = str(REPO / "examples" / "corpus" / "text")
    ingest_paths(store, [text], IngestOptions(outlet="meridian-report", analyze=False), progress=False)
    store.close()
    return path


def _copy(source: Path, name: str) -> Path:
    target = source.with_name(name)
    shutil.copyfile(source, target)
    return target


@pytest.fixture(scope="module")
def local_rows(ingested: Path, models: Models) -> dict[str, list[str]]:
    path = _copy(ingested, "local.db")
    store = Store(str(path))
    with Pipeline(store, models=models) as pipeline:
        report = pipeline.analyze(progress=False)
    store.close()
    assert report.engine == {"name": "local", "workers": 1, "nodes": 1}
    found = rows(path)
    assert all(found[name] for name in ("attributions", "claims", "accounts", "reuse_links")), {
        name: len(found[name]) for name in found
    }
    return found


@pytest.mark.slow
def test_the_pool_of_two_stores_what_the_local_engine_stores(
    ingested: Path, local_rows: dict[str, list[str]]
) -> None:
    path = _copy(ingested, "pool.db")
    store = Store(str(path))
    with Pipeline(store, engine="pool", workers=2) as pipeline:
        report = pipeline.analyze(progress=False)
    store.close()
    assert report.engine == {"name": "pool", "workers": 2, "nodes": 1}
    assert rows(path) == local_rows


def _namespaces_work() -> bool:
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.slow
def test_a_two_node_ray_cluster_stores_what_the_local_engine_stores(
    ingested: Path, local_rows: dict[str, list[str]]
) -> None:
    if importlib.util.find_spec("ray") is None and os.environ.get("CI") == "true":
        pytest.fail("CI must run the Ray test: `make venv` installs the [ray] extra")
    pytest.importorskip("ray")
    if shutil.which("unshare") is None or not _namespaces_work():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the Ray test: it needs `unshare --net` (root) and ray installed")
        pytest.skip("needs `unshare --net` (root or user namespaces) for a loopback-only Ray cluster")
    path = _copy(ingested, "ray.db")
    analyze = _cli("analyze", "--db", str(path), "--engine", "ray", "--address", "127.0.0.1:$P", "--json")
    port = _free_port()
    command = " ".join(analyze).replace("$P", str(port))
    env = {**_env(), "RAY_BIN": str(Path(sys.executable).with_name("ray"))}
    done = subprocess.run(
        ["bash", str(CLUSTER), str(port), "2", "1", "bash", "-c", command],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout)
    # Two actors of one CPU each on two nodes of one CPU each: the work really was spread over both nodes.
    assert report["engine"] == {"name": "ray", "workers": 2, "nodes": 2}
    assert report["articles_analysed"] == 16
    assert rows(path) == local_rows


def test_an_unreachable_cluster_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    port = _free_port()  # nothing listens there
    done = _run_cli(
        "analyze", "--db", str(tmp_path / "x.db"), "--engine", "ray", "--address", f"127.0.0.1:{port}"
    )
    assert done.returncode == 1
    message = " ".join(done.stderr.split())  # the console wraps long lines
    assert f"No Ray cluster answers at 127.0.0.1:{port}" in message
    assert "ray start --head" in message and "--engine pool" in message


def test_ingest_checks_the_cluster_before_storing_anything(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    db = tmp_path / "x.db"
    text = str(REPO / "examples" / "corpus" / "text")
    address = f"127.0.0.1:{_free_port()}"
    done = _run_cli("ingest", "--db", str(db), "--engine", "ray", "--address", address, text)
    assert done.returncode == 1 and "No Ray cluster answers" in " ".join(done.stderr.split())
    assert not db.exists() or not Store(str(db)).articles()


def test_workers_need_an_engine_with_workers(tmp_path: Path) -> None:
    done = _run_cli("analyze", "--db", str(tmp_path / "x.db"), "--engine", "local", "--workers", "3")
    assert done.returncode == 2
    assert "--engine pool" in done.stderr
