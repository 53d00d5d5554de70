"""Attributions saved to and loaded from the store (SQLite and PostgreSQL), and the `attributions` command.

Round trips keep every field; saving again replaces an article's rows.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from counterclaim.cli import attributions as attributions_cli
from counterclaim.model import Article, Attribution, Polarity, Relay, Span, Speaker
from counterclaim.outlets import open_registry
from counterclaim.stages import Models, StageContext
from counterclaim.stages.attribution import extract_attributions
from counterclaim.store import Store, article_id
from counterclaim.store.attributions import load_attributions, save_attributions

TEXT = (Path(__file__).parent / "fixtures" / "attribution" / "patterns.txt").read_text(encoding="utf-8")


def _stored(store: Store) -> Article:
    article = Article(id=article_id(TEXT), text=TEXT, published_at=datetime(2019, 3, 5, tzinfo=UTC))
    store.add_article(article)
    return article


def _full(article: Article) -> Attribution:
    text = article.text

    def span(phrase: str) -> Span:
        start = text.index(phrase)
        return Span.of(text, start, start + len(phrase))

    return Attribution(
        id="a" * 32,
        article_id=article.id,
        source=(span("the mayor"),),
        speaker=Speaker(
            person="Ann Lee", organisation="City Hall", role="mayor", resolved_from=span("City Council")
        ),
        cue=(span("said"),),
        content=(span('"We will not leave this square,"'), span('"until the bridge is rebuilt."')),
        direct=True,
        polarity=Polarity.DENIES,
        method="test/1",
        hedges=(span("reportedly"),),
        relay_chain=(Relay("City Council", span("City Council")), Relay("the mayor", None)),
        channel="square",
        channel_span=span("square"),
        addressee="engineer",
        addressee_span=span("engineer"),
        place="bridge",
        place_span=span("bridge"),
        time_span=span("since May"),
        time_date=date(2019, 5, 1),
    )


def test_round_trip_keeps_every_field(store: Store) -> None:
    article = _stored(store)
    full = _full(article)
    bare = Attribution(
        id="b" * 32,
        article_id=article.id,
        source=(),
        speaker=None,
        cue=(full.cue[0],),
        content=(),
        direct=False,
        polarity=Polarity.OTHER,
        method="test/1",
    )
    with store.begin() as conn:
        save_attributions(conn, article.id, [full, bare])
    assert load_attributions(store, [article.id]) == [full, bare]
    assert load_attributions(store, ["0" * 32]) == []


def test_saving_again_replaces_an_articles_rows(store: Store) -> None:
    article = _stored(store)
    with store.begin() as conn:
        save_attributions(conn, article.id, [_full(article)])
    with store.begin() as conn:
        save_attributions(conn, article.id, [])
    assert load_attributions(store) == []


def test_analyze_saves_what_the_stage_finds(store: Store) -> None:
    article = _stored(store)
    found = extract_attributions(StageContext(store, open_registry(store), Models()), [article])
    loaded = load_attributions(store, [article.id])
    assert found == len(loaded) >= 4
    assert any(a.source and a.source[0].text == "the mayor" for a in loaded)
    assert all(a.method.startswith("counterclaim.attribution/") for a in loaded)


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """counterclaim (test shell)."""

    attributions_cli.register(app)
    return app


def test_command_prints_json_with_spans(store_url: str, app: typer.Typer) -> None:
    store = Store(store_url)
    article = _stored(store)
    result = CliRunner().invoke(app, ["attributions", article.id[:10], "--db", store_url, "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    mayor = next(r for r in records if r["source"] and r["source"][0]["text"] == "the mayor")
    assert mayor["cue"][0] == {"start": TEXT.index("said"), "end": TEXT.index("said") + 4, "text": "said"}
    assert len(mayor["content"]) == 2
    assert {"speaker", "relay_chain", "polarity", "channel", "addressee", "time_date", "method"} <= set(mayor)
    # Analysed once, then read back from the store.
    assert len(load_attributions(store, [article.id])) == len(records)


def test_command_table_lists_attributions(store_url: str, app: typer.Typer) -> None:
    store = Store(store_url)
    _stored(store)
    result = CliRunner().invoke(app, ["attributions", "--db", store_url], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert f"{len(load_attributions(store))} attributions" in result.stdout
    assert "According to" in result.stdout and "declines" in result.stdout


def test_command_summary_counts_polarities(store_url: str, app: typer.Typer) -> None:
    store = Store(store_url)
    article = _stored(store)
    result = CliRunner().invoke(app, ["attributions", "--db", store_url, "--summary"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    found = load_attributions(store, [article.id])
    row = next(line for line in result.stdout.splitlines() if article.id[:8] in line)
    cells = [cell.strip() for cell in row.split("│")][1:-1]
    counts = [
        sum(a.polarity is p for a in found) for p in (Polarity.ASSERTS, Polarity.DENIES, Polarity.DECLINES)
    ]
    assert cells[2:6] == [str(len(found)), *(str(n) for n in counts)]
    assert counts[2] >= 1
