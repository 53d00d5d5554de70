"""One registry, one rule and ids as printed: what the pipeline's shells (CLI, library) promise a user.

A user's outlet file is kept by the store; `claims` and `report` agree on every party's roles; `report`
takes a claim id as `claims` prints it; `--json` stdout is one JSON document.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from conftest import EXAMPLE_OUTLETS, REPO
from counterclaim.cli import analyze as analyze_cli
from counterclaim.cli import claims as claims_cli
from counterclaim.cli import dossier as dossier_cli
from counterclaim.ingest import IngestOptions, ingest_paths
from counterclaim.pipeline import Pipeline
from counterclaim.stages import Models
from counterclaim.store import Store, tables

FIXTURES = Path(__file__).parent / "fixtures" / "pipeline"
CORPUS = [str(REPO / "examples" / "corpus" / kind) for kind in ("html", "feeds", "jsonl", "warc")]
runner = CliRunner()

pytestmark = pytest.mark.slow


def app() -> typer.Typer:
    built = typer.Typer()
    for module in (analyze_cli, claims_cli, dossier_cli):
        module.register(built)

    @built.callback()
    def _root() -> None:
        """Test shell."""

    return built


@pytest.fixture(scope="module")
def example_db(models: Models, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The example corpus (with its own outlet file) ingested and analysed, as `make demo` does."""
    path = str(tmp_path_factory.mktemp("example") / "example.db")
    store = Store(path)
    ingest_paths(store, CORPUS, IngestOptions(recursive=True, outlets_file=EXAMPLE_OUTLETS), progress=False)
    Pipeline(store, models=models).analyze(progress=False)
    text = str(REPO / "examples" / "corpus" / "text")
    ingest_paths(store, [text], IngestOptions(outlet="meridian-report"), progress=False)
    Pipeline(store, models=models).analyze(progress=False)
    store.close()
    return path


def test_a_user_outlet_file_is_kept_and_its_channel_searched(models: Models, store: Store) -> None:
    # The news arrive with the user's registry file; the ministry's own page comes later, without it.
    news = IngestOptions(outlets_file=FIXTURES / "norland-outlets.toml")
    ingest_paths(store, [str(FIXTURES / "norland-news.jsonl")], news, progress=False)
    Pipeline(store, models=models).analyze(progress=False)
    ingest_paths(store, [str(FIXTURES / "norland-ministry-site.jsonl")], IngestOptions(), progress=False)
    Pipeline(store, models=models).analyze(progress=False)
    site = [a for a in store.articles() if a.url and "fisheries.norland.example" in a.url]
    assert [a.outlet for a in site] == ["norland-fisheries"], "a later ingest still knows the user's outlets"
    with store.engine.connect() as conn:
        checks = conn.execute(
            sa.select(
                tables.provenance_checks.c.source,
                tables.provenance_checks.c.status,
                tables.provenance_checks.c.channel_outlets,
            )
        ).all()
    ministry = [(status, channels) for source, status, channels in checks if "Fisheries" in source]
    assert ministry, checks
    assert all(channels == ["norland-fisheries"] for _, channels in ministry)
    assert ("found", ["norland-fisheries"]) in ministry


def test_the_shipped_registry_carries_no_example_outlet(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "plain.db"))
    pipeline = Pipeline(store)
    assert "valnews" not in pipeline.registry
    store.close()


def test_claims_and_report_agree_on_every_party(example_db: str) -> None:
    every = ["--min-outlets", "1", "--limit", "500"]
    listed = runner.invoke(app(), ["claims", "--db", example_db, "--json", *every])
    assert listed.exit_code == 0, listed.output
    claims = json.loads(listed.stdout)
    assert sum(len(claim["parties"]) > 2 for claim in claims) >= 4
    for claim in claims:
        shown = runner.invoke(app(), ["report", claim["id"][:12], "--db", example_db, "--json"])
        assert shown.exit_code == 0, shown.output
        (dossier,) = json.loads(shown.stdout)["dossiers"]
        roles: dict[str, set[str]] = {}
        for party in dossier["sources"] + dossier["outlets"]:
            roles.setdefault(party["name"], set()).update(party["roles"])
        assert {p["name"]: set(p["roles"]) for p in claim["parties"]} == roles, claim["text"]
        relays = {name for name, found in roles.items() if "relays" in found}
        assert set(claim["relayed_by"]) == relays


def test_report_takes_the_id_as_claims_prints_it_and_json_is_one_document(example_db: str) -> None:
    table = runner.invoke(app(), ["claims", "--db", example_db, "--min-outlets", "2"])
    assert table.exit_code == 0
    listed = json.loads(runner.invoke(app(), ["claims", "--db", example_db, "--json"]).stdout)
    printed = listed[0]["id"][:12]
    assert printed in table.stdout
    command = [str(Path(sys.executable).parent / "counterclaim"), "report"]
    by_prefix = subprocess.run(
        [*command, printed, "--db", example_db, "--json"], capture_output=True, text=True
    )
    assert by_prefix.returncode == 0, by_prefix.stderr
    assert json.loads(by_prefix.stdout)["dossiers"][0]["claim"]["id"] == listed[0]["id"]
    searched = subprocess.run(
        [
            *command,
            "--search",
            "coalition passed coordinates for joint strikes",
            "--db",
            example_db,
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert searched.returncode == 0, searched.stderr
    json.loads(searched.stdout)  # nothing but the document on stdout; messages went to stderr


def test_an_ambiguous_or_unknown_prefix_is_refused_with_what_to_do(example_db: str) -> None:
    unknown = runner.invoke(app(), ["report", "zzzz", "--db", example_db])
    assert unknown.exit_code != 0
    assert "counterclaim claims" in str(unknown.exception)
    ambiguous = runner.invoke(app(), ["report", "", "--db", example_db])
    assert ambiguous.exit_code != 0


def test_analyze_on_an_analysed_store_adds_nothing(example_db: str) -> None:
    result = runner.invoke(app(), ["analyze", "--db", example_db, "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["articles_analysed"] == 0
    assert set(record["added"].values()) == {0}


def test_claim_filters_in_sql_match_the_accounts_they_filter(example_db: str) -> None:
    from counterclaim.model import OutletKind, Stance
    from counterclaim.outlets import open_registry
    from counterclaim.parties import source_name
    from counterclaim.sources import names_source
    from counterclaim.store.attributions import load_attributions
    from counterclaim.store.claims import load_accounts
    from counterclaim.web.queries import ClaimFilters, _claim_ids_by_accounts

    store = Store(example_db)
    registry = open_registry(store)
    every = load_accounts(store)
    by_article = {a.id: a for a in store.articles()}
    named = {a.id: source_name(a) or "" for a in load_attributions(store)}
    kinds = {o.key: o.kind for o in registry.all()}
    cases = [
        ClaimFilters(stance=Stance.DENIES),
        ClaimFilters(outlet="valnews"),
        ClaimFilters(outlet_kind=OutletKind.STATE_MEDIA, stance=Stance.ASSERTS),
        *(ClaimFilters(source=name) for name in ("Aalund", "Defence Ministry", "Karsland", "Nobody Known")),
    ]
    for filters in cases:
        expected = {
            a.claim_id
            for a in every
            if (not filters.stance or a.stance is filters.stance)
            and (not filters.outlet or by_article[a.article_id].outlet == filters.outlet)
            and (
                not filters.outlet_kind
                or kinds.get(by_article[a.article_id].outlet or "") is filters.outlet_kind
            )
            and (
                not filters.source
                or (
                    bool(name := named.get(a.attribution_id or ""))
                    and names_source(filters.source, name, registry.lexicon)
                )
            )
        }
        found = _claim_ids_by_accounts(store, filters, registry.all(), registry.lexicon)
        assert found == expected, filters
    assert any(_claim_ids_by_accounts(store, case, registry.all(), registry.lexicon) for case in cases[:3]), (
        "the cases must select something"
    )
    store.close()


def test_an_overlong_filter_value_is_refused(example_db: str) -> None:
    from fastapi.testclient import TestClient

    from counterclaim.web import create_app

    client = TestClient(create_app(Store(example_db)))
    assert client.get("/api/claims", params={"source": "x" * 60_000}).status_code == 422
    assert client.get("/", params={"source": "x" * 60_000}).status_code == 422
    assert client.get("/api/claims", params={"source": "Aalund"}).status_code == 200
