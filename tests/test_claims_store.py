"""Claims on the store (SQLite and PostgreSQL): linking resumed across runs, accounts, search by meaning."""

from __future__ import annotations

from pathlib import Path

from conftest import story_articles
from counterclaim.claims import ClaimLinker
from counterclaim.claims.candidates import candidates_of
from counterclaim.dossier import claim_summaries
from counterclaim.embeddings import Embedder
from counterclaim.model import Account, Article, Claim, Span, Stance
from counterclaim.store import Store
from counterclaim.store.claims import (
    claims_with_outlets,
    load_accounts,
    load_claims,
    open_linker,
    save_accounts,
    save_claims,
    save_linking,
    search_claims,
)

STORY = Path(__file__).parent / "fixtures" / "claims" / "strike_story.json"


def story() -> dict[str, Article]:
    return story_articles(STORY)


def link_and_save(store: Store, linker: ClaimLinker, batch: list[Article]) -> None:
    linked = linker.link(batch, candidates_of(batch, []))
    with store.begin() as conn:
        save_linking(conn, linker, linked)


def statements_by_claim(store: Store) -> dict[str, set[str]]:
    import sqlalchemy as sa

    from counterclaim.store.schema.claims import claim_statements

    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(claim_statements.c.claim_id, claim_statements.c.article_id)).all()
    found: dict[str, set[str]] = {}
    for claim_id, article in rows:
        found.setdefault(claim_id, set()).add(article)
    return found


def claim_of(store: Store, article: Article, phrase: str) -> str:
    """The claim of the statement of `article` that contains `phrase`."""
    import sqlalchemy as sa

    from counterclaim.store.schema.claims import claim_statements

    offset = article.text.index(phrase)
    table = claim_statements
    query = sa.select(table.c.claim_id).where(
        table.c.article_id == article.id, table.c.start <= offset, table.c.end >= offset + len(phrase)
    )
    with store.engine.connect() as conn:
        (claim_id,) = {row[0] for row in conn.execute(query)}
    return str(claim_id)


def test_linking_resumes_from_the_store(store: Store, embedder: Embedder) -> None:
    articles = story()
    for item in articles.values():
        store.add_article(item)
    link_and_save(store, open_linker(store, embedder), [articles["wire-a"], articles["wire-b"]])
    main = claim_of(store, articles["wire-a"], "sent target coordinates to Norland's Rask air base")
    assert claim_of(store, articles["wire-b"], "passed target coordinates to the Norland military") == main
    # A fresh linker, rebuilt from the store only, continues where the first one stopped.
    link_and_save(store, open_linker(store, embedder), [articles["denial"], articles["unrelated"]])
    assert claim_of(store, articles["denial"], "did not share any target coordinates") == main
    assert claim_of(store, articles["denial"], "rejected claims by the Norland Defence Ministry") == main
    assert claim_of(store, articles["wire-a"], "sent target coordinates to Norland's Rask air base") == main
    after = statements_by_claim(store)
    assert articles["unrelated"].id not in after[main]
    (claim,) = load_claims(store, claim_ids=[main])
    assert claim.canonical_article_id == articles["wire-a"].id, "canonical: the earliest clear statement"
    assert (
        articles["wire-a"].text[claim.canonical_span.start : claim.canonical_span.end] == claim.canonical_text
    )


def test_rerun_skips_articles_already_linked(store: Store, embedder: Embedder) -> None:
    from counterclaim.store.claims import linked_article_ids

    articles = story()
    store.add_article(articles["wire-a"])
    link_and_save(store, open_linker(store, embedder), [articles["wire-a"]])
    assert linked_article_ids(store, [articles["wire-a"].id, "other"]) == {articles["wire-a"].id}


def records() -> tuple[dict[str, Article], Claim, list[Account]]:
    articles = story()
    a, b, d = articles["wire-a"], articles["wire-b"], articles["denial"]
    start = a.text.index("the Osterby coalition sent")
    span = Span.of(a.text, start, a.text.index(" for joint air raids", start))
    claim = Claim("c" * 32, span.text, a.id, span, a.published_at, "test")
    quote = d.text.index('"The coalition did not')
    accounts = [
        Account(claim.id, a.id, Stance.ASSERTS, 0.9, "test", None, span),
        Account(claim.id, b.id, Stance.REPORTS, 0.7, "test", None, None),
        Account(claim.id, d.id, Stance.DENIES, 0.8, "test", None, Span.of(d.text, quote, quote + 60)),
        Account(claim.id, articles["unrelated"].id, Stance.UNRELATED, 0.9, "test"),
    ]
    return articles, claim, accounts


def test_accounts_round_trip_with_evidence_cut_from_the_article(store: Store) -> None:
    articles, claim, accounts = records()
    for item in articles.values():
        store.add_article(item)
    with store.begin() as conn:
        save_claims(conn, [claim])
        save_accounts(conn, accounts)
    loaded = load_accounts(store, claim_id=claim.id)
    assert sorted(a.stance for a in loaded) == sorted(a.stance for a in accounts)
    denial = next(a for a in loaded if a.stance is Stance.DENIES)
    assert denial.evidence is not None and denial.evidence.text.startswith('"The coalition did not')
    assert [a.article_id for a in load_accounts(store, article_ids=[articles["denial"].id])] == [
        articles["denial"].id
    ]
    assert load_claims(store, claim_ids=[claim.id])[0].first_seen == claim.first_seen


def test_summary_counts_parties_and_flags_the_conflict(store: Store) -> None:
    articles, claim, accounts = records()
    for item in articles.values():
        store.add_article(item)
    with store.begin() as conn:
        save_claims(conn, [claim])
        save_accounts(conn, accounts)
    assert claims_with_outlets(store, 3) == [claim.id]
    assert claims_with_outlets(store, 4) == []
    (summary,) = claim_summaries(store, [claim])
    assert summary.outlets_asserting == ("norpress",)
    assert summary.outlets_denying == ("harbour-news",)
    assert summary.outlets_reporting == ("statewire",)
    assert summary.asserting == summary.denying == (), "no attribution: no source"
    assert summary.conflict and summary.articles == 3


def test_search_finds_claims_by_meaning(store: Store, embedder: Embedder) -> None:
    articles = story()
    for item in articles.values():
        store.add_article(item)
    link_and_save(store, open_linker(store, embedder), list(articles.values()))
    # No word in common with the ferry story, and few with the strike story's wording.
    found = search_claims(store, "bombing targets shared between two air forces", limit=3, encoder=embedder)
    assert found, "search returns claims"
    top = found[0][0]
    assert top.canonical_article_id in {articles[k].id for k in ("wire-a", "wire-b", "denial")}
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)


def test_accounts_are_owed_to_every_article_of_a_shared_claim(store: Store, embedder: Embedder) -> None:
    from counterclaim.stages.claims import missing_members

    articles = story()
    for item in articles.values():
        store.add_article(item)
    link_and_save(store, open_linker(store, embedder), [articles["wire-a"]])
    linker = open_linker(store, embedder)
    batch = [articles["wire-b"]]
    linked = linker.link(batch, candidates_of(batch, []))
    owed = missing_members(store, linker, linked)
    main = next(i.claim_id for i in linked if "passed target coordinates" in i.candidate.text)
    owed_articles = {m.article_id for m in owed if m.claim_id == main and m.attribution_id is None}
    # The earlier batch's article is owed an account now that its claim is shared.
    assert owed_articles == {articles["wire-a"].id, articles["wire-b"].id}
    singletons = {i.claim_id for i in linked if linker.index.claims[linker.slot_of[i.claim_id]].members == 1}
    assert not {m.claim_id for m in owed} & singletons, "one-statement claims get no account"
    with store.begin() as conn:
        save_linking(conn, linker, linked)
        save_accounts(conn, [Account(m.claim_id, m.article_id, Stance.ASSERTS, 1.0, "test") for m in owed])
    assert missing_members(store, linker, linked) == []
