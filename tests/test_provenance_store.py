"""Provenance checks and verdicts in a real store (SQLite and PostgreSQL), and the dossier read back from it.

Records are written through each stage's save functions; the shipped outlet registry supplies the channels.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from counterclaim.dossier import load_dossier
from counterclaim.errors import NotFoundError, UsageError
from counterclaim.model import ProvenanceCheck, ProvenanceStatus, Span, Speaker, Verdict
from counterclaim.parties import Role
from counterclaim.stages.provenance import analyze_provenance, analyze_provenance_batch
from counterclaim.store import Store
from counterclaim.store.provenance import (
    load_provenance,
    load_verdicts,
    save_provenance,
    save_verdict,
)
from test_dossier_example import MINISTRY, example_records, store_example


def test_checks_round_trip_and_replace(store: Store) -> None:
    check = ProvenanceCheck(
        "c1",
        MINISTRY,
        ProvenanceStatus.FOUND,
        ("mil-ru", "mil-ru-facebook"),
        4,
        datetime(2017, 1, 16, tzinfo=UTC),
        datetime(2017, 1, 30, tzinfo=UTC),
        "a" * 32,
        Span(3, 9, "passed"),
        "provenance-v1:meaning",
    )
    with store.begin() as conn:
        save_provenance(conn, "c1", [check])
    assert load_provenance(store, "c1") == [check]
    other = ProvenanceCheck("c1", "Kremlin", ProvenanceStatus.NO_COVERAGE, method="m")
    with store.begin() as conn:
        save_provenance(conn, "c1", [other])
    assert load_provenance(store, "c1") == [other]
    assert load_provenance(store, "c2") == []


def test_verdicts_accumulate_in_time_order(store: Store) -> None:
    first = Verdict("c1", "False", "Desk A", datetime(2017, 2, 1, tzinfo=UTC), "https://example.org/r", "n")
    second = Verdict("c1", "Misleading", "Desk B", datetime(2017, 2, 3, tzinfo=UTC))
    with store.begin() as conn:
        save_verdict(conn, second)
        save_verdict(conn, first)
    assert load_verdicts(store, "c1") == [first, second]
    assert load_verdicts(store, "other") == []
    with pytest.raises(UsageError), store.begin() as conn:
        save_verdict(conn, Verdict("c1", " ", "Desk", datetime.now(UTC)))


def test_ministry_channel_without_the_statement_is_not_found(store: Store) -> None:
    records = example_records()
    store_example(store, records)
    assert analyze_provenance(store) == 1
    [check] = load_provenance(store, records.claim.id)
    assert check.source == MINISTRY
    assert check.status is ProvenanceStatus.NOT_FOUND
    assert "mil-ru" in check.channel_outlets
    assert check.items_checked == 1
    dossier = load_dossier(store, records.claim.id)
    assert dossier.provenance == (check,)
    assert dossier.parties(Role.ASSERTS)[0] == MINISTRY
    assert set(dossier.parties(Role.DENIES)) == {"Eric Pahon", "Adrian Rankine-Galloway"}
    assert {o.name for o in dossier.outlets if Role.RELAYS in o.roles} >= {"RIA Novosti", "RT", "TASS"}
    assert dossier.reuse_clusters
    assert all(set(c.outlets) == {"rt", "tass"} for c in dossier.reuse_clusters)


def test_without_the_channel_in_the_corpus_there_is_no_coverage(store: Store) -> None:
    records = example_records()
    del records.articles["mil"]
    store_example(store, records)
    analyze_provenance(store, claim_ids=[records.claim.id])
    [check] = load_provenance(store, records.claim.id)
    assert check.status is ProvenanceStatus.NO_COVERAGE
    assert check.items_checked == 0


def test_unknown_claim_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        load_dossier(store, "no-such-claim")


def test_batch_step_rechecks_only_what_the_batch_can_change(store: Store) -> None:
    records = example_records()
    store_example(store, records)
    unrelated = replace(records.article("rt"), id="u" * 32, text="A ferry timetable changed.", outlet="bbc")
    store.add_article(unrelated)
    assert analyze_provenance_batch(store, [unrelated]) == 0
    assert load_provenance(store, records.claim.id) == []
    assert analyze_provenance_batch(store, [records.article("rferl")]) == 1
    with store.begin() as conn:
        save_provenance(conn, records.claim.id, [])
    # An item of the ministry's own channel may settle any claim attributed to it.
    assert analyze_provenance_batch(store, [records.article("mil")]) == 1
    [check] = load_provenance(store, records.claim.id)
    assert check.status is ProvenanceStatus.NOT_FOUND


def test_a_ministry_named_without_country_is_looked_up_where_the_reports_come_from(store: Store) -> None:
    records = example_records()
    records.attributions = [
        replace(a, speaker=Speaker(organisation="Defense Ministry"))
        if a.speaker and a.speaker.organisation == MINISTRY
        else a
        for a in records.attributions
    ]
    store_example(store, records)
    analyze_provenance(store)
    [check] = load_provenance(store, records.claim.id)
    assert check.source == "Defense Ministry"
    assert "mil-ru" in check.channel_outlets
    assert not {"uk-mod", "ukraine-mod"} & set(check.channel_outlets)
    assert check.status is ProvenanceStatus.NOT_FOUND


def test_an_unqualified_ministry_is_looked_up_by_its_qualified_spelling(store: Store) -> None:
    records = example_records()
    first = True
    renamed = []
    for attribution in records.attributions:
        if attribution.speaker and attribution.speaker.organisation == MINISTRY and first:
            attribution = replace(attribution, speaker=Speaker(organisation="Defense Ministry"))
            first = False
        renamed.append(attribution)
    records.attributions = renamed
    # A report from a British outlet: the reporting countries alone no longer say whose ministry it is.
    british = replace(records.article("rt"), id="g" * 32, outlet="bbc")
    records.articles["bbc"] = british
    records.accounts.append(replace(records.accounts[0], article_id=british.id, attribution_id=None))
    store_example(store, records)
    analyze_provenance(store)
    checks = {c.source: c for c in load_provenance(store, records.claim.id)}
    assert set(checks) == {"Defense Ministry", MINISTRY}
    assert set(checks["Defense Ministry"].channel_outlets) == set(checks[MINISTRY].channel_outlets)
    assert "uk-mod" not in checks["Defense Ministry"].channel_outlets
