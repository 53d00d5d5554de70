"""Language of an article's text with py3langid, offline.

Short or mixed texts below a confidence floor get no language rather than a wrong one.
"""

from __future__ import annotations

import re

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

# The opening of an article is enough to tell its language and keeps long texts cheap.
SAMPLE_CHARS = 3000
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.5
_LETTER = re.compile(r"[^\W\d_]")


class LanguageDetector:
    """A loaded py3langid model; load once and reuse over a batch."""

    def __init__(self) -> None:
        self._identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)

    def detect(self, text: str) -> str | None:
        """An ISO 639-1 code, or None when the text is too short or the model is unsure."""
        sample = text[:SAMPLE_CHARS]
        if len(_LETTER.findall(sample)) < MIN_LETTERS:
            return None
        language, confidence = self._identifier.classify(sample)
        return str(language) if confidence >= MIN_CONFIDENCE else None
