"""Stance of an article, or of one attribution in it, toward a claim: asserts, denies, reports or unrelated.

Two stages (FNC-1 scheme): relatedness from embeddings and word overlap, then, on related pairs only, a MiniLM
cross-encoder that reads the claim with the body's closest sentences (int8 ONNX; no torch at run time).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from counterclaim.embeddings import (
    TOKEN_BUDGET,
    Embedder,
    SentenceReading,
    encode_pairs,
    load_tokenizer,
    open_session,
    pad_batch,
)
from counterclaim.errors import ModelError
from counterclaim.model import Article, Attribution, Polarity, Relay, Span, Stance
from counterclaim.models import (
    CLASSIFIER_FILE,
    CROSS_ENCODER_FILE,
    MODELS_DIR,
    RELATEDNESS_FILE,
    TOKENIZER_FILE,
)
from counterclaim.text import IDIOMATIC_NEGATION

METHOD = "stance-minilm-cross-encoder-v1"
MLP_METHOD = "stance-minilm-mlp-v2"
ATTRIBUTION_METHOD = "stance-attribution-v2"
# Order of the classifier's output classes; FNC-1 agree / disagree / discuss.
RELATED_STANCES = (Stance.ASSERTS, Stance.DENIES, Stance.REPORTS)
FNC_LABELS = {
    "agree": Stance.ASSERTS,
    "disagree": Stance.DENIES,
    "discuss": Stance.REPORTS,
    "unrelated": Stance.UNRELATED,
}
TOP_SENTENCES = 4
# What the cross-encoder reads: the claim (cut at CLAIM_TOKENS) and the body's closest sentences, in all
# PAIR_TOKENS word pieces. Training (counterclaim.training.cross_encoder) uses the same values.
PASSAGE_SENTENCES = 4
PAIR_TOKENS = 96
CLAIM_TOKENS = 32
# The relatedness regression was fitted on whole bodies; one short content span shares fewer words with a
# claim, so a close paraphrase ("not coordinating airstrikes" for "joint air strikes") also counts as related.
ATTRIBUTION_MIN_COSINE = 0.4

# The stance model's own word lists and sentence rule, not `counterclaim.text`'s: they define the features
# the committed classifier was trained on (`make train-stance` reads them here): they change with a retrain.
STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been being has have
    had do does did this that these those it its it's he she they them his her their we our you your
    i me my not no will would can could should may might must than then there here what which who
    whom whose when where why how all any both each few more most other some such only own same so
    too very just over under after before about into through during again further once up down out
    off said says say
    """.split()  # noqa: SIM905 - a word list reads better as text
)
NEGATION_CUES = re.compile(
    r"\b(?:not|no|never|nothing|none|deny|denies|denied|denial|false|falsely|untrue|fake|hoax|baseless|"
    r"refute[sd]?|debunk(?:ed|s)?|reject(?:ed|s)?|dismiss(?:ed|es)?|fabricat\w*|bogus)\b|n't\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A sentence ends at . ! ? (and closing quotes or brackets) before space and a capital, or at a blank line.
SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'”’)\]]*(?P<gap>\s+)(?=[\"'“‘(\[]{0,2}[A-Z0-9])|\n\s*\n|\n(?=\s*[-•*])"
)
# A period after an initial ("J.T."), a dotted acronym ("U.S.") or a title does not end a sentence.
ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:[A-Za-z]\.)+[A-Za-z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Lt|Col|Sgt|Capt|Maj|Adm|Rep|Sen|Gov|Prof|"
    r"Rev|Jr|Sr|Inc|Corp|Co|No|vs|Jan|Feb|Aug|Sept|Oct|Nov|Dec))\.$"
)
MIN_SENTENCE_CHARS = 12
# How an article's sentence vectors are made and kept (sentence_spans, mean-pooled MiniLM, each article read
# in calls of its own, float16): part of their key in the store with the encoder's digest; change it when any
# of that changes. v1 read many articles' sentences in one call, so a vector depended on its batch.
SENTENCE_VECTORS = "sentences-f16-v2"


@dataclass(frozen=True, slots=True)
class StanceResult:
    """One stance decision: the label, a score in [0, 1], and the text that supports it."""

    stance: Stance
    score: float
    evidence: Span | None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentence ranges [start, end) with surrounding whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    boundaries = [b for b in SENTENCE_END.finditer(text) if not _abbreviation_before(text, b.start())]
    for boundary in [*boundaries, None]:
        # Closing quotes and brackets stay with the sentence they close.
        end = (
            (boundary.start("gap") if boundary.group("gap") else boundary.start()) if boundary else len(text)
        )
        piece = text[start:end]
        stripped = piece.strip()
        if len(stripped) >= MIN_SENTENCE_CHARS:
            offset = start + (len(piece) - len(piece.lstrip()))
            spans.append((offset, offset + len(stripped)))
        if boundary:
            start = boundary.end()
    if not spans and text.strip():
        offset = len(text) - len(text.lstrip())
        spans.append((offset, offset + len(text.strip())))
    return spans


def read_article(embedder: Embedder, text: str, states: bool = False) -> SentenceReading:
    """An article's sentences (sentence_spans) read by the encoder, alone (Embedder.read_sentences): the
    vectors stance and search keep, and with `states` the word pieces the cue layer reads in context."""
    return embedder.read_sentences(text, sentence_spans(text), states)


def _read(embedder: Embedder, text: str) -> tuple[list[tuple[int, int]], np.ndarray]:
    reading = read_article(embedder, text)
    return reading.spans, reading.vectors


def sentence_method(embedder: Embedder) -> str:
    """The key of the sentence vectors read_article makes with this encoder: a store keeps them by it."""
    return f"{SENTENCE_VECTORS}:{embedder.model_id}"


# ABBREVIATION ends at the end of what it reads, and its one unbounded part (a dotted chain: "U.S.A.") matches
# its own last letters too ("S.A."), so whether it matches before a point is decided in the few characters
# before it. Its longest fixed alternative ("Sept.") is 5 characters; \b looks behind the window's start.
ABBREVIATION_WINDOW = 16


def _abbreviation_before(text: str, end: int) -> bool:
    """Whether text[:end] ends in an abbreviation: `ABBREVIATION.search(text, 0, end)`, read in a window (a
    search from the start for every boundary was quadratic in the text)."""
    return ABBREVIATION.search(text, max(0, end - ABBREVIATION_WINDOW), end) is not None


def content_words(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if word not in STOPWORDS and len(word) > 1]


def bigrams(words: Sequence[str]) -> set[tuple[str, str]]:
    return set(pairwise(words))


class BodyMemo:
    """What the stance features read of whole bodies, kept for one batch: a body meets many claims there, and
    its words and cue rates are the same against each (reading them again was most of the features' cost)."""

    def __init__(self) -> None:
        self._terms: dict[str, tuple[frozenset[str], frozenset[tuple[str, str]]]] = {}
        self._rates: dict[str, list[float]] = {}

    def terms(self, body: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        """The body's content words and their bigrams, as sets."""
        found = self._terms.get(body)
        if found is None:
            found = self._terms[body] = _body_terms(body)
        return found

    def rates(self, body: str) -> list[float]:
        """cue_rates of the body (a copy: callers may change theirs)."""
        found = self._rates.get(body)
        if found is None:
            found = self._rates[body] = cue_rates(body)
        return list(found)


def _body_terms(body: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    words = content_words(body)
    return frozenset(words), frozenset(bigrams(words))


def relatedness_features(
    claim: str, body: str, similarities: np.ndarray, memo: BodyMemo | None = None
) -> list[float]:
    """Cheap signals that a body is about a claim: sentence cosines and shared content words."""
    ranked = np.sort(similarities)[::-1] if len(similarities) else np.zeros(1, dtype=np.float32)
    claim_words = content_words(claim)
    body_set, body_pairs = memo.terms(body) if memo is not None else _body_terms(body)
    word_overlap = sum(word in body_set for word in claim_words) / max(len(claim_words), 1)
    claim_pairs = bigrams(claim_words)
    pair_overlap = len(claim_pairs & body_pairs) / max(len(claim_pairs), 1)
    return [float(ranked[0]), float(ranked[:3].mean()), word_overlap, pair_overlap]


REFUTE_WORDS = frozenset(
    """
    fake fraud hoax false falsely deny denies denied denial refute refutes refuted not no never
    nothing despite nope doubt doubts doubted bogus debunk debunked debunks prank pranks retract
    retracted untrue myth satire satirical fabricated baseless rejected rejects dismissed wrong
    incorrect misleading
    """.split()  # noqa: SIM905 - a word list reads better as text
)
HEDGE_WORDS = frozenset(
    """
    reportedly allegedly alleged claim claims claimed according unconfirmed unverified rumor rumors
    rumour rumours may might could possibly apparently appears appear suggest suggests purportedly
    supposedly report reports reported believed speculation if whether
    """.split()  # noqa: SIM905 - a word list reads better as text
)
CONFIRM_WORDS = frozenset(
    """
    confirmed confirms confirm official officially announced verified true indeed proof evidence
    revealed shows showed statement
    """.split()  # noqa: SIM905 - a word list reads better as text
)
CUE_LISTS = (REFUTE_WORDS, HEDGE_WORDS, CONFIRM_WORDS)
# Feature values are small rates and cosines; this scale brings them near unit range for the network.
FEATURE_SCALE = 5.0
LEAD_SENTENCES = 2


def cue_rates(text: str) -> list[float]:
    """Share of words in text from each cue list (refute, hedge, confirm), with "n't" counted as refuting."""
    words = WORD.findall(text.lower())
    total = max(len(words), 1)
    rates = [sum(word in cues for word in words) / total for cues in CUE_LISTS]
    rates[0] += sum(word.endswith("n't") for word in words) / total
    return rates


def stance_features(
    claim: str,
    claim_vector: np.ndarray,
    index: BodyIndex,
    similarities: np.ndarray,
    top: int,
    memo: BodyMemo | None = None,
) -> np.ndarray:
    """What the stance classifier sees of a related (claim, body) pair: how it is worded, never what about.

    Cue-word rates (refute, hedge, confirm) in the claim, the sentences closest to it, the lead and the whole
    body; the same rates weighted by closeness (a refuting sentence about the claim is the mark of a denial);
    negation in the claim and the closest sentences; how close the closest sentences are, how many are close,
    where the closest one sits; word overlap. No embedding or word of the claim itself: on FNC-1 those let a
    model learn the training claims (story-disjoint dev macro-F1 0.55, against 0.66 without them).
    `claim_vector` is unused; kept so callers pass what every stance feature set may need. `memo` keeps what
    is read of whole bodies across the calls of one batch.
    """
    count = len(similarities)
    order = np.argsort(-similarities)[:top]
    sentences = [index.text[index.spans[i][0] : index.spans[i][1]] for i in order]
    ranked = np.zeros(4, dtype=np.float32)
    ranked[: min(4, count)] = np.sort(similarities)[::-1][:4]
    weights = np.clip(similarities[order], 0.0, None) if count else np.zeros(1)
    sentence_cues = np.array([cue_rates(sentence) for sentence in sentences] or [[0.0] * 3])
    negated = np.array([float(has_negation(sentence)) for sentence in sentences] or [0.0])
    lead = index.text[index.spans[0][0] : index.spans[min(LEAD_SENTENCES, count) - 1][1]] if count else ""
    scalars = [
        *cue_rates(claim),
        *cue_rates(" ".join(sentences)),
        *(memo.rates(index.text) if memo is not None else cue_rates(index.text)),
        *cue_rates(lead),
        *(sentence_cues * weights[:, None]).max(axis=0),
        *sentence_cues.max(axis=0),
        float(has_negation(claim)),
        float((negated * weights).max()),
        float(negated.mean()),
        *ranked,
        float((similarities > 0.5).sum()) / 5,
        float((similarities > 0.7).sum()) / 3,
        math.log1p(count) / 4,
        float(order[0]) / count if count else 0.0,
        *relatedness_features(claim, index.text, similarities, memo),
        float("?" in claim),
    ]
    return np.array(scalars, dtype=np.float32) * np.float32(FEATURE_SCALE)


def relevant_order(similarities: np.ndarray, top: int) -> list[int]:
    """Indexes of the `top` sentences closest to the claim, closest first (ties: earlier sentence first)."""
    return [int(i) for i in np.argsort(-similarities, kind="stable")[:top]]


def relevant_passage(index: BodyIndex, similarities: np.ndarray, top: int = PASSAGE_SENTENCES) -> str:
    """The body's sentences closest to the claim, closest first: what the cross-encoder reads of a body.

    Closest first because encode_pairs cuts the passage at its end when it runs past the token budget.
    """
    return " ".join(
        index.text[index.spans[i][0] : index.spans[i][1]] for i in relevant_order(similarities, top)
    )


def has_negation(text: str) -> bool:
    return NEGATION_CUES.search(text) is not None


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float32)


@dataclass(frozen=True)
class Relatedness:
    """Logistic regression over relatedness_features, stored as JSON coefficients."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5

    @classmethod
    def load(cls, path: Path) -> Relatedness:
        if not path.is_file():
            raise ModelError(f"relatedness coefficients {path} are missing: rebuild with `make train-stance`")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                tuple(raw["mean"]),
                tuple(raw["scale"]),
                tuple(raw["coef"]),
                raw["intercept"],
                raw["threshold"],
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ModelError(
                f"relatedness file {path} is unreadable ({error}): run `make train-stance`"
            ) from error

    def to_json(self) -> dict[str, object]:
        return {
            "features": ["max_cosine", "top3_cosine", "word_overlap", "bigram_overlap"],
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }

    def probability(self, features: Sequence[float]) -> float:
        z = self.intercept + sum(
            weight * (value - mu) / sigma
            for weight, value, mu, sigma in zip(self.coef, features, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class BodyIndex:
    """An article body split into sentences, each embedded once and reused for every claim."""

    text: str
    spans: list[tuple[int, int]]
    vectors: np.ndarray


def article_index(text: str, reading: SentenceReading) -> BodyIndex:
    """An article's BodyIndex from its reading, its vectors rounded to float16 as a store keeps them."""
    return BodyIndex(text, reading.spans, reading.vectors.astype(np.float16).astype(np.float32))


@dataclass(frozen=True)
class Classifier:
    """A feed-forward network in numpy: ReLU between layers, softmax over (asserts, denies, reports)."""

    layers: tuple[tuple[np.ndarray, np.ndarray], ...]

    @classmethod
    def load(cls, path: Path) -> Classifier:
        if not path.is_file():
            raise ModelError(f"stance classifier {path} is missing: rebuild with `make train-stance`")
        try:
            with np.load(path) as arrays:
                count = len([name for name in arrays.files if name.startswith("weight")])
                layers = tuple((arrays[f"weight{k}"], arrays[f"bias{k}"]) for k in range(count))
        except (OSError, ValueError, KeyError) as error:
            raise ModelError(
                f"stance classifier {path} is unreadable ({error}): run `make train-stance`"
            ) from error
        return cls(layers)

    def save(self, path: Path) -> None:
        arrays: dict[str, Any] = {}
        for k, (weight, bias) in enumerate(self.layers):
            arrays[f"weight{k}"], arrays[f"bias{k}"] = weight.astype(np.float32), bias.astype(np.float32)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        hidden = features
        for k, (weight, bias) in enumerate(self.layers):
            hidden = hidden @ weight + bias
            if k < len(self.layers) - 1:
                hidden = np.maximum(hidden, 0.0)
        return softmax(hidden)


@dataclass
class CrossEncoder:
    """MiniLM fine-tuned to read (claim, passage) together: probabilities of (asserts, denies, reports).

    int8 ONNX, no torch; trained by `make train-stance` (counterclaim.training.cross_encoder).
    """

    session: ort.InferenceSession
    tokenizer: Tokenizer
    # What it has read so far and how long that took: benchmarks report pairs per second from these.
    pairs_read: int = 0
    seconds: float = 0.0

    @classmethod
    def load(cls, folder: Path, threads: int | None = 1) -> CrossEncoder:
        return cls(
            open_session(folder / CROSS_ENCODER_FILE, threads), load_tokenizer(folder / TOKENIZER_FILE)
        )

    def probabilities(self, pairs: Sequence[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """One row per (claim, passage), in input order; pairs of similar length are batched together."""
        started = time.perf_counter()
        rows = np.zeros((len(pairs), len(RELATED_STANCES)), dtype=np.float32)
        encoded = encode_pairs(self.tokenizer, pairs, PAIR_TOKENS, CLAIM_TOKENS)
        order = sorted(range(len(encoded)), key=lambda k: (len(encoded[k][0]), k))
        for first in range(0, len(order), batch_size):
            chosen = order[first : first + batch_size]
            batch = pad_batch([encoded[k][0] for k in chosen], [encoded[k][1] for k in chosen])
            (logits,) = self.session.run(["logits"], batch)
            rows[chosen] = softmax(np.asarray(logits, dtype=np.float32))
        self.pairs_read += len(pairs)
        self.seconds += time.perf_counter() - started
        return rows


@dataclass
class StanceModel:
    """The loaded stance models; load once and pass to the stages (no global state)."""

    embedder: Embedder
    relatedness: Relatedness
    classifier: Classifier | None = None
    cross_encoder: CrossEncoder | None = None
    top_sentences: int = TOP_SENTENCES

    @classmethod
    def load(
        cls, path: Path | None = None, threads: int | None = 1, embedder: Embedder | None = None
    ) -> StanceModel:
        """The shipped stance models; pass `embedder` to share one MiniLM session with other stages.

        One intra-op thread per session by default (see embeddings.open_session): the same input gives the
        same scores, and parallelism comes from processes.
        """
        folder = path or MODELS_DIR
        if embedder is None:
            embedder = Embedder.load(folder, threads)
        relatedness = Relatedness.load(folder / RELATEDNESS_FILE)
        if (folder / CROSS_ENCODER_FILE).is_file() or not (folder / CLASSIFIER_FILE).is_file():
            return cls(embedder, relatedness, cross_encoder=CrossEncoder.load(folder, threads))
        return cls(embedder, relatedness, classifier=Classifier.load(folder / CLASSIFIER_FILE))

    @property
    def method(self) -> str:
        """The method name accounts carry: which model read the related pairs."""
        return METHOD if self.cross_encoder is not None else MLP_METHOD

    def related_probabilities(
        self, items: Sequence[tuple[str, np.ndarray, BodyIndex]], memo: BodyMemo | None = None
    ) -> np.ndarray:
        """Probabilities of (asserts, denies, reports) for (claim, claim vector, embedded passage) items that
        are related, in one batched call (`memo`: what is already read of their bodies)."""
        if not items:
            return np.zeros((0, len(RELATED_STANCES)), dtype=np.float32)
        if self.cross_encoder is not None:
            passages = [
                (claim, relevant_passage(index, index.vectors @ vector)) for claim, vector, index in items
            ]
            return self.cross_encoder.probabilities(passages)
        if self.classifier is None:
            raise ModelError(
                "the stance model has neither a cross-encoder nor a classifier: run `make train-stance`"
            )
        memo = memo or BodyMemo()
        features = [
            stance_features(claim, vector, index, index.vectors @ vector, self.top_sentences, memo)
            for claim, vector, index in items
        ]
        return self.classifier.probabilities(np.stack(features))

    def index_bodies(self, bodies: Sequence[str]) -> list[BodyIndex]:
        """Split and embed many bodies in one batch of sentences."""
        all_spans = [sentence_spans(body) for body in bodies]
        sentences = [body[s:e] for body, spans in zip(bodies, all_spans, strict=True) for s, e in spans]
        # Article sentences are many and long: batches bounded by word pieces keep the peak memory down.
        vectors = self.embedder.encode(sentences, budget=TOKEN_BUDGET)
        indexes, first = [], 0
        for body, spans in zip(bodies, all_spans, strict=True):
            indexes.append(BodyIndex(body, spans, vectors[first : first + len(spans)]))
            first += len(spans)
        return indexes

    @property
    def sentence_method(self) -> str:
        """The key of the sentence vectors this model makes (SENTENCE_VECTORS): a store keeps them by it."""
        return sentence_method(self.embedder)

    def index_articles(self, texts: Sequence[str]) -> list[BodyIndex]:
        """Articles' sentences, each article read alone (read_article), rounded to float16 as a store keeps
        them: kept vectors read back equal the fresh ones, wherever and with whatever they were read."""
        return [article_index(text, read_article(self.embedder, text)) for text in texts]

    def article_stances(
        self,
        pairs: Sequence[tuple[str, Article]],
        bodies: Mapping[str, BodyIndex] | None = None,
        claim_vectors: Mapping[str, np.ndarray] | None = None,
    ) -> list[StanceResult]:
        """Stance of each article toward each claim; evidence is the article sentence closest to the claim.

        `bodies` holds articles' sentence vectors already at hand (by article id, as kept in a store); the
        others are embedded here, each article once. `claim_vectors` likewise for claim texts.
        """
        known = dict(bodies or {})
        missing = list({article.id: article for _, article in pairs if article.id not in known}.values())
        known.update(
            zip([a.id for a in missing], self.index_articles([a.text for a in missing]), strict=True)
        )
        vector_of = dict(claim_vectors or {})
        claims = [claim for claim in dict.fromkeys(claim for claim, _ in pairs) if claim not in vector_of]
        vector_of.update(zip(claims, self.embedder.encode(claims), strict=True))
        return self.indexed_stances([(claim, vector_of[claim], known[a.id]) for claim, a in pairs])

    def text_stances(self, pairs: Sequence[tuple[str, str]]) -> list[StanceResult]:
        """As article_stances, on raw body texts (each distinct body and claim is embedded once)."""
        bodies = list(dict.fromkeys(body for _, body in pairs))
        index_of = dict(zip(bodies, self.index_bodies(bodies), strict=True))
        claims = list(dict.fromkeys(claim for claim, _ in pairs))
        claim_vector = dict(zip(claims, self.embedder.encode(claims), strict=True))
        return self.indexed_stances([(claim, claim_vector[claim], index_of[body]) for claim, body in pairs])

    def indexed_stances(self, pairs: Sequence[tuple[str, np.ndarray, BodyIndex]]) -> list[StanceResult]:
        """Stances of (claim, claim vector, embedded body) triples: relatedness first, then the classifier."""
        results: list[StanceResult | None] = []
        related: list[tuple[int, float, Span | None]] = []
        memo = BodyMemo()
        for position, (claim, vector, index) in enumerate(pairs):
            similarities = index.vectors @ vector
            features = relatedness_features(claim, index.text, similarities, memo)
            probability = self.relatedness.probability(features)
            if probability < self.relatedness.threshold:
                results.append(StanceResult(Stance.UNRELATED, round(1.0 - probability, 4), None))
                continue
            best = Span.of(index.text, *index.spans[int(np.argmax(similarities))]) if index.spans else None
            related.append((position, probability, best))
            results.append(None)
        rows = self.related_probabilities([pairs[position] for position, _, _ in related], memo)
        for (position, probability, evidence), row in zip(related, rows, strict=True):
            label = int(np.argmax(row))
            if RELATED_STANCES[label] is Stance.DENIES:
                evidence = denial_evidence(pairs[position], self.top_sentences) or evidence
            results[position] = StanceResult(
                RELATED_STANCES[label], round(probability * float(row[label]), 4), evidence
            )
        return [result for result in results if result is not None]


def denial_evidence(pair: tuple[str, np.ndarray, BodyIndex], top: int = TOP_SENTENCES) -> Span | None:
    """The sentence that shows a denial: of the `top` sentences closest to the claim, the closest one with a
    denying word ("not", "denied", "hoax"); None when none has one (the closest sentence stands). The
    closest sentence alone is often a menu line or an analyst's aside beside the denial."""
    _, vector, index = pair
    for position in relevant_order(index.vectors @ vector, top):
        start, end = index.spans[position]
        if negates(index.text[start:end]):
            return Span.of(index.text, start, end)
    return None


def content_span(attribution: Attribution, article: Article) -> Span | None:
    """The attribution's content as one range, from its first to its last content span."""
    if not attribution.content:
        return None
    start = min(span.start for span in attribution.content)
    end = max(span.end for span in attribution.content)
    return Span.of(article.text, start, end)


CONFIDENT_DISAGREE = 0.5
# A negated statement denies the claim only when it is about it: its sentence at least this close to the
# claim (MiniLM cosine; "I have never been prouder of him" scores -0.01 against the son's rescue, "the plant
# will not close" 0.27 against the plant's closure).
NEGATION_MIN_COSINE = 0.2


def negates(text: str) -> bool:
    """Whether text carries a negation that denies (has_negation without the idioms that do not)."""
    return has_negation(IDIOMATIC_NEGATION.sub(" ", text))


def attribution_stance(
    model: StanceModel, claim_text: str, attribution: Attribution, article: Article
) -> StanceResult:
    """Stance of one attribution's speaker toward a claim (see attribution_stances)."""
    return attribution_stances(model, [(claim_text, attribution, article)])[0]


def attribution_stances(
    model: StanceModel,
    items: Sequence[tuple[str, Attribution, Article]],
    claim_vectors: Mapping[str, np.ndarray] | None = None,
) -> list[StanceResult]:
    """Stance of each attribution's speaker toward a claim, for many (claim, attribution, article) at once.

    A denial attributed to a source ("the Pentagon denied the reports") is that source's denial; an assertion
    relayed by an outlet ("RIA quoted the ministry as saying") is the ministry's assertion
    (see relay_stances for the outlets in between); declining to comment is a neutral report.
    The evidence is the content span. One embedding call for all contents, each claim text embedded once,
    one cross-encoder call for the related ones: the cost is per batch, not per attribution. `claim_vectors`
    holds claim texts' vectors already at hand.
    """
    evidences = [content_span(attribution, article) for _, attribution, article in items]
    wanted = [k for k, evidence in enumerate(evidences) if evidence is not None and evidence.text.strip()]
    content_of = {k: " ".join(span.text for span in items[k][1].content) for k in wanted}
    contents = list(content_of.values())
    unique_contents = list(dict.fromkeys(contents))
    # Each content is read alone: its vectors, and so the stored stances, do not depend on the batch.
    index_of = {content: BodyIndex(content, *_read(model.embedder, content)) for content in unique_contents}
    vector_of = dict(claim_vectors or {})
    claims = [claim for claim in dict.fromkeys(items[k][0] for k in wanted) if claim not in vector_of]
    vector_of.update(zip(claims, model.embedder.encode(claims), strict=True))
    results = [StanceResult(Stance.UNRELATED, 0.0, None) for _ in items]
    related: list[tuple[int, float]] = []
    for k, content in zip(wanted, contents, strict=True):
        claim, attribution, _ = items[k]
        index, vector = index_of[content], vector_of[claim]
        similarities = index.vectors @ vector
        relatedness = model.relatedness.probability(relatedness_features(claim, content, similarities))
        if len(similarities) and float(similarities.max()) >= ATTRIBUTION_MIN_COSINE:
            relatedness = max(relatedness, model.relatedness.threshold)
        if attribution.polarity is not Polarity.DECLINES and relatedness < model.relatedness.threshold:
            results[k] = StanceResult(Stance.UNRELATED, round(1.0 - relatedness, 4), evidences[k])
        else:
            related.append((k, relatedness))
    rows = model.related_probabilities(
        [(items[k][0], vector_of[items[k][0]], index_of[content_of[k]]) for k, _ in related]
    )
    for (k, relatedness), row in zip(related, rows, strict=True):
        claim, attribution, _ = items[k]
        content = content_of[k]
        index = index_of[content]
        similarities = index.vectors @ vector_of[claim]
        # The speaker's negation counts when a negated sentence of what she said is about the claim.
        negation_about_claim = any(
            negates(index.text[start:end]) and float(similarity) >= NEGATION_MIN_COSINE
            for (start, end), similarity in zip(index.spans, similarities, strict=True)
        )
        stance, confidence = polarity_stance(row, claim, content, attribution.polarity, negation_about_claim)
        results[k] = StanceResult(stance, round(relatedness * confidence, 4), evidences[k])
    return results


def polarity_stance(
    row: np.ndarray, claim: str, content: str, polarity: Polarity, about_claim: bool | None = None
) -> tuple[Stance, float]:
    """Combine the speaker's act (assert, deny, decline) with the classifier's reading `row` of it.

    A negated assertion reads as a denial when the claim is not itself negated and the negation denies
    (`negates`: "never been prouder" does not); `about_claim` says whether a negated sentence of it is about
    the claim (attribution_stances measures it; None: taken as about it).
    """
    if polarity is Polarity.DECLINES:
        return Stance.REPORTS, 1.0
    negated = negates(content) and not has_negation(claim) and about_claim is not False
    if polarity is Polarity.DENIES:
        # Denying a content that itself contradicts the claim ("denied it was not involved") is rare;
        # a denial of related content is the speaker's denial of the claim.
        return Stance.DENIES, max(float(row[1]), 0.5 + 0.5 * float(row[0] + row[2]))
    if polarity is Polarity.ASSERTS:
        # The classifier learned from whole bodies; on one asserted clause it overrides the speaker's act
        # only when it is confident, else an assertion next to someone's rejection reads as a denial.
        # Its confident disagreement needs a denying word in the clause: "I have never been prouder of
        # him" next to the claim is the speaker's praise, whatever the closest sentences' cue rates say.
        confident = int(np.argmax(row)) == 1 and row[1] >= CONFIDENT_DISAGREE and negates(content)
        if negated or confident:
            return Stance.DENIES, max(float(row[1]), 0.5)
        return Stance.ASSERTS, max(float(row[0] + row[2]), 0.5)
    label = int(np.argmax(row))
    return RELATED_STANCES[label], float(row[label])


def relay_stances(attribution: Attribution, result: StanceResult) -> list[tuple[Relay, StanceResult]]:
    """Each outlet or person that passed the statement on reports it (neutrally), with the same evidence."""
    if result.stance is Stance.UNRELATED:
        return []
    # The chain may end with the original source itself; that one asserts, it does not relay.
    source = attribution.speaker.name.casefold() if attribution.speaker else ""
    return [
        (relay, StanceResult(Stance.REPORTS, result.score, result.evidence))
        for relay in attribution.relay_chain
        if relay.name.casefold() != source
    ]


FNC_ORDER = (Stance.ASSERTS, Stance.DENIES, Stance.REPORTS, Stance.UNRELATED)
FNC_NAMES = ("agree", "disagree", "discuss", "unrelated")


@dataclass(frozen=True)
class FncScore:
    """The official FNC-1 score (relative, in percent), macro-F1, per-class F1 and the confusion matrix."""

    fnc_score: float
    macro_f1: float
    per_class_f1: dict[str, float]
    confusion: list[list[int]]
    pairs: int

    def to_json(self) -> dict[str, object]:
        return {
            "fnc_score": self.fnc_score,
            "macro_f1": self.macro_f1,
            "per_class_f1": self.per_class_f1,
            "confusion": self.confusion,
            "pairs": self.pairs,
        }


def score_fnc(gold: Sequence[Stance], predicted: Sequence[Stance]) -> FncScore:
    """Score as the FNC-1 scorer: 0.25 for related-vs-unrelated right, 0.75 more for the exact related label.

    Confusion rows are gold, columns predicted, in the order agree, disagree, discuss, unrelated.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    confusion = [[0] * 4 for _ in range(4)]
    score = best = 0.0
    for truth, guess in zip(gold, predicted, strict=True):
        confusion[FNC_ORDER.index(truth)][FNC_ORDER.index(guess)] += 1
        truth_related, guess_related = truth is not Stance.UNRELATED, guess is not Stance.UNRELATED
        best += 1.0 if truth_related else 0.25
        score += 0.25 if truth_related == guess_related else 0.0
        score += 0.75 if truth_related and truth == guess else 0.0
    per_class = {}
    for k, name in enumerate(FNC_NAMES):
        hits = confusion[k][k]
        precision = hits / max(sum(row[k] for row in confusion), 1)
        recall = hits / max(sum(confusion[k]), 1)
        per_class[name] = round(2 * precision * recall / (precision + recall), 4) if hits else 0.0
    return FncScore(
        fnc_score=round(100.0 * score / best, 2) if best else 0.0,
        macro_f1=round(sum(per_class.values()) / 4, 4),
        per_class_f1=per_class,
        confusion=confusion,
        pairs=len(gold),
    )
