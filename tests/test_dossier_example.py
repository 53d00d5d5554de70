"""A small corpus written for the project, modelled on the founding example: a ministry claim relayed, denied.

Other dossier, provenance, export and web tests build on `example_records()`; tests here check the records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from counterclaim.model import (
    Account,
    Article,
    Attribution,
    Claim,
    Direction,
    Outlet,
    OutletKind,
    Polarity,
    Relay,
    ReuseLink,
    Span,
    Speaker,
    Stance,
)
from counterclaim.stages.reuse import link_reuse
from counterclaim.store import Store
from counterclaim.store.attributions import save_attributions
from counterclaim.store.claims import save_accounts, save_claims

T0 = datetime(2017, 1, 23, 9, 0, tzinfo=UTC)
MINISTRY = "Russian Defense Ministry"
CLAIM_TEXT = "the United States passed target coordinates to Russia for joint air strikes near Al-Bab"

SHARED = (
    "The ministry said the strikes near Al-Bab followed coordinates passed on by the American side "
    "through a communication channel set up between the two militaries last autumn, and that two pairs of "
    "Russian bombers and four coalition aircraft took part in the raid, which it described as the first "
    "operation of its kind since the channel was opened."
)

TEXTS = {
    "ria": (
        "Moscow ministry: joint strikes near Al-Bab\n"
        "The Russian Defense Ministry said on Monday that the United States passed target coordinates to "
        "Russia for joint air strikes near Al-Bab, RIA Novosti reported, quoting the ministry's operations "
        "chief."
    ),
    "rt": (
        "Russian and coalition jets strike near Al-Bab\n"
        "Russian jets hit targets in northern Syria on Monday, according to the Russian Defense Ministry. "
        + SHARED
        + " The ministry said the United States passed target coordinates to Russia for joint air strikes "
        "near "
        "Al-Bab."
    ),
    "tass": (
        "First joint operation reported near Al-Bab\n"
        "The Russian Defense Ministry says the United States passed target coordinates to Russia for joint "
        "air strikes near Al-Bab. " + SHARED
    ),
    "rferl": (
        "Pentagon rejects Moscow's account of joint strikes\n"
        "Russian state media, citing the Russian Defense Ministry, said the United States passed target "
        "coordinates to Russia for joint air strikes near Al-Bab. "
        "Pentagon spokesman Eric Pahon said in an e-mailed statement that the department is not "
        "coordinating air strikes with Russia. "
        "Another spokesman, Adrian Rankine-Galloway, denied that any coordinates had been shared. "
        "White House press secretary Sean Spicer deferred questions to the Pentagon. "
        "The ministry did not post the statement on its website."
    ),
    "mil": (
        "Exercise in the Western Military District\n"
        "Motorised rifle units held a tactical exercise at a training ground near Pskov on Tuesday."
    ),
}

OUTLETS = (
    Outlet("ria-novosti", "RIA Novosti", ("ria.ru",), "RU", OutletKind.STATE_MEDIA),
    Outlet("rt", "RT", ("rt.com",), "RU", OutletKind.STATE_MEDIA),
    Outlet("tass", "TASS", ("tass.com",), "RU", OutletKind.WIRE),
    Outlet("rferl", "RFE/RL", ("rferl.org",), "US", OutletKind.PUBLIC_BROADCASTER),
    Outlet(
        "mil-ru",
        "Russian Ministry of Defence",
        ("mil.ru",),
        "RU",
        OutletKind.GOVERNMENT_CHANNEL,
        channel_of=MINISTRY,
    ),
)
_OUTLET_OF = {"ria": "ria-novosti", "rt": "rt", "tass": "tass", "rferl": "rferl", "mil": "mil-ru"}
_HOURS = {"ria": 0, "rt": 2, "tass": 3, "rferl": 20, "mil": 30}


@dataclass
class ExampleRecords:
    claim: Claim
    articles: dict[str, Article]
    outlets: tuple[Outlet, ...]
    attributions: list[Attribution] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    reuse_links: list[ReuseLink] = field(default_factory=list)

    def article(self, name: str) -> Article:
        return self.articles[name]


def span(article: Article, phrase: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = article.text.index(phrase, start + 1)
    return Span.of(article.text, start, start + len(phrase))


def _article(name: str, prefix: str) -> Article:
    text = TEXTS[name]
    return Article(
        id=f"{prefix}{name:0<8}".ljust(32, "0")[:32],
        text=text,
        title=text.split("\n", 1)[0],
        url=f"https://{name}.example.org/2017/01/{name}",
        outlet=_OUTLET_OF[name],
        published_at=T0 + timedelta(hours=_HOURS[name]),
        language="en",
    )


def _attribution(
    records: ExampleRecords,
    name: str,
    ident: str,
    speaker: Speaker,
    source: str,
    cue: str,
    content: str,
    polarity: Polarity,
    relays: tuple[str, ...] = (),
    channel: str | None = None,
    cue_occurrence: int = 0,
) -> Attribution:
    article = records.article(name)
    attribution = Attribution(
        id=hashlib.sha256(f"{article.id}-{ident}".encode()).hexdigest()[:32],
        article_id=article.id,
        source=(span(article, source),),
        speaker=speaker,
        cue=(span(article, cue, cue_occurrence),),
        content=(span(article, content),),
        direct=False,
        polarity=polarity,
        method="fixture",
        relay_chain=tuple(Relay(r) for r in relays),
        channel=channel,
    )
    records.attributions.append(attribution)
    return attribution


def _account(
    records: ExampleRecords, name: str, stance: Stance, evidence: str, attribution: Attribution | None = None
) -> None:
    article = records.article(name)
    records.accounts.append(
        Account(
            claim_id=records.claim.id,
            article_id=article.id,
            stance=stance,
            score=0.9,
            method="fixture",
            attribution_id=attribution.id if attribution else None,
            evidence=span(article, evidence),
        )
    )


def example_records(prefix: str = "e") -> ExampleRecords:
    """The example corpus as records; `prefix` makes ids distinct when several copies share a store."""
    articles = {name: _article(name, prefix) for name in TEXTS}
    ria = articles["ria"]
    claim = Claim(
        id=f"claim-{prefix}-al-bab",
        canonical_text=CLAIM_TEXT,
        canonical_article_id=ria.id,
        canonical_span=span(ria, CLAIM_TEXT),
        first_seen=ria.published_at,
        method="fixture",
    )
    records = ExampleRecords(claim, articles, OUTLETS)
    ministry = Speaker(organisation=MINISTRY)
    for name in ("ria", "rt", "tass"):
        relays = ("RIA Novosti", MINISTRY) if name == "ria" else ()
        cue = "says" if name == "tass" else "said"
        attribution = _attribution(
            records,
            name,
            "m",
            ministry,
            "Russian Defense Ministry",
            cue,
            CLAIM_TEXT,
            Polarity.ASSERTS,
            relays,
        )
        _account(records, name, Stance.ASSERTS, CLAIM_TEXT, attribution)
    rferl = "rferl"
    relayed = _attribution(
        records,
        rferl,
        "m",
        ministry,
        "Russian Defense Ministry",
        "said",
        "the United States passed target coordinates to Russia for joint air strikes near Al-Bab",
        Polarity.ASSERTS,
        ("Russian state media",),
    )
    _account(records, rferl, Stance.ASSERTS, "the United States passed target coordinates", relayed)
    pahon = _attribution(
        records,
        rferl,
        "p",
        Speaker(person="Eric Pahon", organisation="Pentagon", role="spokesman"),
        "Eric Pahon",
        "said",
        "the department is not coordinating air strikes with Russia",
        Polarity.DENIES,
        channel="e-mailed statement",
        cue_occurrence=1,
    )
    _account(
        records, rferl, Stance.DENIES, "the department is not coordinating air strikes with Russia", pahon
    )
    galloway = _attribution(
        records,
        rferl,
        "g",
        Speaker(person="Adrian Rankine-Galloway", organisation="Pentagon", role="spokesman"),
        "Adrian Rankine-Galloway",
        "denied",
        "that any coordinates had been shared",
        Polarity.DENIES,
    )
    _account(records, rferl, Stance.DENIES, "any coordinates had been shared", galloway)
    spicer = _attribution(
        records,
        rferl,
        "s",
        Speaker(person="Sean Spicer", organisation="White House", role="press secretary"),
        "Sean Spicer",
        "deferred",
        "questions to the Pentagon",
        Polarity.DECLINES,
    )
    _account(records, rferl, Stance.REPORTS, "deferred questions to the Pentagon", spicer)
    rt, tass = articles["rt"], articles["tass"]
    records.reuse_links.append(
        ReuseLink(
            rt.id, span(rt, SHARED), tass.id, span(tass, SHARED), 1.0, Direction.A_TO_B, "c-shared", "fixture"
        )
    )
    return records


def test_example_spans_point_at_their_text() -> None:
    records = example_records()
    for account in records.accounts:
        text = next(a.text for a in records.articles.values() if a.id == account.article_id)
        assert account.evidence is not None
        assert text[account.evidence.start : account.evidence.end] == account.evidence.text
    for attribution in records.attributions:
        text = next(a.text for a in records.articles.values() if a.id == attribution.article_id)
        for part in (*attribution.source, *attribution.cue, *attribution.content):
            assert text[part.start : part.end] == part.text


def test_example_ids_are_distinct_per_prefix() -> None:
    first, second = example_records("a"), example_records("b")
    assert not {a.id for a in first.articles.values()} & {a.id for a in second.articles.values()}


def store_example(store: Store, records: ExampleRecords) -> None:
    """Write the example into a store through each stage's own save functions, as the pipeline would.

    Shared wording is found by the reuse stage itself: it has no save function for hand-made links.
    """
    store.upsert_outlets(records.outlets)
    with store.begin() as conn:
        for article in records.articles.values():
            store.add_article(article, conn)
        for article in records.articles.values():
            save_attributions(
                conn, article.id, [a for a in records.attributions if a.article_id == article.id]
            )
        save_claims(conn, [records.claim])
        save_accounts(conn, records.accounts)
    link_reuse(store, list(records.articles.values()))
