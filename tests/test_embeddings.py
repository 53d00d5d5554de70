"""Behaviour of the shipped int8 MiniLM embedder: unit vectors, input order kept, meaning reflected.

Runs the committed ONNX artifact; no torch needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from counterclaim.embeddings import DIMENSION, Embedder, encode_pairs, length_batches, special_ids
from counterclaim.errors import ModelError


def test_vectors_are_unit_length_float32(embedder: Embedder) -> None:
    vectors = embedder.encode(
        ["The ministry said the strikes were coordinated.", "Rain is expected on Tuesday."]
    )
    assert vectors.shape == (2, DIMENSION)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_empty_array(embedder: Embedder) -> None:
    assert embedder.encode([]).shape == (0, DIMENSION)


def test_batch_keeps_input_order(embedder: Embedder) -> None:
    texts = [
        "A long sentence about the harbour, the ferries, the weather and the closing of the fish market.",
        "Short one.",
        "The defence ministry denied sharing target coordinates.",
    ]
    together = embedder.encode(texts)
    alone = np.stack([embedder.encode([text])[0] for text in texts])
    # Dynamic int8 quantisation scales activations per batch, so batched and single vectors differ slightly.
    assert np.all(np.sum(together * alone, axis=1) > 0.95)


def test_paraphrase_is_closer_than_unrelated_text(embedder: Embedder) -> None:
    claim, paraphrase, unrelated = embedder.encode(
        [
            "The army gave the rebels the location of the bridge before the raid.",
            "Before the raid, the military passed the bridge's position to the insurgents.",
            "The bakery on Main Street has started selling sourdough on Sundays.",
        ]
    )
    assert float(claim @ paraphrase) > float(claim @ unrelated) + 0.3


def test_text_longer_than_the_token_limit_is_cut_not_rejected(embedder: Embedder) -> None:
    long_text = " ".join(["the convoy crossed the border at dawn"] * 200)
    vector = embedder.encode([long_text])
    assert vector.shape == (1, DIMENSION)
    assert np.isfinite(vector).all()


def test_missing_artifact_raises_model_error_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make train-stance"):
        Embedder.load(tmp_path)


def test_pair_encoding_keeps_the_claim_and_cuts_the_passage_at_its_end(embedder: Embedder) -> None:
    claim = "The plant will close."
    passage = " ".join(["Workers said the plant stays open."] * 40)
    (ids, types), (short_ids, short_types) = encode_pairs(
        embedder.tokenizer, [(claim, passage), (claim, "It stays open.")], 48, 16
    )
    cls_id, sep_id = special_ids(embedder.tokenizer)
    claim_ids = embedder.tokenizer.encode(claim, add_special_tokens=False).ids
    assert len(ids) == len(types) == 48
    assert ids[: len(claim_ids) + 2] == [cls_id, *claim_ids, sep_id]
    assert ids[-1] == sep_id and types[: len(claim_ids) + 2] == [0] * (len(claim_ids) + 2)
    assert set(types[len(claim_ids) + 2 :]) == {1}
    # A short passage is kept whole; the same pair encodes the same way in any batch.
    assert len(short_ids) < 48 and short_ids[-1] == sep_id and len(short_types) == len(short_ids)
    assert encode_pairs(embedder.tokenizer, [(claim, passage)], 48, 16) == [(ids, types)]
    long_claim = " ".join(["ministry"] * 30)
    ((capped, _),) = encode_pairs(embedder.tokenizer, [(long_claim, passage)], 48, 16)
    assert capped[17] == sep_id and len(capped) == 48


def test_long_texts_go_in_fewer_rows_a_call_and_every_text_once() -> None:
    lengths = [12, 40, 256, 90, 256, 8, 130, 256]
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    batches = length_batches(order, lengths, rows=4, budget=3 * 256 * 256)
    assert [index for batch in batches for index in batch] == order
    for batch in batches:
        width = max(lengths[index] for index in batch)
        assert len(batch) <= 4
        assert len(batch) * width * width <= 3 * 256 * 256
    # The four short texts share a call; three of the long ones fill the next, the last goes alone.
    assert [len(batch) for batch in batches] == [4, 3, 1]
    # One text over the budget on its own still gets a call.
    assert length_batches([0], [300], rows=4, budget=100) == [[0]]


def test_encoder_without_nan_guards_gives_the_same_bits_as_the_shipped_file() -> None:
    """open_session takes the softmax NaN guards out of the graph: the hidden states of a padded batch
    (short and long rows together, so most keys of the short rows are masked) must not move by one bit."""
    import onnxruntime as ort

    from counterclaim.embeddings import load_tokenizer, open_session, pad_batch, without_nan_guards
    from counterclaim.models import BI_ENCODER_FILE, MODELS_DIR, TOKENIZER_FILE

    path = MODELS_DIR / BI_ENCODER_FILE
    stripped = without_nan_guards(path)
    assert stripped is not None, "the shipped encoder has softmax NaN guards to take out"
    assert not [node for node in stripped.graph.node if node.op_type == "IsNaN"]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    shipped = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    tokenizer = load_tokenizer(MODELS_DIR / TOKENIZER_FILE)
    texts = [
        "Officials said.",
        "The ministry said on Tuesday that the convoy had crossed the border before dawn, "
        "and that it would not comment on the reports from the region. " * 4,
        "",
        "“We did not authorise it,” the spokesman told reporters.",
    ]
    ids = [encoding.ids for encoding in tokenizer.encode_batch(texts)]
    batch = pad_batch(ids, [[0] * len(row) for row in ids])
    (expected,) = shipped.run(["last_hidden_state"], batch)
    (found,) = open_session(path).run(["last_hidden_state"], batch)
    assert found.shape == expected.shape
    assert np.array_equal(found, expected)


def test_only_calls_over_the_budget_hand_their_arena_back(embedder: Embedder) -> None:
    from counterclaim.embeddings import TOKEN_BUDGET, pad_batch, run_options

    def batch(rows: int, width: int) -> dict[str, np.ndarray]:
        return pad_batch([[101] * width] * rows, [[0] * width] * rows)

    assert run_options(batch(32, 60)) is None
    assert run_options(batch(8, 256)) is None  # 8 x 256^2 is the budget itself
    assert TOKEN_BUDGET < 64 * 256 * 256
    shrinking = run_options(batch(64, 256))
    assert shrinking is not None
    assert shrinking.get_run_config_entry("memory.enable_memory_arena_shrinkage") == "cpu:0"
    # The same hidden states whether or not the arena is shrunk after the call.
    text = "The ministry said the convoy crossed the border before dawn on Tuesday. " * 20
    ids = embedder.truncate(embedder.tokenizer.encode(text).ids)
    big = pad_batch([ids] * 40, [[0] * len(ids)] * 40)
    assert run_options(big) is not None
    (kept,) = embedder.session.run(["last_hidden_state"], big)
    (shrunk,) = embedder.session.run(["last_hidden_state"], big, run_options(big))
    assert np.array_equal(kept, shrunk)
