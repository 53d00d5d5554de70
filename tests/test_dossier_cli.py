"""The `report`, `export` and `verdict` commands over a store holding the example corpus.

The commands are registered on a fresh Typer app, as `counterclaim.cli` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import typer
from typer.testing import CliRunner

from counterclaim.cli import dossier as dossier_cli
from counterclaim.export import dossier_json
from counterclaim.stages.provenance import analyze_provenance
from counterclaim.store import Store
from test_dossier_example import ExampleRecords, example_records, store_example


@pytest.fixture
def app() -> typer.Typer:
    cli = typer.Typer()
    dossier_cli.register(cli)
    return cli


@pytest.fixture
def example(store_url: str) -> ExampleRecords:
    store = Store(store_url)
    records = example_records()
    store_example(store, records)
    analyze_provenance(store)
    store.close()
    return records


def test_report_prints_the_dossier_and_writes_html(
    app: typer.Typer, store_url: str, example: ExampleRecords, tmp_path: Path
) -> None:
    html = tmp_path / "claim.html"
    result = CliRunner().invoke(app, ["report", example.claim.id, "--db", store_url, "--html", str(html)])
    assert result.exit_code == 0, result.output
    for expected in ("Russian Defense Ministry", "Eric Pahon", "not found", "declines", "TASS"):
        assert expected in result.output
    assert "<svg" in html.read_text(encoding="utf-8")


def test_report_json_and_search(app: typer.Typer, store_url: str, example: ExampleRecords) -> None:
    result = CliRunner().invoke(
        app, ["report", "--search", "coordinates for joint strikes", "--db", store_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output[result.output.index("{") :])
    jsonschema.Draft202012Validator(dossier_json.load_schema()).validate(document)
    assert document["dossiers"][0]["claim"]["id"] == example.claim.id


def test_report_needs_one_way_to_pick_a_claim(
    app: typer.Typer, store_url: str, example: ExampleRecords
) -> None:
    from counterclaim.errors import UsageError

    result = CliRunner().invoke(app, ["report", "--db", store_url])
    assert isinstance(result.exception, UsageError)


def test_verdict_then_jsonld_and_csv_exports(
    app: typer.Typer, store_url: str, example: ExampleRecords, tmp_path: Path
) -> None:
    runner = CliRunner()
    args = ["verdict", example.claim.id, "--rating", "False", "--reviewer", "Example Desk", "--db", store_url]
    assert runner.invoke(app, args).exit_code == 0
    out = tmp_path / "claims.jsonld"
    result = runner.invoke(app, ["export", "--format", "jsonld", "--out", str(out), "--db", store_url])
    assert result.exit_code == 0, result.output
    graph = json.loads(out.read_text(encoding="utf-8"))["@graph"]
    assert [n["@type"] for n in graph] == ["Claim", "ClaimReview"]
    csv_out = runner.invoke(app, ["export", "--format", "csv", "--db", store_url])
    assert csv_out.output.count("\n") == 1 + len(example.accounts)
    folder = tmp_path / "html"
    assert runner.invoke(app, ["export", "-f", "html", "-o", str(folder), "--db", store_url]).exit_code == 0
    assert (folder / f"claim-{example.claim.id}.html").exists()


def test_verdict_on_unknown_claim_fails(app: typer.Typer, store_url: str, example: ExampleRecords) -> None:
    from counterclaim.errors import NotFoundError

    result = CliRunner().invoke(
        app, ["verdict", "nope", "--rating", "x", "--reviewer", "y", "--db", store_url]
    )
    assert isinstance(result.exception, NotFoundError)


def test_report_search_with_nothing_close_says_no_match(
    app: typer.Typer, store_url: str, example: ExampleRecords
) -> None:
    result = CliRunner().invoke(
        app, ["report", "--search", "an unrelated query about volcanoes", "--db", store_url, "--json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout[result.stdout.index("{") :])
    jsonschema.Draft202012Validator(dossier_json.load_schema()).validate(document)
    assert document["dossiers"] == [] and document["search"]["match"] is False
    assert "No claim matches" in result.stderr


def test_report_search_lists_what_it_considered(
    app: typer.Typer, store_url: str, example: ExampleRecords
) -> None:
    result = CliRunner().invoke(
        app, ["report", "--search", "coordinates for joint strikes", "--db", store_url, "--json"]
    )
    document = json.loads(result.stdout[result.stdout.index("{") :])
    search = document["search"]
    assert search["match"] and search["best"]["claim_id"] == example.claim.id
    assert search["best"]["similarity"] >= search["min_similarity"]
