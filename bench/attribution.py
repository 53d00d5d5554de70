"""Attribution benchmark: source, cue, content and whole-attribution P/R/F1 on a PolNeAR-format file.

Scores counterclaim's stage beside textacy's direct_quotations, and the stage's speed on one core.
"""

from __future__ import annotations

import os

# One core: BLAS and torch threads would otherwise blur the speed figures.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402

from counterclaim.attribution import AttributionExtractor  # noqa: E402
from counterclaim.attribution.polnear import (  # noqa: E402
    ROLES,
    AnnotatedArticle,
    Scorer,
    attribution_keys,
    data_root,
    read_polnear,
    textacy_baseline,
)

RESULTS = Path(__file__).resolve().parent / "results" / "attribution.json"
console = Console(stderr=True)


def evaluate(items: list[AnnotatedArticle], extractor: AttributionExtractor) -> dict[str, Any]:
    ours, baseline = Scorer(), Scorer()
    found = 0
    seconds = 0.0
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("attribution", total=len(items))
        for item in items:
            started = time.perf_counter()
            doc = extractor.nlp(item.article.text)
            attributions = extractor.extract_doc(item.article, doc)
            seconds += time.perf_counter() - started
            found += len(attributions)
            ours.add(item.article.text, item.gold, attribution_keys(attributions))
            baseline.add(item.article.text, item.gold, textacy_baseline(doc))
            progress.advance(task)
    return {
        "counterclaim": ours.scores(),
        "textacy": baseline.scores(),
        "articles": len(items),
        "attributions": found,
        "seconds": round(seconds, 2),
        "articles_per_second": round(len(items) / seconds, 2) if seconds else 0.0,
        "attributions_per_second": round(found / seconds, 1) if seconds else 0.0,
        "method": extractor.method,
    }


def print_table(result: dict[str, Any], data: Path) -> None:
    table = Table(title=f"Attribution on {data.name}: {result['articles']} articles")
    for column in ("element", "match", "counterclaim P", "R", "F1", "textacy P", "R", "F1"):
        table.add_column(column, justify="right" if column not in {"element", "match"} else "left")
    for role in (*ROLES, "attribution"):
        for mode in ("exact", "overlap"):
            ours = result["counterclaim"][role][mode]
            theirs = result["textacy"][role][mode]
            table.add_row(
                role,
                mode,
                *(f"{ours[k]:.3f}" for k in ("p", "r", "f1")),
                *(f"{theirs[k]:.3f}" for k in ("p", "r", "f1")),
            )
    Console().print(table)
    Console().print(
        f"{result['attributions']} attributions in {result['seconds']} s on one core: "
        f"{result['articles_per_second']} articles/s, {result['attributions_per_second']} attributions/s "
        f"({result['method']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=data_root() / "polnear" / "polnear_dev.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    items = read_polnear(args.data, limit=args.limit)
    extractor = AttributionExtractor()
    result = evaluate(items, extractor)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"data": str(args.data), **result}, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result, args.data)


if __name__ == "__main__":
    main()
