"""An article longer than spaCy's max_length is parsed in pieces; every span still points at its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterclaim.attribution import AttributionExtractor
from counterclaim.attribution.pieces import split_for_parsing
from counterclaim.ingest import IngestOptions, ingest_paths, ledger
from counterclaim.model import Article, Attribution, Span
from counterclaim.store import Store, article_id

PARAGRAPH = (
    "The ministry said on Monday that the convoy had reached the border. "
    'Pentagon spokesman Eric Pahon denied the report, telling reporters: "No data was passed."\n\n'
)


def test_pieces_join_back_exactly_and_end_at_boundaries() -> None:
    text = PARAGRAPH * 40 + "Oneverylongwordwithoutanyspace" * 50
    pieces = split_for_parsing(text, 1000)
    assert "".join(pieces) == text
    assert all(len(piece) <= 1000 for piece in pieces)
    assert all(piece.endswith("\n\n") for piece in pieces[:5])  # paragraph breaks first
    assert len(pieces[-1]) < 1000 and len(pieces[-2]) == 1000  # a word longer than a piece is cut
    sentences = split_for_parsing("The ministry said so. " * 200, 500)
    assert all(piece.endswith(". ") for piece in sentences[:-1])
    assert split_for_parsing("short", 1000) == ["short"]


def _spans(attribution: Attribution) -> list[Span]:
    """Every span an attribution carries, wherever it sits in the record."""
    found = [*attribution.source, *attribution.cue, *attribution.content, *attribution.hedges]
    found += [relay.span for relay in attribution.relay_chain if relay.span is not None]
    singles = (
        attribution.channel_span,
        attribution.addressee_span,
        attribution.place_span,
        attribution.time_span,
    )
    found += [span for span in singles if span is not None]
    if attribution.speaker is not None and attribution.speaker.resolved_from is not None:
        found.append(attribution.speaker.resolved_from)
    return found


@pytest.fixture(scope="module")
def extractor() -> AttributionExtractor:
    return AttributionExtractor.load(contextual_cues=False)


def test_article_over_max_length_is_analysed_with_exact_spans(extractor: AttributionExtractor) -> None:
    text = PARAGRAPH * 30
    assert len(text) > 2 * 2000
    long = Article(id=article_id(text), text=text, title="long")
    short = Article(id=article_id(PARAGRAPH), text=PARAGRAPH, title="short")
    extractor.nlp.max_length = 2000  # stands for 1,000,000: the same path at a test's size
    try:
        with pytest.raises(ValueError, match="E088"):
            extractor.nlp(text)  # the reproduction: spaCy refuses the whole text
        found = extractor.extract([short, long])
    finally:
        extractor.nlp.max_length = 1_000_000
    per_article = {a: [x for x in found if x.article_id == a] for a in (short.id, long.id)}
    assert len(per_article[short.id]) >= 2
    assert len(per_article[long.id]) == 30 * len(per_article[short.id])
    by_id = {short.id: short.text, long.id: long.text}
    for attribution in found:
        for span in _spans(attribution):
            assert by_id[attribution.article_id][span.start : span.end] == span.text
    assert len({a.id for a in found}) == len(found)  # ids recomputed from the shifted offsets
    # The last paragraph's attributions sit where the last paragraph is.
    last = max(per_article[long.id], key=lambda a: a.cue[0].start)
    assert last.cue[0].start > len(text) - len(PARAGRAPH)


def test_article_over_the_limit_is_refused_and_the_run_goes_on(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("The ministry said on Monday that the convoy arrived. " * 200)
    (tmp_path / "other.txt").write_text(PARAGRAPH)
    options = IngestOptions(analyze=False, max_article_chars=5_000)
    report = ingest_paths(sqlite_store, [str(tmp_path / "long.txt"), str(tmp_path / "other.txt")], options)
    assert [(Path(p.path).name, p.reason) for p in report.problems] == [
        ("long.txt", "article of 10,600 characters is over the 5,000-character limit for analysis: split it")
    ]
    assert len(report.added) == 1
    assert not ledger.source_done(sqlite_store, ledger.file_digest(tmp_path / "long.txt"))
