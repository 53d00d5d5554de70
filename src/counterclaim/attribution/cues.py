"""Cue finding: which tokens of a parsed article introduce an attribution (said, told, according to, ...).

A linear model learned from PolNeAR train scores every token; a few core cue words are always taken.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Token

from counterclaim.errors import ModelError

CUE_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_cues.json"
REBUILD_HINT = "Rebuild it with `make train-attribution`."

QUOTE_CHARS = frozenset('"“”„«»')
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


@dataclass(frozen=True, slots=True)
class CueModel:
    """Weights of a logistic model over sparse token features, stored as JSON (no pickles)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    version: str

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
        return cls(
            weights={str(k): float(v) for k, v in raw["weights"].items()},
            bias=float(raw["bias"]),
            threshold=float(raw["threshold"]),
            version=str(raw["version"]),
        )

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
    for child in token.children:
        if child.dep_ in {"prt", "prep", "agent", "dative"}:
            features.append(f"lemma_word_child={lemma}|{child.lower_}")
        if child.dep_ in CLAUSE_DEPS:
            marks = [g.lower_ for g in child.children if g.dep_ == "mark"]
            features.append(f"lemma_clause_mark={lemma}|{marks[0] if marks else '-'}")
    return features


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


def cue_heads(doc: Doc, model: CueModel) -> Iterator[Token]:
    """Tokens that head a cue, in text order."""
    quoted = quoted_sentences(doc)
    for token in doc:
        if not is_candidate(token):
            continue
        if _core_cue(token) or speaker_colon(token) or model.score(token, quoted[token.i]) > model.threshold:
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
    return all(t.is_title or t.is_upper or t.is_punct or t.lower_ in {"of", "the"} for t in before) and any(
        t.pos_ == "PROPN" or t.is_upper for t in before
    )


def _core_cue(token: Token) -> bool:
    if token.pos_ != "VERB" or token.lemma_.lower() not in CORE_CUE_LEMMAS:
        return False
    # A core verb only counts when something is reported: a clause, an object or a quote.
    deps = {child.dep_ for child in token.children}
    return bool(deps & (CLAUSE_DEPS | {"dobj", "nsubj", "prep"})) or token.dep_ in {"parataxis", "ccomp"}


def training_examples(doc: Doc, cue_spans: Iterable[tuple[int, int]]) -> Iterator[tuple[list[str], bool]]:
    """Features and label (heads a gold cue) of every candidate token of one annotated article."""
    heads: set[int] = set()
    for start, end in cue_spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span) > 0:
            heads.add(span.root.i)
    quoted = quoted_sentences(doc)
    for token in doc:
        if is_candidate(token):
            yield token_features(token, quoted[token.i]), token.i in heads
