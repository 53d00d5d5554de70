"""The options object of the reuse stage: shingle size, winnowing window, boilerplate caps, passage floors.

Defaults are tuned on the seeded generator in bench/reuse_corpus.py (see the README's reuse section).
"""

from __future__ import annotations

from dataclasses import dataclass

METHOD = "reuse-winnow-0.3"


@dataclass(frozen=True, slots=True)
class ReuseSettings:
    # Five-word shingles survive a 10% edit rate often enough (0.9**5 = 0.59) while chance matches stay rare.
    shingle: int = 5
    # Winnowing keeps about 2/(window+1) of the shingles and still guarantees one shared fingerprint per
    # run of window+shingle-1 = 10 identical words: a quoted statement of 12 words with an edge word changed.
    window: int = 6
    # Boilerplate is told from virality by how a fingerprint's carriers spread over outlets and time.
    # An outlet carrying it in more than `per_outlet_docs` of its own articles has it as its own footer,
    # navigation or bio; when `shared_outlets` outlets each do, it is a shared template line (a media group's
    # footer) for everyone. The document-frequency caps are a safety valve only: a fingerprint carried by
    # more than `max_docs` articles or `max_outlets` outlets is boilerplate when its dated carriers are also
    # scattered in time (no `viral_days` hold half of them), or when most carriers are undated. A wire story
    # or a ministry statement carried by 200 outlets within hours is not.
    # Below the caps, a fingerprint that `recurring_docs` articles of several outlets carry, no
    # `recurring_days` holding half of them, is a template line too (a media group's footer, a press
    # release's "about" paragraph): copying comes in bursts, a late copy or two aside.
    # Boilerplate sits at an article's edges (navigation, byline, bio, credit, footer, legal lines): within
    # `edge_words` words of either end, and at most `edge_share` of the article at each end, so the body of
    # a short article is not all edge. An outlet repeating a fingerprint in its body within `viral_days`
    # runs a story again; repeated at the edges (or spread over time) it is the outlet's own boilerplate.
    edge_words: int = 100
    edge_share: float = 0.34
    max_docs: int = 40
    max_outlets: int = 15
    per_outlet_docs: int = 3
    shared_outlets: int = 3
    viral_days: float = 3.0
    recurring_docs: int = 4
    recurring_days: float = 7.0
    # Postings kept per fingerprint, so the index stays bounded however many articles carry a passage;
    # later carriers are still compared with the ones kept.
    max_postings: int = 64
    # Each carrier of a fingerprint is compared with the `fanout` earliest carriers of it (by publication
    # time) rather than with every other one: a passage carried by n articles costs n * fanout alignments,
    # and every carrier still joins the passage's cluster. One is enough on both bench generators (the
    # fingerprints of an edited copy reach different early carriers anyway) and halves the links stored.
    fanout: int = 1
    # A passage is reported when both copies span at least `min_words` words, or when it is a complete
    # quoted statement (inside quotation marks) of at least `min_quote_words` words in both.
    min_words: int = 40
    min_quote_words: int = 12
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
