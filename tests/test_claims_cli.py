"""The `claims` command: table and JSON listing, accounts of one claim, exit codes of bad options."""

from __future__ import annotations

import json

import typer
from tests.test_claims_store import records
from typer.testing import CliRunner

from counterclaim.cli import claims as claims_cli
from counterclaim.errors import NotFoundError, UsageError
from counterclaim.store import Store
from counterclaim.store.claims import save_accounts, save_claims

runner = CliRunner()


def app() -> typer.Typer:
    built = typer.Typer()
    claims_cli.register(built)

    @built.callback()
    def _root() -> None:
        """Test shell."""

    return built


def filled(path: str) -> str:
    store = Store(path)
    articles, claim, accounts = records()
    for item in articles.values():
        store.add_article(item)
    with store.begin() as conn:
        save_claims(conn, [claim])
        save_accounts(conn, accounts)
    store.close()
    return claim.id


def test_json_listing_has_counts_first_seen_and_conflict(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.db")
    claim_id = filled(db)
    result = runner.invoke(app(), ["claims", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["id"] == claim_id
    assert row["outlets"] == {
        "asserting": ["norpress"],
        "denying": ["harbour-news"],
        "reporting": ["statewire"],
    }
    assert row["conflict"] is True and row["articles"] == 3
    assert row["first_seen"].startswith("2024-05-06T07:00")


def test_table_listing_and_min_outlets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.db")
    filled(db)
    shown = runner.invoke(app(), ["claims", "--db", db])
    assert shown.exit_code == 0 and "1 claims" in shown.output and "yes" in shown.output
    hidden = runner.invoke(app(), ["claims", "--db", db, "--min-outlets", "4", "--json"])
    assert json.loads(hidden.output) == []


def test_accounts_of_one_claim_by_id_prefix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.db")
    claim_id = filled(db)
    result = runner.invoke(app(), ["claims", "--db", db, "--id", claim_id[:8], "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert {a["stance"] for a in shown["accounts"]} == {"asserts", "reports", "denies", "unrelated"}
    denial = next(a for a in shown["accounts"] if a["stance"] == "denies")
    assert denial["evidence"]["text"].startswith('"The coalition did not')


def test_unknown_claim_and_bad_limit_raise_typed_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.db")
    filled(db)
    missing = runner.invoke(app(), ["claims", "--db", db, "--id", "ffff"])
    assert isinstance(missing.exception, NotFoundError)
    bad = runner.invoke(app(), ["claims", "--db", db, "--limit", "0"])
    assert isinstance(bad.exception, UsageError)


def test_table_says_how_many_claims_the_outlet_filter_hides(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.db")
    filled(db)
    hidden = runner.invoke(app(), ["claims", "--db", db, "--min-outlets", "9"], env={"COLUMNS": "200"})
    assert hidden.exit_code == 0 and "0 claims" in hidden.output
    assert "1 more claims are carried by fewer than 9 outlets" in hidden.output
    shown = runner.invoke(app(), ["claims", "--db", db], env={"COLUMNS": "200"})
    assert "more claims are carried" not in shown.output


def test_a_search_with_nothing_behind_it_lists_no_claim(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "c.db")
    filled(db)
    result = runner.invoke(
        app(), ["claims", "--db", db, "--search", "an unrelated query about volcanoes", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
    assert "No claim matches" in result.stderr
