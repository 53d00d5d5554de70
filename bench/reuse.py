"""Evaluation of the reuse stage on two independently designed generators: quality by band, growth, CLI speed.

`python bench/reuse.py` generates seeded corpora (bench/reuse_corpus.py, bench/reuse_corpus_b.py), runs and
scores the stage, runs `counterclaim reuse --json` on a stored corpus, prints a table, writes
bench/results/reuse.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import combinations
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from counterclaim.model import Article
from counterclaim.reuse import ReuseIndex, ReuseSettings, assign_clusters, direction, find_reuse, link_record

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "reuse.json"
CACHE = ROOT / "results" / "tmp" / "reuse"
GENERATORS = {"a": "reuse_corpus", "b": "reuse_corpus_b"}
SEEDS = {"a": 7, "b": 3}
# Bands of a planted passage's carrier count (distinct outlets), and the quoted-statement band.
BANDS = (("1-4", 1, 4), ("5-19", 5, 19), ("20-199", 20, 199))
QUOTE_WORDS = (12, 39)
FLOORS = {
    "precision": 0.99,
    "recall_band": 0.97,
    "recall_quotes": 0.97,
    "span_overlap": 0.90,
    "earliest": 0.90,
    "cli_mb_per_cpu_s": 2.0,
}
# A carrier counts as found in a found cluster when that cluster's spans in its article cover its gold span
# with a Jaccard overlap of at least this.
SPAN_MATCH = 0.5


def generator(name: str) -> ModuleType:
    module_name = GENERATORS[name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / f"{module_name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
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


def run_stage(
    articles: Sequence[Article], batch: int, settings: ReuseSettings, batch_cpu: list[float] | None = None
) -> list[dict[str, Any]]:
    """The stage over a corpus in batches, each compared with the index of the batches before it;
    `batch_cpu` collects each batch's CPU seconds."""
    index = ReuseIndex(settings)
    links = []
    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("reuse", total=len(articles))
        for start in range(0, len(articles), batch):
            chunk = articles[start : start + batch]
            cpu = time.process_time()
            links.extend(find_reuse(chunk, index))
            if batch_cpu is not None:
                batch_cpu.append(time.process_time() - cpu)
            progress.advance(task, len(chunk))
    published = {a.id: a.published_at for a in articles}
    linked, clusters = assign_clusters(links, published)
    by_id = {c.id: c for c in clusters}
    return [
        link_record(link, by_id[link.cluster], direction(published[link.a], published[link.b])[1])
        for link in linked
    ]


# -- scoring ---------------------------------------------------------------------------------------------


def _jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _band(outlets: int) -> str:
    return next((name for name, lo, hi in BANDS if lo <= outlets <= hi), "200+")


class _Gold:
    """Gold carriers by cluster, and the pairs a run must find (explicit in generator A, implied in B)."""

    def __init__(self, gold: list[dict[str, Any]], outlet: dict[str, Any]) -> None:
        self.carriers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for g in gold:
            if g["kind"] == "carrier":
                self.carriers[g["cluster"]].append(g)
        self.outlets = {k: len({outlet.get(c["article"]) for c in v}) for k, v in self.carriers.items()}
        self.span = {
            (c["cluster"], c["article"]): (c["start"], c["end"]) for v in self.carriers.values() for c in v
        }
        explicit = [g for g in gold if g["kind"] == "pair"]
        self.pairs: list[tuple[str, str, str]] = []  # (cluster, a, b), required only
        if explicit:
            self.pairs = [(g["cluster"], g["a"], g["b"]) for g in explicit if g["required"]]
            self.edit = {(g["cluster"], g["a"], g["b"]): g for g in explicit if g["required"]}
        else:
            self.edit = {}
            for name, carriers in self.carriers.items():
                required = [c for c in carriers if c.get("required", True)]
                for x, y in combinations(required, 2):
                    if outlet.get(x["article"]) != outlet.get(y["article"]):
                        self.pairs.append((name, x["article"], y["article"]))
        self.clusters_of: dict[str, list[str]] = defaultdict(list)
        for name, carriers in self.carriers.items():
            for c in carriers:
                self.clusters_of[c["article"]].append(name)

    def is_quote(self, cluster: str) -> bool:
        first = self.carriers[cluster][0]
        return first.get("passage") == "quote" and QUOTE_WORDS[0] <= first.get("words", 0) <= QUOTE_WORDS[1]


class _Found:
    """The run's clusters: each article's merged spans per found cluster, and each one's earliest carrier."""

    def __init__(self, links: list[dict[str, Any]], outlet: dict[str, Any]) -> None:
        spans: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        self.earliest: dict[str, str] = {}
        self.basis: dict[str, str] = {}
        for link in links:
            if outlet.get(link["a"]) == outlet.get(link["b"]):
                continue
            spans[(link["cluster"], link["a"])].append((link["a_start"], link["a_end"]))
            spans[(link["cluster"], link["b"])].append((link["b_start"], link["b_end"]))
            self.earliest[link["cluster"]] = link.get("earliest") or self.earliest.get(
                link["cluster"], link["a"]
            )
            self.basis[link["cluster"]] = link.get("earliest_basis", "")
        self.by_article: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(dict)
        for (cluster, article), found in spans.items():
            self.by_article[article][cluster] = _merge(found)

    def clusters(self, article: str, span: tuple[int, int]) -> dict[str, float]:
        """Found clusters carrying this gold span, with the Jaccard overlap of their spans in the article."""
        out = {}
        for cluster, segments in self.by_article.get(article, {}).items():
            touching = [s for s in segments if s[0] < span[1] and span[0] < s[1]]
            if touching:
                overlap = _jaccard((touching[0][0], touching[-1][1]), span)
                if overlap >= SPAN_MATCH:
                    out[cluster] = overlap
        return out


def score(
    corpus: list[dict[str, Any]], gold: list[dict[str, Any]], links: list[dict[str, Any]]
) -> dict[str, Any]:
    """Pair precision; pair recall overall, by carrier band and for quoted statements; span overlap; earliest.

    A found link is correct when both its articles carry one gold passage and both its spans overlap that
    passage there. A gold pair (two carriers of one passage, different outlets) is found when both carriers
    sit in one found cluster whose spans cover each gold span (Jaccard >= 0.5): the stage links a new carrier
    to a passage's earliest carriers and a few others, not to every other carrier.
    """
    outlet = {r["id"]: r.get("outlet") for r in corpus}
    links = _to_corpus_ids(corpus, [_flat(link) for link in links])
    truth = _Gold(gold, outlet)
    found = _Found(links, outlet)
    precision, pairs_found = _precision(links, truth, outlet)
    matched = {
        (name, c["article"]): found.clusters(c["article"], (c["start"], c["end"]))
        for name, carriers in truth.carriers.items()
        for c in carriers
    }
    hits: dict[str, list[bool]] = defaultdict(list)
    overlaps = []
    for name, a, b in truth.pairs:
        x, y = matched[(name, a)], matched[(name, b)]
        common = set(x) & set(y)
        hit = bool(common)
        hits["all"].append(hit)
        hits[_band(truth.outlets[name])].append(hit)
        if truth.is_quote(name):
            hits["quotes"].append(hit)
        edit = truth.edit.get((name, a, b))
        if edit is not None:
            hits[f"edit {edit['edit']:.2f}" if edit["direct"] else "edit indirect"].append(hit)
        if hit:
            overlaps.append(max((x[k] + y[k]) / 2 for k in common))
    recall = _rate(hits["all"])
    return {
        "pairs_found": pairs_found,
        "pairs_required": len(truth.pairs),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "recall_by_band": {name: round(_rate(hits[name]), 4) for name, _, _ in BANDS if hits[name]},
        "pairs_by_band": {name: len(hits[name]) for name, _, _ in BANDS if hits[name]},
        "recall_quotes": round(_rate(hits["quotes"]), 4) if hits["quotes"] else None,
        "pairs_quotes": len(hits["quotes"]),
        "recall_by_edit": {
            k[5:]: round(_rate(v), 4) for k, v in sorted(hits.items()) if k.startswith("edit ")
        },
        "span_overlap": round(sum(overlaps) / len(overlaps), 4) if overlaps else 0.0,
        **_earliest(truth, found, matched),
    }


def _flat(link: dict[str, Any]) -> dict[str, Any]:
    """A link record with flat span offsets (`a_start`, `a_end`, ...): the CLI prints span objects."""
    if "a_span" not in link:
        return link
    a, b = link["a_span"], link["b_span"]
    return {**link, "a_start": a["start"], "a_end": a["end"], "b_start": b["start"], "b_end": b["end"]}


def _rate(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 1.0


def _precision(links: list[dict[str, Any]], truth: _Gold, outlet: dict[str, Any]) -> tuple[float, int]:
    verdict: dict[frozenset[str], bool] = {}
    for link in links:
        if outlet.get(link["a"]) == outlet.get(link["b"]):
            continue
        pair = frozenset((link["a"], link["b"]))
        shared = set(truth.clusters_of.get(link["a"], ())) & set(truth.clusters_of.get(link["b"], ()))
        right = any(
            _touches(truth.span[(name, link["a"])], (link["a_start"], link["a_end"]))
            and _touches(truth.span[(name, link["b"])], (link["b_start"], link["b_end"]))
            for name in shared
        )
        verdict[pair] = verdict.get(pair, True) and right
    return (sum(verdict.values()) / len(verdict) if verdict else 1.0), len(verdict)


def _touches(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _earliest(
    truth: _Gold, found: _Found, matched: dict[tuple[str, str], dict[str, float]]
) -> dict[str, Any]:
    """Share of gold passages (two outlets or more) whose main found cluster names an earliest dated carrier
    (any of them on a tie), and whether that cluster's basis says tie / undated when the gold does."""
    judged = correct = basis_right = 0
    for name, carriers in truth.carriers.items():
        if truth.outlets[name] < 2:
            continue
        votes: Counter[str] = Counter()
        for c in carriers:
            votes.update(matched[(name, c["article"])].keys())
        if not votes:
            continue
        cluster = votes.most_common(1)[0][0]
        judged += 1
        first = {c["article"] for c in carriers if c["earliest"]}
        correct += found.earliest.get(cluster) in first
        said = found.basis.get(cluster, "")
        expected = (
            "undated" if any(c.get("undated") for c in carriers) else "tie" if len(first) > 1 else "dated"
        )
        basis_right += said == expected
    return {
        "earliest": round(correct / judged, 4) if judged else 0.0,
        "earliest_judged": judged,
        "basis_agrees": round(basis_right / judged, 4) if judged else 0.0,
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


# -- runs ------------------------------------------------------------------------------------------------


def corpus_folder(name: str, size: int) -> Path:
    """The generated corpus of one generator and size (cached on disk)."""
    folder = CACHE / f"{name}-{size}-{SEEDS[name]}"
    if not (folder / "gold.jsonl").exists():
        module = generator(name)
        module.write(module.CorpusSpec(articles=size, seed=SEEDS[name]), folder)
    return folder


def run_size(name: str, size: int, batch: int) -> dict[str, Any]:
    """Generate (cached), run and score one corpus size; timing covers reading, the stage and writing."""
    folder = corpus_folder(name, size)
    wall, cpu = time.perf_counter(), time.process_time()
    rows = read_jsonl(folder / "corpus.jsonl")
    batch_cpu: list[float] = []
    records = run_stage(corpus_articles(rows), batch, ReuseSettings(), batch_cpu)
    with (folder / "links.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    megabytes = sum(len(r["text"].encode("utf-8")) for r in rows) / 1e6
    result = score(rows, read_jsonl(folder / "gold.jsonl"), records)
    result.update(
        generator=name,
        articles=size,
        megabytes=round(megabytes, 2),
        wall_s=round(wall, 2),
        cpu_s=round(cpu, 2),
        ms_per_article=round(1000 * cpu / size, 3),
        mb_per_s_core=round(megabytes / cpu, 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        links=len(records),
        # Within one run: a batch's cost per article early on and at the end, when the index is largest.
        batch_ms_per_article=_early_and_late(batch_cpu, batch),
    )
    return result


def _early_and_late(batch_cpu: list[float], batch: int) -> dict[str, float] | None:
    """Mean ms per article of the first and of the last tenth of the batches (ten batches or more)."""
    if len(batch_cpu) < 10:
        return None
    tenth = len(batch_cpu) // 10
    # The last batch may be short: leave it out.
    early, late = batch_cpu[:tenth], batch_cpu[-tenth - 1 : -1]
    return {
        "first_tenth": round(1000 * sum(early) / (len(early) * batch), 3),
        "last_tenth": round(1000 * sum(late) / (len(late) * batch), 3),
    }


def run_cli(name: str, size: int) -> dict[str, Any]:
    """`counterclaim reuse --json` on a stored corpus: reading the store, comparing, saving, printing links.

    The store is filled first (not timed); the command's own CPU time is the child's user + system time.
    """
    from counterclaim.store import Store, article_id

    folder = corpus_folder(name, size)
    rows = read_jsonl(folder / "corpus.jsonl")
    db = folder / "cli.db"
    db.unlink(missing_ok=True)
    store = Store(str(db))
    with store.begin() as conn:
        for article in corpus_articles(rows):
            store.add_article(Article(**{**_fields(article), "id": article_id(article.text)}), conn)
    store.close()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    command = [
        sys.executable,
        "-c",
        "from counterclaim.cli import main; main()",
        "reuse",
        "--db",
        str(db),
        "--json",
    ]
    with (folder / "cli-links.jsonl").open("w", encoding="utf-8") as out:
        subprocess.run(command, check=True, stdout=out, env={**os.environ, "PYTHONPATH": _pythonpath()})
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    megabytes = sum(len(r["text"].encode("utf-8")) for r in rows) / 1e6
    links = read_jsonl(folder / "cli-links.jsonl")
    quality = score(rows, read_jsonl(folder / "gold.jsonl"), links)
    return {
        "generator": name,
        "articles": size,
        "megabytes": round(megabytes, 2),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "mb_per_cpu_s": round(megabytes / cpu, 3),
        "links": len(links),
        "precision": quality["precision"],
        "recall": quality["recall"],
    }


def _fields(article: Article) -> dict[str, Any]:
    return {f: getattr(article, f) for f in Article.__dataclass_fields__}


def _pythonpath() -> str:
    src = str(ROOT.parent / "src")
    return os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)


def _table(results: list[dict[str, Any]]) -> Table:
    table = Table(
        title="reuse stage on two generators (A: bench/reuse_corpus.py, B: bench/reuse_corpus_b.py)"
    )
    columns = ["generator", "articles", "MB", "P", "R", "R 1-4", "R 5-19", "R 20-199", "R quotes 12-39"]
    columns += ["span", "earliest", "ms/article", "MB/s core"]
    for column in columns:
        table.add_column(column, justify="right")
    for r in results:
        band = r["recall_by_band"]
        table.add_row(
            r["generator"].upper(),
            f"{r['articles']:,}",
            str(r["megabytes"]),
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            *(f"{band[k]:.3f}" if k in band else "-" for k in ("1-4", "5-19", "20-199")),
            f"{r['recall_quotes']:.3f}" if r["recall_quotes"] is not None else "-",
            f"{r['span_overlap']:.3f}",
            f"{r['earliest']:.3f}",
            f"{r['ms_per_article']:.2f}",
            f"{r['mb_per_s_core']:.2f}",
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated corpus sizes")
    parser.add_argument("--generators", default="a,b", help="which generators: a, b or both")
    parser.add_argument("--cli-size", type=int, default=20000, help="corpus size of the CLI run (0: skip it)")
    parser.add_argument("--batch", type=int, default=5000, help="articles per incremental batch")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help="score links of this corpus JSONL instead of generating")
    parser.add_argument("--gold", type=Path)
    parser.add_argument("--links", type=Path, help="links JSONL as written by `counterclaim reuse --json`")
    args = parser.parse_args()
    console = Console(width=160)
    if args.one:
        name, size = args.one.split(":")
        print(json.dumps(run_size(name, int(size), args.batch)))
        return
    if args.corpus:
        if not (args.gold and args.links):
            parser.error("--corpus needs --gold and --links")
        console.print_json(
            json.dumps(score(read_jsonl(args.corpus), read_jsonl(args.gold), read_jsonl(args.links)))
        )
        return
    results, cli = [], []
    for name in args.generators.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            # A fresh process per size, so peak memory is that size's own.
            command = [sys.executable, __file__, "--one", f"{name}:{size}", "--batch", str(args.batch)]
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            console.print(f"{name.upper()} {size} articles: done in {results[-1]['wall_s']} s")
        if args.cli_size:
            cli.append(run_cli(name, args.cli_size))
            console.print(f"{name.upper()} CLI {args.cli_size}: {cli[-1]['mb_per_cpu_s']} MB per CPU-second")
    console.print(_table(results))
    for r in results:
        console.print(
            f"{r['generator'].upper()} {r['articles']}: pairs {r['pairs_by_band']}, "
            f"quote pairs {r['pairs_quotes']}, "
            f"recall by edit {r['recall_by_edit']}, basis agrees {r['basis_agrees']}"
        )
    for c in cli:
        console.print(
            f"CLI {c['generator'].upper()} {c['articles']:,} articles ({c['megabytes']} MB): "
            f"{c['cpu_s']} CPU s, "
            f"{c['mb_per_cpu_s']} MB per CPU-second, P {c['precision']:.3f} R {c['recall']:.3f}"
        )
    scaling = growth(results)
    for name, sizes in scaling.items():
        steps = ", ".join(f"{s['articles']:,}: {s['cpu_s_per_mb']} CPU s/MB" for s in sizes["sizes"])
        console.print(f"growth {name.upper()}: {steps}; largest / smallest per MB: {sizes['ratio']}")
    for r in results:
        if r.get("batch_ms_per_article"):
            within = r["batch_ms_per_article"]
            console.print(
                f"{r['generator'].upper()} {r['articles']:,}: ms per article of a batch, first tenth "
                f"{within['first_tenth']}, last tenth {within['last_tenth']}"
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"floors": FLOORS, "results": results, "cli": cli, "growth": scaling}, indent=2) + "\n",
        encoding="utf-8",
    )


def growth(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """CPU seconds per MB of text at each corpus size, per generator, and the largest size's over the
    smallest's: 1.0 is linear growth, 2.0 means each MB costs twice as much in a corpus 100 times larger."""
    out: dict[str, dict[str, Any]] = {}
    for name in sorted({r["generator"] for r in results}):
        runs = sorted((r for r in results if r["generator"] == name), key=lambda r: r["articles"])
        sizes = [
            {"articles": r["articles"], "cpu_s_per_mb": round(r["cpu_s"] / r["megabytes"], 4)} for r in runs
        ]
        ratio = sizes[-1]["cpu_s_per_mb"] / sizes[0]["cpu_s_per_mb"] if sizes[0]["cpu_s_per_mb"] else 0.0
        out[name] = {"sizes": sizes, "ratio": round(ratio, 3)}
    return out


if __name__ == "__main__":
    main()
