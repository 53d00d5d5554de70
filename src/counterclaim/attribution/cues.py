"""Cue finding: which tokens of a parsed article introduce an attribution (said, told, according to, ...).

A linear model learned from PolNeAR train scores every token from sparse features; a contextual layer
(attribution.context) rescores the likely ones from MiniLM's reading of the sentence. Core cue words need a
lower score.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Token

from counterclaim.attribution.context import ContextLayer, TokenContext
from counterclaim.errors import ModelError

CUE_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_cues.json"
REBUILD_HINT = "Rebuild it with `make train-attribution`."

QUOTE_CHARS = frozenset('"“”„«»')
CLOSING_MARKS = frozenset("”»")
OPENING_MARKS = frozenset("“„«")
BYLINE_CLOSERS = CLOSING_MARKS | {'"'}
QUOTE_LOOKBACK = 80
BYLINE_DASHES = frozenset({"―", "—", "–", "--"})
# Verbs that report speech whatever the corpus says, so a denial or a deferral is never missed.
CORE_CUE_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "deny",
        "dismiss",
        "defer",
        "decline",
        "quote",
        "claim",
        "insist",
        "allege",
        "reject",
        "refuse",
        "announce",
        "state",
        "confirm",
        "add",
        "warn",
        "write",
        "tweet",
        "report",
    }
)
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "parataxis"})
MAX_COLON_SPEAKER = 5
EDITORIAL_LABELS = frozenset(
    {
        "correction",
        "clarification",
        "warning",
        "update",
        "updated",
        "editor",
        "note",
        "latest",
        "video",
        "photo",
        "photos",
        "watch",
        "related",
        "read",
        "advertisement",
        "listen",
        "transcript",
        "disclosure",
        "full",
    }
)
MAX_BYLINE_SPEAKER = 8


@dataclass(frozen=True, slots=True)
class CueModel:
    """Weights of a logistic model over sparse token features, stored as JSON (no pickles)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    version: str
    # A core cue word needs only this lower score: "declined to comment" is kept, "tell the truth" is not.
    core_threshold: float = -1.0
    # The contextual layer over the sparse score; without it the sparse score decides alone.
    context: ContextLayer | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> CueModel:
        target = path or CUE_MODEL_PATH
        try:
            raw = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ModelError(f"The attribution cue model {target} is missing. {REBUILD_HINT}") from exc
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"The attribution cue model {target} is unreadable ({exc}). {REBUILD_HINT}"
            ) from exc
        context = raw.get("context")
        return cls(
            weights={str(k): float(v) for k, v in raw["weights"].items()},
            bias=float(raw["bias"]),
            threshold=float(raw["threshold"]),
            version=str(raw["version"]),
            core_threshold=float(raw.get("core_threshold", raw["threshold"])),
            context=ContextLayer.from_json(context, REBUILD_HINT) if context is not None else None,
        )

    def without_context(self) -> CueModel:
        """The sparse model alone, with its own thresholds: faster (no encoder), a little less accurate."""
        if self.context is None:
            return self
        # Its own version, so stored attributions say which of the two found them.
        return replace(self, context=None, version=f"{self.version}-sparse")

    def score(self, token: Token, has_quote: bool) -> float:
        return self.bias + sum(self.weights.get(name, 0.0) for name in token_features(token, has_quote))


def quoted_sentences(doc: Doc) -> list[bool]:
    """For each token, whether its sentence holds a quotation mark (computed once per article)."""
    flags = [False] * len(doc)
    for sent in doc.sents:
        quoted = any(t.text in QUOTE_CHARS for t in sent)
        for index in range(sent.start, sent.end):
            flags[index] = quoted
    return flags


def token_features(token: Token, has_quote: bool) -> list[str]:
    """Sparse binary features of one token: its word, its place in the parse, and what hangs off it."""
    lemma = token.lemma_.lower()
    child_deps = sorted({child.dep_ for child in token.children})
    features = [
        f"lemma={lemma}",
        f"lower={token.lower_}",
        f"tag={token.tag_}",
        f"dep={token.dep_}",
        f"lemma_dep={lemma}|{token.dep_}",
        f"lemma_tag={lemma}|{token.tag_}",
        f"head_lemma={token.head.lemma_.lower()}",
        f"lemma_head={lemma}|{token.head.lemma_.lower()}",
        f"quote_in_sent={has_quote}",
        f"lemma_quote={lemma}|{has_quote}",
        f"prev={_neighbour(token, -1)}",
        f"next={_neighbour(token, 1)}",
        f"lemma_next={lemma}|{_neighbour(token, 1)}",
    ]
    features.extend(f"child={dep}" for dep in child_deps)
    features.extend(
        f"lemma_child={lemma}|{dep}" for dep in child_deps if dep in CLAUSE_DEPS | {"nsubj", "dobj"}
    )
    subject = _subject_kind(token)
    near_quote = any(t.text in QUOTE_CHARS for t in token.doc[max(token.i - 3, 0) : token.i + 4])
    features.extend(
        [
            f"subj={subject}",
            f"lemma_subj={lemma}|{subject}",
            f"near_quote={near_quote}",
            f"lemma_near_quote={lemma}|{near_quote}",
            f"head_dep={token.head.dep_}",
            f"lemma_head_dep={lemma}|{token.head.dep_}",
            f"prev2={_neighbour(token, -2)}|{_neighbour(token, -1)}",
        ]
    )
    inside = _inside_quote(token)
    features.extend(
        [
            f"in_quote={inside}",
            f"lemma_in_quote={lemma}|{inside}",
            f"lemma_dep_head={lemma}|{token.dep_}|{token.head.lemma_.lower()}",
            f"lemma_subj_word={lemma}|{_subject_word(token)}",
            f"lemma_dep_headpos={lemma}|{token.dep_}|{token.head.pos_}",
        ]
    )
    for child in token.children:
        if child.dep_ in {"aux", "neg", "det", "poss", "advmod"}:
            features.append(f"lemma_{child.dep_}={lemma}|{child.lower_}")
        if child.dep_ in {"prt", "prep", "agent", "dative"}:
            features.append(f"lemma_word_child={lemma}|{child.lower_}")
        if child.dep_ in CLAUSE_DEPS:
            marks = [g.lower_ for g in child.children if g.dep_ == "mark"]
            features.append(f"lemma_clause_mark={lemma}|{marks[0] if marks else '-'}")
    return features


def _inside_quote(token: Token) -> bool:
    """Whether an opening quotation mark before the token, in its paragraph, is still open.

    Counted over the at most QUOTE_LOOKBACK tokens before it, back to a line break: quote marks counted once
    per doc into running sums (a scan per scored token was 4 % of the attribution stage).
    """
    marks, straight, breaks = _quote_sums(token.doc)
    index = token.i
    # The window starts after the last line break before the token, and no more than the lookback away.
    low = max(index - QUOTE_LOOKBACK, int(breaks[index]), 0)
    open_marks = int(marks[index] - marks[low])
    # Straight quotes open and close alike: an odd count before the token leaves one open.
    return open_marks > 0 or int(straight[index] - straight[low]) % 2 == 1


# Where _quote_sums keeps a doc's running quote counts in its user_data.
QUOTE_SUMS = "counterclaim.quote_sums"


def _quote_sums(doc: Doc) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Running sums over the doc's tokens (entry i covers tokens before i) of opening minus closing curly
    marks and of straight quotes, and for each token the index just after the last line break before it."""
    kept = doc.user_data.get(QUOTE_SUMS)
    if isinstance(kept, tuple):
        return kept
    count = len(doc)
    marks = np.zeros(count + 1, dtype=np.int64)
    straight = np.zeros(count + 1, dtype=np.int64)
    breaks = np.zeros(count + 1, dtype=np.int64)
    after_break = 0
    for position, item in enumerate(doc):
        text = item.text
        marks[position + 1] = marks[position] + (
            1 if text in OPENING_MARKS else -1 if text in CLOSING_MARKS else 0
        )
        straight[position + 1] = straight[position] + (text == '"')
        breaks[position] = after_break
        if "\n" in text:
            after_break = position + 1
    breaks[count] = after_break
    sums = (marks, straight, breaks)
    doc.user_data[QUOTE_SUMS] = sums
    return sums


def _subject_word(token: Token) -> str:
    for child in token.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child.lower_ if child.pos_ == "PRON" else child.ent_type_ or child.tag_
    return "-"


def _subject_kind(token: Token) -> str:
    for child in token.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            if child.pos_ == "PRON":
                return "PRON"
            return child.ent_type_ or child.pos_
    return "-"


def _neighbour(token: Token, offset: int) -> str:
    index = token.i + offset
    if index < 0 or index >= len(token.doc):
        return "<edge>"
    return token.doc[index].lower_


def is_candidate(token: Token) -> bool:
    return not token.is_space and token.pos_ in {"VERB", "NOUN", "ADP", "PUNCT", "AUX", "ADJ", "PROPN"}


def cue_heads(doc: Doc, model: CueModel, encoder: TokenContext | None = None) -> Iterator[Token]:
    """Tokens that head a cue, in text order.

    A model with a contextual layer needs the tokens' contextual vectors (a TokenEncoder, or a ReadContext
    over the article's reading); raises ModelError without them.
    """
    quoted = quoted_sentences(doc)
    fixed: set[int] = set()
    sparse: dict[int, float] = {}
    for token in doc:
        if quote_byline(token) or (is_candidate(token) and speaker_colon(token)):
            fixed.add(token.i)
        elif is_candidate(token):
            sparse[token.i] = model.score(token, quoted[token.i])
    threshold, core_threshold, final = model.threshold, model.core_threshold, sparse
    if model.context is not None:
        if encoder is None:
            raise ModelError(
                f"The cue model {model.version} rescores tokens in context and needs a TokenEncoder: "
                "pass `encoder=TokenEncoder.load()`."
            )
        layer = model.context
        uncertain = [index for index, score in sparse.items() if layer.needs_vector(score)]
        final = layer.scores(sparse, encoder.vectors(doc, uncertain))
        threshold, core_threshold = layer.threshold, layer.core_threshold
    for token in doc:
        if token.i in fixed:
            yield token
            continue
        score = final.get(token.i)
        if score is None:
            continue
        if score > threshold or (_core_cue(token) and score > core_threshold):
            yield token


def speaker_colon(token: Token) -> bool:
    """ "PENCE: Well, ..." or "Pat Caddell: Voters worried": a name opening its line, then a colon."""
    if token.text != ":" or token.i + 1 >= len(token.doc):
        return False
    before = []
    index = token.i - 1
    while index >= 0 and not ("\n" in token.doc[index].text or "\n" in token.doc[index].whitespace_):
        before.append(token.doc[index])
        index -= 1
    if not 1 <= len(before) <= MAX_COLON_SPEAKER:
        return False
    # "Correction:", "WARNING:", "[Video: ..." and "Said Ellis:" label a line or quote with a verb.
    if any(
        t.lower_ in EDITORIAL_LABELS or t.text in {"[", "(", "]", ")"} or t.lemma_ == "say" for t in before
    ):
        return False
    if all(t.ent_type_ in {"GPE", "LOC"} or t.is_punct for t in before):
        # "Managua: A mysterious explosion ...": a place opening the line is a dateline, not a speaker.
        return False
    return all(t.is_title or t.is_upper or t.is_punct or t.lower_ in {"of", "the"} for t in before) and any(
        t.pos_ == "PROPN" or t.is_upper for t in before
    )


def quote_byline(token: Token) -> bool:
    """'"... a real disgrace." ― Jane Doe': a dash after a closing quote, then a name ending its line."""
    text = token.text
    dash = next((mark for mark in BYLINE_DASHES if text.endswith(mark)), None)
    if dash is None:
        return False
    # The tokenizer can glue the closing quote to the dash ("”―").
    before = text[: -len(dash)]
    if before:
        closed = before in BYLINE_CLOSERS
    else:
        index = token.i - 1
        while index >= 0 and token.doc[index].is_space and "\n" not in token.doc[index].text:
            index -= 1
        closed = index >= 0 and token.doc[index].text in BYLINE_CLOSERS
    return closed and byline_name(token) is not None


def byline_name(token: Token) -> list[Token] | None:
    """The name after a byline dash, up to the end of its line, when it looks like one."""
    doc = token.doc
    name: list[Token] = []
    index = token.i + 1
    while index < len(doc) and "\n" not in doc[index].text:
        name.append(doc[index])
        if "\n" in doc[index].whitespace_:
            break
        index += 1
    words = [t for t in name if not (t.is_space or t.is_punct)]
    if not 1 <= len(words) <= MAX_BYLINE_SPEAKER:
        return None
    if not all(t.is_title or t.is_upper or t.lower_ in {"de", "del", "la", "van", "von"} for t in words):
        return None
    return words


def _core_cue(token: Token) -> bool:
    if token.pos_ != "VERB" or token.lemma_.lower() not in CORE_CUE_LEMMAS:
        return False
    # A core verb only counts when something is reported: a clause, an object or a quote.
    deps = {child.dep_ for child in token.children}
    return bool(deps & (CLAUSE_DEPS | {"dobj", "nsubj", "prep"})) or token.dep_ in {"parataxis", "ccomp"}


def training_examples(
    doc: Doc, cue_spans: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, list[str], bool]]:
    """Index, features and label (heads a gold cue) of every candidate token of one annotated article."""
    heads: set[int] = set()
    for start, end in cue_spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) > 0:
            heads.add(span.root.i)
    quoted = quoted_sentences(doc)
    for token in doc:
        if is_candidate(token):
            yield token.i, token_features(token, quoted[token.i]), token.i in heads
