"""Two `counterclaim ingest` processes on one store at once end as if they had run one after the other.

An ingest (storing and analysis) and a migration take the store's one writer lock (a file lock beside a SQLite
file, an advisory lock on PostgreSQL): the second writer says it waits, then runs. Inserts also ignore a
concurrent writer's row, so a reader-side race is never an error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE_OUTLETS, REPO, _fresh_postgres_database
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.pipeline import Pipeline
from counterclaim.stages import Models
from counterclaim.store import Store
from test_pipeline_resume import snapshot

CORPUS = REPO / "examples" / "corpus"
FIRST = [str(CORPUS / "html"), str(CORPUS / "feeds")]
SECOND = [str(CORPUS / "jsonl"), str(CORPUS / "warc")]

pytestmark = pytest.mark.slow


def command(url: str, inputs: list[str]) -> list[str]:
    executable = str(Path(sys.executable).parent / "counterclaim")
    return [executable, "ingest", "--db", url, "--recursive", "--outlets", str(EXAMPLE_OUTLETS), *inputs]


def counts(url: str) -> dict[str, object]:
    store = Store(url)
    try:
        found = snapshot(store)
    finally:
        store.close()
    return {name: value for name, value in found.items() if isinstance(value, int)}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, str]:
    if request.param == "sqlite":
        return tuple(f"sqlite:///{tmp_path / f'{name}.db'}" for name in ("together", "ab", "ba"))  # type: ignore[return-value]
    server = request.getfixturevalue("postgres_server")
    return (
        _fresh_postgres_database(server),
        _fresh_postgres_database(server),
        _fresh_postgres_database(server),
    )


def test_two_writers_at_once_end_with_the_rows_of_one_after_the_other(
    urls: tuple[str, str, str], models: Models
) -> None:
    together, first_then_second, second_then_first = urls
    # Both start on a store that does not exist yet: they also race on creating the schema.
    running = [
        subprocess.Popen(command(together, inputs), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for inputs in (FIRST, SECOND)
    ]
    outputs = [process.communicate(timeout=600) for process in running]
    for process, (_, err) in zip(running, outputs, strict=True):
        assert process.returncode == 0, err[-3000:]
    assert any("waiting for it to finish" in err for _, err in outputs), "the second writer says it waits"
    # Claim linking is incremental, so the order the two took turns in matters: either order is sequential.
    for url, order in ((first_then_second, (FIRST, SECOND)), (second_then_first, (SECOND, FIRST))):
        store = Store(url)
        for inputs in order:
            options = IngestOptions(recursive=True, outlets_file=EXAMPLE_OUTLETS)
            ingest_paths(store, inputs, options, progress=False)
            Pipeline(store, models=models).analyze(progress=False)
        store.close()
    assert counts(together) in (counts(first_then_second), counts(second_then_first))
    assert counts(together)["claims"] > 0
