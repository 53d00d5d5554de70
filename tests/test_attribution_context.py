"""The contextual cue layer: token vectors by sentence, the linear rescoring, and how cue finding uses it."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from spacy.language import Language

from counterclaim.attribution import AttributionExtractor, load_pipeline
from counterclaim.attribution.context import ContextLayer, TokenEncoder
from counterclaim.attribution.cues import CUE_MODEL_PATH, CueModel, cue_heads
from counterclaim.embeddings import DIMENSION
from counterclaim.errors import ModelError

TEXT = (
    "The ministry said the convoy had crossed the border at dawn.\n\n"
    "Officials in Karsland think the strikes were coordinated by Rankine-Galloway's office.\n\n"
    "The weather was mild and the river ran high.\n\n"
    "The ministry said the convoy had crossed the border at dawn."
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


@pytest.fixture(scope="module")
def encoder() -> TokenEncoder:
    return TokenEncoder.load()


def _layer(**changes: object) -> ContextLayer:
    layer = ContextLayer(
        sparse_weight=2.0,
        vector_weights=np.zeros(DIMENSION, dtype=np.float32),
        fallback_vector=np.zeros(DIMENSION, dtype=np.float32),
        bias=-1.0,
        threshold=0.0,
        core_threshold=-0.5,
        prefilter=-4.0,
    )
    return replace(layer, **changes)  # type: ignore[arg-type]


def test_vectors_come_only_for_the_wanted_tokens_and_depend_on_the_sentence(
    nlp: Language, encoder: TokenEncoder
) -> None:
    doc = nlp(TEXT)
    said = [t.i for t in doc if t.lower_ == "said"]
    think = next(t.i for t in doc if t.lower_ == "think")
    vectors = encoder.vectors(doc, [*said, think])
    assert set(vectors) == {*said, think}
    assert all(v.shape == (DIMENSION,) for v in vectors.values())
    # The same sentence read twice gives the same vector; another word in another sentence does not.
    np.testing.assert_allclose(vectors[said[0]], vectors[said[1]], atol=1e-5)
    assert not np.allclose(vectors[said[0]], vectors[think], atol=1e-2)


def test_a_word_split_into_pieces_gets_the_mean_of_its_pieces(nlp: Language, encoder: TokenEncoder) -> None:
    doc = nlp(TEXT)
    name = next(t for t in doc if t.text.startswith("Rankine"))
    pieces = encoder.embedder.tokenizer.encode(name.text, add_special_tokens=False).ids
    assert len(pieces) > 1
    vector = encoder.vectors(doc, [name.i])[name.i]
    assert np.isfinite(vector).all()
    assert float(np.linalg.norm(vector)) > 0


def test_no_sentence_is_read_when_no_token_is_wanted(nlp: Language, encoder: TokenEncoder) -> None:
    assert encoder.vectors(nlp(TEXT), []) == {}


def test_layer_score_is_bias_plus_weighted_sparse_score_plus_vector_term() -> None:
    weights = np.zeros(DIMENSION, dtype=np.float32)
    weights[0] = 0.5
    vector = np.zeros(DIMENSION, dtype=np.float32)
    vector[0] = 3.0
    layer = _layer(vector_weights=weights, fallback_vector=np.full(DIMENSION, 1.0, dtype=np.float32))
    scores = layer.scores({1: 1.0, 2: -5.0, 3: 0.5}, {1: vector})
    # Token 2 is below the prefilter; token 3 has no vector and takes the fallback (component 0 is 1.0).
    assert set(scores) == {1, 3}
    assert scores[1] == pytest.approx(-1.0 + 2.0 * 1.0 + 0.5 * 3.0)
    assert scores[3] == pytest.approx(-1.0 + 2.0 * 0.5 + 0.5 * 1.0)


def test_layer_round_trips_through_json_and_rejects_a_wrong_dimension() -> None:
    layer = _layer(bias=0.25)
    again = ContextLayer.from_json(json.loads(json.dumps(layer.as_json())), "rebuild")
    assert again.bias == 0.25 and again.vector_weights.shape == (DIMENSION,)
    broken = {**layer.as_json(), "vector_weights": [0.0] * 10}
    with pytest.raises(ModelError, match="384"):
        ContextLayer.from_json(broken, "rebuild")
    incomplete = {k: v for k, v in layer.as_json().items() if k != "prefilter"}
    with pytest.raises(ModelError, match="prefilter"):
        ContextLayer.from_json(incomplete, "rebuild")


def test_the_shipped_model_has_a_contextual_layer_that_needs_the_encoder(nlp: Language) -> None:
    model = CueModel.load(CUE_MODEL_PATH)
    assert model.context is not None
    with pytest.raises(ModelError, match="TokenEncoder"):
        list(cue_heads(nlp(TEXT), model))


def test_the_layer_decides_which_tokens_head_cues(nlp: Language, encoder: TokenEncoder) -> None:
    doc = nlp(TEXT)
    shipped = CueModel.load(CUE_MODEL_PATH)
    heads = {t.i for t in cue_heads(doc, shipped, encoder)}
    assert {t.i for t in doc if t.lower_ == "said"} <= heads
    assert not any(t.lower_ in {"was", "ran"} for t in doc if t.i in heads)
    # A layer that rejects everything: no model-scored cue is left.
    silent = replace(shipped, context=_layer(bias=-100.0, core_threshold=0.0))
    assert list(cue_heads(doc, silent, encoder)) == []


def test_without_context_the_sparse_model_decides_alone_and_no_encoder_is_loaded(nlp: Language) -> None:
    sparse = CueModel.load(CUE_MODEL_PATH).without_context()
    assert sparse.context is None
    extractor = AttributionExtractor(nlp=nlp, cue_model=sparse)
    assert extractor.encoder is None
    heads = [t.lower_ for t in cue_heads(nlp(TEXT), sparse)]
    assert heads.count("said") == 2


def test_only_uncertain_tokens_are_read_in_context() -> None:
    layer = _layer(uncertain=(-2.0, 3.0))
    assert layer.needs_vector(0.0)
    assert not layer.needs_vector(5.0)  # clearly a cue from its features alone
    assert not layer.needs_vector(-3.0)  # scored, but with the fallback vector
    assert not layer.needs_vector(-5.0)  # below the prefilter: never a cue
    again = ContextLayer.from_json(json.loads(json.dumps(layer.as_json())), "rebuild")
    assert again.uncertain == (-2.0, 3.0)
    with pytest.raises(ModelError, match="uncertain"):
        ContextLayer.from_json({**layer.as_json(), "uncertain": [1.0]}, "rebuild")


def test_a_sentence_without_uncertain_tokens_is_not_encoded(nlp: Language, encoder: TokenEncoder) -> None:
    doc = nlp(TEXT)
    shipped = CueModel.load(CUE_MODEL_PATH)
    assert shipped.context is not None
    # Every token certain: the encoder reads nothing, and the decisions come from the fallback vector alone.
    certain = replace(shipped, context=replace(shipped.context, uncertain=(100.0, 101.0)))
    calls: list[int] = []

    class CountingEncoder(TokenEncoder):
        def vectors(self, doc, token_indices):  # type: ignore[no-untyped-def]
            calls.extend(token_indices)
            return super().vectors(doc, token_indices)

    counting = CountingEncoder(encoder.embedder)
    heads = [t.lower_ for t in cue_heads(doc, certain, counting)]
    assert calls == []
    assert heads.count("said") == 2


def test_the_extractor_can_share_one_minilm_session_with_other_stages(encoder: TokenEncoder) -> None:
    shared = encoder.embedder
    extractor = AttributionExtractor.load(embedder=shared)
    assert extractor.encoder is not None and extractor.encoder.embedder is shared
    assert AttributionExtractor.load(contextual_cues=False, embedder=shared).encoder is None
