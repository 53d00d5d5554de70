"""Cue finding: which tokens of a parsed article introduce an attribution (said, told, according to, ...).

A linear model learned from PolNeAR train scores every token from sparse features; a contextual layer
(attribution.context) rescores the likely ones from MiniLM's reading of the sentence. Core cue words need a
lower score.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import repeat
from pathlib import Path

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
BYLINE_DASH_ENDS = tuple(BYLINE_DASHES)
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
        return self.score_at(token_table(token.doc), token.i, has_quote)

    def score_at(self, table: TokenTable, index: int, has_quote: bool) -> float:
        """The sparse score of the doc's token at `index`; `score` in the order it sums (same float)."""
        features = _features(table, index, has_quote)
        return self.bias + sum(map(self.weights.get, features, repeat(0.0, len(features))))


@dataclass(frozen=True, slots=True)
class TokenTable:
    """A parsed doc's token attributes as plain lists, read once per doc.

    spaCy builds a new Token object on every access: the scorer read each token's neighbours, head and
    children dozens of times (a third of the Python time of cue finding). Lemmas are lower-cased, as the
    features use them. No reference to the doc itself, which keeps the table in its user_data (no cycle).
    """

    text: list[str]
    lower: list[str]
    lemma: list[str]
    tag: list[str]
    dep: list[str]
    pos: list[str]
    ent_type: list[str]
    is_space: list[bool]
    head: list[int]
    # Every token's children in text order (Token.children's order), token after token: those of token i
    # are child_order[child_start[i] : child_start[i + 1]]. Two flat lists, not a list per token, which
    # would leave the garbage collector thousands of long-lived objects per doc to walk.
    child_order: list[int]
    child_start: list[int]
    # Whether the token's sentence holds a quotation mark.
    quoted: list[bool]
    # Running quote counts and line breaks (_quote_sums).
    quote_sums: tuple[list[int], list[int], list[int]]

    def children(self, index: int) -> list[int]:
        """The token's children, in text order."""
        return self.child_order[self.child_start[index] : self.child_start[index + 1]]


# Where token_table keeps a doc's table in its user_data.
TOKEN_TABLE = "counterclaim.token_table"


def token_table(doc: Doc) -> TokenTable:
    """The doc's TokenTable, built on first use and kept in its user_data."""
    kept = doc.user_data.get(TOKEN_TABLE)
    if isinstance(kept, TokenTable) and len(kept.text) == len(doc):
        return kept
    count = len(doc)
    text, lower, lemma, tag, dep, pos, ent_type = [], [], [], [], [], [], []
    is_space: list[bool] = []
    head: list[int] = []
    for token in doc:
        text.append(token.text)
        lower.append(token.lower_)
        lemma.append(token.lemma_.lower())
        tag.append(token.tag_)
        dep.append(token.dep_)
        pos.append(token.pos_)
        ent_type.append(token.ent_type_)
        is_space.append(token.is_space)
        head.append(token.head.i)
    child_order, child_start = _children(head)
    quoted = [False] * count
    for sent in doc.sents:
        flag = any(mark in QUOTE_CHARS for mark in text[sent.start : sent.end])
        quoted[sent.start : sent.end] = [flag] * (sent.end - sent.start)
    table = TokenTable(
        text,
        lower,
        lemma,
        tag,
        dep,
        pos,
        ent_type,
        is_space,
        head,
        child_order,
        child_start,
        quoted,
        _quote_sums(text),
    )
    doc.user_data[TOKEN_TABLE] = table
    return table


def _children(head: list[int]) -> tuple[list[int], list[int]]:
    """Every token's children (the tokens whose head it is, itself aside), grouped by head in text order."""
    count = len(head)
    child_start = [0] * (count + 1)
    for index, parent in enumerate(head):
        if parent != index:
            child_start[parent + 1] += 1
    for index in range(count):
        child_start[index + 1] += child_start[index]
    child_order = [0] * child_start[count]
    free = child_start[:count]
    for index, parent in enumerate(head):
        if parent != index:
            child_order[free[parent]] = index
            free[parent] += 1
    return child_order, child_start


def quoted_sentences(doc: Doc) -> list[bool]:
    """For each token, whether its sentence holds a quotation mark (computed once per article)."""
    return list(token_table(doc).quoted)


def token_features(token: Token, has_quote: bool) -> list[str]:
    """Sparse binary features of one token: its word, its place in the parse, and what hangs off it."""
    return _features(token_table(token.doc), token.i, has_quote)


LEMMA_CHILD_DEPS = CLAUSE_DEPS | {"nsubj", "dobj"}
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
WORD_CHILD_DEPS = frozenset({"prt", "prep", "agent", "dative"})
MODIFIER_DEPS = frozenset({"aux", "neg", "det", "poss", "advmod"})


def _features(table: TokenTable, index: int, has_quote: bool) -> list[str]:
    """token_features of the token at `index`, read from the doc's table (same features, same order)."""
    dep_of, lower_of = table.dep, table.lower
    lemma = table.lemma[index]
    dep, tag = dep_of[index], table.tag[index]
    parent = table.head[index]
    head_lemma, head_dep = table.lemma[parent], dep_of[parent]
    kids = table.children(index)
    child_deps = sorted({dep_of[child] for child in kids})
    previous, following = _neighbour_at(table, index - 1), _neighbour_at(table, index + 1)
    features = [
        f"lemma={lemma}",
        f"lower={lower_of[index]}",
        f"tag={tag}",
        f"dep={dep}",
        f"lemma_dep={lemma}|{dep}",
        f"lemma_tag={lemma}|{tag}",
        f"head_lemma={head_lemma}",
        f"lemma_head={lemma}|{head_lemma}",
        f"quote_in_sent={has_quote}",
        f"lemma_quote={lemma}|{has_quote}",
        f"prev={previous}",
        f"next={following}",
        f"lemma_next={lemma}|{following}",
    ]
    features.extend(f"child={name}" for name in child_deps)
    features.extend(f"lemma_child={lemma}|{name}" for name in child_deps if name in LEMMA_CHILD_DEPS)
    subject = "-"
    subject_word = "-"
    for child in kids:
        if dep_of[child] in SUBJECT_DEPS:
            kind = table.pos[child]
            if kind == "PRON":
                subject, subject_word = "PRON", lower_of[child]
            else:
                subject = table.ent_type[child] or kind
                subject_word = table.ent_type[child] or table.tag[child]
            break
    near_quote = any(mark in QUOTE_CHARS for mark in table.text[max(index - 3, 0) : index + 4])
    features.extend(
        [
            f"subj={subject}",
            f"lemma_subj={lemma}|{subject}",
            f"near_quote={near_quote}",
            f"lemma_near_quote={lemma}|{near_quote}",
            f"head_dep={head_dep}",
            f"lemma_head_dep={lemma}|{head_dep}",
            f"prev2={_neighbour_at(table, index - 2)}|{previous}",
        ]
    )
    inside = _inside_quote_at(table, index)
    features.extend(
        [
            f"in_quote={inside}",
            f"lemma_in_quote={lemma}|{inside}",
            f"lemma_dep_head={lemma}|{dep}|{head_lemma}",
            f"lemma_subj_word={lemma}|{subject_word}",
            f"lemma_dep_headpos={lemma}|{dep}|{table.pos[parent]}",
        ]
    )
    for child in kids:
        child_dep = dep_of[child]
        if child_dep in MODIFIER_DEPS:
            features.append(f"lemma_{child_dep}={lemma}|{lower_of[child]}")
        if child_dep in WORD_CHILD_DEPS:
            features.append(f"lemma_word_child={lemma}|{lower_of[child]}")
        if child_dep in CLAUSE_DEPS:
            marks = [lower_of[g] for g in table.children(child) if dep_of[g] == "mark"]
            features.append(f"lemma_clause_mark={lemma}|{marks[0] if marks else '-'}")
    return features


def _neighbour_at(table: TokenTable, index: int) -> str:
    if index < 0 or index >= len(table.lower):
        return "<edge>"
    return table.lower[index]


def _inside_quote_at(table: TokenTable, index: int) -> bool:
    """Whether an opening quotation mark before the token, in its paragraph, is still open.

    Counted over the at most QUOTE_LOOKBACK tokens before it, back to a line break: quote marks counted once
    per doc into running sums (a scan per scored token was 4 % of the attribution stage).
    """
    marks, straight, breaks = table.quote_sums
    # The window starts after the last line break before the token, and no more than the lookback away.
    low = max(index - QUOTE_LOOKBACK, breaks[index], 0)
    open_marks = marks[index] - marks[low]
    # Straight quotes open and close alike: an odd count before the token leaves one open.
    return open_marks > 0 or (straight[index] - straight[low]) % 2 == 1


def _quote_sums(texts: list[str]) -> tuple[list[int], list[int], list[int]]:
    """Running sums over the doc's tokens (entry i covers tokens before i) of opening minus closing curly
    marks and of straight quotes, and for each token the index just after the last line break before it.
    Plain lists: indexing one is several times cheaper than reading a numpy scalar."""
    marks, straight, breaks = [0], [0], []
    after_break = 0
    for position, text in enumerate(texts):
        marks.append(marks[-1] + (1 if text in OPENING_MARKS else -1 if text in CLOSING_MARKS else 0))
        straight.append(straight[-1] + (text == '"'))
        breaks.append(after_break)
        if "\n" in text:
            after_break = position + 1
    breaks.append(after_break)
    return marks, straight, breaks


CANDIDATE_POS = frozenset({"VERB", "NOUN", "ADP", "PUNCT", "AUX", "ADJ", "PROPN"})


def is_candidate(token: Token) -> bool:
    return not token.is_space and token.pos_ in CANDIDATE_POS


def cue_heads(doc: Doc, model: CueModel, encoder: TokenContext | None = None) -> Iterator[Token]:
    """Tokens that head a cue, in text order.

    A model with a contextual layer needs the tokens' contextual vectors (a TokenEncoder, or a ReadContext
    over the article's reading); raises ModelError without them.
    """
    table = token_table(doc)
    fixed: set[int] = set()
    sparse: dict[int, float] = {}
    for index, text in enumerate(table.text):
        candidate = not table.is_space[index] and table.pos[index] in CANDIDATE_POS
        # Only a colon or a token ending in a dash can be a speaker colon or a byline: the text rules them out
        # without building the Token.
        if (text == ":" or text.endswith(BYLINE_DASH_ENDS)) and (
            quote_byline(doc[index]) or (candidate and speaker_colon(doc[index]))
        ):
            fixed.add(index)
        elif candidate:
            sparse[index] = model.score_at(table, index, table.quoted[index])
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
    for index in sorted(fixed | final.keys()):
        if index in fixed:
            yield doc[index]
            continue
        score = final[index]
        if score > threshold or (score > core_threshold and _core_cue_at(table, index)):
            yield doc[index]


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


def _core_cue_at(table: TokenTable, index: int) -> bool:
    if table.pos[index] != "VERB" or table.lemma[index] not in CORE_CUE_LEMMAS:
        return False
    # A core verb only counts when something is reported: a clause, an object or a quote.
    deps = {table.dep[child] for child in table.children(index)}
    return bool(deps & CORE_CUE_DEPS) or table.dep[index] in {"parataxis", "ccomp"}


CORE_CUE_DEPS = CLAUSE_DEPS | {"dobj", "nsubj", "prep"}


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
