"""Behaviour of the stance stage: sentence spans, the FNC-1 scorer, article and attribution stances.

Fixtures are written for the project in the founding example's patterns (relayed claim, named denials).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import require
from counterclaim.errors import ModelError
from counterclaim.model import Article, Attribution, Polarity, Relay, Span, Speaker, Stance
from counterclaim.stance import (
    BodyIndex,
    StanceModel,
    StanceResult,
    attribution_stance,
    attribution_stances,
    denial_evidence,
    negates,
    polarity_stance,
    relay_stances,
    score_fnc,
    sentence_spans,
)

CLAIM = "The United States gave Russia target coordinates for joint air strikes near the town of Kafr Musa."

REPORT = (
    "The Defense Department has rejected claims in Russian state media that it passed target coordinates to "
    "Moscow for air strikes near Kafr Musa.\n\n"
    "The state news agency Sputnik Today quoted the Russian Defense Ministry as saying that "
    "American officers "
    "sent the coordinates of militant positions over a hotline, and that two Russian jets and two coalition "
    "jets then struck the targets together.\n\n"
    "Pentagon spokeswoman Laura Meyer said in an e-mailed statement that the department does not coordinate "
    "air strikes with the Russian military.\n\n"
    '"No targets were handed to Russia, and there were no joint strikes," '
    "another spokesman, Tom Brandt, said.\n\n"
    "Asked about the Russian statement, White House press secretary Dana Wells "
    "referred questions to the Pentagon.\n\n"
    "The ministry did not publish the statement on its own website."
)

UNRELATED_ARTICLE = Article(
    id="u1",
    text=(
        "The city council approved a new budget for public libraries on Monday. "
        "Opening hours will be extended on weekends, and two branches will get new reading rooms. "
        "The librarians' union welcomed the decision but asked for more staff."
    ),
)


def span_of(text: str, fragment: str) -> Span:
    start = text.index(fragment)
    return Span.of(text, start, start + len(fragment))


def attribution(
    text: str, source: str, cue: str, content: str, polarity: Polarity, relays: tuple[str, ...] = ()
) -> Attribution:
    return Attribution(
        id=f"a-{source}",
        article_id="r1",
        source=(span_of(text, source),),
        speaker=Speaker(organisation=source),
        cue=(span_of(text, cue),),
        content=(span_of(text, content),),
        direct=False,
        polarity=polarity,
        method="hand-made",
        relay_chain=tuple(Relay(name) for name in relays),
    )


@pytest.fixture(scope="module")
def model() -> StanceModel:
    return StanceModel.load(threads=1)


def test_sentence_spans_point_into_the_text() -> None:
    spans = sentence_spans(REPORT)
    assert len(spans) >= 6
    for start, end in spans:
        sentence = REPORT[start:end]
        assert sentence == sentence.strip()
        assert sentence
    assert REPORT[spans[0][0] : spans[0][1]].endswith("Kafr Musa.")
    assert any(REPORT[s:e].startswith('"No targets') for s, e in spans)


@given(st.text(alphabet="ab .!?\n\"'XY", max_size=200))
def test_sentence_spans_are_ordered_and_inside_any_text(text: str) -> None:
    previous_end = 0
    for start, end in sentence_spans(text):
        assert previous_end <= start < end <= len(text)
        previous_end = end


def test_fnc_score_of_perfect_predictions_is_full_marks() -> None:
    gold = [Stance.ASSERTS, Stance.DENIES, Stance.REPORTS, Stance.UNRELATED]
    score = score_fnc(gold, gold)
    assert score.fnc_score == 100.0
    assert score.macro_f1 == 1.0
    assert score.confusion == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]


def test_fnc_score_weights_as_the_official_scorer() -> None:
    gold = [Stance.ASSERTS, Stance.DENIES, Stance.UNRELATED, Stance.UNRELATED]
    predicted = [Stance.REPORTS, Stance.DENIES, Stance.UNRELATED, Stance.ASSERTS]
    # 0.25 (related, wrong label) + 1.0 + 0.25 + 0 out of 1 + 1 + 0.25 + 0.25.
    assert score_fnc(gold, predicted).fnc_score == pytest.approx(100 * 1.5 / 2.5, abs=0.01)
    assert score_fnc(gold, predicted).confusion[0] == [0, 0, 1, 0]


def test_fnc_score_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="predictions"):
        score_fnc([Stance.ASSERTS], [])


def test_missing_artifacts_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make train-stance"):
        StanceModel.load(tmp_path)


def test_unrelated_article_is_unrelated(model: StanceModel) -> None:
    (result,) = model.article_stances([(CLAIM, UNRELATED_ARTICLE)])
    assert result.stance is Stance.UNRELATED
    assert 0.5 <= result.score <= 1.0


def test_related_article_gets_a_stance_with_evidence_in_the_text(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    (result,) = model.article_stances([(CLAIM, article)])
    assert result.stance is not Stance.UNRELATED
    assert result.evidence is not None
    assert REPORT[result.evidence.start : result.evidence.end] == result.evidence.text
    assert "coordinates" in result.evidence.text


def test_results_follow_input_order(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    results = model.article_stances(
        [(CLAIM, UNRELATED_ARTICLE), (CLAIM, article), (CLAIM, UNRELATED_ARTICLE)]
    )
    assert [r.stance is Stance.UNRELATED for r in results] == [True, False, True]


def test_relayed_ministry_statement_is_the_ministrys_assertion(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    relayed = attribution(
        REPORT,
        "Russian Defense Ministry",
        "quoted",
        "American officers sent the coordinates of militant positions over a hotline, "
        "and that two Russian jets "
        "and two coalition jets then struck the targets together",
        Polarity.ASSERTS,
        relays=("Sputnik Today", "Russian Defense Ministry"),
    )
    result = attribution_stance(model, CLAIM, relayed, article)
    assert result.stance is Stance.ASSERTS
    assert result.evidence == relayed.content[0]
    relays = relay_stances(relayed, result)
    assert [(relay.name, r.stance) for relay, r in relays] == [("Sputnik Today", Stance.REPORTS)]


def test_attributed_denial_is_a_denial_by_that_source(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    denial = attribution(
        REPORT,
        "Defense Department",
        "rejected",
        "it passed target coordinates to Moscow for air strikes near Kafr Musa",
        Polarity.DENIES,
    )
    assert attribution_stance(model, CLAIM, denial, article).stance is Stance.DENIES


def test_negated_statements_by_spokespeople_are_denials(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    for source, content in (
        ("Laura Meyer", "the department does not coordinate air strikes with the Russian military"),
        ("Tom Brandt", "No targets were handed to Russia, and there were no joint strikes"),
    ):
        said = attribution(REPORT, source, "said", content, Polarity.ASSERTS)
        result = attribution_stance(model, CLAIM, said, article)
        assert result.stance is Stance.DENIES, source
        assert result.evidence is not None and result.evidence.text == content


def test_declining_to_answer_is_a_neutral_report(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    declined = attribution(
        REPORT, "Dana Wells", "referred questions", "Asked about the Russian statement", Polarity.DECLINES
    )
    assert attribution_stance(model, CLAIM, declined, article).stance is Stance.REPORTS


def test_statement_about_something_else_is_unrelated(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    other = attribution(
        REPORT, "Defense Ministry", "publish", "the statement on its own website", Polarity.ASSERTS
    )
    text_claim = "Hospitals in the capital ran out of insulin after the floods."
    assert attribution_stance(model, text_claim, other, article).stance is Stance.UNRELATED


def test_attributions_scored_in_one_batch_match_each_alone(model: StanceModel) -> None:
    article = Article(id="r1", text=REPORT)
    items = [
        (
            CLAIM,
            attribution(REPORT, "Tom Brandt", "said", "No targets were handed to Russia", Polarity.ASSERTS),
        ),
        (
            CLAIM,
            attribution(
                REPORT,
                "Dana Wells",
                "referred questions",
                "Asked about the Russian statement",
                Polarity.DECLINES,
            ),
        ),
        (
            "Hospitals ran out of insulin after the floods.",
            attribution(
                REPORT, "Defense Ministry", "publish", "the statement on its own website", Polarity.ASSERTS
            ),
        ),
        (
            CLAIM,
            attribution(
                REPORT,
                "Defense Department",
                "rejected",
                "it passed target coordinates to Moscow",
                Polarity.DENIES,
            ),
        ),
    ]
    batched = attribution_stances(model, [(claim, each, article) for claim, each in items])
    alone = [attribution_stance(model, claim, each, article) for claim, each in items]
    assert [r.stance for r in batched] == [r.stance for r in alone]
    assert [r.stance for r in batched] == [Stance.DENIES, Stance.REPORTS, Stance.UNRELATED, Stance.DENIES]
    assert [r.evidence for r in batched] == [r.evidence for r in alone]
    # The same batch twice gives the same rows.
    assert attribution_stances(model, [(claim, each, article) for claim, each in items]) == batched


def test_unrelated_result_has_no_relays() -> None:
    result = StanceResult(Stance.UNRELATED, 0.9, None)
    empty = Attribution("x", "a", (), None, (), (), False, Polarity.ASSERTS, "m", relay_chain=(Relay("RIA"),))
    assert relay_stances(empty, result) == []


FOUNDING = Path(__file__).resolve().parents[2] / "shared" / "samples" / "000_470af121b093634c.txt"
FOUNDING_CLAIM = "The United States passed target coordinates to Russia for joint air strikes near Al-Bab."


def quoted_attribution(text: str, marker: str, speaker: str, relays: tuple[str, ...] = ()) -> Attribution:
    """The first quotation in the sentence that names `marker`, attributed to `speaker` as an assertion."""
    start, end = next((s, e) for s, e in sentence_spans(text) if marker in text[s:e])
    quote = re.search(r"\"([^\"]+?)[,.]?\"", text[start:end])
    assert quote is not None, marker
    content = Span.of(text, start + quote.start(1), start + quote.end(1))
    return Attribution(
        id=f"a-{marker}",
        article_id="founding",
        source=(span_of(text, marker),),
        speaker=Speaker(person=speaker),
        cue=(),
        content=(content,),
        direct=True,
        polarity=Polarity.ASSERTS,
        method="hand-made",
        relay_chain=tuple(Relay(name) for name in relays),
    )


def test_founding_example_ministry_asserts_and_spokesmen_deny(model: StanceModel) -> None:
    require(FOUNDING, "the founding example")
    text = FOUNDING.read_text(encoding="utf-8")
    article = Article(id="founding", text=text)
    ministry = quoted_attribution(
        text, "RIA Novosti", "Defense Ministry", ("RIA Novosti", "Defense Ministry")
    )
    pahon = quoted_attribution(text, "Pahon", "Eric Pahon")
    rankine = quoted_attribution(text, "Rankine-Galloway", "Adrian J.T. Rankine-Galloway")
    stances = [
        attribution_stance(model, FOUNDING_CLAIM, a, article).stance for a in (ministry, pahon, rankine)
    ]
    assert stances == [Stance.ASSERTS, Stance.DENIES, Stance.DENIES]
    relays = relay_stances(ministry, attribution_stance(model, FOUNDING_CLAIM, ministry, article))
    assert [(relay.name, result.stance) for relay, result in relays] == [("RIA Novosti", Stance.REPORTS)]


PRAISE = (
    "Daniel Adler pulled three children from the burning house on Elm Street on Sunday, firefighters said. "
    '"I have never been prouder of Daniel than when he pulled those three children out of the burning house '
    'on Elm Street," his mother, Ruth Adler, said. '
    '"It is not the first time Daniel has pulled children out of a burning house," she added.'
)


def test_negation_that_compares_or_counts_is_not_a_denial() -> None:
    assert not negates("I have never been prouder of him")
    assert not negates("It is not the first time Daniel has run into a fire")
    assert not negates("Not only the children but the dog were saved")
    assert negates("He did not pull anyone from the house")
    assert negates("No children were in the house")
    claim = "Daniel Adler pulled three children from the burning house."
    row = np.array([0.6, 0.1, 0.3], dtype=np.float32)
    assert (
        polarity_stance(row, claim, "I have never been prouder of him", Polarity.ASSERTS)[0] is Stance.ASSERTS
    )
    denial = "He did not pull anyone from the house"
    assert polarity_stance(row, claim, denial, Polarity.ASSERTS)[0] is Stance.DENIES
    # A negated sentence that is not about the claim does not deny it.
    assert polarity_stance(row, claim, denial, Polarity.ASSERTS, about_claim=False)[0] is Stance.ASSERTS


def test_a_speakers_own_negated_sentence_is_not_a_denial_of_her_statement(model: StanceModel) -> None:
    article = Article(id="r1", text=PRAISE)
    claim = "Daniel Adler pulled three children from the burning house on Elm Street."
    for cue, content in (
        (
            "said",
            "I have never been prouder of Daniel than when he pulled those three children out of the burning "
            "house on Elm Street",
        ),
        ("added", "It is not the first time Daniel has pulled children out of a burning house"),
    ):
        said = attribution(PRAISE, "Ruth Adler", cue, content, Polarity.ASSERTS)
        result = attribution_stance(model, claim, said, article)
        assert result.stance is Stance.ASSERTS, content
        assert result.evidence is not None and result.evidence.text == content


def test_a_denial_shows_the_closest_sentence_that_denies() -> None:
    body = (
        "The wine list at the Harbour Grill includes a Velka red. "
        "The ministry denied that the grill had been closed by inspectors. "
        "Inspectors visited on Monday."
    )
    spans = sentence_spans(body)
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]], dtype=np.float32)
    index = BodyIndex(body, spans, vectors)
    claim_vector = np.array([1.0, 0.0], dtype=np.float32)
    found = denial_evidence(("Inspectors closed the Harbour Grill.", claim_vector, index))
    assert found is not None and found.text.startswith("The ministry denied")
    assert found.text == body[found.start : found.end]
    plain = BodyIndex(
        "The grill opened in 1990. It seats forty.",
        sentence_spans("The grill opened in 1990. It seats forty."),
        vectors[:2],
    )
    assert denial_evidence(("Inspectors closed the grill.", claim_vector, plain)) is None
