"""The options object of the reuse stage: shingle size, winnowing window, boilerplate caps, passage floors.

Defaults are tuned on the seeded generator in bench/reuse_corpus.py (see the README's reuse section).
"""

from __future__ import annotations

from dataclasses import dataclass

METHOD = "reuse-winnow-0.1"


@dataclass(frozen=True, slots=True)
class ReuseSettings:
    # Five-word shingles survive a 10% edit rate often enough (0.9**5 = 0.59) while chance matches stay rare.
    shingle: int = 5
    # Winnowing keeps about 2/(window+1) of the shingles and still guarantees one shared fingerprint per
    # run of window+shingle-1 = 8 identical words.
    window: int = 4
    # Boilerplate caps. A fingerprint carried by more than `max_docs` articles or `max_outlets` outlets is
    # cross-outlet boilerplate (wire credits, legal lines); an outlet carrying it in more than
    # `per_outlet_docs` of its own articles has it as its own footer, navigation or bio. A passage shared
    # by a cluster of up to 15 outlets, one copy each, stays under all three (the generator plants
    # clusters of up to 12; its legal lines reach 20 to 30 outlets, so a 400-article sample already
    # drops them). A wire story reprinted by more than 15 outlets is dropped too: raise the caps for that.
    max_docs: int = 40
    max_outlets: int = 15
    per_outlet_docs: int = 3
    # A passage is reported when both copies span at least `min_words` words, or when it is a complete
    # quoted statement of at least `min_quote_words` words in both.
    min_words: int = 40
    min_quote_words: int = 8
    # Once a pair shares a reportable passage, its other shared stretches of this many words are reported
    # too (a copied article rarely copies one block only).
    min_companion_words: int = 12
    # Share of matched words over the longer copy: 10% word edits give about 0.9.
    min_score: float = 0.8
    # Words without a whole shared shingle tolerated between two matched stretches: two edits up to a
    # shingle apart leave a gap of up to 2 * shingle words.
    max_gap: int = 12
    # Candidate pairs must share at least this many fingerprints before they are aligned.
    min_seeds: int = 1
    # The inverted index is split by hash modulo this, each partition a separate unit of work.
    partitions: int = 16
