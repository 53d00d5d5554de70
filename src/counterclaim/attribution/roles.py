"""Source and content of an attribution, read off the dependency parse around its cue.

Subjects, agents and "according to" objects give sources; clauses, objects and quotes give contents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from counterclaim.attribution.cues import QUOTE_CHARS, byline_name, quote_byline, speaker_colon

OPENING_QUOTES = frozenset('"“„«')
CLOSING_QUOTES = frozenset('"”»')
CONTENT_DEPS = ("ccomp", "xcomp", "csubj")
OBJECT_DEPS = ("dobj", "attr", "oprd")
# Cues that name a thing ("what officials call a cover-up").
NAMING_LEMMAS = frozenset({"call", "describe", "term", "label", "dub", "brand"})
# Prepositions that carry the setting of a statement rather than what was said.
SETTING_PREPS = frozenset(
    {"in", "at", "during", "on", "via", "through", "after", "before", "with", "from", "by"}
)
PARENTHETICAL_DEPS = frozenset({"parataxis", "ccomp", "advcl"})
RELAY_LEMMAS = frozenset({"quote", "cite"})
SUBJECT_DEPS = ("nsubj", "csubj")
QUOTE_MAX_SENTENCES = 6
QUOTE_MAX_TOKENS = 300
REPORT_ON_LEMMAS = frozenset(
    {"report", "comment", "remark", "elaborate", "focus", "write", "speak", "talk", "brief"}
)
# "ORSENNA/HOLMGARD, March 11 (CPS) - ", "KYIV, Ukraine -- ", "LONDON (Reuters) - ": place in capitals,
# then an optional region, date and agency, then a dash; it opens a paragraph and belongs to no one.
# Where doc_text keeps a doc's text in its user_data.
DOC_TEXT = "counterclaim.text"
DATELINE = re.compile(
    r"[A-Z][A-Z.'’-]{2,}(?:[ /][A-Z][A-Z.'’-]+)*"
    r"(?:,\s*[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*)*?)?"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)?"
    r"\s*(?:\([^()\n]{1,40}\))?\s*(?:--|[-–—])\s+"
)
# ", an account the ministry rejected", ", which the army denied": a comment on what was reported.
COMMENT_NOUNS = frozenset(
    {"account", "claim", "statement", "assertion", "allegation", "version", "report", "charge", "accusation"}
)
COMMENT_VERBS = frozenset(
    {"deny", "reject", "dispute", "refute", "dismiss", "contest", "rebut", "contradict"}
)
COMMENT_MAX_TOKENS = 16


@dataclass(slots=True)
class Frame:
    """What the parse says about one cue before speakers and details are resolved."""

    head: Token
    cue: list[Token]
    source: list[Token] = field(default_factory=list)
    content: list[Token] = field(default_factory=list)
    # "X quoted Y as saying": X passed on what Y said.
    relayed_by: list[Token] = field(default_factory=list)
    # "an architect, who said ...": the source is "who"; the speaker is the phrase it stands for.
    antecedent: list[Token] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    # The verb of a trailing ", which X denied" cut from the content: a denial of the same content.
    rebuttal: Token | None = None


def frame_for(head: Token) -> Frame:
    """Cue tokens, source and content of the attribution anchored at `head`."""
    frame = Frame(head=head, cue=cue_tokens(head))
    first, last = paragraph(head)
    opening = dateline_end(head.doc, first)
    if speaker_colon(head):
        frame.source = trim(t for t in head.doc[first : head.i] if t.idx >= opening)
        frame.content = trim(head.doc[head.i + 1 : last + 1])
        return frame
    if quote_byline(head):
        frame.source = byline_name(head) or []
        frame.content = byline_quote(head)
        return frame
    if _is_relay_quote(head):
        _fill_relay_quote(frame)
    else:
        subject = source_token(head)
        if subject is not None:
            frame.source = phrase(subject, exclude=head)
            if subject.tag_ in {"WP", "WDT"} and head.dep_ == "relcl":
                frame.antecedent = trim(phrase(head.head, exclude=head))
        frame.content = content_tokens(head, frame.cue)
    # A parse can run across a title or a paragraph break; what was said stays in the cue's paragraph.
    cue_ids = {c.i for c in frame.cue}
    source_ids = {t.i for t in frame.source}
    frame.content = [
        t
        for t in frame.content
        if first <= t.i <= last and t.idx >= opening and t.i not in cue_ids | source_ids
    ]
    frame.content = extend_quote(trim(frame.content))
    frame.content += quote_resumed(frame, last)
    if not frame.content:
        frame.content = adjacent_quote(frame)
    frame.content, frame.rebuttal = split_comment(frame.content)
    frame.source = trim(t for t in frame.source if first <= t.i <= last and t.idx >= opening)
    frame.relayed_by = trim(t for t in frame.relayed_by if first <= t.i <= last)
    return frame


def dateline_end(doc: Doc, first: int) -> int:
    """Character offset where the paragraph starting at token `first` begins once its dateline is left out."""
    start = doc[first].idx
    match = DATELINE.match(doc_text(doc), start)
    if match is None or "\n" in match.group(0):
        return start
    return match.end()


def doc_text(doc: Doc) -> str:
    """The doc's text, joined once per doc: spaCy joins its tokens again on every read of `doc.text`, which
    cost 6 % of the attribution stage when read once per attribution."""
    text = doc.user_data.get(DOC_TEXT)
    if not isinstance(text, str):
        text = doc.user_data[DOC_TEXT] = doc.text
    return text


def split_comment(content: list[Token]) -> tuple[list[Token], Token | None]:
    """Content without a trailing ", an account X rejected" / ", which X denied", and that comment's verb."""
    for index, token in enumerate(content):
        if token.text != "," or index == 0:
            continue
        rest = content[index + 1 :]
        if not rest or len(rest) > COMMENT_MAX_TOKENS or any(t.text in QUOTE_CHARS for t in rest):
            continue
        words = [t for t in rest if not t.is_punct]
        opener = words[1] if len(words) > 1 and words[0].lower_ in {"a", "an", "the", "that"} else words[0]
        if not (opener.lower_ == "which" or opener.lemma_.lower() in COMMENT_NOUNS):
            continue
        verb = next((t for t in words if t.pos_ == "VERB" and t.lemma_.lower() in COMMENT_VERBS), None)
        if verb is not None:
            return trim(content[:index]), verb
    return content, None


def byline_quote(head: Token) -> list[Token]:
    """The quotation a byline dash closes: back from its closing mark to the opening one."""
    doc = head.doc
    closing = head.i if head.text[0] in CLOSING_QUOTES else head.i - 1
    while closing >= 0 and doc[closing].is_space:
        closing -= 1
    opening = _find_quote(doc, closing - 1, -1, OPENING_QUOTES)
    if opening is None:
        return []
    # A fused '”―' token ends the quote but is the cue: the content stops before it.
    end = closing if closing != head.i else closing - 1
    return list(doc[opening : end + 1])


def quote_resumed(frame: Frame, last: int) -> list[Token]:
    """'"We will not leave," the mayor said, "until ..."': the quote goes on after its cue."""
    if not frame.content or frame.content[0].text not in OPENING_QUOTES or frame.content[-1].i > frame.head.i:
        return []
    doc = frame.head.doc
    index = max([frame.head.i, *(t.i for t in frame.source), *(t.i for t in frame.cue)]) + 1
    while index <= last and doc[index].text == ",":
        index += 1
    if index > last or doc[index].text not in OPENING_QUOTES:
        return []
    resumed = []
    for token in doc[index : last + 1]:
        resumed.append(token)
        if token.i > index and token.text in CLOSING_QUOTES:
            break
    return resumed


def adjacent_quote(frame: Frame) -> list[Token]:
    """A cue with nothing reported in its own clause reports the quote right before or after it.

    '"... and that is final," he said.' (the quote opened sentences earlier) or 'She said: "..."'.
    """
    doc = frame.head.doc
    taken = [frame.head.i, *(t.i for t in frame.source), *(t.i for t in frame.cue)]
    index = min(taken) - 1
    while index >= 0 and (doc[index].text in {",", "—", "-"} or doc[index].is_space):
        index -= 1
    if index >= 0 and doc[index].text in CLOSING_QUOTES:
        opening = _find_quote(doc, index - 1, -1, OPENING_QUOTES)
        if opening is not None:
            return list(doc[opening : index + 1])
    index = max(taken) + 1
    while index < len(doc) and (doc[index].text in {",", ":", "—", "-"} or doc[index].is_space):
        index += 1
    if index < len(doc) and doc[index].text in OPENING_QUOTES:
        closing = _find_quote(doc, index + 1, 1, CLOSING_QUOTES)
        if closing is not None:
            return list(doc[index : closing + 1])
    return []


def _find_quote(doc: Doc, start: int, step: int, marks: frozenset[str]) -> int | None:
    index = start
    for _ in range(QUOTE_MAX_TOKENS):
        if index < 0 or index >= len(doc):
            return None
        if doc[index].text in marks:
            return index
        index += step
    return None


def paragraph(token: Token) -> tuple[int, int]:
    """Indices of the first and last token of the paragraph (text between line breaks) holding `token`."""
    firsts, lasts = _paragraphs(token.doc)
    return firsts[token.i], lasts[token.i]


# Where _paragraphs keeps a doc's paragraph bounds in its user_data.
PARAGRAPHS = "counterclaim.paragraphs"


def _paragraphs(doc: Doc) -> tuple[list[int], list[int]]:
    """For every token, the first and last token of its paragraph, found in two passes over the doc (a walk
    to the paragraph's ends for each cue read its tokens again and again).

    The first token follows the last token before it that a line break ends (a newline in it or after it);
    the last is the first from it whose white space holds a newline or whose next token does, else the doc's
    last.
    """
    kept = doc.user_data.get(PARAGRAPHS)
    if isinstance(kept, tuple) and len(kept[0]) == len(doc):
        return kept
    texts = [token.text for token in doc]
    spaces = [token.whitespace_ for token in doc]
    count = len(texts)
    firsts, lasts = [0] * count, [0] * count
    first = 0
    for index in range(count):
        firsts[index] = first
        if "\n" in texts[index] or "\n" in spaces[index]:
            first = index + 1
    last = count - 1
    for index in range(count - 1, -1, -1):
        if "\n" in spaces[index] or (index + 1 < count and "\n" in texts[index + 1]):
            last = index
        lasts[index] = last
    doc.user_data[PARAGRAPHS] = (firsts, lasts)
    return firsts, lasts


def cue_tokens(head: Token) -> list[Token]:
    tokens = [head]
    for child in head.children:
        if child.dep_ == "prt" or (head.lower_ == "according" and child.lower_ in {"to", "as"}):
            tokens.append(child)
        if head.lemma_.lower() == "quote" and child.dep_ == "prep" and child.lower_ == "as":
            tokens.append(child)
            tokens.extend(grand for grand in child.children if grand.lemma_.lower() == "say")
    return sorted(tokens, key=lambda t: t.i)


def source_token(head: Token, depth: int = 0) -> Token | None:
    """The token heading the source of a cue, following participles and conjuncts up to their subject."""
    if head.lower_ == "according":
        return _object_of(head, "to")
    first, last = paragraph(head)
    subjects = [c for c in head.children if c.dep_ in SUBJECT_DEPS and first <= c.i <= last]
    if subjects:
        # A parse glued to a headline can give two subjects: the one nearest the cue speaks.
        return min(subjects, key=lambda c: abs(c.i - head.i))
    passive = [c for c in head.children if c.dep_ == "nsubjpass"]
    agent = next((c for c in head.children if c.dep_ == "agent"), None)
    if agent is not None:
        return next((c for c in agent.children if c.dep_ == "pobj"), None)
    if passive:
        return None
    possessor = next((c for c in head.children if c.dep_ == "poss"), None)
    if head.pos_ in {"NOUN", "PROPN"}:
        return possessor or _object_of(head, "by")
    if head.dep_ == "relcl" and head.head.pos_ in {"NOUN", "PROPN", "PRON"}:
        return head.head
    if depth < 3 and head.dep_ in {"advcl", "xcomp", "conj"} and head.head.i != head.i:
        return source_token(head.head, depth + 1)
    if depth < 3 and head.dep_ == "pcomp" and head.head.dep_ in {"prep", "agent"}:
        return source_token(head.head.head, depth + 1)
    return None


def _object_of(head: Token, preposition: str) -> Token | None:
    for child in head.children:
        if child.lower_ == preposition:
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def content_tokens(head: Token, cue: list[Token]) -> list[Token]:
    if head.lower_ == "according" or head.text == ":":
        return _around(head, cue)
    named = named_object(head)
    if named is not None:
        return list(named.subtree)
    for child in head.children:
        if child.dep_ == "prep" and reports_on(head, child):
            objects = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
            if objects:
                return list(objects[0].subtree)
    for child in head.children:
        if child.dep_ in CONTENT_DEPS:
            return list(child.subtree)
    if _parenthetical(head):
        return _around(head.head, [head], whole=True)
    for child in head.children:
        if child.dep_ in OBJECT_DEPS and not _is_addressee(head, child):
            return list(child.subtree)
    for child in head.children:
        if child.dep_ == "prep" and (child.lower_ not in SETTING_PREPS or reports_on(head, child)):
            objects = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
            if objects:
                return list(objects[0].subtree)
    return []


def named_object(head: Token) -> Token | None:
    """ "what U.S. intelligence calls a hacking campaign": the cue's object is a wh-word standing for the
    thing named; what the source says is the name it gives ("a hacking campaign"), not "what"."""
    if head.lemma_.lower() not in NAMING_LEMMAS:
        return None
    objects = [child for child in head.children if child.dep_ in OBJECT_DEPS]
    if not any(child.lower_ in {"what", "which"} for child in objects):
        return None
    named = [child for child in objects if child.lower_ not in {"what", "which"}]
    return named[-1] if named else None


def reports_on(head: Token, preposition: Token) -> bool:
    """ "reported on the statement", "commented on it": the object is what was said, not a setting."""
    return preposition.lower_ in {"on", "about"} and head.lemma_.lower() in REPORT_ON_LEMMAS


def _parenthetical(head: Token) -> bool:
    """A cue after its clause (", he said") or inside a quote reports the clause around it."""
    if head.head.i == head.i or head.dep_ not in PARENTHETICAL_DEPS:
        return False
    if head.dep_ == "advcl" and any(child.dep_ == "mark" for child in head.children):
        return False
    return head.head.i < head.i or any(t.text in QUOTE_CHARS for t in head.sent)


def _is_addressee(head: Token, child: Token) -> bool:
    return head.lemma_.lower() in {"tell", "ask", "inform", "assure", "urge", "warn"} and child.pos_ in {
        "PROPN",
        "PRON",
        "NOUN",
    }


def _around(anchor: Token, cue: list[Token], whole: bool = False) -> list[Token]:
    """The sentence (or the anchor's subtree) without the cue's own phrase: the reported part."""
    left_out: set[int] = set()
    for token in cue:
        left_out.update(t.i for t in token.subtree)
    tokens = list(anchor.subtree) if whole else list(anchor.sent)
    if cue and cue[0].text == ":":
        return [t for t in anchor.sent if t.i > cue[0].i]
    return [t for t in tokens if t.i not in left_out]


def _is_relay_quote(head: Token) -> bool:
    """ "X quoted Y as saying": Y is the source, X passed it on."""
    if head.lemma_.lower() not in RELAY_LEMMAS:
        return False
    deps = {(child.dep_, child.lower_) for child in head.children}
    return any(dep == "dobj" for dep, _ in deps) and ("prep", "as") in deps


def _fill_relay_quote(frame: Frame) -> None:
    head = frame.head
    original = next(child for child in head.children if child.dep_ == "dobj")
    frame.source = phrase(original, exclude=head)
    relayer = next((child for child in head.children if child.dep_ in SUBJECT_DEPS), None)
    if relayer is not None:
        frame.relayed_by = trim(phrase(relayer, exclude=head))
    saying = [t for t in frame.cue if t.lemma_.lower() == "say"]
    frame.consumed.update(t.i for t in saying)
    for anchor in [head, *saying]:
        for child in anchor.children:
            if child.dep_ in CONTENT_DEPS:
                frame.content = list(child.subtree)
                return
    if head.head.i != head.i or any(t.text in QUOTE_CHARS for t in head.sent):
        skipped = {t.i for t in original.subtree} | {
            t.i for t in head.subtree if t.i >= min(c.i for c in frame.cue)
        }
        if relayer is not None:
            skipped |= {t.i for t in relayer.subtree}
        frame.content = [t for t in head.sent if t.i not in skipped]


def phrase(token: Token, exclude: Token) -> list[Token]:
    """The token's subtree, cut before any clause that contains the cue (", who said ...").

    A date hanging off the phrase ("outlets on March 4") belongs to the statement, not to its source.
    """
    dated = {
        member.i
        for child in token.children
        if child.dep_ == "prep" and any(g.ent_type_ in {"DATE", "TIME"} for g in child.children)
        for member in child.subtree
    }
    tokens = []
    for member in token.subtree:
        if member.i == exclude.i or _dominates(exclude, member, stop=token):
            break
        if member.i not in dated:
            tokens.append(member)
    return tokens


def _dominates(cue: Token, member: Token, stop: Token) -> bool:
    node = member
    while node.i != stop.i and node.head.i != node.i:
        if node.i == cue.i:
            return True
        node = node.head
    return False


def trim(tokens: Iterable[Token]) -> list[Token]:
    """Tokens in order, without punctuation, white space or conjunctions at either edge."""
    ordered = sorted(set(tokens), key=lambda t: t.i)

    def loose(token: Token) -> bool:
        if token.text in QUOTE_CHARS:
            return False
        return token.is_space or token.is_punct or token.dep_ == "cc"

    while ordered and loose(ordered[0]):
        ordered.pop(0)
    while ordered and loose(ordered[-1]):
        ordered.pop()
    return ordered


def extend_quote(tokens: list[Token]) -> list[Token]:
    """Carry a quote that opens in the content on to its closing mark, across sentences if need be."""
    if not tokens:
        return tokens
    doc: Doc = tokens[0].doc
    quotes = [t for t in tokens if t.text in QUOTE_CHARS]
    opened = tokens[0].text in OPENING_QUOTES or (
        tokens[0].i > 0 and doc[tokens[0].i - 1].text in OPENING_QUOTES
    )
    if not opened or len(quotes) % 2 == (0 if tokens[0].text in OPENING_QUOTES else 1):
        return tokens
    limit_sentence = 0
    last_sent = tokens[-1].sent
    for token in doc[tokens[-1].i + 1 :]:
        if token.sent != last_sent:
            last_sent = token.sent
            limit_sentence += 1
            if limit_sentence > QUOTE_MAX_SENTENCES:
                return tokens
        tokens.append(token)
        if token.text in CLOSING_QUOTES:
            return tokens
    return tokens
