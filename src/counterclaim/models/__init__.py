"""The shipped model artifacts (ONNX files, tokenizer, coefficients) and where to find them.

Loading code reads from this folder; `make train-stance` rebuilds it.
"""

from __future__ import annotations

import os
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent

BI_ENCODER_FILE = "minilm.int8.onnx"
CLASSIFIER_FILE = "stance_classifier.npz"
CROSS_ENCODER_FILE = "stance_cross_encoder.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
RELATEDNESS_FILE = "relatedness.json"
MANIFEST_FILE = "MANIFEST.json"


def offline() -> None:
    """Forbid Hugging Face network access: models load only from installed packages."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
