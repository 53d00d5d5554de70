"""Attribution throughput with a process pool: articles per second with 1 worker and with N, same texts.

Reads PolNeAR dev articles (text only) by path; writes bench/results/workers.json. Model loading is not timed.
"""

from __future__ import annotations

import os

# One thread per process: the pool, not BLAS threads, is what is measured.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from counterclaim.attribution import AttributionExtractor  # noqa: E402
from counterclaim.attribution.polnear import data_root, read_polnear  # noqa: E402
from counterclaim.model import Article  # noqa: E402
from counterclaim.workers import AttributionPool  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "workers.json"
console = Console()


def timed(extract: AttributionExtractor | AttributionPool, articles: list[Article]) -> dict[str, float]:
    # A warm-up slice first: the first call pays for lazy initialisation in every worker.
    extract.extract(articles[:4])
    started = time.perf_counter()
    found = extract.extract(articles)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(articles) / seconds, 2),
        "attributions": len(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=data_root() / "polnear" / "polnear_dev.jsonl")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--limit", type=int, default=60, help="articles to time")
    args = parser.parse_args()
    articles = [item.article for item in read_polnear(args.data)][: args.limit]
    rows = {"1": timed(AttributionExtractor(), articles)}
    if args.workers > 1:
        with AttributionPool(args.workers) as pool:
            rows[str(args.workers)] = timed(pool, articles)
    result = {"articles": len(articles), "cpus": os.cpu_count(), "by_workers": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    title = f"Attribution throughput, {len(articles)} PolNeAR dev articles, {os.cpu_count()} CPUs"
    table = Table(title=title)
    for column in ("workers", "seconds", "articles/s", "speed-up", "attributions"):
        table.add_column(column)
    base = rows["1"]["articles_per_s"]
    for workers, row in rows.items():
        table.add_row(
            workers,
            str(row["seconds"]),
            str(row["articles_per_s"]),
            f"{row['articles_per_s'] / base:.2f}x",
            str(int(row["attributions"])),
        )
    console.print(table)


if __name__ == "__main__":
    main()
