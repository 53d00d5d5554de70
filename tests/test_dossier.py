"""Behaviour of the claim dossier built from in-memory records: roles, order, reuse, open questions.

Uses the example corpus of test_dossier_example; the store-backed dossier is covered in test_provenance_store.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from rich.console import Console

from counterclaim.dossier import Role, build_dossier, relay_path, render_dossier
from counterclaim.model import ProvenanceCheck, ProvenanceStatus, Stance
from counterclaim.outlets import load_registry
from test_dossier_example import MINISTRY, example_records


def _dossier(records=None, checks=(), lexicon=None):  # type: ignore[no-untyped-def]
    records = records or example_records()
    return build_dossier(
        records.claim,
        records.accounts,
        records.attributions,
        records.articles.values(),
        records.outlets,
        records.reuse_links,
        checks,
        lexicon=lexicon,
    )


def test_roles_of_sources_and_outlets() -> None:
    dossier = _dossier()
    assert dossier.parties(Role.ASSERTS)[0] == MINISTRY
    assert set(dossier.parties(Role.DENIES)) == {"Eric Pahon", "Adrian Rankine-Galloway"}
    assert dossier.parties(Role.DECLINES) == ("Sean Spicer",)
    relaying_outlets = {o.name for o in dossier.outlets if Role.RELAYS in o.roles}
    assert {"RIA Novosti", "RT", "TASS"} <= relaying_outlets
    assert "RIA Novosti" in dossier.parties(Role.RELAYS)


def test_accounts_are_in_time_order_and_first_appearance_is_earliest() -> None:
    records = example_records()
    dossier = _dossier(records)
    times = [e.published_at for e in dossier.accounts]
    assert times == sorted(times)  # type: ignore[type-var]
    assert dossier.first_appearance is not None
    assert dossier.first_appearance.article_id == records.article("ria").id
    # Move RIA a day later: TASS becomes the first appearance.
    late = replace(
        records.article("ria"), published_at=records.article("ria").published_at + timedelta(days=1)
    )
    records.articles["ria"] = late
    assert _dossier(records).first_appearance.article_id == records.article("rt").id  # type: ignore[union-attr]


def test_relay_path_reads_outlet_first() -> None:
    dossier = _dossier()
    ria = next(e for e in dossier.accounts if e.outlet == "ria-novosti")
    assert relay_path(ria) == f"RIA Novosti ← {MINISTRY}"
    assert ria.outlet_kind.value == "state media"


def test_unrelated_accounts_and_foreign_claims_are_left_out() -> None:
    records = example_records()
    extra = replace(records.accounts[0], stance=Stance.UNRELATED)
    other = replace(records.accounts[1], claim_id="another-claim")
    records.accounts += [extra, other]
    assert len(_dossier(records).accounts) == len(records.accounts) - 2


def test_reuse_cluster_touching_the_claim() -> None:
    records = example_records()
    dossier = _dossier(records)
    assert len(dossier.reuse_clusters) == 1
    assert set(dossier.reuse_clusters[0].outlets) == {"rt", "tass"}
    records.reuse_links = [replace(records.reuse_links[0], a="x" * 32, b="y" * 32)]
    assert _dossier(records).reuse_clusters == ()


def test_open_questions_follow_the_checks() -> None:
    records = example_records()
    no_coverage = ProvenanceCheck(records.claim.id, MINISTRY, ProvenanceStatus.NO_COVERAGE)
    kinds = {q.kind for q in _dossier(records, [no_coverage]).open_questions}
    assert kinds == {"no primary-source coverage", "only relayed"}
    found = replace(no_coverage, status=ProvenanceStatus.FOUND, found_article_id=records.article("mil").id)
    assert _dossier(records, [found]).open_questions == ()


def test_rendering_names_every_party() -> None:
    console = Console(record=True, width=200)
    render_dossier(_dossier(), console)
    out = console.export_text()
    for name in ("Eric Pahon", "Sean Spicer", "RIA Novosti", "TASS", "Primary-source checks", "declines"):
        assert name in out


def test_spellings_of_one_source_are_one_party() -> None:
    records = example_records()
    spellings = iter(["Russia's Defence Ministry", "Defense Ministry", MINISTRY])
    renamed = []
    for attribution in records.attributions:
        speaker = attribution.speaker
        if speaker is not None and speaker.organisation == MINISTRY:
            speaker = replace(speaker, organisation=next(spellings, MINISTRY))
        renamed.append(replace(attribution, speaker=speaker))
    records.attributions = renamed
    plain = _dossier(records)
    assert len([s for s in plain.sources if Role.ASSERTS in s.roles]) > 1, "the fixture must spell it apart"
    check = ProvenanceCheck(records.claim.id, "Defense Ministry", ProvenanceStatus.NOT_FOUND)
    dossier = _dossier(records, [check], load_registry().lexicon)
    asserting = [s.name for s in dossier.sources if Role.ASSERTS in s.roles]
    assert len(asserting) == 1 and asserting[0] in {MINISTRY, "Russia's Defence Ministry"}
    assert set(dossier.parties(Role.DENIES)) == {"Eric Pahon", "Adrian Rankine-Galloway"}
    assert [c.source for c in dossier.provenance] == asserting


def test_a_negated_search_against_an_asserted_claim_is_flagged_for_the_reader() -> None:
    from counterclaim.dossier import opposite_polarity

    claim = "The Dunmore plant closed on Monday after the flood, the company said."
    assert opposite_polarity("No, the Dunmore plant did not close", claim)
    assert not opposite_polarity("Dunmore plant closes after flood", claim)
    assert not opposite_polarity("Company denies the plant closed", "The company denied the plant closed.")
