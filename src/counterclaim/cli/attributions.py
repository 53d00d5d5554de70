"""The `attributions` command: who said what in stored articles, as a table or JSON.

Articles stored without analysis (ingest --no-analyze) are analysed on the way, and the result is saved.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table

from counterclaim import records
from counterclaim.cli.options import DbOption, JsonOption
from counterclaim.model import Article, Attribution
from counterclaim.store import Store
from counterclaim.terminal import SafeConsole

console = SafeConsole()
err_console = SafeConsole(stderr=True)


def attributions_command(
    article: Annotated[
        str | None, typer.Argument(help="An article id or unique id prefix; all when left out.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Run the stage again and replace what is stored.")
    ] = False,
    summary: Annotated[
        bool, typer.Option("--summary", help="One line per article: counts and main speakers.")
    ] = False,
) -> None:
    """Who said what: source, cue, content, polarity, channel, relays and time of each attribution."""
    from counterclaim.pipeline import Pipeline
    from counterclaim.store.attributions import load_attributions

    store = Store(db)
    selected = [store.get_article(article)] if article else _all_articles(store)
    ids = [a.id for a in selected]
    found = load_attributions(store, ids)
    stored = {a.article_id for a in found}
    missing = selected if refresh else [a for a in selected if a.id not in stored]
    if missing:
        with Pipeline(store) as pipeline:
            if refresh:
                # Claims read attributions: they are linked again by the next `counterclaim analyze`.
                pipeline.redo("attributions", [a.id for a in missing])
                err_console.print("re-extracting; run `counterclaim analyze` afterwards to link claims again")
            else:
                err_console.print(f"analysing {len(missing)} article(s) with no stored attributions")
            pipeline.analyze([a.id for a in missing], stage="attributions", progress=False)
        found = load_attributions(store, ids)
    if as_json:
        print(json.dumps([records.attribution_record(a) for a in found], ensure_ascii=False, indent=2))
    elif summary:
        _print_summary(selected, found)
    else:
        _print_table(found)


def _all_articles(store: Store) -> list[Article]:
    return [article for batch in store.iter_articles() for article in batch]


def _print_summary(selected: list[Article], found: list[Attribution]) -> None:
    table = Table(title=f"{len(found)} attributions in {len(selected)} articles")
    for column in ("article", "title", "found", "asserts", "denies", "declines", "main speakers"):
        table.add_column(column, overflow="fold")
    for article in selected:
        own = [a for a in found if a.article_id == article.id]
        counts = Counter(str(a.polarity) for a in own)
        speakers = Counter(a.speaker.name for a in own if a.speaker is not None and a.speaker.name)
        table.add_row(
            article.id[:8],
            (article.title or "")[:50],
            str(len(own)),
            *(str(counts.get(p, 0)) for p in ("asserts", "denies", "declines")),
            ", ".join(name for name, _ in speakers.most_common(4)),
        )
    console.print(table)


def _print_table(found: list[Attribution]) -> None:
    table = Table(title=f"{len(found)} attributions")
    for column in (
        "article",
        "speaker",
        "cue",
        "polarity",
        "content",
        "relayed",
        "channel / to",
        "when / where",
    ):
        table.add_column(column, overflow="fold")
    for a in found:
        speaker = a.speaker
        who = (speaker.name + (f" ({speaker.role})" if speaker.role else "")) if speaker else ""
        if speaker is not None and speaker.resolved_from is not None:
            who += f" ← “{a.source[0].text if a.source else ''}”"
        content = " … ".join(s.text for s in a.content)
        table.add_row(
            a.article_id[:8],
            who or "(no source)",
            " … ".join(s.text for s in a.cue),
            str(a.polarity),
            content[:120] + ("…" if len(content) > 120 else ""),
            " ← ".join(r.name for r in a.relay_chain),
            " / ".join(x for x in (a.channel, a.addressee) if x),
            " ".join(x for x in (a.time_date.isoformat() if a.time_date else None, a.place) if x),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("attributions")(attributions_command)
