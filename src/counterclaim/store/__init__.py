"""The article store: one code path over SQLite (default) and PostgreSQL, schema kept by Alembic.

`Store(url)` opens and migrates; stage-specific save/load functions live in `store/<stage>.py`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.dialects.sqlite
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine, RowMapping

from counterclaim.errors import NotFoundError, StoreError, UsageError
from counterclaim.model import Article, ArticleCopy, Outlet, OutletKind
from counterclaim.store.tables import article_copies, articles, outlets
from counterclaim.text import utc

DEFAULT_DB = "counterclaim.db"

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_SPACE = re.compile(r"\s+")


def normalise_for_hash(text: str) -> str:
    """Fold what differs between formats of one article (case, quotes, dashes, spacing)."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _SPACE.sub(" ", folded).strip()


def article_id(text: str) -> str:
    """The article id: a hash of the normalised text, so one article from any format is one row."""
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()[:32]


def resolve_url(url: str | None) -> str:
    """Turn `--db` / COUNTERCLAIM_DB / a bare path into an SQLAlchemy URL."""
    raw = url or os.environ.get("COUNTERCLAIM_DB") or DEFAULT_DB
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if raw.startswith("postgresql+") or raw.startswith("sqlite:"):
        return raw
    if "://" in raw:
        raise UsageError(
            f"Unsupported database URL {raw!r}: use a file path, sqlite:///PATH or postgresql://..."
        )
    return f"sqlite:///{Path(raw).expanduser()}"


class Store:
    """A migrated database holding articles, outlets and everything the stages find."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)
        self._lock_depth = 0
        self.engine: Engine = self._connect(self.url)
        self.dialect: str = self.engine.dialect.name
        self.migrate()

    @staticmethod
    def _connect(url: str) -> Engine:
        try:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, connect_args={"timeout": 60})
                sa.event.listen(engine, "connect", _sqlite_pragmas)
                return engine
            return sa.create_engine(url, pool_pre_ping=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise UsageError(f"Cannot open database {url!r}: {exc}") from exc

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (idempotent)."""
        config = Config()
        config.set_main_option("script_location", str(resources.files("counterclaim.store") / "migrations"))
        try:
            if self._at_head_unless_busy(config):
                return
            # Two processes opening a new store at once would both create the tables: one migrates at a time,
            # and the other finds the store at head once it holds the lock.
            with self.writer_lock():
                if self._at_head(config):
                    return
                with self.engine.begin() as conn:
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
        except sa.exc.OperationalError as exc:
            raise StoreError(
                f"Cannot open or migrate the store at {self.url!r}: {exc.orig}. "
                "Check that the path is writable or the PostgreSQL server is running."
            ) from exc

    def _at_head_unless_busy(self, config: Config) -> bool:
        """Whether the store is at head; False when SQLite says another process holds it mid-migration (a new
        file switching to WAL answers "database is locked" at once, without waiting): the caller then waits
        for that process under the writer lock and checks again."""
        try:
            return self._at_head(config)
        except sa.exc.OperationalError as exc:
            if self.dialect == "sqlite" and "locked" in str(exc.orig):
                return False
            raise

    def _at_head(self, config: Config) -> bool:
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.connect() as conn:
            return bool(MigrationContext.configure(conn).get_current_revision() == head)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: everything inside is written together or not at all."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    # -- articles ---------------------------------------------------------------------------

    def add_article(self, article: Article, conn: Connection | None = None) -> bool:
        """Insert an article; False when its id (its text) is already stored, even by a writer running at the
        same moment (an insert that ignores a conflict, not a check then an insert). Either way the copy it
        came from (source id, path, URL, outlet) is kept in `article_copies`."""
        if conn is None:
            with self.begin() as own:
                return self.add_article(article, own)
        added = insert_new(conn, articles, [_article_row(article)]) == 1
        insert_new(conn, article_copies, [_copy_row(article)])
        return added

    def article_copies(self, ids: Sequence[str]) -> dict[str, list[ArticleCopy]]:
        """Every copy each article was stored from, first stored first."""
        found: dict[str, list[ArticleCopy]] = {article_id: [] for article_id in ids}
        query = (
            sa.select(article_copies)
            .where(article_copies.c.article_id.in_(list(ids)))
            .order_by(article_copies.c.article_id, article_copies.c.added_at, article_copies.c.copy_key)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                found[row["article_id"]].append(
                    ArticleCopy(
                        source_id=row["source_id"],
                        source_path=row["source_path"],
                        url=row["url"],
                        outlet=row["outlet"],
                        title=row["title"],
                        published_at=utc(row["published_at"]),
                    )
                )
        return found

    @contextmanager
    def writer_lock(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the store's one writer lock: analysis (whose claim index spans the corpus) and migrations run
        under it, so two processes on one store take turns instead of racing. `on_wait` is called once when
        another process holds it, before waiting."""
        if self._lock_depth:
            # Re-entrant within this Store: an ingest holds it around storing and the analysis inside.
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with self._os_lock(on_wait):
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    @contextmanager
    def _os_lock(self, on_wait: Callable[[], None] | None) -> Iterator[None]:
        if self.dialect == "sqlite":
            with _file_lock(_sqlite_lock_path(self.url), on_wait):
                yield
            return
        with self.engine.connect() as conn:
            if not conn.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _LOCK_KEY}).scalar():
                if on_wait is not None:
                    on_wait()
                conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                conn.commit()

    def has_article(self, article_id_: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(sa.select(articles.c.id).where(articles.c.id == article_id_)).first() is not None
            )

    def get_article(self, article_id_: str) -> Article:
        """An article by id or by a unique id prefix."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(articles)
                .where(articles.c.id.like(f"{_escape_like(article_id_)}%", escape="\\"))
                .limit(2)
            ).mappings()
            found = list(rows)
        if not found:
            raise NotFoundError(f"No article with id {article_id_!r}: list ids with `counterclaim articles`.")
        if len(found) > 1 and found[0]["id"] != article_id_:
            raise NotFoundError(f"Article id prefix {article_id_!r} is ambiguous: give more characters.")
        return _article_from_row(found[0])

    def articles(
        self,
        outlet: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: str | None = None,
        ids: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Article]:
        """Articles filtered by outlet, publication window, full-text query and ids, oldest first."""
        query = sa.select(articles)
        if outlet:
            query = query.where(articles.c.outlet == outlet)
        if since:
            query = query.where(articles.c.published_at >= utc(since))
        if until:
            query = query.where(articles.c.published_at <= utc(until))
        if ids is not None:
            query = query.where(articles.c.id.in_(list(ids)))
        if text:
            query = query.where(self._full_text_match(text))
        query = query.order_by(articles.c.published_at.is_(None), articles.c.published_at, articles.c.id)
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_article_from_row(row) for row in conn.execute(query).mappings()]

    def _full_text_match(self, text: str) -> sa.ColumnElement[bool]:
        if not re.search(r"\w", text):
            raise UsageError(f"Search text {text!r} has no words to search for.")
        if self.dialect == "sqlite":
            rowids = sa.text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :query").bindparams(
                query=_fts5_query(text)
            )
            return sa.literal_column("articles.rowid").in_(rowids)
        document = sa.func.to_tsvector(
            sa.literal_column("'english'"), sa.func.coalesce(articles.c.title, "") + " " + articles.c.text
        )
        return document.op("@@")(sa.func.websearch_to_tsquery(sa.literal_column("'english'"), text))

    def iter_articles(self, batch_size: int = 500) -> Iterator[list[Article]]:
        """Every article in batches, in id order, without holding the corpus in memory."""
        last = ""
        while True:
            query = sa.select(articles).where(articles.c.id > last).order_by(articles.c.id).limit(batch_size)
            with self.engine.connect() as conn:
                batch = [_article_from_row(row) for row in conn.execute(query).mappings()]
            if not batch:
                return
            yield batch
            last = batch[-1].id

    def row_counts(self) -> dict[str, int]:
        """Rows stored in each table the stages write, by the names the summaries print."""
        from counterclaim.store import tables

        counted = {
            "articles": tables.articles,
            "attributions": tables.attributions,
            "reuse links": tables.reuse_links,
            "claims": tables.claims,
            "accounts": tables.accounts,
            "provenance checks": tables.provenance_checks,
        }
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                for name, table in counted.items()
            }

    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one())

    # -- outlets ----------------------------------------------------------------------------

    def upsert_outlets(self, new_outlets: Sequence[Outlet], conn: Connection | None = None) -> None:
        if conn is None:
            with self.begin() as own:
                self.upsert_outlets(new_outlets, own)
            return
        for outlet in new_outlets:
            row = _outlet_row(outlet)
            # Insert-or-update in one statement: two writers storing the same outlet never collide.
            statement = _dialect_insert(conn)(outlets).values(**row)
            conn.execute(statement.on_conflict_do_update(index_elements=["key"], set_=row))

    def outlets(self) -> list[Outlet]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(outlets).order_by(outlets.c.key)).mappings()
            return [_outlet_from_row(row) for row in rows]


# The key of the PostgreSQL advisory lock that serialises writers of one database ("counterclaim" in ASCII).
_LOCK_KEY = 0x636F756E746572


def insert_new(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows whose primary key is not stored yet, ignoring the others; returns how many were inserted.

    One statement per row with ON CONFLICT DO NOTHING, so a concurrent writer's row is never an error.
    """
    inserted = 0
    keys = list(table.primary_key.columns)
    for row in rows:
        statement = _dialect_insert(conn)(table).values(**row).on_conflict_do_nothing().returning(*keys)
        # RETURNING answers only for a row really inserted (rowcount is unreliable for this on some drivers).
        inserted += conn.execute(statement).first() is not None
    return inserted


def _dialect_insert(conn: Connection) -> Callable[[sa.Table], Any]:
    if conn.dialect.name == "postgresql":
        return sa.dialects.postgresql.insert
    return sa.dialects.sqlite.insert


def _sqlite_lock_path(url: str) -> Path | None:
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database + ".lock")


@contextmanager
def _file_lock(path: Path | None, on_wait: Callable[[], None] | None) -> Iterator[None]:
    """An exclusive lock on a file beside the database (released by the OS if the process dies)."""
    if path is None:
        yield
        return
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the web app) work while an ingest writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts5_query(text: str) -> str:
    # Quote every word so user input never reaches FTS5's query syntax (AND, NEAR, column filters).
    words = re.findall(r"\w+", text)
    return " ".join(f'"{word}"' for word in words)


def _article_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "outlet": article.outlet,
        "site_name": article.site_name,
        "title": article.title,
        "authors": list(article.authors),
        "published_at": utc(article.published_at),
        "language": article.language,
        "text": article.text,
        "source_id": article.source_id,
        "source_path": article.source_path,
        "extraction": article.extraction,
        "warnings": list(article.warnings),
        "ingested_at": datetime.now(UTC),
    }


def _copy_row(article: Article) -> dict[str, Any]:
    where = "\x1f".join(part or "" for part in (article.source_path, article.source_id, article.url))
    return {
        "article_id": article.id,
        "copy_key": hashlib.sha256(where.encode("utf-8")).hexdigest(),
        "source_id": article.source_id,
        "source_path": article.source_path,
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "published_at": utc(article.published_at),
        "added_at": datetime.now(UTC),
    }


def _article_from_row(row: RowMapping) -> Article:
    return Article(
        id=row["id"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        outlet=row["outlet"],
        site_name=row["site_name"],
        authors=tuple(_json_list(row["authors"])),
        published_at=utc(row["published_at"]),
        language=row["language"],
        source_id=row["source_id"],
        source_path=row["source_path"],
        extraction=row["extraction"],
        warnings=tuple(_json_list(row["warnings"])),
    )


def _outlet_row(outlet: Outlet) -> dict[str, Any]:
    return {
        "key": outlet.key,
        "name": outlet.name,
        "domains": list(outlet.domains),
        "country": outlet.country,
        "kind": str(outlet.kind),
        "owner": outlet.owner,
        "aliases": list(outlet.aliases),
        "channel_of": outlet.channel_of,
    }


def _outlet_from_row(row: RowMapping) -> Outlet:
    return Outlet(
        key=row["key"],
        name=row["name"],
        domains=tuple(_json_list(row["domains"])),
        country=row["country"],
        kind=OutletKind(row["kind"]),
        owner=row["owner"],
        aliases=tuple(_json_list(row["aliases"])),
        channel_of=row["channel_of"],
    )


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        loaded = json.loads(value)
        return list(loaded) if isinstance(loaded, list) else []
    return list(value)
