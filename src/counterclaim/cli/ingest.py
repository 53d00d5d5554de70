"""The `counterclaim ingest` command: files, directories, globs, feeds, WARC and URLs into the store.

Exit codes: 0 everything ingested (duplicates included), 1 some inputs failed, 2 usage error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from counterclaim.cli.analyze import (
    AddressOption,
    EngineOption,
    FastCuesOption,
    WorkersOption,
    analysis_record,
    analysis_summary,
    open_pipeline,
)
from counterclaim.cli.options import DbOption, JsonOption
from counterclaim.errors import UsageError
from counterclaim.ingest import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    IngestOptions,
    IngestReport,
    ingest_paths,
    ingest_pending,
)
from counterclaim.model import IngestProblem
from counterclaim.store import Store
from counterclaim.terminal import SafeConsole


def ingest_command(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Files, directories, globs or http(s) URLs.", show_default=False),
    ] = None,
    db: DbOption = None,
    pending: Annotated[
        bool,
        typer.Option("--pending", help="Then fetch links feeds gave without text; failures stay pending."),
    ] = False,
    recursive: Annotated[
        bool, typer.Option("--recursive", "-r", help="Descend into subdirectories.")
    ] = False,
    outlet: Annotated[
        str | None, typer.Option(help="Outlet key or name for every article (overrides detection).")
    ] = None,
    outlets: Annotated[
        Path | None, typer.Option("--outlets", help="A TOML outlet file extending the shipped registry.")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow URLs on loopback, private or link-local addresses.")
    ] = False,
    max_bytes: Annotated[
        int,
        typer.Option(help="Refuse a document (or a JSONL/WARC record) larger than this many bytes.", min=1),
    ] = DEFAULT_MAX_BYTES,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a URL.", min=0.1)] = DEFAULT_TIMEOUT,
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="Run the analysis stages on the new articles.")
    ] = True,
    engine: EngineOption = None,
    address: AddressOption = None,
    workers: WorkersOption = None,
    fast_cues: FastCuesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Ingest articles from HTML, text, RSS/Atom, JSONL, WARC, directories, globs and URLs."""
    options = IngestOptions(
        recursive=recursive,
        outlet=outlet,
        outlets_file=outlets,
        allow_private=allow_private,
        max_bytes=max_bytes,
        timeout=timeout,
        analyze=analyze,
    )
    if not inputs and not pending:
        raise UsageError("Give at least one file, directory, glob or URL to ingest, or --pending.")
    console = SafeConsole(stderr=as_json)
    store = Store(db)
    with store.writer_lock(on_wait=lambda: Console(stderr=True).print(WAITING)):
        run = AnalysisRun(engine, address, workers, fast_cues)
        _ingest_and_analyze(store, inputs, pending, options, run, as_json, console)


@dataclass(frozen=True, slots=True)
class AnalysisRun:
    """How `ingest` analyses what it stored: engine, Ray address, workers, sparse cues."""

    engine: str | None
    address: str | None
    workers: int | None
    fast_cues: bool


# Two ingests on one store take turns (storing and analysing), so they end as if run one after the other.
WAITING = "another process is writing to this store: waiting for it to finish"


def _ingest_and_analyze(
    store: Store,
    inputs: list[str] | None,
    pending: bool,
    options: IngestOptions,
    run: AnalysisRun,
    as_json: bool,
    console: Console,
) -> None:
    progress, printer = not as_json, _problem_printer(console)
    report = IngestReport()
    analysis = None
    with ExitStack() as stack:
        # The engine first: an unreachable cluster or a bad option fails before anything is stored.
        pipeline = None
        if options.analyze:
            pipeline = stack.enter_context(
                open_pipeline(store, run.engine, run.address, run.workers, run.fast_cues)
            )
        if inputs:
            report = ingest_paths(store, inputs, options, progress, console, printer)
        if pending:
            report.extend(ingest_pending(store, options, progress, console, printer))
        if pipeline is not None:
            # Everything pending is analysed, not only what this run added: articles of a killed run or
            # of `--no-analyze` are completed here too.
            analysis = pipeline.analyze(progress=not as_json, console=console, new=report.added)
    if analysis is not None and not as_json:
        console.print(analysis_summary(analysis))
    if as_json:
        record = report_record(report)
        if analysis is not None:
            record["analysis"] = analysis_record(analysis)
        print(json.dumps(record, indent=2))
    else:
        console.print(summary_table(report))
    if report.problems:
        raise typer.Exit(1)


def _problem_printer(console: Console) -> Callable[[IngestProblem], None]:
    def print_problem(problem: IngestProblem) -> None:
        console.print(f"[red]failed[/red] {escape(problem.path)}: {escape(problem.reason)}", soft_wrap=True)

    return print_problem


def report_record(report: IngestReport) -> dict[str, object]:
    return {
        "added": report.added,
        "duplicates": report.duplicates,
        "skipped_sources": report.skipped_sources,
        "pending_links": report.pending_links,
        "problems": [{"path": problem.path, "reason": problem.reason} for problem in report.problems],
        "warnings": report.warnings,
    }


def summary_table(report: IngestReport) -> Table:
    table = Table(title="ingest summary")
    table.add_column("result")
    table.add_column("count", justify="right")
    table.add_row("articles added", str(len(report.added)))
    table.add_row("duplicate (already stored)", str(len(report.duplicates)))
    table.add_row("sources skipped (ingested before)", str(len(report.skipped_sources)))
    table.add_row("feed links pending", str(len(report.pending_links)))
    failed = len(report.failed_inputs)
    table.add_row("inputs failed", f"[red]{failed}[/red]" if failed else "0")
    for warning in report.warnings:
        table.add_row(f"[yellow]note[/yellow] {escape(warning)}", "")
    return table


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
