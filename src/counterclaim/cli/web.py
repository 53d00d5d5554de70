"""The `serve` command: the web app over a store, read-only unless started with --token.

Binds to 127.0.0.1 by default; anything wider is the user's explicit choice.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from counterclaim.cli.options import DbOption
from counterclaim.errors import UsageError
from counterclaim.model import IngestReport
from counterclaim.pipeline import Pipeline
from counterclaim.store import Store
from counterclaim.terminal import SafeConsole
from counterclaim.web import create_app

console = SafeConsole()


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="COUNTERCLAIM_TOKEN",
            help="Accept uploads at POST /api/ingest with 'Authorization: Bearer TOKEN'; read-only without.",
        ),
    ] = None,
) -> None:
    """Serve the claim list, dossiers and article pages, and the JSON API (OpenAPI at /api/openapi.json)."""
    import uvicorn

    if token is not None and len(token) < 16:
        raise UsageError(
            "--token is too short to be safe: use at least 16 characters (e.g. `openssl rand -hex 16`)."
        )
    store = Store(db)
    pipeline = Pipeline(store)
    app = create_app(store, token=token, ingest=pipeline_ingest(pipeline), registry=pipeline.registry)
    mode = "uploads accepted with the token" if token else "read-only"
    console.print(f"counterclaim on http://{host}:{port}/ ({mode}); API schema at /api/openapi.json")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        pipeline.close()


def pipeline_ingest(pipeline: Pipeline) -> Callable[[Store, list[Path]], IngestReport]:
    """Uploads take the full ingest (every input kind), then the app's one pipeline analyses what is pending.

    The pipeline keeps its models and claim index for the server's life; a lock keeps uploads one at a time.
    """
    from counterclaim.ingest import IngestOptions, ingest_paths

    lock = threading.Lock()

    def ingest(store: Store, paths: list[Path]) -> IngestReport:
        with lock, store.writer_lock():
            report = ingest_paths(store, [str(p) for p in paths], IngestOptions(), progress=False)
            pipeline.analyze(progress=False, new=report.added)
        return report

    return ingest


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
