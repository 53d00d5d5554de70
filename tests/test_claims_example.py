"""The whole claims stage on real inputs: the example corpus (`make demo`) and the founding example.

Needs the shipped models (attribution cues, embeddings, stance); skipped, naming the make target, without.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLE_OUTLETS
from counterclaim.dossier import claim_summaries
from counterclaim.errors import ModelError
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.model import Account, Article, Stance
from counterclaim.pipeline import Pipeline
from counterclaim.store import Store
from counterclaim.store.claims import (
    claims_with_outlets,
    load_accounts,
    load_claims,
)

# Runs the whole analysis over the example corpus and the founding example.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def analysed(store: Store, paths: list[str]) -> list[Article]:
    """Ingest, then attributions and claims, in publication order like the pipeline."""
    ingest_paths(store, paths, IngestOptions(recursive=True, outlets_file=EXAMPLE_OUTLETS), progress=False)
    found = store.articles()
    try:
        with Pipeline(store) as pipeline:
            pipeline.analyze([a.id for a in found], stage="claims", progress=False)
    except ModelError as error:
        pytest.fail(f"the committed models must load: {error}")
    return found


def speaker_stances(store: Store, accounts: list[Account]) -> dict[str, set[Stance]]:
    from counterclaim.store.attributions import load_attributions

    attributions = {a.id: a for a in load_attributions(store, sorted({a.article_id for a in accounts}))}
    found: dict[str, set[Stance]] = {}
    for account in accounts:
        attribution = attributions.get(account.attribution_id or "")
        if attribution is not None and attribution.speaker is not None:
            found.setdefault(attribution.speaker.name, set()).add(account.stance)
    return found


def claims_stating(store: Store, phrase: str) -> set[str]:
    """Claims holding a statement whose text contains `phrase`."""
    import sqlalchemy as sa

    from counterclaim.store.schema.articles import articles
    from counterclaim.store.schema.claims import claim_statements

    query = sa.select(
        claim_statements.c.claim_id, claim_statements.c.start, claim_statements.c.end, articles.c.text
    )
    query = query.join(articles, articles.c.id == claim_statements.c.article_id)
    with store.engine.connect() as conn:
        return {claim for claim, start, end, text in conn.execute(query) if phrase in text[start:end]}


def test_example_corpus_has_one_disputed_claim(sqlite_store: Store) -> None:
    corpus = ROOT / "examples" / "corpus"
    found = analysed(
        sqlite_store, [str(corpus / kind) for kind in ("html", "feeds", "jsonl", "warc", "text")]
    )
    (claim_id,) = claims_stating(sqlite_store, "passed the coordinates of Black Ridge Front targets")
    assert claim_id in claims_with_outlets(sqlite_store, 4), "carried by at least four outlets"
    assert claims_stating(sqlite_store, "no transfer of targeting data") == {claim_id}, "the denial joins it"
    # Worded unlike the claim, this denial joins it because a denial presupposes a claim made elsewhere.
    assert claims_stating(sqlite_store, "no targeting data had been passed") == {claim_id}
    (claim,) = load_claims(sqlite_store, claim_ids=[claim_id])
    (summary,) = claim_summaries(sqlite_store, [claim])
    assert summary.conflict
    accounts = load_accounts(sqlite_store, claim_id=claim.id)
    related = {a.article_id for a in accounts if a.stance is not Stance.UNRELATED}
    festival = next(a for a in found if a.title and "ice festival" in a.title)
    assert festival.id not in related
    denial = next(a for a in found if a.outlet == "karsland-one" and a.title and "rejects" in a.title)
    football = next(a for a in found if a.outlet == "karsland-one" and a.title and "United" in a.title)
    assert denial.id in related and football.id not in related
    stances = speaker_stances(sqlite_store, accounts)
    assert any("Ministry" in name and Stance.ASSERTS in s for name, s in stances.items())
    assert any("Aalund" in name and Stance.DENIES in s for name, s in stances.items())


def test_founding_example_coordinates_claim(sqlite_store: Store, founding_sample: Path) -> None:
    analysed(sqlite_store, [str(founding_sample)])
    (claim_id,) = claims_stating(sqlite_store, 'used a "direct line" to relay coordinates')
    accounts = load_accounts(sqlite_store, claim_id=claim_id)
    stances = speaker_stances(sqlite_store, accounts)
    assert any("Ministry" in name and Stance.ASSERTS in s for name, s in stances.items())
    assert any("Pahon" in name and Stance.DENIES in s for name, s in stances.items())
    assert any("Rankine-Galloway" in name and Stance.DENIES in s for name, s in stances.items())
