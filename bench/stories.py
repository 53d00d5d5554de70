"""Story grouping benchmark: do FNC-1 bodies of one story land in one counterclaim story?

Gold stories are the connected headline-body groups of FNC-1 (training bodies). Each body is placed in order
(`counterclaim.claims.stories`), scored by B-cubed F1 against the gold stories, at several thresholds; the
threshold is chosen on the `fit` split (training stories outside the story-disjoint dev split) and reported on
`dev`. Baseline: average-linkage agglomerative clustering of the same lead vectors (sees every body at once).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from claim_linking import baseline_clusters, bcubed
from counterclaim.claims.stories import lead_text, place_texts
from counterclaim.embeddings import Embedder
from counterclaim.model import Article
from counterclaim.models import offline
from counterclaim.training.stance import find_stories, split_fnc

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
GRID = (0.4, 0.45, 0.5, 0.55, 0.6)


def story_bodies(pairs: list, bodies: dict[str, str]) -> tuple[list[str], list[int]]:
    """Bodies with a related pair, in id order, and their gold story numbers."""
    stories = find_stories(pairs)
    related = sorted({p.body_id for p in pairs if p.label != "unrelated"}, key=int)
    return [bodies[b] for b in related], [stories.of_body[b] for b in related]


def f2(score: dict[str, float]) -> float:
    """B-cubed F-beta with beta 2: a dossier filters its story's articles by stance, so a story that misses
    an article loses it for good while one that holds an extra article costs little."""
    p, r = score["p"], score["r"]
    return 5 * p * r / (4 * p + r) if p + r else 0.0


def run(data: Path, limit: int | None) -> dict[str, object]:
    splits = split_fnc(data)
    embedder = Embedder.load()
    payload: dict[str, object] = {}
    for name, pairs in (("fit", splits.fit), ("dev", splits.dev)):
        texts, gold = story_bodies(pairs, splits.bodies)
        if limit:
            texts, gold = texts[:limit], gold[:limit]
        leads = [lead_text(Article(id=str(i), text=text)) for i, text in enumerate(texts)]
        vectors = embedder.encode(leads)
        row: dict[str, object] = {"bodies": len(texts), "stories": len(set(gold))}
        for threshold in GRID:
            row[f"counterclaim_{threshold}"] = bcubed(place_texts(vectors, leads, threshold), gold)
            row[f"baseline_{threshold}"] = bcubed(baseline_clusters(vectors, threshold), gold)
        payload[name] = row
    return payload


def main() -> None:
    offline()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "fnc-1")
    parser.add_argument("--limit", type=int, help="first N bodies of each split only")
    args = parser.parse_args()
    payload = run(args.data, args.limit)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stories.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    table = Table(title="Stories: B-cubed F1 against FNC-1 stories (counterclaim incremental / baseline)")
    table.add_column("threshold")
    for name in payload:
        table.add_column(f"{name} ({payload[name]['bodies']} bodies)")  # type: ignore[index]
    for threshold in GRID:
        cells = []
        for name in payload:
            row = payload[name]
            ours = row[f"counterclaim_{threshold}"]["f1"]  # type: ignore[index]
            base = row[f"baseline_{threshold}"]["f1"]  # type: ignore[index]
            cells.append(f"{ours:.3f} / {base:.3f}")
        table.add_row(str(threshold), *cells)
    Console().print(table)
    fit = payload["fit"]
    chosen = max(GRID, key=lambda t: f2(fit[f"counterclaim_{t}"]))  # type: ignore[index]
    print(f"threshold with the best B-cubed F2 on fit: {chosen} (recall counts double: see module docstring)")


if __name__ == "__main__":
    main()
