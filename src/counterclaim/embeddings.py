"""Sentence embeddings from the shipped int8 ONNX export of all-MiniLM-L6-v2, without torch.

`Embedder.load().encode(texts)` returns L2-normalised float32 vectors (mean pooling as sentence-transformers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import onnx.numpy_helper
import onnxruntime as ort
from tokenizers import Tokenizer

from counterclaim.errors import ModelError
from counterclaim.models import BI_ENCODER_FILE, MODELS_DIR, TOKENIZER_FILE

DIMENSION = 384
# all-MiniLM-L6-v2 was trained with this limit (sentence_bert_config.json); longer text is cut.
MAX_TOKENS = 256
REBUILD_HINT = "rebuild the models with `make train-stance`"
# At most rows x width^2 word pieces in one encoder call: attention holds rows x heads x width^2 scores, so a
# batch of long texts has fewer rows (64 rows up to 90 pieces, 8 at 256). Peak memory stays bounded (a
# batch of 64 texts of 256 pieces took about 1 GiB) for the same work per text.
TOKEN_BUDGET = 1 << 19
UNBOUNDED = 1 << 62


def load_tokenizer(path: Path) -> Tokenizer:
    """Read a tokenizer.json, or raise ModelError saying how to rebuild it."""
    if not path.is_file():
        raise ModelError(f"tokenizer file {path} is missing: {REBUILD_HINT}")
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as error:  # the tokenizers library raises bare Exception on bad files
        raise ModelError(f"tokenizer file {path} is unreadable ({error}): {REBUILD_HINT}") from error
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def file_digest(path: Path) -> str:
    """The SHA-256 of a model file: what stored vectors are keyed by, so a new model never reads old ones."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_session(path: Path, threads: int | None = 1) -> ort.InferenceSession:
    """Open an ONNX model on the CPU, or raise ModelError saying how to rebuild it.

    One intra-op thread by default: parallelism comes from processes (`--workers`), a thread pool per session
    costs more CPU than it saves on the small batches the stages send, and one thread sums in one order, so
    the same input gives the same vectors. `threads=None` leaves onnxruntime's own default.
    """
    if not path.is_file():
        raise ModelError(f"model file {path} is missing: {REBUILD_HINT}")
    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    try:
        model = without_nan_guards(path)
        source = str(path) if model is None else model.SerializeToString()
        return ort.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnx and onnxruntime raise their own untyped errors
        raise ModelError(f"model file {path} is unreadable ({error}): {REBUILD_HINT}") from error


def without_nan_guards(path: Path) -> onnx.ModelProto | None:
    """The model with each attention layer's `Where(IsNaN(p), 0, p)` after its softmax taken out, or None
    when it has no such guard.

    The guard only matters for a query that may attend to no key at all (a row of -inf scores); every row
    this package sends has its [CLS] token unmasked (`pad_batch`), so the softmax never yields NaN and the
    output is the same to the bit (`tests/test_embeddings.py`). Each guard held two more batch x heads x
    width^2 tensors: without them a batch of 64 texts of 256 word pieces peaks at 0.9 GiB instead of 1.4,
    and long texts take about a sixth less CPU.
    """
    model = onnx.load(str(path))
    graph = model.graph
    producers = {output: node for node in graph.node for output in node.output}
    replaced: dict[str, str] = {}
    for node in graph.node:
        if node.op_type != "Where" or len(node.input) != 3:
            continue
        check = producers.get(node.input[0])
        if check is None or check.op_type != "IsNaN" or check.input[0] != node.input[2]:
            continue
        if not _is_zero(producers.get(node.input[1])):
            continue
        replaced[node.output[0]] = node.input[2]
    if not replaced:
        return None
    kept = [node for node in graph.node if node.output[0] not in replaced]
    for node in kept:
        for position, name in enumerate(node.input):
            node.input[position] = replaced.get(name, name)
    # Drop what only the guards read (their IsNaN and fill constants), so nothing is left dangling.
    outputs = {output.name for output in graph.output}
    while True:
        read = {name for node in kept for name in node.input} | outputs
        still_read = [node for node in kept if any(output in read for output in node.output)]
        if len(still_read) == len(kept):
            break
        kept = still_read
    del graph.node[:]
    graph.node.extend(kept)
    return model


def _is_zero(node: onnx.NodeProto | None) -> bool:
    """Whether a Constant node holds zeros only (the value a guard fills NaN with)."""
    if node is None or node.op_type != "Constant":
        return False
    tensors = [attribute.t for attribute in node.attribute if attribute.name == "value"]
    return len(tensors) == 1 and not np.any(onnx.numpy_helper.to_array(tensors[0]))


def length_batches(
    order: Sequence[int], lengths: Sequence[int], rows: int, budget: int = TOKEN_BUDGET
) -> list[list[int]]:
    """Cut indexes sorted by ascending length into batches of at most `rows` rows and rows x width^2 word
    pieces (width: the batch's longest, its last); one over-long row still gets a batch of its own."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        width = lengths[index]
        if current and (len(current) >= rows or (len(current) + 1) * width * width > budget):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def run_options(batch: Mapping[str, np.ndarray]) -> ort.RunOptions | None:
    """Options for one encoder call: a call over TOKEN_BUDGET (rows x width^2) hands its memory back.

    onnxruntime's arena keeps the largest call's buffers for the session's life: after one batch of 64
    claim statements of 256 word pieces the process held 0.5 GiB more until it ended, and the next stage's
    own peak (spaCy parsing a batch) came on top. Small calls keep the arena (reusing it saves their CPU).
    """
    rows, width = batch["input_ids"].shape
    if rows * width * width <= TOKEN_BUDGET:
        return None
    options = ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return options


def pad_batch(ids: Sequence[Sequence[int]], type_ids: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
    """Right-pad token ids to the longest row, with the attention mask BERT expects."""
    width = max(len(row) for row in ids)
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    token_type_ids = np.zeros((len(ids), width), dtype=np.int64)
    attention_mask = np.zeros((len(ids), width), dtype=np.int64)
    for row, (tokens, types) in enumerate(zip(ids, type_ids, strict=True)):
        input_ids[row, : len(tokens)] = tokens
        token_type_ids[row, : len(types)] = types
        attention_mask[row, : len(tokens)] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average the token vectors a mask keeps, then scale each row to unit length."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)


@dataclass
class Embedder:
    """A loaded bi-encoder; share one per process and pass it to the stages that need it."""

    session: ort.InferenceSession
    tokenizer: Tokenizer
    max_tokens: int = MAX_TOKENS
    # The model file's digest (empty when built by hand): part of the key of every vector kept in a store.
    model_id: str = ""

    @classmethod
    def load(cls, directory: Path | None = None, threads: int | None = 1) -> Embedder:
        folder = directory or MODELS_DIR
        path = folder / BI_ENCODER_FILE
        session = open_session(path, threads)
        return cls(session, load_tokenizer(folder / TOKENIZER_FILE), model_id=file_digest(path)[:16])

    def encode(self, texts: Sequence[str], batch_size: int = 64, budget: int | None = None) -> np.ndarray:
        """Embed texts into an (n, 384) float32 array of unit vectors, in input order.

        `budget` bounds rows x width^2 of each call (TOKEN_BUDGET for many long texts: article sentences).
        Left unbounded for claim statements and story leads: int8 activations are scaled per call, so a
        different cut moves vectors a little, and with every call bounded the dossier bench's recall on the
        story-disjoint dev split moved from 0.917 to 0.900 (claim matches changed in a few searches).
        """
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return vectors
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = [self.truncate(encoding.ids) for encoding in encodings]
        # Batching texts of similar length keeps padding, and so wasted work, small.
        order = sorted(range(len(ids)), key=lambda index: len(ids[index]))
        lengths = [len(row) for row in ids]
        for rows in length_batches(order, lengths, batch_size, budget or UNBOUNDED):
            batch = pad_batch([ids[row] for row in rows], [[0] * len(ids[row]) for row in rows])
            (hidden,) = self.session.run(["last_hidden_state"], batch, run_options(batch))
            vectors[rows] = mean_pool(hidden, batch["attention_mask"])
        return vectors

    def read_sentences(
        self, text: str, spans: Sequence[tuple[int, int]], states: bool = False
    ) -> SentenceReading:
        """Embed the sentences of one text (its `spans`) in calls that hold no other text's sentences.

        Int8 activations are scaled per call, so a sentence's vector depends on the rows it is read with:
        reading each text alone makes its vectors a function of the text only, whatever batch, worker or
        engine reads it. With `states`, each sentence's word pieces and hidden states are kept as well (the
        cue layer reads tokens in context from them, so an article is read once).
        """
        vectors = np.zeros((len(spans), DIMENSION), dtype=np.float32)
        if not spans:
            return SentenceReading([], vectors)
        encodings = self.tokenizer.encode_batch([text[start:end] for start, end in spans])
        ids = [self.truncate(encoding.ids) for encoding in encodings]
        lengths = [len(row) for row in ids]
        order = sorted(range(len(ids)), key=lambda index: lengths[index])
        kept: list[np.ndarray] = [np.zeros((0, DIMENSION), dtype=np.float32)] * len(spans)
        for rows in length_batches(order, lengths, TEXT_ROWS, TOKEN_BUDGET):
            batch = pad_batch([ids[row] for row in rows], [[0] * len(ids[row]) for row in rows])
            (hidden,) = self.session.run(["last_hidden_state"], batch, run_options(batch))
            vectors[rows] = mean_pool(hidden, batch["attention_mask"])
            if states:
                for slot, row in enumerate(rows):
                    kept[row] = hidden[slot, : lengths[row]].copy()
        if not states:
            return SentenceReading(list(spans), vectors)
        pieces = [
            [(start + a, start + b) if b > a else (-1, -1) for a, b in encoding.offsets[: lengths[row]]]
            for row, (encoding, (start, _)) in enumerate(zip(encodings, spans, strict=True))
        ]
        return SentenceReading(list(spans), vectors, pieces, kept)

    def truncate(self, ids: list[int]) -> list[int]:
        """Cut to max_tokens while keeping the closing [SEP] token."""
        if len(ids) <= self.max_tokens:
            return ids
        return [*ids[: self.max_tokens - 1], ids[-1]]


# Rows per encoder call when one text's sentences are read together (Embedder.read_sentences): they are sorted
# by length, so a call pads little, and no call mixes two texts.
TEXT_ROWS = 8


@dataclass(frozen=True, slots=True)
class SentenceReading:
    """The sentences of one text as the encoder read them: ranges in the text, a unit vector each, and, when
    asked for, each sentence's word pieces (character ranges in the text) with their hidden states."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray
    pieces: list[list[tuple[int, int]]] = field(default_factory=list)
    states: list[np.ndarray] = field(default_factory=list)


@dataclass
class TextVectors:
    """Vectors of texts met during one unit of work, each text embedded once (claim texts asked for by the
    attribution stance, the article stance and the denial checks of one batch): an Encoder itself."""

    embedder: Embedder
    known: dict[str, np.ndarray] = field(default_factory=dict)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Rows for texts in input order; a text not seen before is embedded alone, so that its vector (int8
        activations are scaled per call) does not depend on what else the batch holds."""
        unseen = [text for text in dict.fromkeys(texts) if text not in self.known]
        self.known.update((text, self.embedder.encode([text])[0]) for text in unseen)
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.stack([self.known[text] for text in texts])

    def of(self, texts: Sequence[str]) -> Mapping[str, np.ndarray]:
        """Each distinct text's vector, embedding the unseen ones first."""
        self.encode(texts)
        return {text: self.known[text] for text in texts}


def special_ids(tokenizer: Tokenizer) -> tuple[int, int]:
    """The [CLS] and [SEP] token ids of a BERT vocabulary."""
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if cls_id is None or sep_id is None:
        raise ModelError(f"the tokenizer has no [CLS] or [SEP] token: {REBUILD_HINT}")
    return cls_id, sep_id


def encode_pairs(
    tokenizer: Tokenizer, pairs: Sequence[tuple[str, str]], max_tokens: int, first_max: int
) -> list[tuple[list[int], list[int]]]:
    """Token ids and type ids of `[CLS] first [SEP] second [SEP]` for each pair, at most max_tokens long.

    The first text (a claim) keeps at most first_max tokens; the second (a passage) fills the rest and is cut
    at its end, so the passage's most relevant sentences must come first. Training and inference share this.
    """
    if not pairs:
        return []
    cls_id, sep_id = special_ids(tokenizer)
    firsts = tokenizer.encode_batch([first for first, _ in pairs], add_special_tokens=False)
    seconds = tokenizer.encode_batch([second for _, second in pairs], add_special_tokens=False)
    encoded = []
    for first, second in zip(firsts, seconds, strict=True):
        head = first.ids[:first_max]
        tail = second.ids[: max(max_tokens - len(head) - 3, 0)]
        ids = [cls_id, *head, sep_id, *tail, sep_id]
        encoded.append((ids, [0] * (len(head) + 2) + [1] * (len(tail) + 1)))
    return encoded
