"""Speakers of attributions: person, organisation and role from a source phrase; short references resolved.

Pronouns ("he"), role references ("the spokesman"), bare surnames ("Pahon"), organisation references ("the
ministry") and documents ("the statement") are resolved to the nearest compatible named speaker earlier on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from counterclaim.model import Span, Speaker
from counterclaim.text import BRACKETED_ACRONYM

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
GROUP_PRONOUNS = frozenset({"they", "them", "it", "we", "its", "their"})
ROLE_WORDS = frozenset(
    {
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "minister",
        "secretary",
        "president",
        "senator",
        "sen.",
        "rep.",
        "representative",
        "official",
        "officials",
        "ambassador",
        "director",
        "chief",
        "chairman",
        "chairwoman",
        "governor",
        "gov.",
        "mayor",
        "leader",
        "adviser",
        "advisor",
        "aide",
        "candidate",
        "nominee",
        "general",
        "gen.",
        "commander",
        "lawmaker",
        "analyst",
        "expert",
        "professor",
        "prosecutor",
        "judge",
        "attorney",
        "lawyer",
        "manager",
        "strategist",
        "diplomat",
        "envoy",
        "editor",
        "reporter",
        "correspondent",
        "press",
        "deputy",
        "head",
        "founder",
        "executive",
        "ceo",
        "king",
        "queen",
        "prime",
        "premier",
    }
)
# "The statement said ...": a document speaks for whoever issued it, the nearest speaker named before it.
DOCUMENT_WORDS = frozenset(
    {
        "statement",
        "communique",
        "communiqué",
        "release",
        "announcement",
        "report",
        "bulletin",
        "notice",
        "letter",
    }
)
ORGANISATION_LABELS = frozenset({"ORG", "GPE", "NORP"})
DETERMINERS = frozenset({"the", "a", "an", "another", "this", "that", "these", "those"})


# Where _entity_bounds keeps a doc's entities in its user_data (plain numbers: no Span, no cycle to the doc).
ENTITY_BOUNDS = "counterclaim.entity_bounds"


def _entity_bounds(doc: Doc) -> list[tuple[int, int, int, int, int]]:
    """(start, end, label, kb_id, id) of each of the doc's entities, read once per doc: `doc.ents` builds a
    Span for every entity of the doc on each call, and it was called for every source phrase."""
    kept = doc.user_data.get(ENTITY_BOUNDS)
    if isinstance(kept, list):
        return kept
    bounds = [(ent.start, ent.end, ent.label, ent.kb_id, ent.id) for ent in doc.ents]
    doc.user_data[ENTITY_BOUNDS] = bounds
    return bounds


def entities_where(doc: Doc, keep: Callable[[int, int], bool]) -> list[SpacySpan]:
    """The doc's entities (the Spans `doc.ents` gives) whose token range [start, end) `keep` accepts."""
    return [
        SpacySpan(doc, start, end, label=label, kb_id=kb_id, span_id=span_id)
        for start, end, label, kb_id, span_id in _entity_bounds(doc)
        if keep(start, end)
    ]


@dataclass(frozen=True, slots=True)
class NamedSpeaker:
    """A speaker already named in the article, with the span that named it."""

    speaker: Speaker
    span: Span


def describe(tokens: Sequence[Token]) -> Speaker | None:
    """Person, organisation and role given by a source phrase itself."""
    if not tokens:
        return None
    first, last = tokens[0].i, tokens[-1].i
    entities = entities_where(tokens[0].doc, lambda start, end: start >= first and end <= last + 1)
    person: str | None = None
    organisation: str | None = None
    owned = {ent.start: owner for ent in entities if (owner := _owner_start(ent, first)) is not None}
    owners = {i for ent in entities if ent.start in owned for i in range(owned[ent.start], ent.start)}
    for ent in entities:
        if ent.start in owned:
            # "Valdoria's Defence Ministry" is the ministry of Valdoria, not Valdoria itself.
            organisation = _clean_name(ent.doc[owned[ent.start] : ent.end].text)
            continue
        if ent.start in owners or _setting(ent, first) or _dateline(ent) or _aside(ent, first, last):
            continue
        name = _clean_name(_named_run(ent).text)
        possessed = ent.root.dep_ == "poss" or (ent.end < len(ent.doc) and ent.doc[ent.end].tag_ == "POS")
        if ent.label_ == "PERSON" and not possessed and person is None:
            person = name
        elif possessed:
            # "Putin's spokesman": the possessor is the affiliation, whatever came before it.
            organisation = name
        elif (
            ent.label_ in ORGANISATION_LABELS and organisation is None and (institution := _institution(ent))
        ):
            organisation = institution
        elif ent.label_ in ORGANISATION_LABELS and organisation is None and not _modifier(ent):
            organisation = name
        elif ent.label_ == "ORG" and organisation is not None and ent.root.dep_ == "conj":
            # "RT and TASS": coordinated outlets speak together.
            organisation = f"{organisation} and {name}"
    in_entities = {i for ent in entities for i in range(ent.start, ent.end)}
    role = _role(tokens, in_entities)
    if person is None and organisation is None and role is None:
        return None
    return Speaker(person=person, organisation=organisation, role=role)


# Institutions a country name qualifies: "U.S. intelligence" is the intelligence services, not the U.S.
INSTITUTION_NOUNS = frozenset(
    {"intelligence", "military", "government", "army", "navy", "police", "authorities", "administration"}
)


def _institution(ent: SpacySpan) -> str | None:
    """ "U.S. intelligence", "Russian military": the country with the institution it qualifies."""
    head = ent.root.head
    if ent.label_ not in {"GPE", "NORP"} or ent.root.dep_ not in {"compound", "amod"}:
        return None
    if head.i != ent.end or head.lower_ not in INSTITUTION_NOUNS:
        return None
    return _clean_name(ent.doc[ent.start : head.i + 1].text)


def _dateline(ent: SpacySpan) -> bool:
    """ "BEIRUT: Lebanon's interior minister said": a capitalised place opening the line is a dateline."""
    doc = ent.doc
    following = doc[ent.end].text if ent.end < len(doc) else ""
    if ent.label_ not in {"GPE", "LOC"} or following not in {":", "-", "\u2014", "\u2013"}:
        return False
    # "Managua: A mysterious explosion ...": in any case, a place that opens its line before a colon.
    opens_line = ent.start == 0 or "\n" in doc[ent.start - 1].whitespace_ or "\n" in doc[ent.start - 1].text
    return ent.text.isupper() or (opens_line and following == ":")


def _setting(ent: SpacySpan, first: int) -> bool:
    """ "officials in London", "In Mosul, residents said", "sources at a hospital in the city of Mosul": a
    place where the speaker is, not the speaker, also with "of" phrases between it and the preposition."""
    if ent.label_ not in {"GPE", "LOC", "FAC"} or ent.root.dep_ != "pobj":
        return False
    token = ent.root
    while token.dep_ == "pobj" and token.head.i >= first:
        preposition = token.head
        if preposition.lower_ in SETTING_WORDS:
            return True
        if preposition.lower_ != "of" or preposition.head.i == preposition.i:
            return False
        token = preposition.head
    return False


SETTING_WORDS = frozenset({"in", "at", "near", "outside", "inside", "across", "around", "throughout", "on"})
# "The Britain-based observatory", "a Kremlin-backed outlet": the place or patron only qualifies the speaker.
QUALIFIER_SUFFIXES = frozenset(
    {"based", "backed", "run", "owned", "led", "funded", "born", "linked", "allied"}
)


def _aside(ent: SpacySpan, first: int, last: int) -> bool:
    """An entity that only qualifies the speaker: inside a relative clause of the phrase ("the statement,
    which circulated on Twitter") or before a hyphenated qualifier ("the London-based observatory")."""
    doc = ent.doc
    hyphen = ent.end + 1 <= last and doc[ent.end].text in {"-", "\u2011"}
    if hyphen and doc[ent.end + 1].lower_ in QUALIFIER_SUFFIXES:
        return True
    token = ent.root
    while first <= token.i <= last:
        if token.dep_ == "relcl":
            return True
        if token.head.i == token.i:
            return False
        token = token.head
    return False


def _named_run(ent: SpacySpan) -> SpacySpan:
    """ "the Hollywood Reporter" where only "Hollywood" was tagged: a place naming a title-case proper noun
    that follows it is part of that noun's name, not the speaker."""
    head = ent.root.head
    if ent.label_ not in {"GPE", "LOC"} or ent.root.dep_ != "compound" or head.i != ent.end:
        return ent
    if head.pos_ != "PROPN" or not head.is_title or head.ent_type_:
        return ent
    return ent.doc[ent.start : head.i + 1]


def _modifier(ent: SpacySpan) -> bool:
    """A nationality or creed that only qualifies the speaker ("Kurdish sources", "the Valdorian ministry"):
    the speaker is the phrase it modifies, not the adjective."""
    return ent.label_ == "NORP" and ent.root.dep_ == "amod" and ent.root.head.i >= ent.end


def _owner_start(ent: SpacySpan, first: int) -> int | None:
    """Where the possessor of an organisation entity ("Valdoria's" of "Defence Ministry") starts, if any."""
    doc = ent.doc
    if ent.label_ != "ORG" or ent.start - 2 < first:
        return None
    marker, owner = doc[ent.start - 1], doc[ent.start - 2]
    if marker.tag_ != "POS" or owner.pos_ != "PROPN":
        return None
    start = owner.i
    while start - 1 >= first and doc[start - 1].pos_ == "PROPN" and doc[start - 1].head.i == owner.i:
        start -= 1
    return start


def _clean_name(text: str) -> str:
    name = BRACKETED_ACRONYM.sub("", text.strip())
    for prefix in ("the ", "The "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    if name.endswith("'s") or name.endswith("’s"):
        name = name[:-2]
    return name.strip()


def _role(tokens: Sequence[Token], in_entities: set[int]) -> str | None:
    ids = {t.i for t in tokens}
    roots = [i for i, t in enumerate(tokens) if t.head.i not in ids or t.head.i == t.i]
    # The phrase's own head noun first: "Putin's spokesman" is a spokesman, not a president.
    order = [*roots, *range(len(tokens))]
    for index in order:
        token = tokens[index]
        if token.lower_ not in ROLE_WORDS or token.i in in_entities:
            continue
        start = index
        while start > 0 and _title_word(tokens[start - 1], in_entities):
            start -= 1
        end = index
        # "Minister" of "Foreign Minister", "Secretary of State": carry on over an "of" phrase with capitals.
        while end + 2 < len(tokens) and tokens[end + 1].lower_ == "of" and tokens[end + 2].is_title:
            end += 2
        return " ".join(t.text for t in tokens[start : end + 1])
    return None


def _title_word(token: Token, in_entities: set[int]) -> bool:
    if token.i in in_entities or token.lower_ in DETERMINERS or token.is_punct:
        return False
    return token.lower_ in ROLE_WORDS or (token.is_title and token.pos_ in {"PROPN", "NOUN", "ADJ"})


def is_reference(tokens: Sequence[Token]) -> bool:
    """A pronoun, a bare surname or a definite description that needs an earlier named speaker ("the
    statement, which circulated online"; "the Tucson Republican")."""
    words = [t for t in _before_aside(tokens) if not t.is_punct]
    if not words:
        return False
    if len(words) == 1 and words[0].lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS:
        return True
    if len(words) == 1 and words[0].pos_ == "PROPN":
        return True
    if (
        words[0].lower_ == "the"
        and words[-1].lower_ in PARTY_WORDS
        and not any(t.ent_type_ == "PERSON" for t in words)
    ):
        return True
    return len(words) == 2 and words[0].lower_ in {"the", "this"} and words[1].pos_ == "NOUN"


# "The San Diego Republican said": a party member described by place and party is a person named earlier.
PARTY_WORDS = frozenset(
    {"republican", "democrat", "congressman", "congresswoman", "conservative", "socialist"}
)


def _before_aside(tokens: Sequence[Token]) -> Sequence[Token]:
    """The phrase up to a comma that opens a relative clause: "the statement, which circulated on Twitter"."""
    for index, token in enumerate(tokens[:-1]):
        if token.text == "," and tokens[index + 1].lower_ in {"which", "who", "that", "whose"}:
            return tokens[:index]
    return tokens


def resolve(tokens: Sequence[Token], history: Sequence[NamedSpeaker]) -> NamedSpeaker | None:
    """The nearest earlier named speaker compatible with a short reference, if any."""
    words = [t for t in _before_aside(tokens) if not t.is_punct]
    if not words:
        return None
    word = words[-1]
    for earlier in reversed(history):
        if earlier.span.start >= tokens[0].idx:
            continue
        if _compatible(word, len(words), earlier.speaker):
            return earlier
    if word.lower_ in PERSON_PRONOUNS | PARTY_WORDS or word.pos_ == "PROPN":
        return _nearest_person(word)
    return None


def _compatible(word: Token, length: int, speaker: Speaker) -> bool:
    lower = word.lower_
    if lower in PERSON_PRONOUNS or lower in PARTY_WORDS:
        return speaker.person is not None
    if lower in {"it", "its"}:
        return speaker.person is None and speaker.organisation is not None
    if lower in GROUP_PRONOUNS:
        return True
    if length == 1 and word.pos_ == "PROPN":
        return speaker.person is not None and speaker.person.split()[-1].lower() == lower
    if lower in ROLE_WORDS:
        return speaker.role is not None and lower in speaker.role.lower()
    if lower in DOCUMENT_WORDS:
        return True
    organisation = (speaker.organisation or "").lower()
    return bool(organisation) and (word.lemma_.lower() in organisation or lower in organisation)


def _nearest_person(word: Token) -> NamedSpeaker | None:
    """Without an earlier speaker, the nearest person named before the reference."""
    doc = word.doc
    for ent in reversed(entities_where(doc, lambda start, end: end <= word.i and end - start >= 2)):
        if ent.label_ != "PERSON":
            continue
        if word.pos_ == "PROPN" and ent[-1].lower_ != word.lower_:
            continue
        name = _clean_name(ent.text)
        return NamedSpeaker(Speaker(person=name), Span(ent.start_char, ent.end_char, ent.text))
    return None


def relay_name(tokens: Sequence[Token]) -> str:
    """A short name for a relaying party: its named people or organisations, else the phrase itself."""
    if not tokens:
        return ""
    first, last = tokens[0].i, tokens[-1].i
    within = entities_where(tokens[0].doc, lambda start, end: start >= first and end <= last + 1)
    named = [_clean_name(ent.text) for ent in within if ent.label_ in {"ORG", "PERSON", "GPE"}]
    if named:
        return " and ".join(named)
    proper = _longest_proper_run(tokens)
    if proper:
        return proper
    words = list(tokens)
    while words and words[0].lower_ in DETERMINERS:
        words.pop(0)
    return tokens[0].doc[words[0].i : words[-1].i + 1].text if words else ""


def _longest_proper_run(tokens: Sequence[Token]) -> str:
    """ "the state-run PAP agency" is PAP: the longest run of proper nouns, when the tagger found one."""
    best: list[Token] = []
    run: list[Token] = []
    for token in tokens:
        proper = token.pos_ == "PROPN" or (token.is_upper and len(token.text) >= 2)
        run = [*run, token] if proper else []
        if len(run) > len(best):
            best = run
    if not best:
        return ""
    return best[0].doc[best[0].i : best[-1].i + 1].text
