"""One record shape per entity: the CLI's `--json` and the web API give the same attribution; every CSV is
formula-safe."""

from __future__ import annotations

import csv
import io
import json

import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from counterclaim import records
from counterclaim.cli import articles as articles_cli
from counterclaim.cli import attributions as attributions_cli
from counterclaim.model import Article, Attribution, Polarity, Relay, Span, Speaker
from counterclaim.store import Store, article_id
from counterclaim.store.attributions import save_attributions
from counterclaim.web import create_app

runner = CliRunner()
TEXT = (
    '=HYPERLINK("http://evil.example") Officials said the bridge would reopen on Friday, '
    "a ministry aide told Nordpress."
)


def app() -> typer.Typer:
    built = typer.Typer()
    articles_cli.register(built)
    attributions_cli.register(built)
    return built


def filled(path: str) -> tuple[Article, Attribution]:
    store = Store(path)
    article = Article(id=article_id(TEXT), text=TEXT, title="=cmd|' /C calc'!A0", outlet="nordpress")
    store.add_article(article)
    start = TEXT.index("Officials")
    attribution = Attribution(
        id="att-1",
        article_id=article.id,
        source=(Span.of(TEXT, start, start + 9),),
        cue=(Span.of(TEXT, start + 10, start + 14),),
        content=(Span.of(TEXT, start + 15, TEXT.index(", a ministry")),),
        speaker=Speaker(organisation="Officials"),
        direct=False,
        polarity=Polarity.ASSERTS,
        relay_chain=(Relay("Nordpress", Span.of(TEXT, TEXT.index("Nordpress"), len(TEXT) - 1)),),
        method="fixture",
    )
    with store.begin() as conn:
        save_attributions(conn, article.id, [attribution])
    store.close()
    return article, attribution


def test_articles_csv_never_starts_a_cell_with_a_formula(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "r.db")
    filled(db)
    result = runner.invoke(app(), ["articles", "--db", db, "--csv"])
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["title"] == "'=cmd|' /C calc'!A0"
    assert row["text"].startswith("'=HYPERLINK")
    assert row["outlet"] == "nordpress"


def test_cli_and_api_give_one_attribution_shape(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "r.db")
    article, attribution = filled(db)
    from_cli = json.loads(
        runner.invoke(app(), ["attributions", article.id[:10], "--db", db, "--json"]).stdout
    )
    client = TestClient(create_app(Store(db)))
    from_api = client.get(f"/api/articles/{article.id}/attributions").json()["items"]
    assert from_cli == from_api == [records.attribution_record(attribution)]
    assert from_cli[0]["relay_chain"][0]["span"]["text"] == "Nordpress"


def test_csv_cells_that_look_like_formulas_are_quoted() -> None:
    text = records.csv_text(["a", "b"], [["+1", "-x"], ["@sum", "plain"], [3, None]])
    assert text.splitlines() == ["a,b", "'+1,'-x", "'@sum,plain", "3,"]


def test_a_duplicate_keeps_the_id_and_outlet_it_came_with(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from counterclaim.ingest import IngestOptions, ingest_paths

    text = "The port authority said the ferry service would resume on Monday after repairs to the ramp."
    feed = tmp_path / "wire.jsonl"
    feed.write_text(
        json.dumps({"id": "wire-1", "outlet": "reuters", "text": text})
        + "\n"
        + json.dumps({"id": "copy-7", "url": "https://mirror.example/ferry", "text": text})
        + "\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "d.db")
    store = Store(db)
    report = ingest_paths(store, [str(feed)], IngestOptions(analyze=False), progress=False)
    assert len(report.added) == 1 and len(report.duplicates) == 1
    listed = json.loads(runner.invoke(app(), ["articles", "--db", db, "--json"]).stdout)
    (article,) = listed
    assert [c["source_id"] for c in article["copies"]] == ["wire-1", "copy-7"]
    assert article["copies"][1]["url"] == "https://mirror.example/ferry"
    store.close()
