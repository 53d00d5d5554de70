"""Exports of dossiers: JSON against its JSON Schema, CSV of accounts, the offline HTML report, JSON-LD.

Dossiers are built from the project's example records; nothing here reads shared data.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime

import jsonschema
import pytest

from counterclaim.dossier import Dossier, build_dossier
from counterclaim.export import dossier_json
from counterclaim.export.accounts_csv import COLUMNS, accounts_csv
from counterclaim.export.html_report import html_report
from counterclaim.export.jsonld import jsonld_document
from counterclaim.model import ProvenanceCheck, ProvenanceStatus, Verdict
from test_dossier_example import MINISTRY, example_records


def _dossier(verdicts: tuple[Verdict, ...] = (), hostile: bool = False) -> Dossier:
    records = example_records()
    if hostile:
        ria = records.articles["ria"]
        records.articles["ria"] = replace(ria, title="<script>alert('x')</script>", url="javascript:alert(1)")
    check = ProvenanceCheck(records.claim.id, MINISTRY, ProvenanceStatus.NOT_FOUND, ("mil-ru",), 3)
    return build_dossier(
        records.claim,
        records.accounts,
        records.attributions,
        records.articles.values(),
        records.outlets,
        records.reuse_links,
        [check],
        verdicts,
    )


VERDICT = Verdict(
    "x", "False", "Example Fact Desk", datetime(2017, 2, 1, tzinfo=UTC), "https://example.org/review"
)


def test_json_export_validates_against_the_schema() -> None:
    schema = dossier_json.load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(dossier_json.dumps([_dossier((VERDICT,)), _dossier()]))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["version"] == dossier_json.SCHEMA_VERSION
    first = document["dossiers"][0]
    assert first["provenance"][0]["status"] == "not found"
    assert [a["published_at"] for a in first["accounts"]] == sorted(
        a["published_at"] for a in first["accounts"]
    )


def test_schema_rejects_a_broken_document() -> None:
    validator = jsonschema.Draft202012Validator(dossier_json.load_schema())
    document = dossier_json.export_document([_dossier()])
    document["dossiers"][0]["accounts"][0]["stance"] = "agrees"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)
    del document["dossiers"][0]["accounts"][0]["stance"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_csv_has_one_row_per_account_and_neutralises_formulas() -> None:
    dossier = _dossier()
    rows = list(csv.DictReader(io.StringIO(accounts_csv([dossier]))))
    assert len(rows) == len(dossier.accounts)
    assert tuple(rows[0].keys()) == COLUMNS
    pahon = next(r for r in rows if r["source"] == "Eric Pahon")
    assert pahon["stance"] == "denies" and pahon["channel"] == "e-mailed statement"
    tricky = replace(dossier, accounts=(replace(dossier.accounts[0], channel="=HYPERLINK(1)"),))
    [row] = list(csv.DictReader(io.StringIO(accounts_csv([tricky]))))
    assert row["channel"] == "'=HYPERLINK(1)"


def test_html_report_is_self_contained_and_escaped() -> None:
    html = html_report(_dossier(hostile=True))
    assert html.count("<svg") == 2
    assert "<script" not in html
    assert "&lt;script&gt;" not in html or "alert" in html
    assert "javascript:" not in html
    assert not re.search(r"""<(link|script|img)[^>]+(src|href)=["']https?://""", html)
    assert "not found" in html and "Eric Pahon" in html


def test_jsonld_claim_and_review_only_from_a_recorded_verdict() -> None:
    graph = jsonld_document([_dossier()])["@graph"]
    assert [node["@type"] for node in graph] == ["Claim"]
    claim = graph[0]
    assert claim["author"] == [{"@type": "Organization", "name": MINISTRY}]
    assert claim["firstAppearance"]["publisher"]["name"] == "RIA Novosti"
    assert len(claim["appearance"]) == 4
    reviewed = jsonld_document([_dossier((VERDICT,))])["@graph"]
    review = next(node for node in reviewed if node["@type"] == "ClaimReview")
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["author"]["name"] == "Example Fact Desk"
    assert review["itemReviewed"]["@id"] == claim["@id"]
