"""Denials as first-class statements: what a denial or a debunk is about, and who denies a claim.

Pure functions over text and attributions; the claims stage uses them to link a denial worded unlike the claim
it denies, to read debunk wording as denial, and to read an article whose lead denies or debunks a claim as
denying.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from counterclaim.claims.terms import proposition_text, statement_terms
from counterclaim.model import Article, Attribution, Polarity, Span, Stance
from counterclaim.text import negated

if TYPE_CHECKING:
    from counterclaim.stance import StanceResult

# Words that call a report false without a denial verb: "a hoax", "the fake report", "a satirical site made it
# up", "there is no evidence that". Reporting verbs stay neutral; these do not.
DEBUNK = re.compile(
    r"\bhoax(?:es)?\b|\bfake\s+(?:news|reports?|stor(?:y|ies)|articles?|claims?|photos?|images?|videos?|"
    r"quotes?|accounts?|posts?|tweets?)\b|\bthe\s+fake\b|\bsatir(?:e|ical|ist)\b|"
    r"\bmade\s+(?:it|this|that|them|the\s+(?:\w+\s+){0,2}\w+)\s+up\b|\bmade[- ]up\b|"
    r"\bfabricat(?:ed|ion|ions)\b|"
    r"\bno\s+evidence\b|\bnot\s+(?:a\s+shred\s+of\s+)?evidence\b|\bdebunk(?:ed|s|ing)?\b|"
    r"\b(?:is|was|are|were|be|been)\s+(?:completely\s+|entirely\s+|totally\s+)?(?:false|untrue|not\s+true|"
    r"baseless|bogus|groundless|unfounded|nonsense)\b|"
    r"\bfalse\s+(?:reports?|claims?|rumou?rs?|stor(?:y|ies)|news|information)\b|"
    r"\b(?:baseless|unfounded|groundless)\s+(?:reports?|claims?|rumou?rs?|allegations?)\b",
    re.IGNORECASE,
)
# A speaker's act of denying: "denied", "rejects", "dismissed ... as", "refuted", "rebuffed", "disputed".
DENIAL_CUE = re.compile(
    r"\b(?:den(?:y|ies|ied|ying|ial|ials)|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|refut(?:e|es|ed|ing)|"
    r"rebu(?:t|ts|tted|ff|ffs|ffed)|disput(?:e|es|ed|ing)|disavow(?:s|ed)?|contradict(?:s|ed)?)\b",
    re.IGNORECASE,
)
# Verbs that deny a statement only with a statement for object ("dismissed the reports", "rejected claims
# that", "dismissed it as"): "dismissed from service", "rejected the bid", "a pay dispute" deny nothing.
OBJECT_CUE = re.compile(r"^(?:dismiss|reject|disput|rebu|contradict)", re.IGNORECASE)
STATEMENT_NOUN = (
    r"(?:reports?|claims?|allegations?|accusations?|rumou?rs?|stor(?:y|ies)|suggestions?|speculation|"
    r"ideas?|notion|charges?|assertions?|accounts?|theor(?:y|ies)|news|comments?|remarks?|statements?|"
    r"tweets?|posts?|photos?|images?|videos?|articles?|allegation)"
)
STATEMENT_OBJECT = re.compile(
    rf"^\s+(?:(?:the|a|an|these|those|such|any|all|this|that|his|her|their|its|recent|earlier|media|press|"
    rf"news|online|\w+'s|\w+\u2019s)\s+){{0,4}}{STATEMENT_NOUN}\b|^\s+(?:(?:\w+\s+){{0,6}})as\b|^\s+that\b|"
    rf"^\s+(?:it|them|this|that)\b",
    re.IGNORECASE,
)
# A passive denial names no denier ("his requests were denied", "was dismissed from service") unless what
# is denied is a statement ("the reports were denied by the ministry").
PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being|get|gets|got)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
STATEMENT_SUBJECT = re.compile(rf"\b{STATEMENT_NOUN}\b[^.!?]{{0,40}}$", re.IGNORECASE)
# "denied him entry", "denied access", "denied bail": a refusal, not a denial of a statement.
REFUSAL_OBJECT = re.compile(
    r"^\s+(?:(?:him|her|them|us|me|the\s+\w+|\w+)\s+)?(?:entry|access|bail|permission|visas?|parole|"
    r"admission|a\s+visa|service|treatment|benefits?|requests?|applications?|leave)\b",
    re.IGNORECASE,
)
# Wording that says a report is wrong without a denial verb: "contrary to some reports", "despite reports to
# the contrary", "did not, as some places report, ...", "wild misinformation", "incorrect rumors".
CONTRARY = re.compile(
    r"\bcontrary\s+to\s+(?:\w+\s+){0,3}(?:reports?|claims?|rumou?rs?|speculation|belief)\b|"
    r"\b(?:despite|notwithstanding)\s+(?:\w+\s+){0,3}(?:reports?|claims?|rumou?rs?)\s+to\s+the\s+contrary\b|"
    r"\b(?:not|n't|never)\s*,?\s+as\s+(?:\w+\s+){0,3}(?:reported|report|reports|claimed|claim|claims|"
    r"suggested|rumou?red|alleged)\b|"
    r"\bmisinformation\b|\b(?:incorrect|erroneous|inaccurate|untrue)\s+(?:reports?|rumou?rs?|claims?|stor(?:y|ies))\b",
    re.IGNORECASE,
)
# A debunk of the story itself, named by reference ("This story was a hoax", "the rumor is not true", "the
# report turned out to be fake"): it denies what the article is about, however it is worded.
REFERENTIAL_DEBUNK = re.compile(
    rf"\b(?:this|the|that|these|those|such)\s+(?:\w+\s+){{0,2}}{STATEMENT_NOUN}\s+(?:\w+\s+){{0,2}}"
    r"(?:is|was|are|were|has\s+been|have\s+been|turned\s+out\s+to\s+be|proved|proven|appears\s+to\s+be)\s+"
    r"(?:(?:\w+ly|just|all|also|simply)\s+)?(?:a\s+|an\s+)?(?:\w+\s+)?"
    r"(?:hoax(?:es)?|fake|false|untrue|not\s+true|made\s+up|fabricated|fabrication|satire|baseless|bogus|"
    r"a\s+joke|fiction|unfounded|groundless|nonsense)\b",
    re.IGNORECASE,
)

# Doubt cast by others on what the article is about ("NASA has raised doubts about whether ...", "scientists
# aren't so sure"): in a lead it disputes the story's claim as a denial does.
DOUBT = re.compile(
    r"\b(?:cast(?:s|ing)?|rais(?:e|es|ed|ing)|express(?:es|ed|ing)?|throw(?:s|ing)?|threw|thrown|pour(?:s|ed|ing)?)\s+"
    r"(?:(?:new|serious|fresh|some|further|strong)\s+)?(?:doubts?|cold\s+water|skepticism|scepticism)\b|"
    r"\b(?:aren't|are\s+not|isn't|is\s+not|not)\s+so\s+sure\b|\bskeptical\b|\bsceptical\b",
    re.IGNORECASE,
)
# Claims that do not assert their proposition plainly: a question, a hedge ("reportedly", "may"), something
# said by someone ("Congressman: 'At least 10 ...'", "..., government says"). An article reporting a third
# party's denial of what such a claim relays reports the dispute; it does not deny the claim.
HEDGED_CLAIM = re.compile(
    r"\?|(?i:\b(?:reportedly|allegedly|alleged|suspected|purportedly|supposedly|apparently|may|might|could|"
    r"possibly|perhaps|rumou?rs?|rumou?red|speculat\w*|questions?|fears?|feared|believed|thought|"
    r"unconfirmed|unverified|suggests?|suggested|reports?)\b)",
)
ATTRIBUTED_CLAIM = re.compile(
    r"(?i:\b(?:says?|said|claims?|claimed|claiming|insists?|insisted|told|according\s+to|whether)\b)|"
    # A speaker before a colon ("GOP Rep: ...", "NASA: ...", "Iraqi media: ...", not a section label,
    # "BREAKING: ...") or after one ("... among fighters: official").
    r"^(?!(?i:breaking|update[sd]?|watch|video|photos?|exclusive|horror|shock|urgent|revealed|alert|"
    r"hoax\s+alert|listen|read|op-ed|opinion|analysis|report|net\s+extra)\s*:)"
    r"[A-Z][\w.\u2019'-]*(?:\s+[\w.\u2019'-]+){0,3}:\s|"
    r":\s*(?:\w+\s+){0,2}(?:officials?|sources?|reports?|police|ministry|spokes(?:man|woman|person)|study|"
    r"media)\s*$|"
    # Words in quotation marks are someone's: "ISIS fighters 'have contracted Ebola'".
    r"(?:^|\s)[\"'\u2018\u201c]\w[^\"\u2019\u201d]*[\"'\u2019\u201d](?=\s|$|[,.:;!?])",
)


def denial_cue(text: str, start: int = 0) -> re.Match[str] | None:
    """The first word of `text` (from `start`) by which a speaker denies a statement, or None.

    Word senses that deny nothing are passed over: a passive without a denier ("his requests were denied",
    "was dismissed from service"), a refusal ("denied him entry"), and "dismiss", "reject", "dispute"
    without a statement for object ("issued orders to dismiss A. K. Verma", "rejected the bid").
    """
    for cue in DENIAL_CUE.finditer(text, start):
        before, after = text[max(0, cue.start() - 80) : cue.start()], text[cue.end() : cue.end() + 80]
        passive = cue.group(0).casefold().endswith("ed") and PASSIVE.search(before) is not None
        if passive and not STATEMENT_SUBJECT.search(before):
            continue
        if REFUSAL_OBJECT.match(after):
            continue
        if OBJECT_CUE.match(cue.group(0)) and not STATEMENT_OBJECT.match(after):
            continue
        return cue
    return None


# Declining is not denying: "declined to comment", "deferred questions", "did not respond".
DECLINE = re.compile(
    r"\bdeclin(?:e|es|ed|ing)\s+to\b|\bdefer(?:s|red|ring)?\s+(?:questions|comment|inquiries|enquiries)\b|"
    r"\brefus(?:e|es|ed|ing)\s+to\s+(?:comment|say|answer|confirm|discuss|elaborate)\b|"
    r"\b(?:did|does|do|has|have|had|would|could|will)\s*(?:not|n't)\s+(?:immediately\s+)?(?:respond|reply|"
    r"return|comment|answer|elaborate)\b|\bcould\s+not\s+be\s+reached\b|\bno\s+immediate\s+comment\b|"
    r"\bwas\s+not\s+available\s+for\s+comment\b",
    re.IGNORECASE,
)
# What a denial is of: "reports that X", "claims that X", "the fake report that X": the proposition is X.
DENIED_FRAME = re.compile(
    r"^(?:(?:the|a|an|these|those|such|any|all|recent|earlier|media|press|news|state[- ]media|"
    r"russian|western|\w+'s|fake|false|baseless|unfounded)\s+){0,4}"
    r"(?:reports?|claims?|allegations?|accusations?|suggestions?|rumou?rs?|speculation|stor(?:y|ies)|"
    r"assertions?|idea|notion|charges?|that\s+report)\s+(?:that\s+)?",
    re.IGNORECASE,
)
DEBUNK_FRAME = re.compile(
    r"^(?:there\s+(?:is|was)\s+)?(?:no|not\s+(?:any|a\s+shred\s+of))\s+evidence\s+(?:that|of)\s+|"
    # "there was no U.S. provision of targets": the proposition is the provision.
    r"^there\s+(?:is|was|were|has\s+been|have\s+been|had\s+been)\s+(?:no|never\s+(?:a|any))\s+",
    re.IGNORECASE,
)
LEADING_THAT = re.compile(r"^that\s+", re.IGNORECASE)
# A pronoun subject at the start of the denied content stands for the speaker: "denied that it will close".
PRONOUN_SUBJECT = re.compile(r"^(?:it|he|she|they|we|I)\b(?:'s|'d|'ll)?", re.IGNORECASE)
# Auxiliaries and adverbs between a subject and its denial verb: "Harwick has flatly denied".
SUBJECT_TAIL = re.compile(
    r"(?:\s+(?:has|have|had|is|was|were|are|also|flatly|strongly|categorically|quickly|firmly|again|"
    r"officially|publicly|repeatedly|on\s+\w+day))+\s*$",
    re.IGNORECASE,
)
MAX_SUBJECT_WORDS = 6
# A sentence ends at . ! ? before a space, or at a line break; a denial's object ends there or at a follow-on.
SENTENCE_STOP = re.compile(r"[.!?](?=\s|$)|\n")
FOLLOW_ON = re.compile(
    r",\s+(?:saying|adding|calling|insisting|and\s+said|but|while|as|which)\b|;|\s+\u2014\s+", re.IGNORECASE
)
MIN_DENIED_WORDS = 3
# The lead: the headline and this many sentences at the top of the text.
LEAD_SENTENCES = 3
# A lead denial counts for a claim when its denied proposition is at least this close to the claim
# (MiniLM cosine, negation stripped), or when the stance model already found the article related and the
# denial is at least LEAD_RELATED_COSINE close: a denial presupposes a claim, so the bar is lower than
# linking's.
LEAD_MIN_COSINE = 0.55
LEAD_RELATED_COSINE = 0.35
# A denying attribution that linking put in a claim denies it unless what it denies is nearly unrelated to the
# claim's canonical text (MiniLM cosine below this; "no U.S. provision of targets" scores 0.30 against
# "Ministry says US passed coordinates"); the bar is lower when the denier is named in the claim (a denial by
# the claim's own subject).
DENIAL_MIN_COSINE = 0.2
SUBJECT_DENIAL_MIN_COSINE = 0.1


def debunks(text: str) -> bool:
    """Whether text calls a report false without a denial verb ("a hoax", "there is no evidence that")."""
    return DEBUNK.search(text) is not None


def declines(text: str) -> bool:
    """Whether text only declines ("declined to comment", "deferred questions", "did not respond")."""
    return DECLINE.search(text) is not None and not DENIAL_CUE.search(text) and not debunks(text)


def denies(text: str) -> bool:
    """Whether text denies or debunks something (a denial verb or debunk wording), declines excluded."""
    if declines(text):
        return False
    without_declines = DECLINE.sub(" ", text)
    return DENIAL_CUE.search(without_declines) is not None or debunks(without_declines)


# The claims stage links statements with `denies`, `sentence_proposition` and `denied_proposition` as they
# were (claim linking is measured and tuned with them); the article-stance rules below read a lead more
# closely: denial verbs in the sense of denying a statement, and wording that contradicts reports.


def lead_denies(text: str) -> bool:
    """Whether a lead sentence denies a statement, debunks it or contradicts reports ("contrary to some
    reports"), declines excluded; denial verbs that deny no statement are passed over (`denial_cue`)."""
    if declines(text):
        return False
    without_declines = DECLINE.sub(" ", text)
    return (
        denial_cue(without_declines) is not None
        or debunks(without_declines)
        or CONTRARY.search(without_declines) is not None
    )


def denial_polarity(attribution: Attribution, content: str) -> Polarity:
    """The attribution's polarity; debunk wording in what is said ("said it was a hoax") is read as denial."""
    if attribution.polarity in (Polarity.ASSERTS, Polarity.OTHER) and debunks(content):
        return Polarity.DENIES
    return attribution.polarity


def denied_proposition(content: str, subject: str | None = None) -> str:
    """What a denial denies, worded as an assertion for linking and comparison with claims.

    "reports that it will close the plant" (denied by the carmaker) -> "the carmaker will close the plant";
    "there is no evidence that X" -> "X". Negation, denial and debunk words are removed.
    """
    text = content.strip().strip("\"'\u201c\u201d\u2018\u2019 ")
    text = DEBUNK_FRAME.sub("", text)
    text = DENIED_FRAME.sub("", text)
    text = LEADING_THAT.sub("", text)
    if subject:
        text = PRONOUN_SUBJECT.sub(subject, text, count=1)
    text = DEBUNK.sub(" ", text)
    return proposition_text(text).rstrip(" .!;:,")


def denier_of(sentence: str) -> str | None:
    """The short subject before a sentence's denial verb ("Harwick Motors has denied ..." -> "Harwick
    Motors"), or None."""
    cue = denial_cue(sentence)
    if cue is None:
        return None
    before = SUBJECT_TAIL.sub("", sentence[: cue.start()]).strip(" ,")
    return before if 0 < len(before.split()) <= MAX_SUBJECT_WORDS else None


def sentence_proposition(sentence: str) -> str:
    """What a sentence that denies or debunks is about, as an assertion: the part after its denial verb, with
    a pronoun there standing for the short subject before it ("Harwick has denied that it will ...")."""
    cue = DENIAL_CUE.search(sentence)
    subject = None
    if cue is not None:
        before = SUBJECT_TAIL.sub("", sentence[: cue.start()]).strip(" ,")
        subject = before if 0 < len(before.split()) <= MAX_SUBJECT_WORDS else None
    return denied_proposition(_after_denial_cue(sentence, cue), subject)


def lead_proposition(sentence: str) -> str:
    """What a lead sentence denies, as sentence_proposition reads it but with `denial_cue`'s word senses and
    wording that contradicts reports ("contrary to some reports") removed."""
    cue = denial_cue(sentence)
    return denied_proposition(CONTRARY.sub(" ", _after_denial_cue(sentence, cue)), denier_of(sentence))


def denied_span(text: str, attribution: Attribution, contents: Sequence[Span] = ()) -> Span | None:
    """What a denial denies when the attribution stage found no content ("has denied reports that X, saying
    ..."): from after the cue to the end of its sentence, cut before the next content span or a ", saying"."""
    if attribution.content or not attribution.cue or attribution.polarity is not Polarity.DENIES:
        return None
    start = max(span.end for span in attribution.cue)
    stop = SENTENCE_STOP.search(text, start)
    end = stop.start() if stop else len(text)
    end = min([end, *(c.start for c in contents if start <= c.start < end)])
    tail = FOLLOW_ON.search(text, start, end)
    end = tail.start() if tail else end
    while start < end and (text[start].isspace() or text[start] in ",:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:-—"):
        end -= 1
    return Span.of(text, start, end) if len(text[start:end].split()) >= MIN_DENIED_WORDS else None


def subject_of(attribution: Attribution) -> str | None:
    """The denier's name: the likely subject of a self-denial ("The carmaker denied reports that it ...")."""
    if attribution.speaker is None:
        return None
    return attribution.speaker.organisation or attribution.speaker.person or attribution.speaker.name or None


def shares_subject(denier: str | None, claim: str) -> bool:
    """Whether the denier is named in the claim: a denial by the claim's own subject."""
    if not denier:
        return False
    named = statement_terms(denier)
    wanted = named.entities or named.terms
    return bool(wanted) and bool(wanted & statement_terms(claim).terms)


@dataclass(frozen=True, slots=True)
class LeadDenial:
    """A denial or debunk at the top of an article: the sentence, and what it denies."""

    span: Span
    proposition: str
    # The sentence debunks the story by reference ("This story was a hoax"): what it denies is whatever the
    # article is about, so any related claim is denied.
    referential: bool = False
    # Who denies, where the sentence names it before its denial verb ("The carmaker has denied ...").
    denier: str | None = None
    # The article itself calls the story false ("The story of ... is a hoax"), not a party it quotes.
    own_voice: bool = False


def lead_sentences(article: Article, limit: int = LEAD_SENTENCES) -> list[Span]:
    """The headline (where the text carries it) and the first `limit` sentences of the text."""
    from counterclaim.claims.candidates import headline_candidate
    from counterclaim.text import sentence_spans

    found: list[Span] = []
    headline = headline_candidate(article)
    if headline is not None:
        found.append(headline.span)
    taken = 0
    for start, end in sentence_spans(article.text):
        if taken >= limit:
            break
        span = Span.of(article.text, start, end)
        # Navigation lines and captions are short; the lead is a sentence.
        if len(span.text.split()) < 6 or any(s.start <= start < s.end for s in found if s.end > s.start):
            continue
        found.append(span)
        taken += 1
    return found


REPORTING_VERB = re.compile(
    r"\b(?:said|says|say|stated|states|told|tells|according\s+to|added|insisted|explained|wrote|tweeted|"
    r"quoted|reported|called|dubbed)\b",
    re.IGNORECASE,
)


def own_voice(sentence: str) -> bool:
    """Whether the sentence debunks in the writer's own voice and names no one who says so: "The story of
    ... is a hoax", unlike "Johnson stated that claims of ... were false", "No cases have been found, despite
    reports to the contrary, the WHO said" or "The photo was debunked as a fake by several sources"."""
    return any(_own_voice_clause(clause) for clause in CLAUSE_BREAK.split(sentence))


# A clause ends at a colon, semicolon or dash: "... is a hoax: a satirical site made it up, ... said".
CLAUSE_BREAK = re.compile(r"[:;]\s|\s[\u2014\u2013-]\s")


def _own_voice_clause(clause: str) -> bool:
    wording = [m.group(0).casefold() for m in DEBUNK.finditer(clause)]
    # Debunking and satire are others' acts or genres ("debunked by", "start a satirical website").
    calls_false = [w for w in wording if not w.startswith(("debunk", "satir"))]
    return bool(calls_false) and not REPORTING_VERB.search(clause) and denial_cue(clause) is None


def lead_denials(article: Article, limit: int = LEAD_SENTENCES) -> list[LeadDenial]:
    """The sentences of the lead that deny or debunk something, each with the proposition it denies."""
    found = []
    for span in lead_sentences(article, limit):
        if not lead_denies(span.text) and not DOUBT.search(span.text):
            continue
        proposition = lead_proposition(span.text)
        if len(proposition.split()) >= 3:
            referential = REFERENTIAL_DEBUNK.search(span.text) is not None
            denial = LeadDenial(span, proposition, referential, denier_of(span.text), own_voice(span.text))
            found.append(denial)
    return found


def _after_denial_cue(sentence: str, cue: re.Match[str] | None) -> str:
    """The part of a sentence after its denial verb `cue` ("... has denied reports that X" -> "reports that
    X"), or the whole sentence when the denial is debunk wording (no cue)."""
    if cue is None:
        return sentence
    rest = sentence[cue.end() :].strip()
    return rest if len(rest.split()) >= 3 else sentence


def states(article: Article, claim: str) -> bool:
    """Whether the article's headline states the claim ("Carmaker says Dunmore plant stays open").

    A claim stated in the body, even in the lead ("... quoted the ministry as saying that X"), is what a
    denying lead denies.
    """
    wanted = claim.strip().casefold()
    return bool(wanted) and wanted in (article.title or "").casefold()


def lead_denial_stance(
    denials: Sequence[LeadDenial], similarities: Sequence[float], related: bool
) -> tuple[Stance, float, Span] | None:
    """The article's stance when its lead denies the claim: the closest lead denial decides.

    `similarities` are cosines between each denial's proposition and the claim; `related` is whether the
    stance model found the article related to the claim at all.
    """
    if not denials:
        return None
    best = int(np.argmax(np.asarray(similarities)))
    cosine = float(similarities[best])
    if cosine >= LEAD_MIN_COSINE or (related and cosine >= LEAD_RELATED_COSINE):
        return Stance.DENIES, round(min(1.0, 0.5 + cosine / 2), 4), denials[best].span
    referential = [k for k, denial in enumerate(denials) if denial.referential]
    if related and referential:
        first = referential[0]
        return Stance.DENIES, round(min(1.0, 0.5 + max(similarities[first], 0.0) / 2), 4), denials[first].span
    return None


class Encoder(Protocol):
    """Turns texts into L2-normalised row vectors (counterclaim.embeddings.Embedder)."""

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


def denies_itself(claim: str) -> bool:
    """Whether the claim is itself a negation, denial, debunk or doubt ("No ISIL fighters on U.S. border",
    "NASA raises doubts about ..."): a lead that denies what it denies agrees with it."""
    return negated(claim) or lead_denies(claim) or DOUBT.search(claim) is not None


def plainly_asserted(claim: str) -> bool:
    """Whether the claim asserts its proposition in its own voice: no question, hedge or speaker."""
    return HEDGED_CLAIM.search(claim) is None and ATTRIBUTED_CLAIM.search(claim) is None


def lead_denial_results(
    encoder: Encoder, pairs: Sequence[tuple[str, Article]], results: Sequence[StanceResult]
) -> list[StanceResult]:
    """Article stances, with an article whose lead denies, debunks or doubts the claim read as denying it.

    A plainly asserted claim is denied by any close lead denial. One that is hedged or said by someone
    ("Congressman: 'At least 10 ...'") is denied only by its own subject ("The carmaker has denied reports
    ...") or by a debunk in the article's own voice ("The story of ... is a hoax"): an article whose lead
    reports a third party's denial of it reports the dispute (the denying party keeps its own denying
    account), and so does one the stance model read as denying it. A claim that is itself a denial is left
    to the stance model. Only articles with a denial in their lead cost an embedding (of the denied
    propositions and their claims).
    """
    from counterclaim.stance import StanceResult

    found = {article.id: lead_denials(article) for _, article in pairs}
    updated = list(results)
    wanted: list[tuple[int, str, list[LeadDenial]]] = []
    for k, (claim, article) in enumerate(pairs):
        # An article does not deny a claim its headline states ("Carmaker says plant stays open" is its own),
        # and a lead denying what a claim itself denies agrees with it.
        if states(article, claim) or denies_itself(claim):
            continue
        plain = plainly_asserted(claim)
        denials = [d for d in found[article.id] if plain or d.own_voice or shares_subject(d.denier, claim)]
        if results[k].stance is Stance.DENIES and not plain and not denials:
            updated[k] = StanceResult(Stance.REPORTS, results[k].score, results[k].evidence)
        if denials:
            wanted.append((k, claim, denials))
    if not wanted:
        return updated
    texts = list(
        dict.fromkeys([claim for _, claim, _ in wanted] + [d.proposition for *_, ds in wanted for d in ds])
    )
    vector = dict(zip(texts, encoder.encode(texts), strict=True))
    for k, claim, denials in wanted:
        similarities = [float(vector[d.proposition] @ vector[claim]) for d in denials]
        decided = lead_denial_stance(denials, similarities, results[k].stance is not Stance.UNRELATED)
        if decided is not None:
            updated[k] = StanceResult(*decided)
    return updated


def attribution_denial(
    encoder: Encoder, claim: str, attribution: Attribution, article: Article, result: StanceResult
) -> StanceResult:
    """One attribution's stance read again as a denial where it is one (see attribution_denials)."""
    return attribution_denials(encoder, [(claim, attribution, article)], [result])[0]


def denial_content(attribution: Attribution, article: Article) -> Span | None:
    """What a denying attribution says: its content range, or the denied object found after its cue."""
    if attribution.content:
        start = min(span.start for span in attribution.content)
        end = max(span.end for span in attribution.content)
        return Span.of(article.text, start, end)
    return denied_span(article.text, attribution)


def attribution_denials(
    encoder: Encoder, items: Sequence[tuple[str, Attribution, Article]], results: Sequence[StanceResult]
) -> list[StanceResult]:
    """A denying attribution linked to a claim denies it even when worded unlike it.

    Its content is compared with the claim as what it denies (the speaker put for a pronoun subject, "reports
    that" and negation removed); a denial by the claim's own subject needs less similarity. Declines stay as
    they are, and debunk wording ("said the report was a hoax") is read as denial. All denied propositions
    and their claims are embedded in one call, each text once.
    """
    from counterclaim.stance import StanceResult

    wanted: list[tuple[int, str, Span, str]] = []
    for k, ((claim, attribution, article), result) in enumerate(zip(items, results, strict=True)):
        if result.stance is Stance.DENIES:
            continue
        content = denial_content(attribution, article)
        if content is None or denial_polarity(attribution, content.text) is not Polarity.DENIES:
            continue
        wanted.append((k, claim, content, denied_proposition(content.text, subject_of(attribution))))
    updated = list(results)
    if not wanted:
        return updated
    texts = list(dict.fromkeys(text for _, claim, _, proposition in wanted for text in (proposition, claim)))
    vector = dict(zip(texts, encoder.encode(texts), strict=True))
    for k, claim, content, proposition in wanted:
        cosine = float(vector[proposition] @ vector[claim])
        floor = (
            SUBJECT_DENIAL_MIN_COSINE if shares_subject(subject_of(items[k][1]), claim) else DENIAL_MIN_COSINE
        )
        if cosine >= floor:
            updated[k] = StanceResult(
                Stance.DENIES, round(min(1.0, 0.5 + cosine / 2), 4), results[k].evidence or content
            )
    return updated
