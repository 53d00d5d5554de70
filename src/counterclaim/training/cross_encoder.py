"""Training of the stance cross-encoder: all-MiniLM-L6-v2 read as (claim, passage) pairs, on CPU with torch.

First a short entailment phase (SNLI, RTE, MSRP, negation probes), then FNC-1 train stories (and ARC train)
for agree / disagree / discuss on related pairs; exported as int8 ONNX for torch-free inference.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from counterclaim.embeddings import encode_pairs, pad_batch
from counterclaim.stance import CLAIM_TOKENS, PAIR_TOKENS, relevant_passage
from counterclaim.training.stance import (
    CLASS_NAMES,
    EmbeddedCorpus,
    StancePair,
    console,
    export_onnx,
    progress,
    read_bodies,
    read_stances,
)

# Label ids shared by both phases: entailment is agree, contradiction disagree, neutral discuss.
AGREE, DISAGREE, DISCUSS = (CLASS_NAMES.index(name) for name in ("agree", "disagree", "discuss"))
SNLI_LABELS = {"0": AGREE, "1": DISCUSS, "2": DISAGREE}


@dataclass(frozen=True, slots=True)
class PairExample:
    """One training pair: the claim-like text, the passage-like text, and the class id."""

    claim: str
    passage: str
    label: int


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def nli_examples(shared: Path, count: int, rng: random.Random) -> list[PairExample]:
    """Entailment pairs with the hypothesis as claim and the premise as passage.

    SNLI validation+test (a sample), SNLI and RTE negation probes (each entailed hypothesis and its negated
    twin, which contradicts), RTE train (not-entailment read as neutral) and MSRP train (paraphrase: agree).
    SICK is left out: its licence is non-commercial. Returns a seeded sample of `count` of them.
    """
    snli = [
        PairExample(row["hypothesis"], row["premise"], SNLI_LABELS[row["label"]])
        for name in ("validation.csv", "test.csv")
        for row in read_rows(shared / "snli" / name)
        if row["label"] in SNLI_LABELS
    ]
    examples = rng.sample(snli, min(count, len(snli)))
    for row in read_rows(shared / "snli" / "negational.csv"):
        examples.append(PairExample(row["hypothesis"], row["premise"], AGREE))
        examples.append(PairExample(row["hypothesis_neg"], row["premise"], DISAGREE))
    for row in read_rows(shared / "rte" / "train.csv"):
        examples.append(
            PairExample(row["sentence2"], row["sentence1"], AGREE if row["label"] == "0" else DISCUSS)
        )
    for row in read_rows(shared / "rte" / "negational.csv"):
        examples.append(PairExample(row["sentence2_neg"], row["sentence1"], DISAGREE))
    for row in read_rows(shared / "msrp" / "msr_paraphrase_train.csv"):
        label = AGREE if row["Quality"] == "1" else DISCUSS
        examples.append(PairExample(row["#1 String"], row["#2 String"], label))
    return rng.sample(examples, min(count, len(examples)))


def fnc_examples(
    corpus: EmbeddedCorpus, pairs: Sequence[StancePair], headline_cap: int = 0, seed: int = 13
) -> list[PairExample]:
    """Related FNC-1 pairs as (headline, the body's sentences closest to it).

    With `headline_cap`, at most that many pairs per headline (a seeded sample): FNC-1 repeats one headline
    over dozens of bodies with one stance, which teaches a model the headline instead of how a denial reads.
    """
    related = [pair for pair in pairs if pair.label != "unrelated"]
    if headline_cap > 0:
        by_headline: dict[str, list[StancePair]] = {}
        for pair in related:
            by_headline.setdefault(pair.headline, []).append(pair)
        rng = random.Random(seed)
        related = [
            pair
            for group in by_headline.values()
            for pair in (rng.sample(group, headline_cap) if len(group) > headline_cap else group)
        ]
    examples = []
    for pair in related:
        index = corpus.indexes[pair.body_id]
        passage = relevant_passage(index, index.vectors @ corpus.headlines[pair.headline])
        examples.append(PairExample(pair.headline, passage, CLASS_NAMES.index(pair.label)))
    return examples


def arc_examples(shared: Path, count: int, rng: random.Random) -> list[PairExample]:
    """A sample of related ARC train pairs (posts are short: read whole, cut at the token budget)."""
    folder = shared / "arc-stance"
    if count <= 0 or not (folder / "arc_stances_train.csv").is_file():
        return []
    bodies = read_bodies(folder / "arc_bodies.csv")
    related = [pair for pair in read_stances(folder / "arc_stances_train.csv") if pair.label != "unrelated"]
    return [
        PairExample(pair.headline, bodies[pair.body_id], CLASS_NAMES.index(pair.label))
        for pair in rng.sample(related, min(count, len(related)))
    ]


def oversample(examples: Sequence[PairExample], label: int, times: int) -> list[PairExample]:
    """Repeat the examples of one class `times` times in all."""
    chosen = [example for example in examples if example.label == label]
    return [*examples, *chosen * (times - 1)]


def batches(
    tokenizer: Tokenizer, examples: Sequence[PairExample], size: int, rng: random.Random
) -> list[tuple[dict[str, np.ndarray], np.ndarray]]:
    """Shuffled batches; pairs of similar length go together (in windows of 50 batches) to cut padding."""
    encoded = encode_pairs(tokenizer, [(e.claim, e.passage) for e in examples], PAIR_TOKENS, CLAIM_TOKENS)
    order = list(range(len(examples)))
    rng.shuffle(order)
    window = size * 50
    grouped: list[list[int]] = []
    for first in range(0, len(order), window):
        chunk = sorted(order[first : first + window], key=lambda k: len(encoded[k][0]))
        grouped.extend(chunk[start : start + size] for start in range(0, len(chunk), size))
    rng.shuffle(grouped)
    return [
        (
            pad_batch([encoded[k][0] for k in rows], [encoded[k][1] for k in rows]),
            np.array([examples[k].label for k in rows], dtype=np.int64),
        )
        for rows in grouped
    ]


def class_weights(examples: Sequence[PairExample]) -> list[float]:
    """Square-root inverse class frequency: lifts disagree without drowning the other classes."""
    counts = np.bincount([e.label for e in examples], minlength=len(CLASS_NAMES)).astype(np.float64)
    weights = np.sqrt(counts.max() / np.clip(counts, 1, None))
    return [float(w) for w in weights / weights.mean()]


def train_phase(
    model: Any,
    tokenizer: Tokenizer,
    examples: Sequence[PairExample],
    *,
    name: str,
    epochs: float,
    learning_rate: float,
    weights: list[float] | None,
    args: argparse.Namespace,
) -> dict[str, float]:
    """AdamW with linear warm-up and decay over `epochs` passes (a fraction runs part of the last pass)."""
    import torch

    rng = random.Random(args.seed)
    plan: list[tuple[dict[str, np.ndarray], np.ndarray]] = []
    while len(plan) < math.ceil(epochs * math.ceil(len(examples) / args.batch)):
        plan.extend(batches(tokenizer, examples, args.batch, rng))
    plan = plan[: math.ceil(epochs * math.ceil(len(examples) / args.batch))]
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.01)
    warmup = max(1, len(plan) // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (len(plan) - step) / (len(plan) - warmup)))
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights) if weights else None)
    model.train()
    started, running, seen = time.monotonic(), 0.0, 0
    with progress() as bar:
        task = bar.add_task(name, total=len(plan))
        for step, (batch, labels) in enumerate(plan):
            inputs = {key: torch.from_numpy(value) for key, value in batch.items()}
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                logits = model(**inputs).logits
            loss = loss_fn(logits.float(), torch.from_numpy(labels))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            value = float(loss.detach())
            running = 0.98 * running + 0.02 * value if step else value
            seen += len(labels)
            bar.update(task, advance=1, description=f"{name} loss {running:.3f}")
            if step % 100 == 0:
                console.log(f"{name} step {step}/{len(plan)} loss {running:.3f}", highlight=False)
                if args.checkpoint:
                    torch.save(model.state_dict(), args.checkpoint)
    seconds = time.monotonic() - started
    model.eval()
    return {
        "examples": len(examples),
        "steps": len(plan),
        "minutes": round(seconds / 60, 1),
        "pairs_per_second": round(seen / max(seconds, 1e-9), 1),
        "final_loss": round(running, 4),
    }


def train_cross_encoder(
    weights: Path, corpus: EmbeddedCorpus, fit: Sequence[StancePair], target: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Fine-tune MiniLM in two phases and export it to `target` as int8 ONNX; returns what it did."""
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    tokenizer = Tokenizer.from_file(str(weights / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    model = AutoModelForSequenceClassification.from_pretrained(str(weights), num_labels=len(CLASS_NAMES))
    # The embeddings (half the weights) and the lowest layers stay as pre-trained: on two CPU cores the
    # time goes to the upper layers, and backward passes stop where nothing below needs a gradient.
    model.bert.embeddings.requires_grad_(False)
    for layer in model.bert.encoder.layer[: args.frozen_layers]:
        layer.requires_grad_(False)
    rng = random.Random(args.seed)
    shared = args.data.resolve().parent
    report: dict[str, Any] = {}
    nli = nli_examples(shared, args.nli_pairs, rng)
    if args.nli_epochs > 0:
        report["nli"] = train_phase(
            model,
            tokenizer,
            nli,
            name="entailment",
            epochs=args.nli_epochs,
            learning_rate=args.nli_lr,
            weights=None,
            args=args,
        )
    stance = [*fnc_examples(corpus, fit, args.headline_cap, args.seed), *arc_examples(shared, args.arc, rng)]
    stance = oversample(stance, DISAGREE, args.disagree_times)
    stance = rng.sample(stance, min(args.stance_pairs, len(stance)))
    report["stance"] = train_phase(
        model,
        tokenizer,
        stance,
        name="stance",
        epochs=args.stance_epochs,
        learning_rate=args.stance_lr,
        weights=class_weights(stance),
        args=args,
    )
    report["stance"]["class_counts"] = dict(
        zip(CLASS_NAMES, np.bincount([e.label for e in stance], minlength=3).tolist(), strict=True)
    )

    class Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).logits

    export_onnx(Logits(), "logits", target)
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The cross-encoder's settings, on the `make train-stance` command line."""
    parser.add_argument("--nli-pairs", type=int, default=1200, help="pairs in the entailment phase")
    parser.add_argument("--nli-epochs", type=float, default=1.0)
    parser.add_argument("--nli-lr", type=float, default=5e-5)
    parser.add_argument("--arc", type=int, default=600, help="related ARC train pairs in the stance phase")
    parser.add_argument("--stance-epochs", type=float, default=1.0)
    parser.add_argument("--stance-lr", type=float, default=5e-5)
    parser.add_argument("--disagree-times", type=int, default=2, help="repeat disagree pairs this often")
    parser.add_argument(
        "--stance-pairs",
        type=int,
        default=6000,
        help="a seeded sample of the stance pairs (after oversampling)",
    )
    parser.add_argument(
        "--headline-cap",
        type=int,
        default=0,
        help="most stance pairs per FNC-1 headline (0: all)",
    )
    parser.add_argument("--frozen-layers", type=int, default=2, help="lowest transformer layers kept as is")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--checkpoint", type=Path, default=None, help="save the weights here every 100 steps")
    parser.add_argument(
        "--bf16", action="store_true", help="bfloat16 autocast (CPUs with AMX or AVX512-BF16)"
    )
