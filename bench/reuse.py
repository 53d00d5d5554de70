"""Evaluation of the reuse stage: quality against a gold file, throughput, growth from 2k to 200k articles.

`python bench/reuse.py` generates seeded corpora, runs and scores the stage, writes bench/results/reuse.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from counterclaim.model import Article
from counterclaim.reuse import ReuseIndex, ReuseSettings, assign_clusters, direction, find_reuse, link_record

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "reuse.json"
CACHE = ROOT / "results" / "tmp" / "reuse"
FLOORS = {"precision": 0.99, "recall": 0.97, "span_overlap": 0.85, "earliest": 0.90, "mb_per_s_core": 0.5}


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("reuse_corpus", ROOT / "reuse_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["reuse_corpus"] = module
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def corpus_articles(rows: Iterable[dict[str, Any]]) -> list[Article]:
    """Corpus JSONL rows ({id, outlet, date, text}) as articles; `date` is ISO 8601 or null."""
    return [
        Article(
            id=str(r["id"]),
            text=r["text"],
            outlet=r.get("outlet"),
            published_at=datetime.fromisoformat(r["date"]) if r.get("date") else None,
        )
        for r in rows
    ]


def run_stage(articles: Sequence[Article], batch: int, settings: ReuseSettings) -> list[dict[str, Any]]:
    """The stage over a corpus in batches, each compared with the index of the batches before it."""
    index = ReuseIndex(settings)
    links = []
    with Progress(transient=True) as progress:
        task = progress.add_task("reuse", total=len(articles))
        for start in range(0, len(articles), batch):
            chunk = articles[start : start + batch]
            links.extend(find_reuse(chunk, index))
            progress.advance(task, len(chunk))
    published = {a.id: a.published_at for a in articles}
    linked, clusters = assign_clusters(links, published)
    by_id = {c.id: c for c in clusters}
    return [
        link_record(link, by_id[link.cluster], direction(published[link.a], published[link.b])[1])
        for link in linked
    ]


def score(
    corpus: list[dict[str, Any]], gold: list[dict[str, Any]], links: list[dict[str, Any]]
) -> dict[str, Any]:
    """Pair precision/recall/F1, recall per edit rate, span overlap and earliest-source rate."""
    outlet = {r["id"]: r.get("outlet") for r in corpus}
    links = _to_corpus_ids(corpus, links)
    found: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        if outlet.get(link["a"]) != outlet.get(link["b"]):
            found[frozenset((link["a"], link["b"]))].append(link)
    pairs = [g for g in gold if g["kind"] == "pair"]
    allowed = {frozenset((g["a"], g["b"])) for g in pairs}
    required = [g for g in pairs if g["required"]]
    hit = [g for g in required if frozenset((g["a"], g["b"])) in found]
    precision = sum(1 for p in found if p in allowed) / len(found) if found else 1.0
    recall = len(hit) / len(required) if required else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs_found": len(found),
        "pairs_required": len(required),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "recall_by_edit": _recall_by_edit(required, found),
        "span_overlap": round(_mean(_overlap(g, found[frozenset((g["a"], g["b"]))]) for g in hit), 4),
        "earliest": round(_earliest_rate(gold, links), 4),
    }


def _to_corpus_ids(corpus: list[dict[str, Any]], links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Links from a store carry content-hash ids; map them back to the corpus ids the gold file uses.
    ids = {r["id"] for r in corpus}
    if all(link["a"] in ids and link["b"] in ids for link in links):
        return links
    from counterclaim.store import article_id

    back = {article_id(r["text"]): r["id"] for r in corpus}
    fields = ("a", "b", "earliest")
    return [{**x, **{k: back.get(x[k], x[k]) for k in fields if x.get(k)}} for x in links]


def _recall_by_edit(required: list[dict[str, Any]], found: dict[frozenset[str], Any]) -> dict[str, float]:
    buckets: dict[str, list[bool]] = defaultdict(list)
    for g in required:
        name = f"{g['edit']:.2f}" if g["direct"] else "indirect"
        buckets[name].append(frozenset((g["a"], g["b"])) in found)
    return {k: round(sum(v) / len(v), 4) for k, v in sorted(buckets.items())}


def _jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _overlap(gold: dict[str, Any], links: list[dict[str, Any]]) -> float:
    best = 0.0
    for link in links:
        if link["a"] == gold["a"]:
            mine = (
                (link["a_span"]["start"], link["a_span"]["end"]),
                (link["b_span"]["start"], link["b_span"]["end"]),
            )
        else:
            mine = (
                (link["b_span"]["start"], link["b_span"]["end"]),
                (link["a_span"]["start"], link["a_span"]["end"]),
            )
        value = (
            _jaccard(mine[0], (gold["a_start"], gold["a_end"]))
            + _jaccard(mine[1], (gold["b_start"], gold["b_end"]))
        ) / 2
        best = max(best, value)
    return best


def _earliest_rate(gold: list[dict[str, Any]], links: list[dict[str, Any]]) -> float:
    """Share of gold clusters whose predicted cluster names the planted original as its earliest carrier."""
    cluster_of: dict[str, Counter[str]] = defaultdict(Counter)
    earliest_of: dict[str, str] = {}
    for link in links:
        for side in ("a", "b"):
            cluster_of[link[side]][link["cluster"]] += 1
        earliest_of[link["cluster"]] = link.get("earliest") or earliest_of.get(link["cluster"], link["a"])
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in gold:
        if g["kind"] == "carrier":
            members[g["cluster"]].append(g)
    judged = correct = 0
    for carriers in members.values():
        votes: Counter[str] = Counter()
        for c in carriers:
            votes.update(cluster_of.get(c["article"], Counter()))
        origin = next((c["article"] for c in carriers if c["earliest"]), None)
        if not votes or origin is None or origin not in cluster_of:
            continue
        judged += 1
        correct += earliest_of[votes.most_common(1)[0][0]] == origin
    return correct / judged if judged else 0.0


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def run_size(size: int, batch: int, seed: int) -> dict[str, Any]:
    """Generate (cached), run and score one corpus size; timing covers reading, the stage and writing."""
    folder = CACHE / f"{size}-{seed}"
    if not (folder / "gold.jsonl").exists():
        gen = _generator()
        gen.write(gen.CorpusSpec(articles=size, seed=seed), folder)
    wall, cpu = time.perf_counter(), time.process_time()
    rows = read_jsonl(folder / "corpus.jsonl")
    records = run_stage(corpus_articles(rows), batch, ReuseSettings())
    with (folder / "links.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    megabytes = sum(len(r["text"].encode("utf-8")) for r in rows) / 1e6
    result = score(rows, read_jsonl(folder / "gold.jsonl"), records)
    result.update(
        articles=size,
        megabytes=round(megabytes, 2),
        wall_s=round(wall, 2),
        cpu_s=round(cpu, 2),
        mb_per_s_core=round(megabytes / cpu, 3),
        articles_per_s_core=round(size / cpu, 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        links=len(records),
    )
    return result


def _table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="reuse stage on the seeded generator (bench/reuse_corpus.py)")
    columns = ["articles", "megabytes", "precision", "recall", "f1", "span_overlap", "earliest"]
    columns += ["mb_per_s_core", "articles_per_s_core", "cpu_s", "wall_s", "peak_rss_mb"]
    for column in columns:
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(*(str(r[c]) for c in columns))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated corpus sizes")
    parser.add_argument("--batch", type=int, default=5000, help="articles per incremental batch")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help="score links of this corpus JSONL instead of generating")
    parser.add_argument("--gold", type=Path)
    parser.add_argument("--links", type=Path, help="links JSONL as written by `counterclaim reuse --json`")
    args = parser.parse_args()
    console = Console()
    if args.one:
        print(json.dumps(run_size(args.one, args.batch, args.seed)))
        return
    if args.corpus:
        if not (args.gold and args.links):
            parser.error("--corpus needs --gold and --links")
        console.print_json(
            json.dumps(score(read_jsonl(args.corpus), read_jsonl(args.gold), read_jsonl(args.links)))
        )
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        # A fresh process per size, so peak memory is that size's own.
        command = [
            sys.executable,
            __file__,
            "--one",
            str(size),
            "--batch",
            str(args.batch),
            "--seed",
            str(args.seed),
        ]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        console.print(f"{size} articles: done in {results[-1]['wall_s']} s")
    console.print(_table(results))
    for r in results:
        console.print(f"{r['articles']}: recall by edit rate {r['recall_by_edit']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"floors": FLOORS, "results": results}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
