"""Issue 12's floors, pinned on a fixed small sample so that a regression fails CI.

The sample (tests/fixtures/dossiers) is FNC-1-shaped and written for the project in the patterns of real
news: three stories of four or five articles without outlet or date, a company denial, a competing claim,
section labels, a ticker, a gallery heading, a caption, a byline, a teaser, a biography line and an
abbreviated date. The end-to-end benchmark runs over it exactly as `make bench-dossiers` runs over FNC-1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, script_module
from counterclaim.dossier import from_story, load_dossier
from counterclaim.model import Stance
from counterclaim.store import Store
from counterclaim.store.search import find_claim

FIXTURE = REPO / "tests" / "fixtures" / "dossiers"
# Stance agreement on this sample's 13 related pairs is 0.54 (7 of 13); the 0.75 holds on the
# development split (0.802, `make bench-dossiers-dev`), not on so few pairs: the floor here catches a fall
# below today's level.
STANCE_FLOOR = 0.5


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    bench = script_module("dossier_e2e", REPO / "bench" / "dossier_e2e.py")
    db = tmp_path_factory.mktemp("dossiers") / "e2e.db"
    args = bench.parse_args(
        [
            "--bodies",
            str(FIXTURE / "bodies.csv"),
            "--stances",
            str(FIXTURE / "stances.csv"),
            "--split",
            "all",
            "--db",
            f"sqlite:///{db}",
        ]
    )
    payload: dict[str, Any] = bench.evaluate(args)
    return payload, f"sqlite:///{db}"


def test_every_headline_is_searched(bench_run: tuple[dict[str, Any], str]) -> None:
    payload, _ = bench_run
    assert payload["headlines"] == 3 and payload["dossier"]["no_match"] == 0


def test_recall_and_top_claim_precision_hold(bench_run: tuple[dict[str, Any], str]) -> None:
    dossier = bench_run[0]["dossier"]
    assert dossier["recall"] >= 0.90
    assert dossier["top_claim_precision"] >= 0.85
    assert dossier["story_share"] >= 0.90


def test_stance_agreement_does_not_fall(bench_run: tuple[dict[str, Any], str]) -> None:
    assert bench_run[0]["dossier"]["stance_agreement"] >= STANCE_FLOOR


def test_claims_are_propositions_and_sources_speakers(bench_run: tuple[dict[str, Any], str]) -> None:
    quality = bench_run[0]["quality"]
    assert quality["fragment_share"] <= 0.10, quality["fragment_reasons"]
    assert quality["non_speaker_share"] <= 0.02, quality["non_speaker_examples"]


def test_searched_claims_are_stated_not_headed(bench_run: tuple[dict[str, Any], str]) -> None:
    for search in bench_run[0]["searches"]:
        text = search["claim"]
        assert text and text[0].isupper() and text.rstrip().endswith("."), text
        assert not text.startswith(("BREAKING", "PHOTOS", "SEE ALSO", "By ")), text


def test_an_unrelated_query_matches_nothing(bench_run: tuple[dict[str, Any], str]) -> None:
    store = Store(bench_run[1])
    found = find_claim(store, "an unrelated query about volcanoes")
    store.close()
    assert not found.matched and found.to_json()["match"] is False


def test_fixture_has_the_real_patterns() -> None:
    text = Path(FIXTURE / "bodies.csv").read_text(encoding="utf-8")
    for pattern in ("BREAKING:", "SEE ALSO:", "PHOTOS:", "(NYSE:", "By ", "Dec. 5", "(Photo:", "..."):
        assert pattern in text, pattern


def test_a_search_dossier_judges_each_article_toward_the_search_text(
    bench_run: tuple[dict[str, Any], str],
) -> None:
    """`report --search TEXT` answers "who says TEXT?": the claim's own articles, attributions and parties,
    each article's own row the stance model's stance toward the text, not the claim."""
    from counterclaim.claims import Member, claim_accounts
    from counterclaim.stance import StanceModel

    query = "Chemical leak closes the Port of Calvane"
    store = Store(bench_run[1])
    found = find_claim(store, query)
    assert found.best is not None
    plain = load_dossier(store, found.best.claim.id)
    asked = load_dossier(store, found.best.claim.id, query=query)
    own = {e.article_id: e for e in asked.accounts if e.account.attribution_id is None}
    articles = {article.id: article for article in store.articles(ids=sorted(own))}
    store.close()
    assert asked.query == query and plain.query is None
    # Who plays which role is judged toward the claim, as `claims` shows it: the search changes rows only.
    assert asked.roles() == plain.roles()
    # Every article of the claim's dossier stays; a story article may join when related to the text.
    listed = {e.article_id for e in plain.accounts}
    assert listed <= {e.article_id for e in asked.accounts}
    assert all(from_story(e.account) for e in asked.accounts if e.article_id not in listed)
    attributed = [(e.account.attribution_id, e.stance) for e in plain.accounts if e.account.attribution_id]
    assert [(e.account.attribution_id, e.stance) for e in asked.accounts if e.account.attribution_id] == (
        attributed
    )
    model = StanceModel.load()
    toward = claim_accounts(model, [Member("q", a) for a in sorted(own)], {"q": query}, articles, {})
    for account in toward:
        if account.stance is not Stance.UNRELATED:
            assert own[account.article_id].stance is account.stance
            assert own[account.article_id].account.method.endswith("+query")
    # Here the claim found is the port's closure worded with its date and cause: at least one article reads
    # differently toward the shorter question the user asked.
    before = {e.article_id: e.stance for e in plain.accounts if e.account.attribution_id is None}
    assert any(before[key] is not entry.stance for key, entry in own.items())
