"""The `claims` command: list claims with who asserts, denies and reports them, or find claims by meaning.

A thin shell over counterclaim.store.claims; `--json` prints the same records for machines.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from counterclaim import records
from counterclaim.cli.options import DbOption, JsonOption
from counterclaim.dossier import ClaimSummary, claim_summaries
from counterclaim.errors import UsageError
from counterclaim.outlets import open_registry
from counterclaim.store import Store
from counterclaim.store.claims import (
    claims_with_outlets,
    load_accounts,
    load_claims,
    resolve_claim_id,
)
from counterclaim.store.search import MIN_SIMILARITY, rank_claims
from counterclaim.terminal import SafeConsole

console = SafeConsole()
messages = SafeConsole(stderr=True)


def summary_record(summary: ClaimSummary) -> dict[str, Any]:
    """A claim summary as a JSON-ready dict."""
    return {
        **records.claim_record(summary.claim),
        "articles": summary.articles,
        "asserting": list(summary.asserting),
        "relayed_by": list(summary.relayed_by),
        "denying": list(summary.denying),
        "declining": list(summary.declining),
        "reporting": list(summary.reporting),
        "outlets": {
            "asserting": list(summary.outlets_asserting),
            "denying": list(summary.outlets_denying),
            "reporting": list(summary.outlets_reporting),
        },
        "parties": [{"name": name, "roles": [role.value for role in roles]} for name, roles in summary.roles],
        "conflict": summary.conflict,
        "score": summary.score,
        "story": {"story_id": summary.story_id, "articles": summary.story_articles}
        if summary.story_id
        else None,
    }


def claims_command(
    db: DbOption = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Find claims by meaning.")] = None,
    claim_id: Annotated[str | None, typer.Option("--id", help="Show one claim's accounts.")] = None,
    min_outlets: Annotated[int, typer.Option(help="Only claims with accounts in this many outlets.")] = 2,
    limit: Annotated[int, typer.Option(help="At most this many claims.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List claims with counts of asserting, denying and reporting parties, first seen and a conflict flag."""
    if limit < 1 or min_outlets < 0:
        raise UsageError("--limit must be at least 1 and --min-outlets at least 0.")
    store = Store(db)
    if claim_id is not None:
        _show_accounts(store, claim_id, as_json)
        return
    if search is not None:
        found = rank_claims(store, search, limit)
        if not found:
            messages.print(
                f"No claim matches {search!r}: nothing is above similarity {MIN_SIMILARITY:.2f}.",
                style="yellow",
            )
        summaries = claim_summaries(
            store, [hit.claim for hit in found], [hit.similarity for hit in found], open_registry(store)
        )
    else:
        ids = claims_with_outlets(store, max(min_outlets, 1))[:limit]
        order = {claim_id: position for position, claim_id in enumerate(ids)}
        claims = sorted(load_claims(store, claim_ids=ids), key=lambda claim: order[claim.id]) if ids else []
        summaries = claim_summaries(store, claims, registry=open_registry(store))
    if as_json:
        print(json.dumps([summary_record(s) for s in summaries], ensure_ascii=False, indent=2))
        return
    console.print(_claims_table(summaries, searched=search is not None))
    if search is None and min_outlets > 1:
        hidden = len(claims_with_outlets(store, 1)) - len(claims_with_outlets(store, min_outlets))
        if hidden:
            console.print(
                f"{hidden} more claims are carried by fewer than {min_outlets} outlets: "
                "`--min-outlets 1` lists them.",
                style="dim",
            )


def _names(names: tuple[str, ...]) -> str:
    return f"{len(names)}: " + ", ".join(names) if names else "0"


def _claims_table(summaries: list[ClaimSummary], searched: bool) -> Table:
    table = Table(title=f"{len(summaries)} claims", show_lines=True)
    columns = [
        "id",
        "claim",
        "first seen",
        "sources asserting",
        "sources denying",
        "outlets a/d/r",
        "conflict",
        "story",
    ]
    for column in (["score"] if searched else []) + columns:
        # The id is printed whole on one line: a user copies it into `report`, which takes it as printed.
        table.add_column(
            column, overflow="fold", no_wrap=column == "id", min_width=12 if column == "id" else None
        )
    for summary in summaries:
        claim = summary.claim
        asserting = _names(summary.asserting)
        relays = [name for name in summary.relayed_by if name not in summary.asserting]
        if relays:
            asserting += f" (via {', '.join(relays)})"
        counts = (summary.outlets_asserting, summary.outlets_denying, summary.outlets_reporting)
        outlets = " / ".join(str(len(names)) for names in counts) + f" of {summary.articles} articles"
        row = [
            claim.id[:12],
            claim.canonical_text[:160],
            claim.first_seen.strftime("%Y-%m-%d %H:%M") if claim.first_seen else "unknown",
            asserting,
            _names(summary.denying),
            outlets,
            "yes" if summary.conflict else "",
            f"{summary.story_id[:8]} ({summary.story_articles} art.)" if summary.story_id else "",
        ]
        table.add_row(*([f"{summary.score:.2f}"] if searched and summary.score is not None else []) + row)
    return table


def _show_accounts(store: Store, claim_id: str, as_json: bool) -> None:
    (claim,) = load_claims(store, claim_ids=[resolve_claim_id(store, claim_id)])
    accounts = load_accounts(store, claim_id=claim.id)
    if as_json:
        summary = summary_record(claim_summaries(store, [claim])[0])
        record = {**summary, "accounts": [records.account_record(a) for a in accounts]}
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Accounts of claim {claim.id[:12]}: {claim.canonical_text[:100]}")
    for column in ("article", "attribution", "stance", "score", "evidence"):
        table.add_column(column, overflow="fold")
    for account in accounts:
        evidence = account.evidence.text[:140] if account.evidence else ""
        table.add_row(
            account.article_id[:12],
            (account.attribution_id or "")[:12],
            account.stance.value,
            f"{account.score:.2f}",
            evidence,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("claims")(claims_command)
