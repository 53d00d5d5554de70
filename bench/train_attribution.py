"""Trains the attribution cue model on PolNeAR train and writes it as JSON weights.

Run `make train-attribution`; the artifact lands in src/counterclaim/models/attribution_cues.json.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
from rich.console import Console
from rich.progress import Progress
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from counterclaim.attribution import load_pipeline
from counterclaim.attribution.cues import CUE_MODEL_PATH, training_examples
from counterclaim.attribution.polnear import AnnotatedArticle, data_root, read_polnear

VERSION = "polnear-train-lr3"
console = Console()


def parsed(nlp: Language, items: list[AnnotatedArticle], cache: Path | None) -> list[Doc]:
    """Parse the articles, or reuse a DocBin cache of exactly these texts."""
    if cache is not None and cache.is_file():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [d.text for d in docs] == [i.article.text for i in items]:
            return docs
    docs = []
    with Progress(console=console) as progress:
        task = progress.add_task("parsing PolNeAR train", total=len(items))
        for doc in nlp.pipe((i.article.text for i in items), batch_size=16):
            docs.append(doc)
            progress.advance(task)
    if cache is not None:
        store = DocBin(docs=docs, store_user_data=False)
        store.to_disk(cache)
    return docs


def train(
    items: list[AnnotatedArticle],
    docs: list[Doc],
    c: float,
    thresholds: tuple[float, float],
    min_weight: float,
) -> dict[str, object]:
    rows: list[dict[str, int]] = []
    labels: list[bool] = []
    for item, doc in zip(items, docs, strict=True):
        cues = [span for gold in item.gold for span in gold.cue]
        for features, label in training_examples(doc, cues):
            rows.append(dict.fromkeys(features, 1))
            labels.append(label)
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows).tocsr()
    # liblinear takes 32-bit sparse indices only.
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    console.print(f"{matrix.shape[0]} tokens, {matrix.shape[1]} features, {sum(labels)} cue heads")
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
    model.fit(matrix, np.array(labels))
    names = vectorizer.get_feature_names_out()
    weights = {
        str(name): round(float(w), 4)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= min_weight
    }
    return {
        "version": VERSION,
        "bias": float(model.intercept_[0]),
        "threshold": thresholds[0],
        "core_threshold": thresholds[1],
        "weights": weights,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=data_root() / "polnear" / "polnear_train.jsonl")
    parser.add_argument("--out", type=Path, default=CUE_MODEL_PATH)
    parser.add_argument("--cache", type=Path, default=None, help="DocBin file to reuse parses between runs")
    parser.add_argument("--c", type=float, default=0.3, help="inverse regularisation strength")
    # Both thresholds were chosen on PolNeAR dev (overlap cue F1), never on test.
    parser.add_argument("--threshold", type=float, default=-0.3, help="logit above which a token heads a cue")
    parser.add_argument(
        "--core-threshold",
        type=float,
        default=-0.5,
        help="lower logit enough for a core cue word (say, deny)",
    )
    parser.add_argument(
        "--min-weight", type=float, default=0.05, help="drop smaller weights from the artifact"
    )
    args = parser.parse_args()
    items = read_polnear(args.data)
    docs = parsed(load_pipeline(), items, args.cache)
    artifact = train(items, docs, args.c, (args.threshold, args.core_threshold), args.min_weight)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(artifact, sort_keys=True, indent=0), encoding="utf-8")
    console.print(f"wrote {args.out} ({len(artifact['weights'])} weights)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
