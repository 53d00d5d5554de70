"""The store on SQLite and PostgreSQL: migrations, ids, round trips, queries, full-text search."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from counterclaim.errors import NotFoundError, UsageError
from counterclaim.model import Article, Outlet, OutletKind
from counterclaim.store import Store, article_id, normalise_for_hash, resolve_url


def make_article(
    text: str, outlet: str = "valdoria-today", day: int = 1, title: str | None = None
) -> Article:
    return Article(
        id=article_id(text),
        text=text,
        title=title or text.split(".")[0],
        url=f"https://{outlet}.example/{day}",
        outlet=outlet,
        authors=("Ana Petrovic",),
        published_at=datetime(2031, 3, day, 9, 30, tzinfo=UTC),
        language="en",
        source_id=f"src-{day}",
        source_path="/tmp/input.jsonl",
        extraction="jsonl",
        warnings=("no author",),
    )


def test_article_id_ignores_formatting_differences() -> None:
    plain = 'The ministry said "joint strikes" took place - near Dorvik.'
    typeset = "The  Ministry said \u201cjoint strikes\u201d took place \u2013 near Dorvik.\n"
    assert article_id(plain) == article_id(typeset)
    assert article_id(plain) != article_id(plain.replace("Dorvik", "Kessel"))
    assert len(article_id(plain)) == 32


@given(st.text(min_size=1, max_size=200))
@settings(max_examples=100)
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalise_for_hash(text)
    assert normalise_for_hash(once) == once


def test_resolve_url_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COUNTERCLAIM_DB", raising=False)
    assert resolve_url(None) == "sqlite:///counterclaim.db"
    assert resolve_url("/tmp/x.db") == "sqlite:////tmp/x.db"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("COUNTERCLAIM_DB", "/tmp/env.db")
    assert resolve_url(None) == "sqlite:////tmp/env.db"
    with pytest.raises(UsageError, match="Unsupported database URL"):
        resolve_url("mysql://u@h/db")


def test_round_trip_keeps_every_field_and_exact_text(store: Store) -> None:
    text = "  Line one.\n\nLine two with  double spaces and \u201cquotes\u201d.\n"
    article = make_article(text)
    assert store.add_article(article) is True
    loaded = store.get_article(article.id)
    assert loaded == article
    assert loaded.text == text  # stored exactly as given: offsets computed by users stay valid


def test_adding_the_same_article_twice_adds_nothing(store: Store) -> None:
    article = make_article("The ministry issued a statement on Tuesday.")
    assert store.add_article(article) is True
    assert store.add_article(article) is False
    assert store.count_articles() == 1


def test_get_article_by_prefix_and_missing(store: Store) -> None:
    article = make_article("A statement about the harbour.")
    store.add_article(article)
    assert store.get_article(article.id[:10]).id == article.id
    with pytest.raises(NotFoundError, match="counterclaim articles"):
        store.get_article("ffffffffffff")


def test_query_by_outlet_and_dates(store: Store) -> None:
    for day, outlet in ((1, "a"), (2, "b"), (3, "a"), (4, "b")):
        store.add_article(make_article(f"Report number {day} from the front.", outlet=outlet, day=day))
    assert [a.published_at.day for a in store.articles(outlet="a") if a.published_at] == [1, 3]
    window = store.articles(
        since=datetime(2031, 3, 2, tzinfo=UTC), until=datetime(2031, 3, 3, 23, tzinfo=UTC)
    )
    assert [a.published_at.day for a in window if a.published_at] == [2, 3]
    assert len(store.articles(limit=2, offset=1)) == 2


def test_dates_come_back_in_utc(store: Store) -> None:
    plus_three = timezone(timedelta(hours=3))
    article = replace(
        make_article("A timed statement."), published_at=datetime(2031, 3, 5, 15, 0, tzinfo=plus_three)
    )
    store.add_article(article)
    loaded = store.get_article(article.id)
    assert loaded.published_at == datetime(2031, 3, 5, 12, 0, tzinfo=UTC)
    assert loaded.published_at is not None and loaded.published_at.utcoffset() == timedelta(0)


def test_full_text_search(store: Store) -> None:
    store.add_article(make_article("Defence ministry reports joint strikes near Dorvik.", day=1))
    store.add_article(make_article("Harvest festival opens in the capital with folk music.", day=2))
    found = store.articles(text="strikes Dorvik")
    assert len(found) == 1 and "Dorvik" in found[0].text
    # stemming: "strike" finds "strikes" on both back ends
    assert len(store.articles(text="strike")) == 1
    # user input never reaches the query syntax
    assert store.articles(text='NEAR("x" OR') == []
    with pytest.raises(UsageError):
        store.articles(text="!!!")


def test_iter_articles_visits_each_once(store: Store) -> None:
    for day in range(1, 8):
        store.add_article(make_article(f"Bulletin {day}.", day=day))
    seen = [a.id for batch in store.iter_articles(batch_size=3) for a in batch]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 7


def test_outlets_upsert(store: Store) -> None:
    outlet = Outlet(
        key="vna", name="Valdoria News Agency", domains=("vna.example",), kind=OutletKind.STATE_MEDIA
    )
    store.upsert_outlets([outlet])
    store.upsert_outlets([replace(outlet, country="VD")])
    stored = store.outlets()
    assert len(stored) == 1 and stored[0].country == "VD" and stored[0].kind is OutletKind.STATE_MEDIA


def test_transaction_rolls_back_everything(store: Store) -> None:
    first = make_article("First of two.")
    with pytest.raises(RuntimeError), store.begin() as conn:
        store.add_article(first, conn)
        raise RuntimeError("interrupted")
    assert store.count_articles() == 0


def test_reopening_runs_no_migration_twice(store_url: str) -> None:
    Store(store_url).close()
    reopened = Store(store_url)
    with reopened.engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version >= "0005"
    reopened.close()
