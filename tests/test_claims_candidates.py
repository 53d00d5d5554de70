"""Candidate statements and their terms: check-worthiness rules, spans into the text, negation-blind terms."""

from __future__ import annotations

from counterclaim.claims.candidates import CandidateKind, article_candidates, check_worthy
from counterclaim.claims.terms import statement_terms, stem
from counterclaim.model import Article, Attribution, Polarity, Span, Speaker
from counterclaim.text import sentence_spans

TEXT = (
    "Ministry says coalition sent coordinates for joint raids near Velka\n"
    "The Norland Defence Ministry said on Monday that the coalition sent target coordinates for joint raids. "
    "Is this the start of a new partnership? "
    "I think the raids were a mistake by Norland. "
    "Sunny weather. "
    "Two Norland bombers struck militant depots near Velka on Sunday."
)


def article(text: str = TEXT, title: str | None = None) -> Article:
    return Article(id="a1", text=text, title=title)


def test_check_worthy_keeps_specific_factual_sentences_only() -> None:
    assert check_worthy("Two Norland bombers struck militant depots near Velka on Sunday.")
    assert not check_worthy("Is this the start of a new partnership with Norland?")
    assert not check_worthy("I think the raids were a mistake by Norland.")
    assert not check_worthy("Sunny weather in Velka.")
    assert not check_worthy("the raids and the depots and the bombers near the town went on and on")


def test_sentence_spans_point_into_the_text() -> None:
    spans = sentence_spans(TEXT)
    assert TEXT[spans[0][0] : spans[0][1]].startswith("Ministry says")
    assert all(TEXT[s:e] == TEXT[s:e].strip() for s, e in spans)
    assert len(spans) == 6


def test_candidates_have_exact_spans_and_skip_questions_and_opinions() -> None:
    found = article_candidates(
        article(title="Ministry says coalition sent coordinates for joint raids near Velka"), []
    )
    assert found[0].kind is CandidateKind.HEADLINE
    assert all(TEXT[c.span.start : c.span.end] == c.text for c in found)
    texts = [c.text for c in found]
    assert not any(t.startswith("Is this") or t.startswith("I think") for t in texts)
    assert any(t.startswith("Two Norland bombers") for t in texts)


def test_attribution_content_replaces_the_sentence_it_covers() -> None:
    start = TEXT.index("the coalition sent target")
    end = TEXT.index("joint raids.") + len("joint raids")
    attribution = Attribution(
        id="att1",
        article_id="a1",
        source=(Span.of(TEXT, TEXT.index("The Norland"), TEXT.index(" said on")),),
        speaker=Speaker(organisation="Norland Defence Ministry"),
        cue=(Span.of(TEXT, TEXT.index("said on"), TEXT.index("said on") + 4),),
        content=(Span.of(TEXT, start, end),),
        direct=False,
        polarity=Polarity.ASSERTS,
        method="test",
    )
    found = article_candidates(article(), [attribution])
    covering = [c for c in found if c.span.start <= start < c.span.end]
    assert len(covering) == 1
    assert covering[0].kind is CandidateKind.ATTRIBUTION
    assert covering[0].attribution_id == "att1"
    assert covering[0].text == TEXT[start:end]


def test_denied_candidates_are_not_clear() -> None:
    text = "Coalition spokeswoman Greta Holm denied that Norland received any coordinates from the coalition."
    (candidate,) = article_candidates(article(text), [])
    assert not candidate.clear


def test_terms_ignore_negation_so_a_denial_shares_the_assertion_terms() -> None:
    assertion = statement_terms("The coalition passed target coordinates to Norland for joint strikes.")
    denial = statement_terms(
        "The coalition did not pass any target coordinates to Norland and made no joint strike."
    )
    assert assertion.terms <= denial.terms
    assert {"coalition", "norland", stem("coordinates")} <= denial.terms
    assert "norland" in denial.entities


def test_acronyms_are_entities_and_not_stopwords() -> None:
    found = statement_terms("There was no U.S. provision of targets to the Russian military.")
    assert "us" in found.terms and "us" in found.entities
    assert "russian" in found.entities


def test_background_on_who_an_outlet_is_is_not_a_candidate() -> None:
    assert not check_worthy("Norpress is the state news agency of the Republic of Norland.")
    assert not check_worthy("The Velka Courier is a privately owned weekly newspaper in the north.")
    assert check_worthy("Norpress is the first agency to report that Norland bombers struck Velka.")
    assert check_worthy("Norland Air is the airline that flew 300 evacuees out of Velka on Sunday.")


def test_a_non_answer_is_not_a_candidate() -> None:
    assert not check_worthy("The Norland Defence Ministry did not immediately respond to a request for it.")
    assert not check_worthy("A Norland Defence Ministry spokesman declined to comment on the Velka raids.")
    text = "The Norland Defence Ministry has refused any requests for comment on the Velka raids since May."
    assert [c.text for c in article_candidates(article(text), [])] == [text]
    cue = "has refused"
    declining = Attribution(
        id="att2",
        article_id="a1",
        source=(Span.of(text, 0, text.index(cue) - 1),),
        speaker=Speaker(organisation="Norland Defence Ministry"),
        cue=(Span.of(text, text.index(cue), text.index(cue) + len(cue)),),
        content=(),
        direct=False,
        polarity=Polarity.DECLINES,
        method="test",
    )
    assert article_candidates(article(text), [declining]) == []


def test_denials_are_marked_so_linking_can_join_them_to_what_they_deny() -> None:
    text = (
        "Valdorian jets struck 14 positions near Velka on Monday, the defence ministry of Valdoria said.\n\n"
        "No targeting data was passed to Valdoria by the coalition before the 14 strikes near Velka."
    )
    article = Article(id="a1", text=text)
    found = {c.text.split()[0]: c for c in article_candidates(article, [])}
    assert set(found) == {"Valdorian", "No"}
    assert not found["Valdorian"].denial and found["Valdorian"].clear
    assert found["No"].denial and not found["No"].clear


def test_a_sentence_cut_from_inside_a_quote_is_no_proposition() -> None:
    from counterclaim.claims.candidates import proposition_problems

    cut = "Maybe the rail operator will be able to explain it,\u201d he said."
    assert "mid-quote" in proposition_problems(cut)
    assert "mid-quote" in proposition_problems('The plant flooded twice in a week," the source told Reuters.')
    assert not proposition_problems("The minister said \u201cwe will not accept it\u201d on Monday.")
    assert not proposition_problems('The mayor said "the bridge stays shut" until the inspection ends.')
