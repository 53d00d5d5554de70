"""The `counterclaim reuse` command: compare articles not yet indexed, then list shared passages.

`--json` prints one JSON object per link and line (the format bench/reuse.py scores).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from counterclaim.cli.options import DbOption, JsonOption
from counterclaim.model import ReuseLink
from counterclaim.reuse import Basis, ReuseCluster, direction, link_record
from counterclaim.store import Store
from counterclaim.store.reuse import load_reuse_clusters, load_reuse_dates, load_reuse_links
from counterclaim.terminal import SafeConsole

console = SafeConsole()
REUSE_BATCH = 5000
_EARLIEST_MARK = {Basis.DATED: "*", Basis.TIE: "*=", Basis.UNDATED: "*?"}


def _analyze_pending(store: Store, quiet: bool) -> int:
    from counterclaim.pipeline import Pipeline

    with Pipeline(store) as pipeline:
        # Reuse alone: large batches, since each batch costs an index lookup, a transaction and a
        # re-clustering of the passages it touches, whatever its size.
        report = pipeline.analyze(
            stage="reuse", progress=not quiet, console=SafeConsole(stderr=True), batch_size=REUSE_BATCH
        )
    return report.added.get("reuse links", 0)


def reuse_command(
    db: DbOption = None,
    article: Annotated[
        str | None, typer.Option("--article", help="Only links of this article (id or prefix).")
    ] = None,
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="First compare articles not compared yet.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Passages shared verbatim or nearly so between outlets, with direction and cluster."""
    store = Store(db)
    if analyze:
        _analyze_pending(store, quiet=as_json)
    ids = [store.get_article(article).id] if article else None
    links = load_reuse_links(store, ids)
    clusters = {c.id: c for c in load_reuse_clusters(store, sorted({x.cluster for x in links}))}
    if as_json:
        dates = load_reuse_dates(store, sorted({x for k in links for x in (k.a, k.b)}))
        for link in links:
            _, basis = direction(dates.get(link.a), dates.get(link.b))
            print(json.dumps(link_record(link, clusters.get(link.cluster), basis), ensure_ascii=False))
        return
    _print_table(store, links, clusters)


def _print_table(store: Store, links: list[ReuseLink], clusters: dict[str, ReuseCluster]) -> None:
    outlet = {
        a.id: a.outlet or "?" for a in store.articles(ids=sorted({x for k in links for x in (k.a, k.b)}))
    }
    table = Table(title=f"{len(links)} shared passages in {len(clusters)} clusters")
    for column in ("cluster", "earlier", "later", "direction", "score", "words", "passage"):
        table.add_column(column)
    for link in links:
        cluster = clusters.get(link.cluster)
        first = _EARLIEST_MARK.get(cluster.basis, "*") if cluster and cluster.earliest == link.a else ""
        table.add_row(
            link.cluster[:10],
            f"{outlet.get(link.a, '?')} {link.a[:8]}{first} [{link.a_span.start}:{link.a_span.end}]",
            f"{outlet.get(link.b, '?')} {link.b[:8]} [{link.b_span.start}:{link.b_span.end}]",
            str(link.direction),
            f"{link.score:.2f}",
            str(len(link.a_span.text.split())),
            link.a_span.text[:60] + ("…" if len(link.a_span.text) > 60 else ""),
        )
    console.print(table)
    console.print(
        "* the cluster's earliest carrier; *= tied with another carrier at the same moment; "
        "*? earliest of the dated carriers, some carriers have no date"
    )


def register(app: typer.Typer) -> None:
    app.command("reuse")(reuse_command)
