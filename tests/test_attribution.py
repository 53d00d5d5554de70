"""Behaviour of the attribution stage on articles written for the tests in the founding example's patterns.

Who said what, relays, denials, deferrals, channels, places, dates, split quotes and short references.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from counterclaim.attribution import AttributionExtractor
from counterclaim.attribution.details import normalise_date
from counterclaim.model import Article, Attribution, Polarity
from counterclaim.store import article_id

FIXTURES = Path(__file__).parent / "fixtures" / "attribution"


@pytest.fixture(scope="module")
def extractor() -> AttributionExtractor:
    return AttributionExtractor()


def _article(name: str) -> Article:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return Article(id=article_id(text), text=text, published_at=datetime(2019, 3, 5, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def navy(extractor: AttributionExtractor) -> list[Attribution]:
    return extractor.extract([_article("navy_patrols.txt")])


@pytest.fixture(scope="module")
def patterns(extractor: AttributionExtractor) -> list[Attribution]:
    return extractor.extract([_article("patterns.txt")])


def _by_content(found: list[Attribution], start: str) -> Attribution:
    matches = [a for a in found if a.content and a.content[0].text.lstrip('"“').startswith(start)]
    assert matches, f"no attribution with content starting {start!r}: {[a.content for a in found]}"
    return matches[0]


def _by_person(found: list[Attribution], person: str) -> list[Attribution]:
    return [a for a in found if a.speaker is not None and a.speaker.person == person]


def test_every_span_points_at_its_text(navy: list[Attribution]) -> None:
    text = _article("navy_patrols.txt").text
    assert len(navy) >= 10
    for attribution in navy:
        spans = [*attribution.source, *attribution.cue, *attribution.content, *attribution.hedges]
        spans += [
            s for s in (attribution.channel_span, attribution.addressee_span, attribution.time_span) if s
        ]
        for span in spans:
            assert text[span.start : span.end] == span.text
        assert attribution.method.startswith("counterclaim.attribution/")


def test_relayed_quote_names_the_agency_then_the_ministry(navy: list[Attribution]) -> None:
    relayed = _by_content(navy, "After two days of surveillance")
    assert [r.name for r in relayed.relay_chain] == ["PAP", "Interior Ministry"]
    assert relayed.speaker is not None and relayed.speaker.organisation == "Interior Ministry"
    assert relayed.direct
    assert {c.text for c in relayed.cue} >= {"quoted"}


def test_statement_quoted_by_several_outlets(navy: list[Attribution]) -> None:
    statement = _by_content(navy, "that Berlin used")
    assert "hotline" in statement.content[0].text
    assert statement.relay_chain[-1].name == "Interior Ministry"
    assert "outlets" in statement.relay_chain[0].name
    assert statement.time_date == date(2019, 3, 4)


def test_outlets_reporting_on_the_statement_relay_the_ministry(navy: list[Attribution]) -> None:
    reported = next(a for a in navy if any(c.text == "reported" for c in a.cue))
    assert [r.name for r in reported.relay_chain] == ["TVP and Polsat", "Interior Ministry"]


def test_spokesman_denial_with_channel_and_addressee(navy: list[Attribution]) -> None:
    (denial,) = _by_person(navy, "Thomas Brenner")
    assert denial.speaker is not None
    assert (denial.speaker.role, denial.speaker.organisation) == ("spokesman", "Navy")
    assert denial.polarity is Polarity.DENIES
    assert denial.channel == "e-mailed statement"
    assert denial.addressee == "Reuters"
    assert denial.content[0].text.startswith('"The German Navy is not sharing')


def test_second_spokesman_denies(navy: list[Attribution]) -> None:
    (denial,) = _by_person(navy, "Markus K.L. Oberhauser-Lind")
    assert denial.speaker is not None and denial.speaker.role == "spokesman"
    assert denial.polarity is Polarity.DENIES
    assert denial.addressee == "Reuters"


def test_deferral_is_declining_and_he_resolves_to_the_spokesman(navy: list[Attribution]) -> None:
    by_seibert = _by_person(navy, "Steffen Seibert")
    declined = [a for a in by_seibert if a.polarity is Polarity.DECLINES]
    assert declined and declined[0].cue[0].text == "deferred"
    pronoun = [a for a in by_seibert if a.source and a.source[0].text == "he"]
    assert pronoun, "the 'he said' after the deferral should resolve to Steffen Seibert"
    assert pronoun[0].speaker is not None and pronoun[0].speaker.resolved_from is not None
    assert "Steffen Seibert" in pronoun[0].speaker.resolved_from.text
    assert "will work with any country" in pronoun[0].content[0].text


def test_possessive_spokesman_with_date(navy: list[Attribution]) -> None:
    said = _by_content(navy, "that Warsaw was working")
    assert said.speaker is not None and said.speaker.role == "spokesman"
    assert said.speaker.organisation == "Mateusz Morawiecki"
    assert said.time_span is not None and said.time_span.text == "on March 4"
    assert said.time_date == date(2019, 3, 4)


def test_minister_with_place_and_date(navy: list[Attribution]) -> None:
    (said,) = _by_person(navy, "Jacek Czaputowicz")
    assert said.place == "Vienna"
    assert said.time_date == date(2019, 3, 4)
    assert said.speaker is not None and said.speaker.role == "Foreign Minister"


def test_organisation_dismissing_is_a_denial(navy: list[Attribution]) -> None:
    dismissed = next(a for a in navy if any(c.text == "dismissed" for c in a.cue))
    assert dismissed.speaker is not None and dismissed.speaker.organisation == "Kremlin"
    assert dismissed.polarity is Polarity.DENIES
    assert dismissed.content[0].text == "the allegations"


def test_quote_split_by_its_cue_is_one_content_of_two_spans(patterns: list[Attribution]) -> None:
    split = next(a for a in patterns if a.cue and a.cue[0].text == "said" and len(a.content) == 2)
    assert split.content[0].text.startswith('"We will not leave')
    assert split.content[1].text.startswith('"until the bridge')
    assert split.source[0].text == "the mayor"


def test_sourceless_report_is_kept_with_an_empty_source(patterns: list[Attribution]) -> None:
    reported = _by_content(patterns, "that the old bridge")
    assert reported.source == ()
    assert reported.speaker is None


def test_hedge_and_according_to(patterns: list[Attribution]) -> None:
    hedged = _by_content(patterns, "that the repairs")
    assert [h.text for h in hedged.hedges] == ["reportedly"]
    according = next(a for a in patterns if a.cue and a.cue[0].text.startswith("According"))
    assert according.source[0].text == "the city engineer"
    assert according.content[0].text.startswith("the bridge can be reopened")


def test_no_response_is_declining(patterns: list[Attribution]) -> None:
    silent = next(a for a in patterns if a.cue and a.cue[0].text == "respond")
    assert silent.polarity is Polarity.DECLINES


def test_ids_are_stable_across_runs(extractor: AttributionExtractor, navy: list[Attribution]) -> None:
    again = extractor.extract([_article("navy_patrols.txt")])
    assert [a.id for a in again] == [a.id for a in navy]
    assert len({a.id for a in navy}) == len(navy)


@pytest.mark.parametrize(
    ("expression", "published", "expected"),
    [
        ("on January 23", date(2017, 1, 24), date(2017, 1, 23)),
        ("on December 30", date(2017, 1, 3), date(2016, 12, 30)),
        ("on 4 March 2015", date(2019, 3, 5), date(2015, 3, 4)),
        ("on Monday", date(2019, 3, 6), date(2019, 3, 4)),
        ("yesterday", date(2019, 3, 6), date(2019, 3, 5)),
        ("on January 23", None, None),
        ("last year", date(2019, 3, 6), None),
    ],
)
def test_time_expressions_are_normalised_with_the_article_date(
    expression: str, published: date | None, expected: date | None
) -> None:
    assert normalise_date(expression, published) == expected


def test_quote_closed_by_a_dash_and_a_name_is_attributed_to_that_name(
    extractor: AttributionExtractor,
) -> None:
    text = (
        "Readers wrote in after the hearing.\n\n"
        "“The council never asked us before closing the clinic.” ― Maria Okafor\n"
        "“We will keep writing until it reopens.”― Tomas Lindqvist.\n"
    )
    found = extractor.extract([Article(id=article_id(text), text=text)])
    bylines = {a.source[0].text: a for a in found if a.cue and a.cue[0].text.endswith("―")}
    assert set(bylines) == {"Maria Okafor", "Tomas Lindqvist"}
    assert bylines["Maria Okafor"].content[0].text.startswith("“The council never asked")
    assert bylines["Tomas Lindqvist"].content[0].text.startswith("“We will keep writing")
    assert all(a.speaker is not None and a.speaker.person for a in bylines.values())


def test_editorial_labels_before_a_colon_are_not_speakers(extractor: AttributionExtractor) -> None:
    text = (
        "Harbour Plan Stalls.\n\n"
        "MAYOR DALE: We will not sell the harbour.\n\n"
        "Correction: An earlier version of this article misstated the date of the vote.\n\n"
        "WARNING: Video contains graphic images.\n"
    )
    found = extractor.extract([Article(id=article_id(text), text=text)])
    colon_sources = [a.source[0].text for a in found if a.cue and a.cue[0].text == ":" and a.source]
    assert colon_sources == ["MAYOR DALE"]


def _extract(extractor: AttributionExtractor, text: str) -> list[Attribution]:
    article = Article(id=article_id(text), text=text, published_at=datetime(2025, 6, 7, 9, 0, tzinfo=UTC))
    return extractor.extract([article])


def _said(found: list[Attribution]) -> Attribution:
    return next(a for a in found if [c.text for c in a.cue] == ["said"])


@pytest.mark.parametrize(
    "text",
    [
        "TALVERA/KESTOVA, June 4 (NPS) - Ostravia's Defence Ministry said on Tuesday that the ferry sank.",
        "KESTOVA -- The harbour authority said on Friday that the ferry had sunk.",
        "LUNDARA, Ostravia (Eastpost) - The harbour authority said on Friday that the ferry had sunk.",
    ],
)
def test_dateline_is_part_of_no_span(extractor: AttributionExtractor, text: str) -> None:
    said = _said(_extract(extractor, text))
    source = text[: text.index(" said")].split("- ")[-1].strip()
    assert [s.text for s in said.source] == [source]
    assert said.content[0].text.startswith("that the ferry")


def test_dateline_before_content_is_left_out(extractor: AttributionExtractor) -> None:
    text = "PELLAN, June 2 (Eastpost) - The ferry sank near the pier, the harbour authority said on Friday."
    said = _said(_extract(extractor, text))
    assert said.content[0].text.startswith("The ferry sank")


def test_possessive_country_of_an_organisation_is_not_the_speaker(extractor: AttributionExtractor) -> None:
    text = "Ostravia's Interior Ministry said on Friday that its police had arrested four smugglers."
    said = _said(_extract(extractor, text))
    assert said.speaker is not None
    assert said.speaker.organisation == "Ostravia's Interior Ministry"
    assert said.speaker.person is None


def test_possessive_person_stays_the_affiliation_of_a_role(extractor: AttributionExtractor) -> None:
    said = _said(_extract(extractor, "Morawski's spokesman said the budget was balanced."))
    assert said.speaker is not None and said.speaker.role == "spokesman"
    assert said.speaker.organisation == "Morawski"


@pytest.mark.parametrize(
    "comment",
    [
        "an account Velland's Foreign Office flatly rejected",
        "a claim the opposition promptly denied",
        "which the operators denied",
    ],
)
def test_trailing_comment_on_the_content_is_cut(extractor: AttributionExtractor, comment: str) -> None:
    text = f"The harbour authority said on Friday that the ferry had sunk near the pier, {comment}."
    said = _said(_extract(extractor, text))
    assert said.content[-1].text.endswith("that the ferry had sunk near the pier")
    assert comment.split()[-1] not in " ".join(s.text for s in said.content)


def test_content_ending_in_an_ordinary_clause_is_kept(extractor: AttributionExtractor) -> None:
    text = "The harbour authority said on Friday that the ferry had sunk, which delayed every crossing."
    said = _said(_extract(extractor, text))
    assert said.content[-1].text.endswith("which delayed every crossing")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("A navy spokesman, Jan Olsen, said no patrol data had been passed to Warsaw.", Polarity.DENIES),
        ("A navy spokesman, Jan Olsen, said no joint patrols were carried out.", Polarity.DENIES),
        ("A navy spokesman, Jan Olsen, said patrol data had been passed to Warsaw.", Polarity.ASSERTS),
    ],
)
def test_saying_that_nothing_was_done_is_a_denial(
    extractor: AttributionExtractor, sentence: str, expected: Polarity
) -> None:
    article = Article(id=article_id(sentence), text=sentence)
    (said,) = [a for a in extractor.extract([article]) if a.cue and a.cue[0].text == "said"]
    assert said.polarity is expected


def test_a_negation_that_compares_or_counts_is_no_denial(extractor: AttributionExtractor) -> None:
    text = (
        'In a statement on Tuesday, her father wrote: "We have never been prouder of our daughter Lena."\n\n'
        "The harbour authority said it was not the first time the gates had failed.\n\n"
        "The ferry company said it was not cutting the winter service."
    )
    found = extractor.extract([Article(id=article_id(text), text=text)])
    by_content = {a.content[0].text[:24]: a.polarity for a in found if a.content}
    assert by_content["We have never been proude"[:24]] is Polarity.ASSERTS
    assert by_content["it was not the first tim"] is Polarity.ASSERTS
    assert by_content["it was not cutting the w"] is Polarity.DENIES
