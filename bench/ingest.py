"""Ingest benchmark: main-text extraction quality on the article-extraction benchmark, and ingest speed.

Quality: word 4-gram P/R/F1 as scrapinghub/article-extraction-benchmark's evaluate.py computes it.
Speed: articles per second on one core for HTML files and WARC, peak memory, and a second run's speed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import multiprocessing
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import track
from rich.table import Table

from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.ingest.html import DEFAULT_SETTINGS, ExtractionSettings, extract_main_text
from counterclaim.store import Store

RESULTS = Path(__file__).parent / "results" / "ingest.json"
PUBLISHED_TRAFILATURA_F1 = 0.958
FLOOR_F1 = 0.958
_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)
VARIANTS = {
    "counterclaim (no comments, fast, recall)": DEFAULT_SETTINGS,
    "trafilatura defaults": ExtractionSettings(include_comments=True, fast=False),
    "favor_precision": ExtractionSettings(favor_precision=True, favor_recall=False),
    "no favor_recall": ExtractionSettings(favor_recall=False),
    "no tables": ExtractionSettings(include_tables=False),
}
console = Console()


# -- the benchmark's metric -------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[str]:
    tokens = _TOKEN.findall(text or "")
    grams = (" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(gram for gram in grams if gram)


def document_counts(true: str, pred: str) -> tuple[float, float, float]:
    """TP, FP, FN over the multiset of shingles, normalised to sum 1."""
    gold, found = shingles(true), shingles(pred)
    tp = sum((gold & found).values())
    fp = sum((found - gold).values())
    fn = sum((gold - found).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(gold: dict[str, Any], predicted: dict[str, str]) -> dict[str, float]:
    precisions, recalls, exact = [], [], 0
    for key, item in gold.items():
        true, pred = item.get("articleBody", ""), predicted.get(key, "")
        tp, fp, fn = document_counts(true, pred)
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
        exact += _TOKEN.findall(true) == _TOKEN.findall(pred)
    precision, recall = statistics.mean(precisions), statistics.mean(recalls)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
        "accuracy": exact / len(gold),
    }


# -- quality ------------------------------------------------------------------------------------


def extraction_quality(benchmark: Path) -> dict[str, Any]:
    gold = json.loads((benchmark / "ground-truth.json").read_text(encoding="utf-8"))
    reference = json.loads((benchmark / "output" / "trafilatura.json").read_text(encoding="utf-8"))["output"]
    sanity = score(gold, {key: item.get("articleBody", "") for key, item in reference.items()})
    pages = {key: gzip.decompress((benchmark / "html" / f"{key}.html.gz").read_bytes()) for key in gold}
    variants = {}
    for name, settings in VARIANTS.items():
        started = time.process_time()
        predicted = {
            key: extract_main_text(html, url=gold[key].get("url"), settings=settings)
            for key, html in track(pages.items(), description=f"extracting: {name}", console=console)
        }
        variants[name] = {
            **score(gold, predicted),
            "pages_per_cpu_second": len(pages) / (time.process_time() - started),
        }
    return {"pages": len(gold), "scorer_check_trafilatura_2_0_0": sanity, "variants": variants}


# -- speed --------------------------------------------------------------------------------------


def _varied(html: bytes, copy: int) -> bytes:
    # Every paragraph gets the copy's number, so each copy is a distinct article, same structure.
    return html.replace(b"</p>", f" (copy {copy})</p>".encode())


def build_corpus(benchmark: Path, directory: Path, pages: int) -> tuple[Path, Path]:
    """`pages` HTML files and the same pages as WARC.gz files of 500 records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    sources = sorted((benchmark / "html").glob("*.html.gz"))
    originals = [gzip.decompress(path.read_bytes()) for path in sources]
    html_dir, warc_dir = directory / "html", directory / "warc"
    html_dir.mkdir()
    warc_dir.mkdir()
    handle: io.BufferedWriter | None = None
    writer = None
    for number in track(range(pages), description="building corpus", console=console):
        page = _varied(originals[number % len(originals)], number // len(originals))
        (html_dir / f"page_{number:05d}.html").write_bytes(page)
        if number % 500 == 0:
            if handle is not None:
                handle.close()
            handle = (warc_dir / f"crawl_{number // 500:03d}.warc.gz").open("wb")
            writer = WARCWriter(handle, gzip=True)
        assert writer is not None
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        url = f"https://bench.example/{number}"
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(page), http_headers=headers)
        )
    if handle is not None:
        handle.close()
    return html_dir, warc_dir


def timed_ingest(corpus: str, db: str) -> dict[str, Any]:
    """Run in a child process pinned to one core: two ingests of the same corpus, then peak memory."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    store = Store(db)
    options = IngestOptions(recursive=True, analyze=False)
    started = time.perf_counter()
    first = ingest_paths(store, [corpus], options, progress=False)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = ingest_paths(store, [corpus], options, progress=False)
    second_seconds = time.perf_counter() - started
    return {
        "articles": len(first.added),
        "duplicates": len(first.duplicates),
        "problems": len(first.problems),
        "seconds": first_seconds,
        "articles_per_second": len(first.added) / first_seconds,
        "second_run_seconds": second_seconds,
        "second_run_skipped_sources": len(second.skipped_sources),
        "second_run_speedup": first_seconds / second_seconds,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def ingest_speed(benchmark: Path, pages: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    results = {}
    with tempfile.TemporaryDirectory(prefix="counterclaim-bench-") as temporary:
        html_dir, warc_dir = build_corpus(benchmark, Path(temporary), pages)
        for name, corpus in (("html", html_dir), ("warc", warc_dir)):
            console.print(f"ingesting {pages} pages as {name} (one core)…")
            with context.Pool(1) as pool:
                results[name] = pool.apply(timed_ingest, (str(corpus), str(Path(temporary) / f"{name}.db")))
    return results


# -- report -------------------------------------------------------------------------------------


def print_tables(results: dict[str, Any]) -> None:
    quality = Table(title=f"main-text extraction, {results['quality']['pages']} pages (word 4-gram)")
    for column in ("settings", "precision", "recall", "F1", "accuracy", "pages/s"):
        quality.add_column(column, justify="left" if column == "settings" else "right")
    check = results["quality"]["scorer_check_trafilatura_2_0_0"]
    quality.add_row(
        "scorer check: published trafilatura output",
        *(f"{check[k]:.3f}" for k in ("precision", "recall", "f1", "accuracy")),
        "",
    )
    for name, row in results["quality"]["variants"].items():
        quality.add_row(
            name,
            *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1", "accuracy")),
            f"{row['pages_per_cpu_second']:.0f}",
        )
    console.print(quality)
    if "speed" not in results:
        return
    speed = Table(title="ingest speed (one core, SQLite)")
    for column in ("input", "articles", "articles/s", "peak MB", "2nd run s", "speed-up"):
        speed.add_column(column, justify="right")
    for name, row in results["speed"].items():
        speed.add_row(
            name,
            str(row["articles"]),
            f"{row['articles_per_second']:.1f}",
            f"{row['peak_memory_mb']:.0f}",
            f"{row['second_run_seconds']:.2f}",
            f"{row['second_run_speedup']:.0f}x",
        )
    console.print(speed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("COUNTERCLAIM_DATA", "../shared/data"))
    )
    parser.add_argument("--pages", type=int, default=5000, help="pages in the speed corpus (0: skip speed)")
    arguments = parser.parse_args()
    benchmark = arguments.data / "article-extraction-benchmark"
    if not (benchmark / "ground-truth.json").exists():
        console.print(f"[red]no benchmark at {benchmark}[/red]: pass --data or set COUNTERCLAIM_DATA")
        return 2
    results: dict[str, Any] = {"quality": extraction_quality(benchmark)}
    if arguments.pages:
        results["speed"] = ingest_speed(benchmark, arguments.pages)
    print_tables(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    ours = results["quality"]["variants"]["counterclaim (no comments, fast, recall)"]["f1"]
    check = results["quality"]["scorer_check_trafilatura_2_0_0"]["f1"]
    if round(check, 3) != PUBLISHED_TRAFILATURA_F1:
        console.print(
            f"[red]scorer does not reproduce the published {PUBLISHED_TRAFILATURA_F1}: {check:.4f}[/red]"
        )
        return 1
    if ours < FLOOR_F1:
        console.print(f"[red]extraction F1 {ours:.4f} is below the floor {FLOOR_F1}[/red]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
