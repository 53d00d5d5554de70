"""Cost at scale: articles per CPU-second end to end, peak memory, per-stage CPU, growth and engine scaling.

Real news (FNC-1 train bodies, PolNeAR train + dev articles) read by path, text only (no outlet, no date);
past the real articles, generated ones from bench/reuse_corpus.py. Each measurement runs in a fresh child
process on a fresh SQLite store (filled first, not timed), with the models loaded and the engine's workers
started before the clock starts. Writes bench/results/scale.json.
"""

from __future__ import annotations

import os

# One thread per process: parallelism comes from the engine's processes, not BLAS or ONNX threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "scale.json"
CLUSTER = BENCH / "ray_cluster.sh"
console = Console(stderr=True)


def data_root() -> Path:
    return Path(os.environ.get("COUNTERCLAIM_DATA", BENCH.parent.parent / "shared" / "data"))


def real_texts(root: Path) -> list[tuple[str, str]]:
    """(source, text) of every real article: FNC-1 train bodies, then PolNeAR train and dev articles."""
    csv.field_size_limit(sys.maxsize)
    texts: list[tuple[str, str]] = []
    with (root / "fnc-1" / "train_bodies.csv").open(encoding="utf-8") as handle:
        texts += [("fnc-1", row["articleBody"]) for row in csv.DictReader(handle)]
    seen: set[str] = set()
    for name in ("polnear_train.jsonl", "polnear_dev.jsonl"):
        with (root / "polnear" / name).open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row["article"] not in seen:
                    seen.add(row["article"])
                    texts.append(("polnear", str(row["text"])))
    # One fixed interleaving of the two sets (by a hash of the text), so every size mixes both.
    return sorted(texts, key=lambda item: hashlib.sha256(item[1].encode()).hexdigest())


def corpus(size: int, root: Path) -> list[tuple[str, str]]:
    """The first `size` articles: real ones first, then generated ones to make up the number."""
    texts = real_texts(root)[:size]
    if len(texts) < size:
        sys.path.insert(0, str(BENCH))
        from reuse_corpus import CorpusSpec, generate

        rows = generate(CorpusSpec(articles=size - len(texts), seed=15)).rows
        texts += [("generated", str(row["text"])) for row in rows]
    return texts


# ---------------------------------------------------------------------------------------------- the child


def child(job: dict[str, Any]) -> dict[str, Any]:
    """One measurement: store the articles, start the engine and load models, then time `analyze`."""
    from counterclaim.model import Article
    from counterclaim.pipeline import Pipeline
    from counterclaim.stages.attribution import extract_partition
    from counterclaim.store import Store, article_id

    texts = corpus(job["size"], Path(job["data"]))
    with tempfile.TemporaryDirectory() as scratch:
        # --keep-stores: the filled store stays, to compare the rows two versions of the code stored.
        folder = Path(job["keep"], str(job["size"])) if job.get("keep") else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("scale.db*"):
            old.unlink()  # a fresh store every run: a kept one from before would make analyze a no-op
        store = Store(str(folder / "scale.db"))
        articles = [Article(id=article_id(text), text=text) for _, text in texts]
        with store.begin() as conn:
            for article in articles:
                store.add_article(article, conn)
        with Pipeline(
            store, engine=job["engine"], workers=job.get("workers"), address=job.get("address")
        ) as pipeline:
            # Not timed: model loading here and in every worker (one partition each), so the clock sees
            # the per-article cost only.
            pipeline.models.encoder, pipeline.models.stance  # noqa: B018
            if job["engine"] == "local":
                pipeline.models.extractor  # noqa: B018
            pipeline.engine.map(extract_partition, articles[: max(pipeline.engine.workers, 1)])
            children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            workers_before = _worker_cpu(pipeline)
            # The peak so far (models loaded); analyze resets it before each stage to measure that stage's.
            loaded_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            cpu, wall = time.process_time(), time.perf_counter()
            report = pipeline.analyze(progress=False, stage_memory=True)
            wall = time.perf_counter() - wall
            cpu = time.process_time() - cpu
            workers_after = _worker_cpu(pipeline)
            workers_cpu = None
            if workers_before is not None and workers_after is not None:
                workers_cpu = round(workers_after - workers_before, 2)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        store.close()
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "articles": report.articles,
        "sources": {
            name: sum(1 for s, _ in texts if s == name) for name in ("fnc-1", "polnear", "generated")
        },
        "engine": report.engine,
        "wall_s": round(wall, 2),
        "driver_cpu_s": round(cpu, 2),
        "workers_cpu_s": workers_cpu,
        "children_cpu_s_total": round(
            children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime, 2
        ),
        "peak_rss_mib": round(max(loaded_peak, own.ru_maxrss / 1024, *report.peak_rss_mib.values()), 1),
        "loaded_rss_mib": round(loaded_peak, 1),
        "stage_peak_rss_mib": report.peak_rss_mib,
        "children_peak_rss_mib": round(children.ru_maxrss / 1024, 1),
        "stage_cpu_s": {name: round(value, 2) for name, value in report.cpu_seconds.items()},
        "stage_wall_s": {name: round(value, 2) for name, value in report.wall_seconds.items()},
        "stored": report.stored,
    }


def _worker_cpu(pipeline: Any) -> float | None:
    """CPU seconds the pool's worker processes have used so far (from /proc), None for other engines."""
    executor = getattr(pipeline.engine, "_executor", None)
    if executor is None:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in list(getattr(executor, "_processes", {}) or {}):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return round(total, 2)


# ------------------------------------------------------------------------------- the marginal growth run

MARGINAL_RESULTS = BENCH / "results" / "scale_growth.json"
PARTIAL_RESULTS = BENCH / "results" / "scale_growth.partial.json"


def marginal_corpus(sizes: list[int], window: int, root: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """Phases of one growing corpus: before each checkpoint size, a fill (real articles, then generated
    ones) and a window of `window` real articles kept apart for it: every window is drawn alike from real
    news."""
    real = real_texts(root)
    windows = [real[k * window : (k + 1) * window] for k in range(len(sizes))]
    fill = real[len(sizes) * window :]
    needed = max(sizes) - len(sizes) * window - len(fill)
    if needed > 0:
        sys.path.insert(0, str(BENCH))
        from reuse_corpus import CorpusSpec, generate

        fill += [
            ("generated", str(row["text"])) for row in generate(CorpusSpec(articles=needed, seed=15)).rows
        ]
    phases: list[tuple[str, list[tuple[str, str]]]] = []
    stored = 0
    for size, probe in zip(sizes, windows, strict=True):
        count = size - window - stored
        phases.append(("fill", fill[:count]))
        fill = fill[count:]
        phases.append(("window", probe))
        stored = size
    return phases


def _worker_peaks(pipeline: Any) -> list[float]:
    """Peak resident memory (MiB) of each pool worker process so far (VmHWM), empty for other engines."""
    executor = getattr(pipeline.engine, "_executor", None)
    peaks = []
    for pid in list(getattr(executor, "_processes", {}) or {}):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(round(int(line.split()[1]) / 1024, 1))
    return peaks


def marginal_child(job: dict[str, Any]) -> dict[str, Any]:
    """One growing store: fill, then time a window of real articles, at each checkpoint size."""
    from counterclaim.model import Article
    from counterclaim.pipeline import Pipeline
    from counterclaim.stages.attribution import extract_partition
    from counterclaim.store import Store, article_id

    phases = marginal_corpus(job["sizes"], job["window"], Path(job["data"]))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(str(Path(scratch) / "scale.db"))
        with Pipeline(store, engine=job["engine"], workers=job.get("workers")) as pipeline:
            pipeline.models.encoder, pipeline.models.stance  # noqa: B018
            if job["engine"] == "local":
                pipeline.models.extractor  # noqa: B018
            warm = [Article(id="warm", text=phases[-1][1][0][1])]
            pipeline.engine.map(extract_partition, warm * max(pipeline.engine.workers, 1))
            total = 0
            for kind, texts in phases:
                articles = [Article(id=article_id(text), text=text) for _, text in texts]
                with store.begin() as conn:
                    for article in articles:
                        store.add_article(article, conn)
                total += len(articles)
                console.print(f"  {kind}: {len(articles)} articles, {total} stored ...")
                ids = [article.id for article in articles]
                if kind == "fill":
                    pipeline.analyze(ids, progress=False)
                    continue
                workers_before = _worker_cpu(pipeline)
                cpu, wall = time.process_time(), time.perf_counter()
                report = pipeline.analyze(ids, progress=False)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                workers_after = _worker_cpu(pipeline)
                workers_cpu = (
                    round(workers_after - workers_before, 2)
                    if workers_before is not None and workers_after is not None
                    else None
                )
                rows.append(
                    {
                        "stored": total,
                        "articles": report.articles,
                        "driver_cpu_s": round(cpu, 2),
                        "workers_cpu_s": workers_cpu,
                        "wall_s": round(wall, 2),
                        "stage_cpu_s": {name: round(v, 2) for name, v in report.cpu_seconds.items()},
                        "driver_peak_rss_mib": round(
                            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                        ),
                        "worker_peak_rss_mib": _worker_peaks(pipeline),
                        "rows": report.stored,
                    }
                )
                # Each checkpoint is kept as soon as it is measured: a long run stopped early keeps its rows.
                partial = {"engine": job["engine"], "workers": job.get("workers"), "window": job["window"]}
                PARTIAL_RESULTS.write_text(json.dumps({**partial, "rows": rows}, indent=2) + "\n")
        store.close()
    return {"engine": job["engine"], "workers": job.get("workers"), "window": job["window"], "rows": rows}


def marginal_run(args: argparse.Namespace) -> None:
    """The marginal growth run (--marginal): one child, one growing store; writes scale_growth.json."""
    job = {
        "mode": "marginal",
        "sizes": [int(size) for size in args.marginal.split(",")],
        "window": args.window,
        "engine": args.engine,
        "workers": args.workers,
        "data": str(args.data or data_root()),
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)]
    console.print(f"growing one store to {job['sizes'][-1]} articles ({args.engine} x{args.workers}) ...")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit("the marginal growth run failed (its messages are above)")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["note"] = (
        "CPU of a window of real articles analysed into a store already holding the rest: the cost of a new "
        "article as the corpus grows; shared 2-core machine, so CPU seconds, not wall, are what to compare"
    )
    MARGINAL_RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    PARTIAL_RESULTS.unlink(missing_ok=True)
    show_marginal(result)


def show_marginal(result: dict[str, Any]) -> None:
    table = Table(
        title=f"Cost of {result['window']} new real articles as the store grows "
        f"({result['engine']} engine x{result['workers'] or 1})"
    )
    for column in (
        "stored",
        "CPU-s/article",
        "per-article stage",
        "driver stages",
        "driver peak MiB",
        "worker peak MiB",
        "claims stored",
    ):
        table.add_column(column, justify="right")
    for row in result["rows"]:
        stages = row["stage_cpu_s"]
        driver = row["driver_cpu_s"] - (
            stages.get("attributions", 0.0) if row["workers_cpu_s"] is None else 0.0
        )
        per_article_stage = (
            row["workers_cpu_s"] if row["workers_cpu_s"] is not None else stages.get("attributions", 0.0)
        )
        table.add_row(
            str(row["stored"]),
            f"{per_article(row):.3f}",
            f"{per_article_stage / max(row['articles'], 1):.3f}",
            f"{driver / max(row['articles'], 1):.3f}",
            f"{row['driver_peak_rss_mib']:.0f}",
            ", ".join(f"{peak:.0f}" for peak in row["worker_peak_rss_mib"]) or "-",
            str(row["rows"].get("claims", 0)),
        )
    Console().print(table)


# --------------------------------------------------------------------------------------------- the parent


def measure(job: dict[str, Any], ray_port: int | None = None) -> dict[str, Any]:
    """Run one job in a child process (inside a loopback-only two-node Ray cluster for the ray engine)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)]
    if ray_port is not None:
        ray_bin = str(Path(sys.executable).with_name("ray"))
        command = ["bash", str(CLUSTER), str(ray_port), "2", "1", *command]
        os.environ["RAY_BIN"] = ray_bin
    label = f"{job['engine']} x{job.get('workers') or '-'}, {job['size']} articles"
    console.print(f"measuring {label} ...")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{label} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def search_costs(claims: int, queries: int = 200, seed: int = 5) -> dict[str, Any]:
    """Claim search candidates: the HNSW index against the full product, on clustered unit vectors.

    Synthetic vectors (384-d, 500 topics): what is measured is the index, not MiniLM. Recall is of the exact
    30 nearest among the index's reranked candidates, as `find_claim` asks.
    """
    import numpy as np

    from counterclaim.store.claim_index import MIN_CANDIDATES, OVERFETCH, ClaimIndex
    from counterclaim.store.search import POOL

    rng = np.random.default_rng(seed)

    def unit(count: int) -> Any:
        centres = rng.normal(size=(500, 384))
        rows = centres[rng.integers(0, 500, count)] + 0.8 * rng.normal(size=(count, 384))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    vectors, asked = unit(claims), unit(queries)
    ids = [f"c{n:08d}" for n in range(claims)]
    index = ClaimIndex(384)
    started = time.process_time()
    index.sync(ids, vectors)
    build = time.process_time() - started
    started = time.process_time()
    wanted = max(POOL * OVERFETCH, MIN_CANDIDATES)
    found = [index.candidates(query, wanted) for query in asked]
    ann = (time.process_time() - started) / queries
    started = time.process_time()
    exact = [np.argsort(-(vectors @ query), kind="stable")[:POOL] for query in asked]
    full = (time.process_time() - started) / queries
    pairs = list(zip(exact, found, strict=True))
    hits = sum(len({ids[i] for i in best} & set(got)) for best, got in pairs)
    top_hits = sum(len({ids[i] for i in best[:5]} & set(got)) for best, got in pairs)
    return {
        "claims": claims,
        "candidates": wanted,
        "build_cpu_s": round(build, 2),
        "index_query_ms": round(1000 * ann, 3),
        "full_product_query_ms": round(1000 * full, 3),
        "recall_at_30": round(hits / (POOL * queries), 4),
        "recall_at_5": round(top_hits / (5 * queries), 4),
    }


def per_article(row: dict[str, Any]) -> float:
    """CPU seconds per article: the driver's, plus the pool workers' when there are any."""
    return (row["driver_cpu_s"] + (row["workers_cpu_s"] or 0.0)) / max(row["articles"], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--sizes", default="1000,5000,20000", help="growth: corpus sizes, local engine")
    parser.add_argument(
        "--scaling-size", type=int, default=5000, help="articles for the engine comparison (0: leave it out)"
    )
    parser.add_argument("--ray-port", type=int, default=26479)
    parser.add_argument("--no-ray", action="store_true", help="leave out the Ray row (no unshare here)")
    parser.add_argument(
        "--search-claims", default="100000", help="claim search: index sizes, comma-separated"
    )
    parser.add_argument("--only-search", action="store_true", help="measure claim search only")
    parser.add_argument("--keep-stores", type=Path, help="keep each growth size's store in DIR/SIZE/scale.db")
    parser.add_argument(
        "--marginal",
        help="growth of a new article's cost: checkpoint sizes of one growing store (1000,5000,20000)",
    )
    parser.add_argument("--window", type=int, default=500, help="real articles timed at each checkpoint")
    parser.add_argument("--engine", default="pool", help="engine of the marginal run (local, pool)")
    parser.add_argument("--workers", type=int, default=2, help="pool workers of the marginal run")
    args = parser.parse_args()
    if args.child:
        job = json.loads(args.child)
        print(json.dumps(marginal_child(job) if job.get("mode") == "marginal" else child(job)))
        return
    if args.marginal:
        marginal_run(args)
        return
    search = [search_costs(int(size)) for size in args.search_claims.split(",") if size]
    if args.only_search:
        print(json.dumps(search, indent=2))
        return
    data = str(args.data or data_root())
    sizes = [int(size) for size in args.sizes.split(",")]
    keep = str(args.keep_stores.resolve()) if args.keep_stores else None
    growth = [measure({"engine": "local", "size": size, "data": data, "keep": keep}) for size in sizes]
    scaling: dict[str, Any] = {}
    if args.scaling_size > 0:
        for workers in (1, 2):
            job = {"engine": "pool", "workers": workers, "size": args.scaling_size, "data": data}
            scaling[f"pool x{workers}"] = measure(job)
    if args.scaling_size > 0 and not args.no_ray:
        job = {"engine": "ray", "workers": 2, "size": args.scaling_size, "data": data}
        scaling["ray, 2 nodes x 1 CPU"] = measure(
            {**job, "address": f"127.0.0.1:{args.ray_port}"}, args.ray_port
        )
    result = {
        "cpus": os.cpu_count(),
        "note": "shared 2-core machine, loaded by other work: CPU seconds are what to compare, wall is noisy",
        "growth": growth,
        "scaling": scaling,
        "search": search,
    }
    # A part left out of this run (--scaling-size 0, --search-claims "") keeps the previous run's figures,
    # named as carried over so that nobody reads them as measured on this code.
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    carried = [part for part in ("scaling", "search") if not result[part] and previous.get(part)]
    for part in carried:
        result[part] = previous[part]
    if carried:
        result["carried_over"] = carried
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    show(result)


def show(result: dict[str, Any]) -> None:
    out = Console()
    growth = Table(
        title="End to end, local engine, real news (text only): CPU per article as the corpus grows"
    )
    for column in ("articles", "real", "CPU-s/article", "articles/CPU-s", "peak RSS MiB", "claims"):
        growth.add_column(column, justify="right")
    for row in result["growth"]:
        cost = per_article(row)
        real = row["sources"]["fnc-1"] + row["sources"]["polnear"]
        growth.add_row(
            str(row["articles"]),
            str(real),
            f"{cost:.3f}",
            f"{1 / cost:.2f}",
            f"{row['peak_rss_mib']:.0f}",
            str(row["stored"]["claims"]),
        )
    out.print(growth)
    stages = Table(title="CPU-s per article by stage, local engine (share of the run in brackets)")
    names = list(result["growth"][-1]["stage_cpu_s"])
    for column in ("articles", *names):
        stages.add_column(column, justify="right")
    for row in result["growth"]:
        total = sum(row["stage_cpu_s"].values()) or 1.0
        cells = [
            f"{row['stage_cpu_s'].get(name, 0.0) / max(row['articles'], 1):.3f} "
            f"({100 * row['stage_cpu_s'].get(name, 0.0) / total:.0f} %)"
            for name in names
        ]
        stages.add_row(str(row["articles"]), *cells)
    out.print(stages)
    scaling = Table(title="Engines on the same articles: wall time of analyze (models loaded beforehand)")
    for column in ("engine", "articles", "wall s", "driver CPU-s", "worker CPU-s", "nodes"):
        scaling.add_column(column, justify="right")
    for name, row in result["scaling"].items():
        workers = row["workers_cpu_s"]
        scaling.add_row(
            name,
            str(row["articles"]),
            f"{row['wall_s']:.1f}",
            f"{row['driver_cpu_s']:.1f}",
            "-" if workers is None else f"{workers:.1f}",
            str(row["engine"]["nodes"]),
        )
    out.print(scaling)
    search = Table(title="Claim search candidates: HNSW index (usearch) against the full product, one thread")
    for column in ("claims", "build CPU-s", "index ms/query", "full ms/query", "recall@30", "recall@5"):
        search.add_column(column, justify="right")
    for row in result.get("search", []):
        search.add_row(
            str(row["claims"]),
            f"{row['build_cpu_s']:.1f}",
            f"{row['index_query_ms']:.2f}",
            f"{row['full_product_query_ms']:.2f}",
            f"{row['recall_at_30']:.3f}",
            f"{row['recall_at_5']:.3f}",
        )
    out.print(search)


if __name__ == "__main__":
    main()
