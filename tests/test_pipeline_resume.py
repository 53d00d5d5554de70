"""A run killed at any moment, then completed, ends with exactly the rows of an uninterrupted run.

Real SIGKILLs (through `counterclaim.faults`) while storing, after attribution and during provenance, and
`ingest --no-analyze` followed by `analyze`, on SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import EXAMPLE_OUTLETS, REPO, _fresh_postgres_database
from counterclaim.faults import ENVIRONMENT
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.pipeline import Pipeline
from counterclaim.stages import Models
from counterclaim.store import Store, tables

CORPUS = [str(REPO / "examples" / "corpus" / kind) for kind in ("html", "feeds", "jsonl", "warc")]
TABLES = [name for name in tables.__all__ if name != "metadata"]

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    return _fresh_postgres_database(request.getfixturevalue("postgres_server"))


def ingest_here(store: Store, models: Models, analyze: bool = True) -> None:
    options = IngestOptions(recursive=True, outlets_file=EXAMPLE_OUTLETS, analyze=analyze)
    ingest_paths(store, CORPUS, options, progress=False)
    if analyze:
        Pipeline(store, models=models).analyze(progress=False)


def snapshot(store: Store) -> dict[str, object]:
    """Row counts of every table, and the rows themselves where they are the findings a user reads."""
    found: dict[str, object] = {}
    with store.engine.connect() as conn:
        for name in TABLES:
            table = getattr(tables, name)
            found[name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        found["claim rows"] = sorted(
            conn.execute(sa.select(tables.claims.c.id, tables.claims.c.canonical_text))
        )
        found["account rows"] = sorted(
            conn.execute(
                sa.select(
                    tables.accounts.c.claim_id,
                    tables.accounts.c.article_id,
                    tables.accounts.c.attribution_id,
                    tables.accounts.c.stance,
                )
            ),
            key=str,
        )
        found["attribution ids"] = sorted(r[0] for r in conn.execute(sa.select(tables.attributions.c.id)))
        found["reuse link ids"] = sorted(r[0] for r in conn.execute(sa.select(tables.reuse_links.c.id)))
        found["provenance rows"] = sorted(
            conn.execute(
                sa.select(
                    tables.provenance_checks.c.claim_id,
                    tables.provenance_checks.c.source,
                    tables.provenance_checks.c.status,
                )
            )
        )
    return found


@pytest.fixture(scope="module")
def clean(
    backend: str, models: Models, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, object]:
    """What an uninterrupted run stores."""
    url = new_url(backend, tmp_path_factory.mktemp("clean"), request, "clean")
    store = Store(url)
    try:
        ingest_here(store, models)
        return snapshot(store)
    finally:
        store.close()


def killed_ingest(url: str, moment: str) -> None:
    """`counterclaim ingest` of the example corpus, killed with SIGKILL at `moment`."""
    command = [
        str(Path(sys.executable).parent / "counterclaim"),
        "ingest",
        "--db",
        url,
        "--recursive",
        "--outlets",
        str(EXAMPLE_OUTLETS),
        *CORPUS,
    ]
    environment = {**os.environ, ENVIRONMENT: moment}
    result = subprocess.run(command, env=environment, capture_output=True, timeout=600)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode(errors="replace")[-2000:]


@pytest.mark.parametrize("moment", ["stored-5", "after-attributions", "provenance-claim-2"])
def test_a_killed_ingest_completes_with_the_rows_of_a_clean_run(
    backend: str,
    moment: str,
    models: Models,
    clean: dict[str, object],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    url = new_url(backend, tmp_path, request, "killed")
    killed_ingest(url, moment)
    store = Store(url)
    try:
        partial = snapshot(store)
        assert partial != clean, "the kill must land before the run is complete"
        # Running ingest again stores the rest (the killed source was not marked done) and analyses all.
        ingest_here(store, models)
        assert snapshot(store) == clean
    finally:
        store.close()


def test_no_analyze_then_analyze_gives_the_rows_of_a_clean_run(
    backend: str, models: Models, clean: dict[str, object], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = Store(new_url(backend, tmp_path, request, "later"))
    try:
        ingest_here(store, models, analyze=False)
        pipeline = Pipeline(store, models=models)
        assert len(pipeline.pending()) == 14
        report = pipeline.analyze(progress=False)
        assert report.articles == 14
        assert snapshot(store) == clean
        assert pipeline.pending() == []
        again = pipeline.analyze(progress=False)
        assert again.articles == 0 and again.added == dict.fromkeys(again.stored, 0)
    finally:
        store.close()


def test_redo_of_one_stage_gives_the_same_rows(
    backend: str, models: Models, clean: dict[str, object], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store = Store(new_url(backend, tmp_path, request, "redo"))
    try:
        ingest_here(store, models)
        pipeline = Pipeline(store, models=models)
        pipeline.redo("claims")
        assert len(pipeline.pending()) == 14, "claims (corpus-wide) and provenance run again everywhere"
        report = pipeline.analyze(progress=False)
        assert set(report.found) == {"claims", "provenance"}
        assert snapshot(store) == clean
    finally:
        store.close()
