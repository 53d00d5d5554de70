"""Dossier commands: `report` (terminal, JSON, HTML), `export` (JSON, CSV, HTML, JSON-LD), `verdict`.

Each command opens the store, calls the library and formats; nothing here decides anything about a claim.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from counterclaim.cli.options import DbOption, JsonOption
from counterclaim.dossier import Dossier, load_dossier, render_dossier
from counterclaim.errors import UsageError
from counterclaim.export import dossier_json
from counterclaim.export.accounts_csv import accounts_csv
from counterclaim.export.html_report import html_report
from counterclaim.export.jsonld import jsonld_document
from counterclaim.model import Verdict
from counterclaim.outlets import open_registry
from counterclaim.store import Store
from counterclaim.store.claims import load_claims, resolve_claim_id
from counterclaim.store.provenance import save_verdict
from counterclaim.store.search import ClaimSearch, find_claim
from counterclaim.terminal import SafeConsole

# The dossier itself goes to stdout; every message goes to stderr, so `--json` stdout is one document.
console = SafeConsole()
messages = SafeConsole(stderr=True)


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    JSONLD = "jsonld"


def _resolve_claim(
    store: Store, claim_id: str | None, search: str | None
) -> tuple[str | None, ClaimSearch | None]:
    if bool(claim_id) == bool(search):
        raise UsageError("Give a CLAIM_ID or --search TEXT (one of them).")
    if claim_id:
        return resolve_claim_id(store, claim_id), None
    found = find_claim(store, search or "")
    _show_search(found)
    return (found.best.claim.id if found.best else None), found


def _show_search(found: ClaimSearch) -> None:
    """The claims considered, with their support, on stderr (stdout may carry JSON)."""
    if found.best is None:
        closest = (
            f" (closest similarity {found.alternatives[0].similarity:.2f})" if found.alternatives else ""
        )
        messages.print(
            f"No claim matches {found.query!r}{closest}: nothing is above similarity "
            f"{found.min_similarity:.2f}. Search other words or ingest articles about it.",
            style="yellow",
        )
        return
    best = found.best
    story = f", story {best.story_id[:12]} of {best.story_articles} article(s)" if best.story_id else ""
    messages.print(
        f"[dim]Claim {best.claim.id} (similarity {best.similarity:.2f}, meaning {best.rank_score:.2f}, "
        f"{best.articles} article(s){story})[/dim]"
    )
    if found.alternatives:
        table = Table(title="Other claims considered", title_justify="left")
        for column in ("claim", "similarity", "meaning", "articles", "story", "text"):
            table.add_column(column)
        for hit in found.alternatives:
            text = hit.claim.canonical_text
            table.add_row(
                hit.claim.id[:12],
                f"{hit.similarity:.2f}",
                f"{hit.rank_score:.2f}",
                str(hit.articles),
                f"{hit.story_id[:8]} ({hit.story_articles})" if hit.story_id else "",
                (text if len(text) <= 90 else text[:89] + "\u2026")
                + ("" if hit.proposition else " [dim](fragment)[/dim]"),
            )
        messages.print(table)
    if len(found.stories) > 1:
        stories = Table(title="Stories considered", title_justify="left")
        for column in ("story", "articles", "claims close", "best claim"):
            stories.add_column(column)
        for entry in found.stories:
            text = entry.best.claim.canonical_text
            stories.add_row(
                entry.story_id[:12],
                str(entry.articles),
                str(entry.claims),
                text if len(text) <= 90 else text[:89] + "\u2026",
            )
        messages.print(stories)


def report_command(
    claim_id: Annotated[str | None, typer.Argument(help="The claim's id.", show_default=False)] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-s", help="Pick the claim this text means; none below the similarity floor."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the HTML report to this file.")
    ] = None,
) -> None:
    """Print a claim's dossier: accounts in time order, who asserts, relays, denies, primary-source checks.

    With --search and no claim close enough, nothing is printed but the reason (JSON: "match": false); exit 1.
    """
    store = Store(db)
    chosen, found = _resolve_claim(store, claim_id, search)
    if chosen is None:
        if as_json:
            document = dossier_json.export_document([])
            document["search"] = found.to_json() if found else None
            sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        raise typer.Exit(1)
    dossier = load_dossier(store, chosen, open_registry(store), query=search)
    if as_json:
        document = dossier_json.export_document([dossier])
        if found is not None:
            document["search"] = found.to_json()
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        render_dossier(dossier, console)
    if html:
        _write(html, html_report(dossier))
        messages.print(f"HTML report written to {html}")


def export_command(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="File (or folder for html); stdout if not given.")
    ] = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="json, csv, html or jsonld.")
    ] = ExportFormat.JSON,
    claim: Annotated[
        list[str] | None, typer.Option("--claim", help="Only these claim ids (repeatable).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export dossiers: versioned JSON, CSV of accounts, an HTML report per claim, or schema.org JSON-LD."""
    store = Store(db)
    dossiers = _dossiers(store, claim)
    if fmt is ExportFormat.HTML:
        _export_html(dossiers, output)
        return
    text = {
        ExportFormat.JSON: lambda: dossier_json.dumps(dossiers),
        ExportFormat.CSV: lambda: accounts_csv(dossiers),
        ExportFormat.JSONLD: lambda: json.dumps(jsonld_document(dossiers), ensure_ascii=False, indent=2),
    }[fmt]()
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        _write(output, text)
        messages.print(f"{len(dossiers)} claim(s) exported to {output}", style="green")


def _dossiers(store: Store, claim_ids: list[str] | None) -> list[Dossier]:
    registry = open_registry(store)
    ids = [resolve_claim_id(store, c) for c in claim_ids] if claim_ids else [c.id for c in load_claims(store)]
    return [load_dossier(store, claim_id, registry) for claim_id in ids]


def _export_html(dossiers: list[Dossier], output: Path | None) -> None:
    if output is None:
        if len(dossiers) != 1:
            raise UsageError("HTML export writes one file per claim: give --out FOLDER (or one --claim).")
        sys.stdout.write(html_report(dossiers[0]))
        return
    folder = output
    folder.mkdir(parents=True, exist_ok=True)
    for dossier in dossiers:
        _write(folder / f"claim-{dossier.claim.id}.html", html_report(dossier))
    messages.print(f"{len(dossiers)} HTML report(s) written to {folder}/", style="green")


def verdict_command(
    claim_id: Annotated[str, typer.Argument(help="The claim's id.")],
    rating: Annotated[str, typer.Option(help="The rating, as your desk words it (e.g. 'False').")],
    reviewer: Annotated[str, typer.Option(help="Who reviewed the claim (a person or an organisation).")],
    url: Annotated[str | None, typer.Option(help="Where the review is published.")] = None,
    notes: Annotated[str | None, typer.Option(help="Free notes kept with the verdict.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a reviewer's verdict on a claim; exported as a schema.org ClaimReview. The tool never rates."""
    store = Store(db)
    claim_id = resolve_claim_id(store, claim_id)
    verdict = Verdict(claim_id, rating, reviewer, datetime.now(UTC), url, notes)
    with store.begin() as conn:
        save_verdict(conn, verdict)
    if as_json:
        sys.stdout.write(json.dumps({"claim_id": claim_id, "rating": rating, "reviewer": reviewer}) + "\n")
        return
    table = Table(show_header=False)
    table.add_row("claim", claim_id)
    table.add_row("rating", rating)
    table.add_row("reviewer", reviewer)
    console.print("Verdict recorded:", table)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Cannot write {path}: {exc.strerror}. Choose a writable path with --out.") from exc


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
    app.command("export")(export_command)
    app.command("verdict")(verdict_command)
