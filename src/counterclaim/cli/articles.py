"""Commands over stored articles and outlets: `articles` (query, JSON/CSV) and `outlets`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from counterclaim import records
from counterclaim.cli.options import DbOption, JsonOption
from counterclaim.errors import UsageError
from counterclaim.model import Article
from counterclaim.store import Store
from counterclaim.terminal import SafeConsole

console = SafeConsole()


def _parse_date(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{option} {value!r} is not a date: use YYYY-MM-DD or an ISO timestamp.") from exc


def articles_command(
    db: DbOption = None,
    outlet: Annotated[str | None, typer.Option(help="Only articles of this outlet key.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (YYYY-MM-DD).")] = None,
    text: Annotated[
        str | None, typer.Option("--text", "-t", help="Full-text search in title and body.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many articles.")] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (text included).")] = False,
) -> None:
    """List stored articles, filtered by outlet, dates and full-text search."""
    if as_json and as_csv:
        raise UsageError("Choose one of --json and --csv.")
    store = Store(db)
    found = store.articles(
        outlet=outlet,
        since=_parse_date(since, "--since"),
        until=_parse_date(until, "--until"),
        text=text,
        limit=limit,
    )
    copies = store.article_copies([article.id for article in found]) if as_json else {}
    found_records = [records.article_record(article, copies=copies.get(article.id)) for article in found]
    if as_json:
        print(json.dumps(found_records, ensure_ascii=False, indent=2))
    elif as_csv:
        _print_csv(found_records)
    else:
        _print_table(found)


def _print_csv(found: list[dict[str, Any]]) -> None:
    columns = [column for column in found[0] if column != "text"] + ["text"] if found else ["id"]
    rows = [
        ["; ".join(r[c]) if isinstance(r[c], list) else ("" if r[c] is None else r[c]) for c in columns]
        for r in found
    ]
    sys.stdout.write(records.csv_text(columns, rows))


def _print_table(found: list[Article]) -> None:
    table = Table(title=f"{len(found)} articles")
    for column in ("id", "published", "outlet", "lang", "title", "words"):
        table.add_column(column)
    for article in found:
        published = article.published_at.strftime("%Y-%m-%d %H:%M") if article.published_at else "unknown"
        table.add_row(
            article.id[:12],
            published,
            article.outlet or "?",
            article.language or "?",
            (article.title or "")[:70],
            str(len(article.text.split())),
        )
    console.print(table)


def outlets_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the outlets of the stored articles, with their kind and article counts."""
    store = Store(db)
    counts: dict[str, int] = {}
    for batch in store.iter_articles():
        for article in batch:
            counts[article.outlet or "?"] = counts.get(article.outlet or "?", 0) + 1
    known = {outlet.key: outlet for outlet in store.outlets()}
    if as_json:
        rows = [
            {
                "key": key,
                "name": known[key].name if key in known else key,
                "kind": str(known[key].kind) if key in known else "unknown",
                "articles": n,
            }
            for key, n in sorted(counts.items())
        ]
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="Articles per outlet")
    for column in ("outlet", "name", "kind", "country", "articles"):
        table.add_column(column)
    for key, n in sorted(counts.items(), key=lambda item: -item[1]):
        outlet = known.get(key)
        table.add_row(
            key,
            outlet.name if outlet else "",
            str(outlet.kind) if outlet else "unknown",
            (outlet.country or "") if outlet else "",
            str(n),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("articles")(articles_command)
    app.command("outlets")(outlets_command)
