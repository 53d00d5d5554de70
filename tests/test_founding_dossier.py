"""The founding example's dossier, complete: relays by reference, reported shared wording, whose ministry.

`../shared/samples/000_470af121b093634c.txt` is read by path (its text never enters the repository); the
pure parts are checked on a sentence written for the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from counterclaim.anaphora import is_reference, split_names
from counterclaim.dossier import claim_summaries, load_dossier
from counterclaim.model import Stance
from counterclaim.outlets import open_registry
from counterclaim.parties import Role
from counterclaim.pipeline import Pipeline
from counterclaim.stages.provenance import context_countries
from counterclaim.store import Store
from counterclaim.store.claims import load_claims
from counterclaim.store.search import find_claim

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def founding_store(tmp_path_factory: pytest.TempPathFactory, founding_sample: Path) -> Store:
    from counterclaim.ingest import IngestOptions, ingest_paths

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('founding') / 'founding.db'}")
    ingest_paths(store, [str(founding_sample)], IngestOptions(), progress=False)
    with Pipeline(store) as pipeline:
        pipeline.analyze([a.id for a in store.articles()], progress=False)
    return store


def test_rt_and_tass_relay_the_ministry_and_their_shared_wording_is_reported(founding_store: Store) -> None:
    search = find_claim(founding_store, "the US relayed target coordinates to Russia for joint air strikes")
    assert search.best is not None
    dossier = load_dossier(founding_store, search.best.claim.id)
    relays = {s.name for s in dossier.sources if any(r.value == "relays" for r in s.roles)}
    assert {"RIA Novosti", "RT", "TASS"} <= relays
    asserting = {e.source for e in dossier.accounts if e.stance is Stance.ASSERTS}
    assert asserting == {"Defense Ministry"}
    reported = dossier.reported_reuse
    assert len(reported) == 1 and set(reported[0].parties) == {"RT", "TASS"}
    assert "identical language" in reported[0].evidence.text
    # Reported, not observed: no reuse cluster is made up for it.
    assert not dossier.reuse_clusters
    denied = {e.source for e in dossier.accounts if e.stance is Stance.DENIES}
    assert {"Eric Pahon", "Adrian J.T. Rankine-Galloway"} <= denied


def test_the_unqualified_ministry_is_checked_on_russian_channels_only(founding_store: Store) -> None:
    search = find_claim(founding_store, "the US relayed target coordinates to Russia for joint air strikes")
    assert search.best is not None
    dossier = load_dossier(founding_store, search.best.claim.id)
    registry = open_registry(founding_store)
    (check,) = [c for c in dossier.provenance if "Ministry" in c.source]
    assert check.channel_outlets, "the ministry's channels are looked up"
    assert {registry.get(key).country for key in check.channel_outlets} == {"RU"}


def test_reference_and_name_lists() -> None:
    assert is_reference("the statement") and is_reference("on the reports")
    assert not is_reference("the statement was false and the coordinates were never sent")
    assert not is_reference("that Washington used a direct line")
    assert split_names("RT and TASS") == ("RT", "TASS")
    assert split_names("RIA Novosti, TASS and RT") == ("RIA Novosti", "TASS", "RT")
    assert split_names("Department of Health and Human Services") == (
        "Department of Health and Human Services",
    )


def test_context_countries_come_from_relaying_outlets_and_country_words(founding_store: Store) -> None:
    registry = open_registry(founding_store)
    assert context_countries(registry, ["RT and TASS"]) == {"RU"}
    assert context_countries(registry, ["Several Russian government media outlets"]) == {"RU"}
    assert context_countries(registry, ["a source"]) == set()


def test_the_hacking_allegations_are_their_own_claim_with_asserting_and_denying_parties(
    founding_store: Store,
) -> None:
    search = find_claim(founding_store, "Russia ran a hacking campaign to help Trump win the election")
    assert search.best is not None
    dossier = load_dossier(founding_store, search.best.claim.id)
    assert "hacking" in dossier.claim.canonical_text and "coordinates" not in dossier.claim.canonical_text
    asserting = {e.source for e in dossier.accounts if e.stance is Stance.ASSERTS and e.source}
    denying = {e.source for e in dossier.accounts if e.stance is Stance.DENIES and e.source}
    assert "U.S. intelligence" in asserting
    assert denying == {"Kremlin"}
    # The denial names only "the allegations": it is read against the statement before it.
    (kremlin,) = [e for e in dossier.accounts if e.source == "Kremlin"]
    assert kremlin.evidence is not None and "dismissed the allegations" in kremlin.evidence.text


def test_the_claim_list_names_the_same_parties_as_each_dossier(founding_store: Store) -> None:
    # The claim list and the dossier apply one rule; a denial by reference ("dismissed the allegations")
    # must show in both, not only where the dossier is opened.
    claims = load_claims(founding_store)
    summaries = {s.claim.id: s for s in claim_summaries(founding_store, claims)}
    assert any(summary.denying == ("Kremlin",) for summary in summaries.values())
    for claim in claims:
        dossier = load_dossier(founding_store, claim.id)
        for role, listed in (
            (Role.ASSERTS, summaries[claim.id].asserting),
            (Role.DENIES, summaries[claim.id].denying),
        ):
            assert set(listed) == {s.name for s in dossier.sources if role in s.roles}, (
                claim.canonical_text,
                role,
            )
