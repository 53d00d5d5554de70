"""The ingest run: every source read, each article stored in its own transaction, problems reported.

A source is marked done only when all its articles are in, so a killed run resumes without duplicates.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, cast

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from counterclaim import faults
from counterclaim.errors import CounterclaimError, InputError
from counterclaim.ingest import ledger
from counterclaim.ingest.decode import (
    GZIP_MAGIC,
    Decoded,
    check_size,
    decode_bytes,
    looks_binary,
    uncompressed,
    utf16_without_bom,
)
from counterclaim.ingest.draft import Draft, Failure, Item, PendingLink
from counterclaim.ingest.feeds import read_feed
from counterclaim.ingest.fetch import PUBLIC_ONLY, AddressGuard, fetch
from counterclaim.ingest.html import DEFAULT_SETTINGS, ExtractionSettings, read_html
from counterclaim.ingest.jsonl import capped_lines, read_json_document, read_jsonl
from counterclaim.ingest.language import LanguageDetector
from counterclaim.ingest.linking import OutletLinker
from counterclaim.ingest.plaintext import read_text
from counterclaim.ingest.sources import (
    HTML,
    JSON,
    JSONL,
    STREAMED_KINDS,
    TEXT,
    WARC,
    Source,
    cannot_read,
    expand_inputs,
    head_bytes,
    kind_of,
)
from counterclaim.ingest.warc import read_warc
from counterclaim.model import Article, IngestProblem, IngestReport, Outlet
from counterclaim.outlets import open_registry
from counterclaim.store import Store, article_id

DEFAULT_MAX_BYTES = 50_000_000
# Long articles are analysed in pieces, but the claims stage's memory grows with the square of one article's
# attributions (8,000 in a 424,000-character text took it to 1.1 GB, 30,000 past 20 GB): longer is refused.
DEFAULT_MAX_ARTICLE_CHARS = 500_000
DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """Everything an ingest run is told, in one object."""

    recursive: bool = False
    outlet: str | None = None
    outlets_file: Path | None = None
    allow_private: bool = False
    # A single document (page, text, feed, JSON) over this size is refused; JSONL and WARC are
    # streamed, so the cap applies to each of their records instead.
    max_bytes: int = DEFAULT_MAX_BYTES
    # An article whose text is longer than this many characters is refused (named; the run goes on).
    max_article_chars: int = DEFAULT_MAX_ARTICLE_CHARS
    timeout: float = DEFAULT_TIMEOUT
    analyze: bool = True
    extraction: ExtractionSettings = DEFAULT_SETTINGS
    # Which addresses URL ingest may reach when allow_private is off: public ones only, by default.
    guard: AddressGuard = PUBLIC_ONLY


ProblemHandler = Callable[[IngestProblem], None]


def ingest_paths(
    store: Store,
    inputs: Sequence[str],
    options: IngestOptions,
    progress: bool = True,
    console: Console | None = None,
    on_problem: ProblemHandler | None = None,
) -> IngestReport:
    """Ingest files, directories, globs and URLs into the store; usage errors raise before any reading."""
    sources = expand_inputs(list(inputs), options.recursive)
    run = _Run(store, options, on_problem)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not progress, transient=True) as bar:
        task = bar.add_task("ingesting", total=len(sources))
        for source in sources:
            bar.update(task, description=f"ingesting {_short_name(source.name)}")
            run.ingest(source)
            bar.advance(task)
    run.report.warnings.extend(run.linker.warnings)
    return run.report


def ingest_pending(
    store: Store,
    options: IngestOptions,
    progress: bool = True,
    console: Console | None = None,
    on_problem: ProblemHandler | None = None,
) -> IngestReport:
    """Fetch and ingest the links that feeds listed without their text.

    A link stops being pending once its page is stored; one that fails stays pending for a later run.
    """
    urls = [link.url for link in ledger.load_pending_links(store)]
    if not urls:
        return IngestReport()
    return ingest_paths(store, urls, options, progress, console, on_problem)


def _short_name(name: str, width: int = 40) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


class _Run:
    """State of one run: the store, the loaded registry and language model, and the report so far."""

    def __init__(self, store: Store, options: IngestOptions, on_problem: ProblemHandler | None) -> None:
        self.store = store
        self.options = options
        self.on_problem = on_problem
        self.report = IngestReport()
        registry = open_registry(store, options.outlets_file)
        self.registry_keys = {outlet.key for outlet in registry.all()}
        self.linker = OutletLinker(registry, options.outlet)
        self.detector = LanguageDetector()
        self.stored_outlets: set[str] = set()

    def problem(self, name: str, reason: str) -> None:
        found = IngestProblem(path=name, reason=reason)
        self.report.problems.append(found)
        if self.on_problem is not None:
            self.on_problem(found)

    def ingest(self, source: Source) -> None:
        if source.error is not None:
            self.problem(source.name, source.error)
            return
        try:
            if source.url is not None:
                self._ingest_url(source, source.url)
            elif source.path is not None:
                self._ingest_file(source, source.path)
        except InputError as exc:
            self.problem(source.name, str(exc))
        except OSError as exc:
            self.problem(source.name, cannot_read(exc))
        except (SQLAlchemyError, CounterclaimError):
            raise  # the store or the run itself failed: stopping is right
        except Exception as exc:  # noqa: BLE001 (a parser library failing on hostile bytes must not end the run)
            first_line = (str(exc) or type(exc).__name__).split("\n", 1)[0][:200]
            self.problem(
                source.name,
                f"unexpected error while reading it ({type(exc).__name__}: {first_line}); please report it",
            )

    # -- reading -------------------------------------------------------------------------------

    def _ingest_file(self, source: Source, path: Path) -> None:
        kind = kind_of(path)
        if kind in STREAMED_KINDS:
            size = path.stat().st_size
            if size == 0:
                raise InputError("empty file")
            head = head_bytes(path)
            if kind == JSONL and utf16_without_bom(head) is not None:
                raise InputError("UTF-16 text: JSONL is read as UTF-8; convert it (iconv -f UTF-16 -t UTF-8)")
            if kind == JSONL and looks_binary(head):
                raise InputError("binary content: not text, HTML, a feed, JSONL or WARC")
            digest = ledger.file_digest(path)
            if self._already_done(source, digest):
                return
            with _open_stream(path) as stream:
                self._store_items(source, digest, size, self._stream_items(kind, stream))
            return
        check_size(path, self.options.max_bytes)
        raw = path.read_bytes()
        digest = ledger.bytes_digest(raw)
        if self._already_done(source, digest):
            return
        body = uncompressed(raw, self.options.max_bytes)
        self._store_items(source, digest, len(raw), self._document_items(kind, body, source.name))

    def _ingest_url(self, source: Source, url: str) -> None:
        guard = None if self.options.allow_private else self.options.guard
        fetched = fetch(url, max_bytes=self.options.max_bytes, timeout=self.options.timeout, guard=guard)
        digest = ledger.bytes_digest(fetched.body)
        if self._already_done(source, digest):
            return
        items = self._document_items(fetched.kind, fetched.body, source.name, fetched.url, fetched.charset)
        self._store_items(source, digest, len(fetched.body), items)

    def _already_done(self, source: Source, digest: str) -> bool:
        if ledger.source_done(self.store, digest):
            self.report.skipped_sources.append(source.name)
            return True
        return False

    def _stream_items(self, kind: str, stream: IO[bytes]) -> Iterator[Item]:
        if kind == WARC:
            yield from read_warc(stream, self.options.max_bytes, self.options.extraction)
            return
        try:
            yield from read_jsonl(capped_lines(stream, self.options.max_bytes))
        except (EOFError, OSError, zlib.error) as exc:
            yield Failure("end of file", f"truncated or corrupt compressed data ({exc})")

    def _document_items(
        self, kind: str, raw: bytes, name: str, url: str | None = None, charset: str | None = None
    ) -> Iterable[Item]:
        if kind == WARC:
            return read_warc(io.BytesIO(raw), self.options.max_bytes, self.options.extraction)
        # Refuses empty, binary and undecodable bytes with a clear reason; a guessed charset is noted.
        decoded = decode_bytes(raw, charset)
        items: Iterable[Item]
        if kind == HTML:
            items = [read_html(decoded.text, url=url, settings=self.options.extraction)]
        elif kind == TEXT:
            items = [read_text(decoded.text)]
        elif kind == JSON:
            items = read_json_document(decoded.text)
        elif kind == JSONL:
            items = read_jsonl(decoded.text.encode("utf-8").splitlines())
        else:
            return read_feed(raw, url or name)  # feedparser reads the feed's own encoding declaration
        return _with_charset_note(items, decoded)

    # -- storing -------------------------------------------------------------------------------

    def _store_items(self, source: Source, digest: str, size: int, items: Iterable[Item]) -> None:
        failed = False
        articles = pending = 0
        for item in items:
            if isinstance(item, Failure):
                self.problem(source.name, f"{item.location}: {item.reason}" if item.location else item.reason)
                failed = True
            elif isinstance(item, PendingLink):
                with self.store.begin() as conn:
                    ledger.save_pending_link(conn, item)
                self.report.pending_links.append(item.url)
                pending += 1
            elif len(item.text) > self.options.max_article_chars:
                where = f"{item.location}: " if item.location else ""
                self.problem(
                    source.name,
                    f"{where}article of {len(item.text):,} characters is over the "
                    f"{self.options.max_article_chars:,}-character limit for analysis: split it",
                )
                failed = True
            else:
                self._store_draft(source, item)
                articles += 1
        if failed:
            return
        if articles == 0 and pending == 0:
            self.report.warnings.append(f"{source.name}: no articles found")
        with self.store.begin() as conn:
            ledger.record_source(conn, digest, source.name, size, articles)

    def _store_draft(self, source: Source, draft: Draft) -> None:
        outlet = self.linker.link(draft)
        article = self._article(source, draft, outlet)
        with self.store.begin() as conn:
            if outlet is not None:
                self._keep_outlet(conn, outlet)
            added = self.store.add_article(article, conn)
            if source.url is not None:
                ledger.forget_pending_link(conn, source.url)
        if outlet is not None:
            self.stored_outlets.add(outlet.key)
        (self.report.added if added else self.report.duplicates).append(article.id)
        faults.checkpoint(f"stored-{len(self.report.added)}")

    def _keep_outlet(self, conn: Connection, outlet: Outlet) -> None:
        """Registry outlets are refreshed once a run; a derived one never overwrites a stored row."""
        if outlet.key in self.stored_outlets:
            return
        if outlet.key in self.registry_keys or not ledger.outlet_stored(conn, outlet.key):
            self.store.upsert_outlets([outlet], conn)

    def _article(self, source: Source, draft: Draft, outlet: Outlet | None) -> Article:
        return Article(
            id=article_id(draft.text),
            text=draft.text,
            title=draft.title,
            url=draft.url or source.url,
            outlet=outlet.key if outlet is not None else None,
            site_name=draft.site_name,
            authors=draft.authors,
            published_at=draft.published_at,
            language=draft.language or self.detector.detect(draft.text),
            source_id=draft.source_id,
            source_path=source.name if draft.location is None else f"{source.name}#{draft.location}",
            extraction=draft.extraction,
            warnings=draft.warnings,
        )


def _with_charset_note(items: Iterable[Item], decoded: Decoded) -> Iterator[Item]:
    """The items, each draft carrying a note of the charset when it was guessed."""
    note = decoded.note
    for item in items:
        if note is not None and isinstance(item, Draft):
            yield replace(item, warnings=(*item.warnings, note))
        else:
            yield item


def _open_stream(path: Path) -> IO[bytes]:
    with path.open("rb") as handle:
        compressed = handle.read(2) == GZIP_MAGIC
    # warcio reads gzip members itself; JSONL needs the plain lines.
    if compressed and kind_of(path) == JSONL:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")
