"""Boilerplate removal and title detection on pre-scraped text, and exact storage of plain text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from counterclaim.ingest.plaintext import (
    METHOD_CLEANED,
    METHOD_EXACT,
    Boilerplate,
    clean_prescraped,
    read_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

# The founding example's body paragraphs and boilerplate lines, by their first words only.
FOUNDING_BODY = (
    "WASHINGTON -- The Pentagon has denied",
    "Several Russian government media outlets",
    '"After conducting reconnaissance',
    "The ministry did not post",
    "The Pentagon, however, quickly denied",
    '"The Department of Defense is not',
    "Another Pentagon spokesman, Adrian",
    "Russia and the United States have been",
    "Both Russia and the U.S.-led coalition",
    "The conflicting accounts come",
    "Trump has said repeatedly",
    "During the election campaign",
    "After Trump was sworn in",
    "Asked by reporters about",
    "But, he said,",
    "The Kremlin has expressed optimism",
    "Russian Foreign Minister Sergei Lavrov",
    "The beginning of Trump's presidency",
    "Trump has conceded",
    "The Kremlin has dismissed",
    "With reporting by",
)
FOUNDING_BOILERPLATE = (
    "Accessibility links",
    "Breaking News",
    "• 16x9 Image",
    "Carl Schreck is an award-winning",
    "RFE/RL has been declared",
    "If you are in Russia",
    "To find out more, click here",
)

OWN_BODY = (
    "VELMORA -- The Harbour Authority",
    "The state-run Kessin Daily",
    "The command did not publish",
    '"There are no joint patrols',
    "Patrol boats of the northern fleet",
    "Asked about the report",
    "With reporting by",
)
OWN_BOILERPLATE = (
    "Accessibility links",
    "Breaking News",
    "• 16x9 Image",
    "Tomas Brandt is a correspondent",
    "The Kessin Post has been declared",
    "If you live in Norland",
    "To find out more, click here",
)


def _paragraph_starts(body: str) -> list[str]:
    return body.split("\n\n")


def _check_cleaning(text: str, body_starts: tuple[str, ...], boilerplate: tuple[str, ...]) -> str:
    cleaned = clean_prescraped(text)
    paragraphs = _paragraph_starts(cleaned.body)
    for start in body_starts:
        matching = [paragraph for paragraph in paragraphs if paragraph.startswith(start)]
        assert len(matching) == 1, f"body paragraph {start!r} kept {len(matching)} times"
    for start in boilerplate:
        assert not any(paragraph.startswith(start) for paragraph in paragraphs), f"{start!r} not removed"
    assert len(paragraphs) == len(body_starts)
    # Nothing is lost without a reason: every input line is body, title or a removed line.
    removed = {line for line, _ in cleaned.removed}
    for line in (line.strip() for line in text.splitlines()):
        assert not line or line in paragraphs or line in removed or line == cleaned.title
    assert cleaned.title is not None
    assert cleaned.title not in paragraphs
    return cleaned.title


def test_founding_example_body_kept_and_boilerplate_removed(founding_sample: Path) -> None:
    text = founding_sample.read_text(encoding="utf-8")
    title = _check_cleaning(text, FOUNDING_BODY, FOUNDING_BOILERPLATE)
    assert title.startswith("Pentagon Denies Russian Claims")
    assert title.endswith("In Syria")


def test_founding_example_caption_keeps_only_the_body_copy(founding_sample: Path) -> None:
    cleaned = clean_prescraped(founding_sample.read_text(encoding="utf-8"))
    captions = [line for line, kind in cleaned.removed if kind is Boilerplate.CAPTION]
    assert len(captions) == 2
    assert captions[0] == captions[1]
    assert cleaned.body.count(captions[0]) == 1
    assert cleaned.authors == ("Carl Schreck",)


def test_own_prescraped_fixture() -> None:
    text = (FIXTURES / "prescraped_report.txt").read_text(encoding="utf-8")
    title = _check_cleaning(text, OWN_BODY, OWN_BOILERPLATE)
    assert title == "Harbour Authority Denies Report Of Joint Patrols In The Strait"
    kinds = {kind for _, kind in clean_prescraped(text).removed}
    assert kinds == {
        Boilerplate.NAVIGATION,
        Boilerplate.CAPTION,
        Boilerplate.IMAGE_LABEL,
        Boilerplate.AUTHOR_BIO,
        Boilerplate.LEGAL,
    }


def test_prescraped_text_stores_the_cleaned_body() -> None:
    text = (FIXTURES / "prescraped_report.txt").read_text(encoding="utf-8")
    draft = read_text(text)
    assert draft.extraction == METHOD_CLEANED
    assert draft.text.startswith("VELMORA -- The Harbour Authority")
    assert draft.text.endswith("With reporting by Kessin Daily and NordTV")
    assert draft.authors == ("Tomas Brandt",)


def test_plain_text_is_stored_exactly_with_its_title_detected() -> None:
    text = (FIXTURES / "plain_article.txt").read_text(encoding="utf-8")
    draft = read_text(text)
    assert draft.extraction == METHOD_EXACT
    assert draft.text == text
    assert draft.title == "Ministry Says Talks Will Resume"


def test_a_caption_printed_twice_but_nowhere_else_keeps_one_copy() -> None:
    text = (
        "Navigation\n\nAccessibility links\n\nA quiet morning.\nA quiet morning.\n\nThe rest of the story.\n"
    )
    cleaned = clean_prescraped(text)
    assert cleaned.body.count("A quiet morning.") == 1


def test_byline_gives_authors_and_no_title_from_a_body_opening() -> None:
    text = (
        "Breaking News\n\nBy Jane Roe and John Doe\n\n"
        "The council voted on Monday to close the old bridge for repairs that will last at least a year.\n"
    )
    cleaned = clean_prescraped(text)
    assert cleaned.authors == ("Jane Roe", "John Doe")
    assert cleaned.title is None
    assert cleaned.body.startswith("The council voted")


# Distinct paragraphs: one printed twice in a row reads as an image caption and is cleaned.
_SENTENCE = st.from_regex(r"[A-Z][a-z]{2,9}( [a-z]{2,9}){12,20}\.", fullmatch=True)


@settings(max_examples=30, deadline=None)
@given(st.lists(_SENTENCE, min_size=1, max_size=6, unique=True), st.sampled_from(["\n\n", "\r\n\r\n", "\n"]))
def test_text_without_boilerplate_round_trips_exactly(paragraphs: list[str], separator: str) -> None:
    text = separator.join(paragraphs) + "\n"
    draft = read_text(text)
    assert draft.text == text
    assert draft.extraction == METHOD_EXACT
