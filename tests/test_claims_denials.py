"""Denials as first-class statements: debunk wording, denials worded unlike the claim, self-denials, declines.

Fixtures written for the project (tests/fixtures/claims/denial_story.json) in the patterns of real news; the
end-to-end test runs attribution and claims with the shipped models.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from conftest import story_articles
from counterclaim.claims.candidates import article_candidates
from counterclaim.claims.denials import (
    LeadDenial,
    attribution_denials,
    debunks,
    declines,
    denial_polarity,
    denied_proposition,
    denied_span,
    denier_of,
    denies,
    denies_itself,
    lead_denial_results,
    lead_denial_stance,
    lead_denials,
    lead_denies,
    own_voice,
    plainly_asserted,
    sentence_proposition,
    shares_subject,
    states,
)
from counterclaim.claims.linking import ClaimIndex
from counterclaim.claims.terms import statement_terms
from counterclaim.embeddings import Embedder, TextVectors
from counterclaim.model import Account, Article, Attribution, Polarity, Span, Speaker, Stance
from counterclaim.stance import StanceResult
from counterclaim.store import Store

STORY = Path(__file__).parent / "fixtures" / "claims" / "denial_story.json"


def attribution(
    text: str, cue: str, content: str | None, polarity: Polarity, speaker: str | None = None
) -> Attribution:
    cue_start = text.index(cue)
    spans = (Span.of(text, text.index(content), text.index(content) + len(content)),) if content else ()
    return Attribution(
        id="a1",
        article_id="art",
        source=(),
        speaker=Speaker(organisation=speaker) if speaker else None,
        cue=(Span.of(text, cue_start, cue_start + len(cue)),),
        content=spans,
        direct=False,
        polarity=polarity,
        method="test",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Corran Bay serpent story is a hoax.",
        "Readers shared the fake report thousands of times.",
        "A satirical site made it up last week.",
        "There is no evidence that any boat sank in the bay.",
        "The coastguard said the account was completely false.",
    ],
)
def test_debunk_wording_is_denial(sentence: str) -> None:
    assert debunks(sentence)
    assert denies(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Spicer deferred questions to the Pentagon.",
        "The ministry did not respond to a request for comment.",
        "A spokesman declined to comment on the report.",
        "The company could not be reached on Sunday.",
    ],
)
def test_declines_stay_declines(sentence: str) -> None:
    assert declines(sentence)
    assert not denies(sentence)


def test_reporting_is_not_denial() -> None:
    assert not denies("The ministry said the coalition passed coordinates for joint strikes.")
    assert not debunks("Harwick Motors is shutting its Dunmore factory, the union said.")


def test_self_denial_reads_as_what_it_denies() -> None:
    sentence = "The carmaker has denied reports that it will close the plant"
    assert sentence_proposition(sentence) == "The carmaker will close the plant"
    assert denied_proposition("reports that it will close the plant", "Harwick Motors") == (
        "Harwick Motors will close the plant"
    )
    assert shares_subject("Harwick Motors", "Harwick Motors is shutting its Dunmore factory")
    assert not shares_subject("Metalworkers Union", "Harwick Motors is shutting its Dunmore factory")


def test_denial_worded_unlike_the_claim_keeps_its_proposition() -> None:
    assert denied_proposition("there was no U.S. provision of targets") == "U.S. provision of targets"
    no_evidence = "There is no evidence that any boat sank in the bay"
    assert denied_proposition(no_evidence) == "any boat sank in the bay"


def test_debunk_content_makes_an_assertion_a_denial_and_declines_stay() -> None:
    text = "The coastguard said the serpent story was a hoax."
    said = attribution(text, "said", "the serpent story was a hoax", Polarity.ASSERTS, "coastguard")
    assert denial_polarity(said, "the serpent story was a hoax") is Polarity.DENIES
    plain = attribution(text, "said", "the serpent story was a hoax", Polarity.ASSERTS)
    assert denial_polarity(plain, "the serpent was long") is Polarity.ASSERTS
    deferred = attribution("Spicer deferred questions to the Pentagon.", "deferred", None, Polarity.DECLINES)
    assert denial_polarity(deferred, "questions to the Pentagon, calling it a hoax") is Polarity.DECLINES


def test_denial_without_content_stands_for_what_follows_its_cue() -> None:
    text = (
        "Harwick Motors has denied reports that it will close its Dunmore plant, saying production will "
        "continue. Shops are open."
    )
    denial = attribution(text, "denied", None, Polarity.DENIES, "Harwick Motors")
    span = denied_span(text, denial)
    assert span is not None and span.text == "reports that it will close its Dunmore plant"
    assert span.text == text[span.start : span.end]
    asserted = attribution(text, "denied", None, Polarity.ASSERTS, "Harwick Motors")
    assert denied_span(text, asserted) is None


def test_lead_denial_is_found_and_decides_only_when_close() -> None:
    text = (
        "Carmaker says Dunmore plant stays open\nHarwick Motors has denied reports that it will close its "
        "Dunmore plant. The plant opened in 1974 and employs 1,800 people."
    )
    article = Article(id="art", text=text, title="Carmaker says Dunmore plant stays open")
    (found,) = lead_denials(article)
    assert found.proposition == "Harwick Motors will close its Dunmore plant"
    assert found.span.text.startswith("Harwick Motors has denied")
    decided = lead_denial_stance([found], [0.7], related=False)
    assert decided is not None and decided[0] is Stance.DENIES and decided[2] == found.span
    assert lead_denial_stance([found], [0.4], related=True) is not None
    assert lead_denial_stance([found], [0.4], related=False) is None
    assert lead_denial_stance([found], [0.2], related=True) is None
    assert states(article, "Carmaker says Dunmore plant stays open")
    assert not states(article, "Harwick Motors is shutting its Dunmore factory")
    assert states(article, "Dunmore plant stays open")
    # Stated in the body, as what others said, the claim is what the lead denies.
    body = text + " The union said that Harwick Motors is shutting its factory."
    assert not states(
        Article(id="body", text=body, title=article.title), "Harwick Motors is shutting its factory"
    )
    assert lead_denial_stance([], [], related=True) is None


def test_lead_without_denial_has_none() -> None:
    text = "Union says plant closes\nHarwick Motors is shutting its Dunmore factory, the union said."
    assert lead_denials(Article(id="art", text=text, title="Union says plant closes")) == []
    lead = LeadDenial(Span(0, 4, "Text"), "a proposition here")
    assert lead_denial_stance([lead], [0.9], related=False) is not None


def test_debunk_sentence_is_a_denial_candidate_linked_by_what_it_denies() -> None:
    text = (
        "Bay news\nThe story of a giant sea serpent sinking a fishing boat in Corran Bay is a hoax made up "
        "by a satirical site."
    )
    candidates = article_candidates(Article(id="art", text=text, title="Bay news"), [])
    (debunk,) = [c for c in candidates if "serpent" in c.text]
    assert debunk.denial and not debunk.clear
    assert debunk.denied is not None and "hoax" not in debunk.denied
    assert "serpent" in debunk.denied


def test_a_denial_may_skip_its_own_articles_claims() -> None:
    index = ClaimIndex(2)
    terms = statement_terms("Dunmore plant stays open")
    own = index.add(np.array([1.0, 0.0], dtype=np.float32), terms, "own")
    elsewhere_terms = statement_terms("Harwick shutting Dunmore plant")
    elsewhere = index.add(np.array([0.0, 1.0], dtype=np.float32), elsewhere_terms, "elsewhere")
    vector = np.array([0.8, 0.6], dtype=np.float32)
    assert index.add(vector, terms, "d1", denial=True).slot == own.slot
    skipped = index.add(vector, terms, "d2", denial=True, skip=frozenset({own.slot}))
    assert skipped.slot == elsewhere.slot and not skipped.opened


# ---------------------------------------------------------------- end to end, with the shipped models


def story() -> dict[str, Article]:
    return story_articles(STORY)


def accounts_of(store: Store, article: Article, phrase: str) -> list[Account]:
    """The accounts of the claim holding the statement of `article` that contains `phrase`."""
    import sqlalchemy as sa

    from counterclaim.store.claims import load_accounts
    from counterclaim.store.schema.claims import claim_statements

    offset = article.text.index(phrase)
    query = sa.select(claim_statements.c.claim_id).where(
        claim_statements.c.article_id == article.id,
        claim_statements.c.start <= offset,
        claim_statements.c.end >= offset + len(phrase),
    )
    with store.engine.connect() as conn:
        (claim_id,) = {row[0] for row in conn.execute(query)}
    return load_accounts(store, claim_id=claim_id)


@pytest.mark.slow
def test_denials_end_to_end(sqlite_store: Store) -> None:
    from counterclaim.dossier import Role, build_dossier
    from counterclaim.pipeline import Pipeline
    from counterclaim.store.attributions import load_attributions
    from counterclaim.store.claims import load_claims

    articles = story()
    batch = sorted(articles.values(), key=lambda a: a.published_at or datetime.max)
    for article in batch:
        sqlite_store.add_article(article)
    with Pipeline(sqlite_store) as pipeline:
        pipeline.analyze([a.id for a in batch], stage="claims", progress=False)
    attributions = {a.id: a for a in load_attributions(sqlite_store, [a.id for a in batch])}

    def speaker(account: Account) -> str:
        found = attributions.get(account.attribution_id or "")
        return found.speaker.name if found and found.speaker else ""

    def article_stance(accounts: list[Account], key: str) -> Stance:
        (account,) = [a for a in accounts if a.article_id == articles[key].id and a.attribution_id is None]
        return account.stance

    # The claim's own subject denies it in the lead, worded unlike the claim ("close the plant").
    plant = accounts_of(sqlite_store, articles["plant-wire"], "Harwick Motors is shutting")
    assert article_stance(plant, "plant-wire") is Stance.ASSERTS
    assert any(speaker(a) == "Metalworkers Union" and a.stance is Stance.ASSERTS for a in plant)
    assert article_stance(plant, "plant-denial") is Stance.DENIES
    assert any(speaker(a) == "Harwick Motors" and a.stance is Stance.DENIES for a in plant)
    denier = articles["plant-denial"].id
    denial = next(a for a in plant if a.article_id == denier and a.attribution_id is None)
    assert denial.evidence is not None and "denied reports" in denial.evidence.text
    # The dossier shows the claim's own subject among those who deny it.
    (claim,) = load_claims(sqlite_store, claim_ids=[denial.claim_id])
    dossier = build_dossier(claim, plant, attributions.values(), batch, [], [])
    assert "Harwick Motors" in dossier.parties(Role.DENIES)
    # Debunk wording is denial, not reporting.
    serpent = accounts_of(sqlite_store, articles["serpent-wire"], "A giant sea serpent sank")
    assert article_stance(serpent, "serpent-debunk") is Stance.DENIES
    assert article_stance(serpent, "serpent-paper") is Stance.ASSERTS
    # "no U.S. provision of targets" denies "the US passed coordinates"; the press secretary only declines.
    coordinates = accounts_of(sqlite_store, articles["coord-wire"], "The US passed target coordinates")
    provision = [a for a in coordinates if a.evidence and "no U.S. provision" in a.evidence.text]
    spokesman = [a for a in provision if a.attribution_id is not None]
    assert spokesman and all(a.stance is Stance.DENIES for a in spokesman), [
        (a.attribution_id, a.stance, a.method, a.evidence) for a in provision
    ]
    # The claim is the ministry's word ("..., the ministry said"): an article whose lead reports others
    # rejecting it reports the dispute; the party that denies holds the denying account.
    assert article_stance(coordinates, "coord-denial") is Stance.REPORTS
    assert not any(speaker(a) == "White House" and a.stance is Stance.DENIES for a in coordinates)


# ---------------------------------------------------------------- word senses, claim shapes, lead rules


@pytest.mark.parametrize(
    "sentence",
    [
        "On Thursday the minister issued orders to dismiss A. K. Verma for unauthorised absence.",
        "A senior clerk of the works department was dismissed from service on Thursday.",
        "Verma defied orders to return to work after his requests for more leave were denied.",
        "The board rejected the takeover bid from Castell Group on Monday evening.",
        "The border guards denied him entry at the crossing near Velka.",
        "The two unions have been locked in a pay dispute since the spring.",
    ],
)
def test_word_senses_that_deny_no_statement_are_not_denials(sentence: str) -> None:
    assert not lead_denies(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The ministry dismissed the reports as baseless on Tuesday.",
        "The council rejected claims that it would fine the cafe.",
        "The reports were denied by the ministry on Tuesday.",
        "It did not, contrary to some reports on Monday, break off and land near the airport.",
        "No cases have been found in Corran, despite reports to the contrary, the agency said.",
        "This story was a hoax written by a site posing as the state broadcaster.",
    ],
)
def test_denials_of_statements_and_contrary_wording_are_denials(sentence: str) -> None:
    assert lead_denies(sentence)


def test_a_lead_contradicting_reports_denies_what_they_said() -> None:
    text = (
        "Corran asteroid passes by\nThe asteroid passed Earth on Sunday. It did not, contrary to some "
        "reports on Monday, break off a piece that landed near Corran airport."
    )
    (found,) = lead_denials(Article(id="art", text=text, title="Corran asteroid passes by"))
    assert "contrary" not in found.proposition and "break off a piece" in found.proposition


def test_claim_shapes_decide_which_lead_denials_count() -> None:
    assert plainly_asserted("Harwick Motors is shutting its Dunmore factory.")
    for hedged in (
        "Congressman: 'At least 10 militants were caught at the border'",
        "Harwick Motors to shut Dunmore factory, union says",
        "Militants in Velka have reportedly contracted the virus",
        "Did the weatherman really fall asleep on air?",
        "Velka fighters \u2018have contracted the virus\u2019",
    ):
        assert not plainly_asserted(hedged), hedged
    assert plainly_asserted("BREAKING: Harwick Motors is shutting its Dunmore factory.")
    for itself in (
        "No militants were caught at the Velka border",
        "Coastguard says serpent story is a hoax",
        "Astronomers raise doubts about the Corran meteorite",
    ):
        assert denies_itself(itself), itself
    assert not denies_itself("A meteorite left a crater near Corran airport.")


def test_own_voice_debunk_and_denier() -> None:
    assert own_voice("The story of a giant serpent in Corran Bay is a hoax: a satirical site made it up.")
    assert not own_voice("Coastguard chief Ana Reyes stated that claims of a serpent were false.")
    assert not own_voice("The photo was debunked as a fake by several sources.")
    assert denier_of("The carmaker has denied reports that it will close the plant.") == "The carmaker"


@pytest.fixture(scope="module")
def encoder() -> TextVectors:
    return TextVectors(Embedder.load())


def lead_result(encoder: TextVectors, claim: str, text: str, before: Stance) -> StanceResult:
    article = Article(id="lead", text=text)
    evidence = Span.of(text, 0, 10)
    (result,) = lead_denial_results(encoder, [(claim, article)], [StanceResult(before, 0.6, evidence)])
    return result


BORDER_LEAD = (
    "The Department of Homeland Security is denying a congressman's assertion that militants have been "
    "caught crossing the Velka border. Representative Dan Hollis said on Tuesday that at least ten fighters "
    "were caught. The department said there was no evidence of it."
)


def test_a_lead_reporting_a_third_partys_denial_reports_and_the_denier_denies(encoder: TextVectors) -> None:
    claim = "Congressman: 'At least ten militants caught crossing the Velka border'"
    assert lead_result(encoder, claim, BORDER_LEAD, Stance.REPORTS).stance is Stance.REPORTS
    # The stance model's denial of a claim someone said is the article reporting the dispute.
    moved = lead_result(encoder, claim, BORDER_LEAD, Stance.DENIES)
    assert moved.stance is Stance.REPORTS and moved.evidence is not None
    # The denying party keeps its own denying account, linked to the claim.
    denial = attribution(
        BORDER_LEAD,
        "is denying",
        "a congressman's assertion that militants have been caught crossing the Velka border",
        Polarity.DENIES,
        "Department of Homeland Security",
    )
    related = StanceResult(Stance.REPORTS, 0.5, denial.content[0])
    (denied,) = attribution_denials(
        encoder, [(claim, denial, Article(id="art", text=BORDER_LEAD))], [related]
    )
    assert denied.stance is Stance.DENIES and denied.evidence == denial.content[0]
    assert denied.evidence.text == BORDER_LEAD[denied.evidence.start : denied.evidence.end]
    assert 0.5 <= denied.score <= 1.0
    # The same lead denies a plainly asserted claim.
    plain = "Militants have been caught crossing the Velka border."
    decided = lead_result(encoder, plain, BORDER_LEAD, Stance.REPORTS)
    assert decided.stance is Stance.DENIES and decided.evidence is not None
    assert decided.evidence.text.startswith("The Department of Homeland Security is denying")


def test_a_debunk_lead_denies_even_a_relayed_claim(encoder: TextVectors) -> None:
    text = (
        "The story of a giant sea serpent sinking a fishing boat in Corran Bay is a hoax: a satirical site "
        "made it up. Two fishermen had told the Corran Herald they were rescued."
    )
    claim = "A giant sea serpent sank a fishing boat in Corran Bay, the Corran Herald reported."
    decided = lead_result(encoder, claim, text, Stance.REPORTS)
    assert decided.stance is Stance.DENIES and decided.evidence is not None
    assert decided.evidence.text.startswith("The story of a giant sea serpent")
    # Named by reference, the debunk denies whatever the related article is about.
    reference = (
        "This story was a hoax written by a site posing as the Norland state broadcaster. We fell for it."
    )
    claim = "Norland state media warns citizens against choosing the English name Dumbledore."
    assert lead_result(encoder, claim, reference, Stance.ASSERTS).stance is Stance.DENIES
    assert lead_result(encoder, claim, reference, Stance.UNRELATED).stance is Stance.UNRELATED


def test_the_claims_own_subject_denying_denies_it(encoder: TextVectors) -> None:
    text = (
        "The carmaker has denied reports that it will close the plant in Dunmore, saying production of its "
        "vans continues. The plant opened in 1974."
    )
    for claim in (
        "The carmaker is shutting the Dunmore factory, the union says.",
        "The carmaker is shutting the Dunmore factory.",
    ):
        decided = lead_result(encoder, claim, text, Stance.REPORTS)
        assert decided.stance is Stance.DENIES, claim
        assert decided.evidence is not None and decided.evidence.text.startswith("The carmaker has denied")


def test_a_lead_denial_agrees_with_a_claim_that_denies(encoder: TextVectors) -> None:
    text = (
        "The Department of Homeland Security flatly denied on Wednesday a claim that militants are slipping "
        "across the Velka border. No fighters have been caught, it said."
    )
    claim = "Homeland Security: no militants on the Velka border"
    assert lead_result(encoder, claim, text, Stance.ASSERTS).stance is Stance.ASSERTS
