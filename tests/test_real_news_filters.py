"""Filters that make dossiers hold on real news (issue 12): claims are propositions, sources are speakers,
rows without an outlet still name their article. Fixtures are written for the project in the patterns
measured on real articles (headline questions, gallery headings, captions, teasers, bylines, datelines,
abbreviations, relative pronouns, section labels, tickers)."""

from __future__ import annotations

import pytest

from counterclaim.claims.candidates import (
    Candidate,
    CandidateKind,
    article_candidates,
    check_worthy,
    proposition_problems,
    sentence_spans,
)
from counterclaim.model import Article, Attribution, Polarity, Relay, Span, Speaker
from counterclaim.parties import article_label, source_name
from counterclaim.sources import source_identities, speaker_name


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


# ---------------------------------------------------------------- claims are propositions


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Is the Meridia Rail payroll database really in the hands of criminals?", "question"),
        ("PHOTOS: The busiest rail stations in the country after the strike.", "heading"),
        ("WATCH: Fire crews at the Port of Calvane after the ammonia leak.", "heading"),
        ("Fire crews work at the port on Monday (Photo: Calvane Fire Service).", "caption"),
        ("Singer Tova Lind, pictured at a concert in Oslo last year, has cancelled the tour.", "caption"),
        ("Hackers are said to have copied the bank details of thousands of rail workers and...", "teaser"),
        ("The leak was contained by the evening, the authority said, adding that the port\u2026", "teaser"),
        ("By Peter Oduya and Mara Holm, Calvane Herald staff writers", "byline"),
        ("the payroll records of 40,000 Meridia Rail employees", "lower-case start"),
        ("The new chief executive of Meridia Rail, 52, and his deputy", "no verb"),
        ("Harbour master Ivo Petrak said about 200 litres escaped from the hold", "no end punctuation"),
        ("\u201cThe records look genuine to me,\u201d Holt told the Herald.", "quote start"),
        ("Petrak, 58, is a former navy officer who has run the port since 2015.", "background"),
        ("Lind is a two-time Grammy nominee who rose to fame with the album Northern Lights.", "background"),
        ("The singer was born in Uppsala and grew up in a family of musicians.", "background"),
        ("It was a cold morning in the harbour when the first alarm sounded.", "background"),
    ],
)
def test_non_propositions_are_named_for_what_they_are(text: str, problem: str) -> None:
    assert problem in proposition_problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hackers stole the payroll records of 40,000 Meridia Rail employees, the Calvane Herald reported.",
        "The Port of Calvane was closed on Monday after a chemical leak from a damaged tanker.",
        "Meridia Rail has denied that any payroll data was stolen from its systems.",
        "The company announced on Dec. 5 that it would close three depots in the north.",
        "Tova Lind is a fraud who never cancelled anything, the gossip site claimed.",
    ],
)
def test_checkable_statements_are_propositions(text: str) -> None:
    assert proposition_problems(text) == ()


def test_sentence_boundaries_survive_abbreviations() -> None:
    text = (
        "The U.S. Embassy said on Dec. 5 that Gov. Ana Ruiz had met the Meridia Rail Co. board. "
        "Prof. Holt and Sen. Brill were not there. The meeting lasted two hours."
    )
    assert sentences(text) == [
        "The U.S. Embassy said on Dec. 5 that Gov. Ana Ruiz had met the Meridia Rail Co. board.",
        "Prof. Holt and Sen. Brill were not there.",
        "The meeting lasted two hours.",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "PHOTOS: The busiest rail stations in the country after the strike by 4,000 workers",
        "Image caption: Fire crews at the Port of Calvane on Monday (Photo: Calvane Fire Service)",
        "Is the Tova Lind tour really off after her manager spoke to the press on Friday?",
        "SEE ALSO: Five things to know about rail security in Calvane and Orlen this year",
        "Petrak, 58, is a former navy officer who has run the Port of Calvane since 2015.",
        "Watch the video of the fire crews at work at the Port of Calvane on Monday...",
    ],
)
def test_artefacts_and_background_open_no_claim(line: str) -> None:
    assert not check_worthy(line)


def test_headline_question_opens_no_claim_but_a_statement_headline_does() -> None:
    body = "Meridia Rail said on Wednesday that its systems were not breached by anyone."
    asked = Article("a" * 32, body, title="Did hackers really steal Meridia Rail's payroll files?")
    told = Article("b" * 32, body, title="Hackers stole Meridia Rail payroll files, newspaper says")
    assert not [c for c in article_candidates(asked, []) if c.kind is CandidateKind.HEADLINE]
    assert [c for c in article_candidates(told, []) if c.kind is CandidateKind.HEADLINE]


def test_an_attribution_clause_stands_as_its_whole_sentence() -> None:
    text = "The Calvane Herald reported on Tuesday that hackers stole the payroll records of 40,000 workers."
    start = text.index("hackers")
    clause = Span.of(text, start, len(text) - 1)
    candidate = Candidate(
        "c" * 32, CandidateKind.ATTRIBUTION, clause, "x", sentence=Span.of(text, 0, len(text))
    )
    assert candidate.statement.text == text
    assert candidate.proposition
    lone = Candidate("c" * 32, CandidateKind.ATTRIBUTION, clause, "x")
    assert lone.statement == clause and not lone.proposition


# ---------------------------------------------------------------- sources are speakers


@pytest.mark.parametrize(
    "phrase",
    ["which", "who", "It", "they", "I", "reports", "the article", "viewers", "one Twitter user", "others"],
)
def test_pronouns_and_common_nouns_are_not_speakers(phrase: str) -> None:
    assert speaker_name(phrase) is None


@pytest.mark.parametrize(
    "phrase", ["BREAKING", "Breaking News", "RECOMMENDED", "SEE ALSO", "URGENT", "(NYSE: MRR)", "NASDAQ: MRR"]
)
def test_section_labels_and_tickers_are_not_speakers(phrase: str) -> None:
    assert speaker_name(phrase) is None


@pytest.mark.parametrize("phrase", ["Kurdish", "Israeli", "Islamist"])
def test_a_lone_nationality_or_creed_adjective_is_not_a_speaker(phrase: str) -> None:
    assert speaker_name(phrase) is None


@pytest.mark.parametrize(
    ("phrase", "shown"),
    [
        ("Anja Holt", "Anja Holt"),
        ("the Calvane Herald", "Calvane Herald"),
        ("the Daily Glint news website", "Daily Glint"),
        ("Daily Glint's website", "Daily Glint"),
        ("Mr. Brill", "Brill"),
        ("officials", "officials"),
        ("a source close to the singer", "a source close to the singer"),
        ("police", "police"),
        ("The ministry statement, carried by Valdorian state media", "ministry statement"),
        ("CDC", "CDC"),
    ],
)
def test_speakers_keep_their_name_without_articles_descriptors_or_titles(phrase: str, shown: str) -> None:
    assert speaker_name(phrase) == shown


def test_name_variants_of_one_outlet_are_one_party() -> None:
    names = [speaker_name(n) for n in ("The Daily Glint", "the Daily Glint news website", "Daily Glint's")]
    identities = source_identities([n for n in names if n])
    assert set(identities.values()) == {"Daily Glint"}


def attribution(source_text: str, speaker: Speaker | None, relays: tuple[Relay, ...] = ()) -> Attribution:
    text = f"{source_text} said the port was closed on Monday after the leak."
    return Attribution(
        id="att",
        article_id="d" * 32,
        source=(Span.of(text, 0, len(source_text)),),
        speaker=speaker,
        cue=(Span.of(text, len(source_text) + 1, len(source_text) + 5),),
        content=(Span.of(text, len(source_text) + 6, len(text) - 1),),
        direct=False,
        polarity=Polarity.ASSERTS,
        method="fixture",
        relay_chain=relays,
    )


def test_an_unresolved_pronoun_source_names_no_one() -> None:
    assert source_name(attribution("which", None)) is None
    assert source_name(attribution("Harbour master Ivo Petrak", Speaker(person="Ivo Petrak"))) == "Ivo Petrak"


def test_a_label_speaker_falls_back_to_a_named_relay() -> None:
    found = attribution("BREAKING", Speaker(organisation="BREAKING"), (Relay("Calvane Herald"),))
    assert source_name(found) == "Calvane Herald"


# ---------------------------------------------------------------- rows without an outlet


def test_rows_without_an_outlet_show_id_prefix_and_title() -> None:
    assert article_label("0123456789abcdef", "Ammonia leak shuts Port of Calvane") == (
        "article 01234567 \u201cAmmonia leak shuts Port of Calvane\u201d"
    )
    assert article_label("fedcba9876543210", None) == "article fedcba98"
    long = article_label("0" * 32, "A" * 100)
    assert len(long) < 90 and long.endswith("\u2026\u201d")


def test_a_dateline_is_not_part_of_the_statement() -> None:
    text = (
        "ORSENNA, March 11 (Valnews) - Valdorian jets struck the depot on Monday. LONDON \u2014 Markets fell."
    )
    assert sentences(text) == ["Valdorian jets struck the depot on Monday.", "Markets fell."]
    assert sentences("NATO - Valdoria talks ended on Monday.") == ["NATO - Valdoria talks ended on Monday."]


@pytest.mark.parametrize(
    ("phrase", "shown"), [("U.S.", "U.S."), ("Ivo Petrak.", "Ivo Petrak"), ("British media reports", None)]
)
def test_abbreviations_keep_their_period_and_reports_are_no_speaker(phrase: str, shown: str | None) -> None:
    assert speaker_name(phrase) == shown


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("British government sources", False),
        ("Authorities", False),
        ("three outlets", False),
        ("Islamist militants", False),
        ("ministry statement, carried by Valdorian state media", False),
        ("Valdorian Defence Ministry", True),
        ("Calvane Herald", True),
        ("Lena Marsh", True),
    ],
)
def test_only_named_parties_get_primary_source_checks(name: str, named: bool) -> None:
    from counterclaim.sources import named_party

    assert named_party(name) is named
