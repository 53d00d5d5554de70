"""Statements that point back at a claim instead of restating it: "RT and TASS reported on the statement".

Such an attribution relays the claim of the source its chain ends at; when its sentence says the relays used
the same words ("using identical language in places"), that is shared wording reported, not observed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from counterclaim.model import Account, Article, Attribution, Polarity, Span, Stance
from counterclaim.parties import source_name
from counterclaim.text import sentence_spans

RELAY_METHOD = "anaphora.relay/1"
DENIAL_METHOD = "anaphora.denial/1"

# Content that only names what was said: "the statement", "on the report", "these claims".
_REFERENCE = re.compile(
    r"^(?:on|about|of)?\s*(?:the|this|that|these|those|its|their|his|her)\s+(?:[\w-]+\s+)?"
    r"(?:statement|statements|report|reports|claim|claims|announcement|allegation|allegations|account|"
    r"remarks|comments|assertion|assertions)\b",
    re.IGNORECASE,
)
_MAX_REFERENCE_WORDS = 6
# Wording the article says two relays share.
_SHARED_WORDING = re.compile(
    r"\b(?:identical|the same|similar|near-identical|nearly identical)\s+"
    r"(?:language|wording|words|phrasing)\b|"
    r"\bword[- ]for[- ]word\b|\bverbatim\b",
    re.IGNORECASE,
)
# "RT and TASS", "RIA Novosti, TASS and RT": each part a short capitalised name.
_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")


@dataclass(frozen=True, slots=True)
class ReportedReuse:
    """Shared wording between parties that an article reports (it is not observed in the corpus)."""

    article_id: str
    parties: tuple[str, ...]
    evidence: Span


def is_reference(content: str) -> bool:
    """Whether an attribution's content only refers back to something said ("the statement")."""
    words = content.split()
    return 0 < len(words) <= _MAX_REFERENCE_WORDS and bool(_REFERENCE.match(content.strip()))


def split_names(name: str) -> tuple[str, ...]:
    """The parties a coordinated name lists ("RT and TASS": RT, TASS); else the name itself."""
    parts = [part.strip() for part in _LIST_SPLIT.split(name) if part.strip()]
    # Every word of every part capitalised: "Department of Health and Human Services" is one name.
    if len(parts) < 2 or any(
        len(part.split()) > 3 or not all(word[0].isupper() for word in part.split()) for part in parts
    ):
        return (name,)
    return tuple(parts)


def _key(name: str | None) -> str:
    words = (name or "").casefold().split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _sentence(article: Article, position: int) -> Span:
    for start, end in sentence_spans(article.text):
        if start <= position < end:
            return Span.of(article.text, start, end)
    return Span.of(article.text, position, min(len(article.text), position + 1))


def relay_accounts(
    claim_id: str,
    accounts: Sequence[Account],
    attributions: Iterable[Attribution],
    articles: Mapping[str, Article],
) -> list[Account]:
    """Accounts for attributions that relay, by reference, what a source asserting the claim said in the
    same article: "RT and TASS reported on the statement" after "the Defense Ministry said ..."."""
    found = list(attributions)
    by_id = {a.id: a for a in found}
    asserting = {
        (a.article_id, _key(source_name(by_id[a.attribution_id])))
        for a in accounts
        if a.claim_id == claim_id and a.stance is Stance.ASSERTS and a.attribution_id in by_id
    }
    have = {a.attribution_id for a in accounts if a.claim_id == claim_id}
    relays = []
    for attribution in found:
        article = articles.get(attribution.article_id)
        if (
            article is None
            or attribution.id in have
            or not attribution.relay_chain
            or not attribution.content
        ):
            continue
        if attribution.polarity in (Polarity.DENIES, Polarity.DECLINES):
            continue
        origin = attribution.relay_chain[-1].name
        if (attribution.article_id, _key(origin)) not in asserting:
            continue
        if not is_reference(" ".join(span.text for span in attribution.content)):
            continue
        evidence = _sentence(article, attribution.content[0].start)
        relays.append(
            Account(claim_id, article.id, Stance.ASSERTS, 1.0, RELAY_METHOD, attribution.id, evidence)
        )
    return relays


def relay_parties(attribution: Attribution) -> tuple[str, tuple[str, ...]]:
    """(original source, relays) of a relay by reference: the chain's end, and the speaker's listed names."""
    if not attribution.relay_chain:
        return (attribution.speaker.name if attribution.speaker else ""), ()
    origin = attribution.relay_chain[-1].name
    speaker = attribution.speaker.name if attribution.speaker else None
    names = speaker or (attribution.relay_chain[0].name if len(attribution.relay_chain) > 1 else "")
    return origin, split_names(names) if names and names != origin else ()


def reported_reuse(
    relays: Sequence[Account], attributions: Mapping[str, Attribution]
) -> tuple[ReportedReuse, ...]:
    """Shared wording the articles report between the relays of a claim ("using identical language")."""
    found = []
    for account in relays:
        attribution = attributions.get(account.attribution_id or "")
        if account.method != RELAY_METHOD or attribution is None or account.evidence is None:
            continue
        _, parties = relay_parties(attribution)
        if len(parties) >= 2 and _SHARED_WORDING.search(account.evidence.text):
            found.append(ReportedReuse(account.article_id, parties, account.evidence))
    return tuple(found)


# How far back (characters) a denial by reference ("The Kremlin has dismissed the allegations") looks for
# the statement it answers.
_DENIAL_REACH = 600


def reference_denials(
    claim_id: str,
    accounts: Sequence[Account],
    attributions: Iterable[Attribution],
    articles: Mapping[str, Article],
    statements: Mapping[str, Sequence[tuple[int, str, str | None]]],
) -> list[Account]:
    """Accounts for denials that name only what they deny ("dismissed the allegations"): each denies the
    claim of the nearest statement before it in its article that is not itself a denial.

    `statements`: per article, (start, claim id, attribution id) of every linked statement.
    """
    found = list(attributions)
    denial_ids = {a.id for a in found if a.polarity is Polarity.DENIES}
    have = {a.attribution_id for a in accounts if a.claim_id == claim_id}
    denials = []
    for attribution in found:
        article = articles.get(attribution.article_id)
        if article is None or attribution.id in have or attribution.polarity is not Polarity.DENIES:
            continue
        if not attribution.content or not is_reference(" ".join(span.text for span in attribution.content)):
            continue
        position = attribution.content[0].start
        earlier = [
            (start, claim)
            for start, claim, by in statements.get(article.id, ())
            if position - _DENIAL_REACH <= start < position and by not in denial_ids
        ]
        if earlier and max(earlier)[1] == claim_id:
            evidence = _sentence(article, position)
            denials.append(
                Account(claim_id, article.id, Stance.DENIES, 1.0, DENIAL_METHOD, attribution.id, evidence)
            )
    return denials
