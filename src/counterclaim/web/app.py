"""The FastAPI application: JSON API under /api (OpenAPI at /api/openapi.json) and server-rendered pages.

Read-only unless a token is set; every response carries a strict CSP; errors share one JSON shape, no traces.
"""

from __future__ import annotations

import hmac
import logging
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import Message

from counterclaim import __version__
from counterclaim.claims import Encoder, load_encoder
from counterclaim.dossier import Dossier, load_dossier
from counterclaim.embeddings import Embedder
from counterclaim.errors import CounterclaimError, NotFoundError, UsageError
from counterclaim.export import dossier_json
from counterclaim.export.html_report import dossier_context, template_environment
from counterclaim.model import Article, IngestReport, Outlet, OutletKind, Stance
from counterclaim.outlets import OutletRegistry, open_registry
from counterclaim.outlets.names import CountryLexicon
from counterclaim.stance import StanceModel
from counterclaim.store import Store, article_id
from counterclaim.store.attributions import load_attributions
from counterclaim.store.claims import ClaimVectorCache, load_accounts, load_claims
from counterclaim.store.reuse import load_reuse_links
from counterclaim.store.search import MIN_SIMILARITY, rank_claims
from counterclaim.web.highlight import article_marks, evidence_anchor, segments
from counterclaim.web.queries import ClaimFilters, ClaimRow, list_claims

log = logging.getLogger("counterclaim.web")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
MAX_PAGE = 200
# Longest text a filter accepts (longer answers 422): a search query, and a name (outlet key, source).
MAX_QUERY = 500
MAX_NAME = 200
# SQL OFFSET is a signed 64-bit integer; far below that, a bigger offset is never a real page.
MAX_OFFSET = 1_000_000_000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_FILES = 20
# The whole multipart body: a few full-size files plus the form's own framing.
MAX_REQUEST_BYTES = 3 * MAX_UPLOAD_BYTES

# Ingests uploaded files into the store (and analyses them); `counterclaim serve` passes the full pipeline.
IngestFunction = Callable[[Store, list[Path]], IngestReport]


@dataclass
class WebState:
    store: Store
    registry: OutletRegistry
    templates: Environment
    token: str | None
    ingest: IngestFunction
    _encoder: Encoder | None = None
    _encoder_lock: threading.Lock = field(default_factory=threading.Lock)
    _stance_model: StanceModel | None = None
    # Claim vectors for search by meaning, reloaded only when claims change, not on every request.
    claim_vectors: ClaimVectorCache = field(default_factory=ClaimVectorCache)

    @property
    def encoder(self) -> Encoder:
        """The sentence encoder for search by meaning, loaded on first use and kept for the app's life."""
        with self._encoder_lock:
            if self._encoder is None:
                self._encoder = load_encoder()
            return self._encoder

    @property
    def stance_model(self) -> StanceModel:
        """The stance models dossiers judge story articles and search texts with, loaded once for the app and
        sharing the search's MiniLM session (taken before the lock: the encoder property holds it too)."""
        encoder = self.encoder
        with self._encoder_lock:
            if self._stance_model is None:
                shared = encoder if isinstance(encoder, Embedder) else None
                self._stance_model = StanceModel.load(threads=1, embedder=shared)
            return self._stance_model

    @property
    def outlets(self) -> list[Outlet]:
        return self.registry.all()

    @property
    def lexicon(self) -> CountryLexicon:
        return self.registry.lexicon

    @property
    def outlet_kinds(self) -> dict[str, OutletKind]:
        return {o.key: o.kind for o in self.outlets}


def create_app(
    store: Store,
    token: str | None = None,
    ingest: IngestFunction | None = None,
    registry: OutletRegistry | None = None,
    encoder: Encoder | None = None,
) -> FastAPI:
    """The app over `store`; uploads are accepted only when `token` is given."""
    app = FastAPI(
        title="counterclaim",
        version=__version__,
        description="Claims, who asserts, relays and denies them, shared wording and primary-source checks.",
        openapi_url="/api/openapi.json",
        # The stock docs pages load scripts from a CDN, which the CSP (rightly) refuses.
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = WebState(
        store=store,
        registry=registry if registry is not None else open_registry(store),
        templates=template_environment(str(resources.files("counterclaim.web") / "templates")),
        token=token or None,
        ingest=ingest or store_plain_text,
        _encoder=encoder,
    )
    app.mount("/static", StaticFiles(directory=str(resources.files("counterclaim.web") / "static")), "static")
    _install_error_handlers(app)
    app.middleware("http")(_security_headers)
    _api_routes(app)
    _page_routes(app)
    return app


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


# Errors ---------------------------------------------------------------------------------------------------

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _install_error_handlers(app: FastAPI) -> None:
    def respond(request: Request, status: int, code: str, message: str) -> Response:
        headers = dict(SECURITY_HEADERS)
        if not request.url.path.startswith("/api"):
            html = (
                _state(request).templates.get_template("error.html.j2").render(status=status, message=message)
            )
            return HTMLResponse(html, status_code=status, headers=headers)
        return JSONResponse(error_body(code, message), status_code=status, headers=headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        return respond(request, exc.status_code, code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()
        )
        return respond(request, 422, "invalid_request", f"Invalid request: {problems}")

    @app.exception_handler(CounterclaimError)
    async def domain_error(request: Request, exc: CounterclaimError) -> Response:
        if isinstance(exc, NotFoundError):
            return respond(request, 404, "not_found", str(exc))
        if isinstance(exc, UsageError):
            return respond(request, 400, "bad_request", str(exc))
        log.warning("request failed: %s", exc)
        return respond(request, 500, "store_error", str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return respond(request, 500, "internal_error", "Internal error: the server log has the details.")


# JSON API -------------------------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]


def _page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return {
        "items": items,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(items) == limit else None,
    }


def _filters(
    search: str | None,
    outlet: str | None,
    outlet_kind: OutletKind | None,
    stance: Stance | None,
    source: str | None,
    since: datetime | None,
    until: datetime | None,
) -> ClaimFilters:
    return ClaimFilters(
        search=(search or "").strip() or None,
        outlet=outlet or None,
        outlet_kind=outlet_kind,
        stance=stance,
        source=(source or "").strip() or None,
        since=since,
        until=until,
    )


# A dossier reached from a search: each article's own row is judged toward the searched text, as
# `report --search` judges it (the parties stay those toward the claim).
SearchText = Annotated[
    str | None,
    Query(description="The searched text: each article is judged toward it.", max_length=MAX_QUERY),
]


def _dossier(state: WebState, claim_id: str, query: str | None) -> Dossier:
    return load_dossier(state.store, claim_id, state.registry, state.stance_model, query=query)


def _api_routes(app: FastAPI) -> None:
    @app.get("/api/claims", tags=["claims"], summary="Claims, filtered and paged")
    def api_claims(
        request: Request,
        limit: Limit = 50,
        offset: Offset = 0,
        search: Annotated[
            str | None, Query(description="Text to search claims by meaning.", max_length=MAX_QUERY)
        ] = None,
        outlet: Annotated[
            str | None, Query(description="Outlet key of an account.", max_length=MAX_NAME)
        ] = None,
        outlet_kind: Annotated[OutletKind | None, Query(description="Kind of an account's outlet.")] = None,
        stance: Annotated[Stance | None, Query(description="Stance of an account.")] = None,
        source: Annotated[
            str | None, Query(description="Part of an attributed source's name.", max_length=MAX_NAME)
        ] = None,
        since: Annotated[datetime | None, Query(description="Accounts published at or after.")] = None,
        until: Annotated[datetime | None, Query(description="Accounts published at or before.")] = None,
    ) -> dict[str, Any]:
        state = _state(request)
        filters = _filters(search, outlet, outlet_kind, stance, source, since, until)
        rows = _claims_page(state, filters, limit, offset)
        items = [
            {
                **dossier_json.claim_to_dict(r.claim),
                "stances": r.stances,
                "outlets": r.outlets,
                "score": r.score,
            }
            for r in rows
        ]
        return _page(items, limit, offset)

    @app.get("/api/claims/{claim_id}", tags=["claims"], summary="One claim")
    def api_claim(request: Request, claim_id: str) -> dict[str, Any]:
        found = load_claims(_state(request).store, claim_ids=[claim_id])
        if not found:
            raise NotFoundError(f"No claim with id {claim_id!r}: list claims at /api/claims.")
        return dossier_json.claim_to_dict(found[0])

    @app.get(
        "/api/claims/{claim_id}/dossier", tags=["claims"], summary="A claim's dossier (export schema v1)"
    )
    def api_dossier(request: Request, claim_id: str, q: SearchText = None) -> dict[str, Any]:
        return dossier_json.dossier_to_dict(_dossier(_state(request), claim_id, q))

    @app.get("/api/search", tags=["claims"], summary="Claims closest in meaning to a text")
    def api_search(
        request: Request, q: Annotated[str, Query(min_length=1, max_length=2000)], limit: Limit = 10
    ) -> dict[str, Any]:
        state = _state(request)
        found = rank_claims(state.store, q, limit, encoder=state.encoder, cache=state.claim_vectors)
        items = [
            {**dossier_json.claim_to_dict(hit.claim), "score": hit.similarity, "meaning": hit.rank_score}
            for hit in found
        ]
        return {"items": items, "match": bool(items), "min_similarity": MIN_SIMILARITY}

    @app.get("/api/accounts", tags=["accounts"], summary="Accounts of a claim or of articles")
    def api_accounts(
        request: Request,
        claim_id: str | None = None,
        article_id: Annotated[list[str] | None, Query()] = None,
        stance: Stance | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        if claim_id is None and not article_id:
            raise UsageError("Give claim_id or article_id: listing every account at once is not offered.")
        accounts = load_accounts(_state(request).store, claim_id=claim_id, article_ids=article_id)
        if stance:
            accounts = [a for a in accounts if a.stance is stance]
        items = [dossier_json.account_record_to_dict(a) for a in accounts[offset : offset + limit]]
        return _page(items, limit, offset)

    @app.get("/api/articles", tags=["articles"], summary="Articles, filtered and paged (no text)")
    def api_articles(
        request: Request,
        limit: Limit = 50,
        offset: Offset = 0,
        outlet: str | None = None,
        outlet_kind: OutletKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        text: Annotated[str | None, Query(description="Full-text search words.")] = None,
    ) -> dict[str, Any]:
        state = _state(request)
        if outlet_kind:
            keys = [k for k, kind in state.outlet_kinds.items() if kind is outlet_kind]
            found: list[Article] = []
            for key in sorted(keys):
                found += state.store.articles(outlet=key, since=since, until=until, text=text or None)
            found.sort(key=lambda a: (a.published_at is None, a.published_at or datetime.min, a.id))
            articles = found[offset : offset + limit]
        else:
            articles = state.store.articles(
                outlet=outlet, since=since, until=until, text=text or None, limit=limit, offset=offset
            )
        return _page([dossier_json.article_to_dict(a, with_text=False) for a in articles], limit, offset)

    @app.get("/api/articles/{article_id}", tags=["articles"], summary="One article with its text")
    def api_article(request: Request, article_id: str) -> dict[str, Any]:
        return dossier_json.article_to_dict(_state(request).store.get_article(article_id))

    @app.get(
        "/api/articles/{article_id}/attributions", tags=["articles"], summary="Who said what in an article"
    )
    def api_attributions(request: Request, article_id: str) -> dict[str, Any]:
        store = _state(request).store
        article = store.get_article(article_id)
        return {
            "items": [dossier_json.attribution_to_dict(a) for a in load_attributions(store, [article.id])]
        }

    @app.get(
        "/api/articles/{article_id}/reuse", tags=["articles"], summary="Passages shared with other articles"
    )
    def api_reuse(request: Request, article_id: str) -> dict[str, Any]:
        store = _state(request).store
        article = store.get_article(article_id)
        return {
            "items": [dossier_json.reuse_link_to_dict(link) for link in load_reuse_links(store, [article.id])]
        }

    @app.post(
        "/api/ingest",
        tags=["ingest"],
        summary="Upload files to ingest (needs the server's token)",
        openapi_extra={"requestBody": _UPLOAD_BODY},
    )
    async def api_ingest(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> dict[str, Any]:
        state = _state(request)
        # Token and mode first: nothing of the body is read (or spooled to disk) for a refused request.
        _check_token(state.token, authorization)
        files = await _upload_files(request)
        with tempfile.TemporaryDirectory(prefix="counterclaim-upload-") as folder:
            paths = [await _save_upload(upload, Path(folder), n) for n, upload in enumerate(files)]
            report = await run_in_threadpool(state.ingest, state.store, paths)
        return {
            "added": report.added,
            "duplicates": report.duplicates,
            "skipped_sources": report.skipped_sources,
            "problems": [{"path": p.path, "reason": p.reason} for p in report.problems],
            "warnings": report.warnings,
        }


# The upload's body, described by hand: the route reads it itself, after the token check.
_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "Article files: text, HTML, feeds, WARC, JSONL.",
                    }
                },
            }
        }
    },
}


async def _upload_files(request: Request) -> list[UploadFile]:
    """The uploaded files of a multipart body, read only up to MAX_REQUEST_BYTES."""
    too_large = HTTPException(
        413, f"Upload is over {MAX_REQUEST_BYTES // 2**20} MiB in all: send fewer or smaller files."
    )
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_REQUEST_BYTES):
        raise too_large
    received = 0

    async def capped_receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > MAX_REQUEST_BYTES:
            raise too_large
        return message

    form = await Request(request.scope, capped_receive).form(max_files=MAX_UPLOAD_FILES, max_fields=10)
    files = [value for value in form.getlist("files") if isinstance(value, UploadFile)]
    if not files:
        raise UsageError("Send the files as the multipart form field 'files'.")
    return files


def _claims_page(state: WebState, filters: ClaimFilters, limit: int, offset: int) -> list[ClaimRow]:
    """One page of the claim list, shared by the API and the page."""
    return list_claims(
        state.store,
        filters,
        state.outlets,
        limit,
        offset,
        _encoder_for(state, filters),
        state.claim_vectors,
        state.lexicon,
    )


def _encoder_for(state: WebState, filters: ClaimFilters) -> Encoder | None:
    return state.encoder if filters.search else None


def _check_token(expected: str | None, authorization: str | None) -> None:
    if expected is None:
        raise HTTPException(403, "This server is read-only: start it with --token to accept uploads.")
    given = (authorization or "").removeprefix("Bearer ").strip()
    # Constant time, so the token cannot be guessed a character at a time from response times.
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise HTTPException(401, "Missing or wrong token: send 'Authorization: Bearer TOKEN'.")


async def _save_upload(upload: UploadFile, folder: Path, number: int) -> Path:
    # Never trust the client's file name as a path: keep only a safe suffix.
    suffix = "".join(Path(upload.filename or "").suffixes[-2:])
    safe_suffix = suffix if suffix.replace(".", "").isalnum() and len(suffix) <= 12 else ".txt"
    path = folder / f"upload-{number}{safe_suffix}"
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise UsageError(
                    f"Upload {upload.filename!r} is over {MAX_UPLOAD_BYTES // 2**20} MiB: split it."
                )
            out.write(chunk)
    return path


def store_plain_text(store: Store, paths: list[Path]) -> IngestReport:
    """The fallback ingest: each file is one plain-text article, first line as title; nothing is analysed."""
    report = IngestReport()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        if not text:
            report.warnings.append(f"{path.name}: empty file skipped")
            continue
        article = Article(
            id=article_id(text),
            text=text,
            title=text.split("\n", 1)[0][:200],
            source_path=path.name,
            extraction="upload:text",
        )
        (report.added if store.add_article(article) else report.duplicates).append(article.id)
    return report


# Pages ----------------------------------------------------------------------------------------------------


def _render(request: Request, template: str, **context: Any) -> HTMLResponse:
    html = _state(request).templates.get_template(template).render(request_path=request.url.path, **context)
    return HTMLResponse(html)


def _page_routes(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def claims_page(
        request: Request,
        q: Annotated[str | None, Query(max_length=MAX_QUERY)] = None,
        outlet_kind: Annotated[str | None, Query(max_length=MAX_NAME)] = None,
        stance: Annotated[str | None, Query(max_length=MAX_NAME)] = None,
        source: Annotated[str | None, Query(max_length=MAX_NAME)] = None,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> HTMLResponse:
        state = _state(request)
        filters = _filters(
            q,
            None,
            OutletKind(outlet_kind) if outlet_kind in {k.value for k in OutletKind} else None,
            Stance(stance) if stance in {s.value for s in Stance} else None,
            source,
            None,
            None,
        )
        limit = 25
        rows = _claims_page(state, filters, limit, offset)
        return _render(
            request,
            "claims.html.j2",
            rows=rows,
            filters=filters,
            kinds=list(OutletKind),
            stances=[s for s in Stance if s is not Stance.UNRELATED],
            offset=offset,
            limit=limit,
            next_offset=offset + limit if len(rows) == limit else None,
        )

    @app.get("/claims/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
    def dossier_page(request: Request, claim_id: str, q: SearchText = None) -> HTMLResponse:
        dossier = _dossier(_state(request), claim_id, q)

        def href(entry: Any) -> str:
            anchor = f"#{evidence_anchor(entry.evidence)}" if entry.evidence else ""
            return f"/articles/{entry.article_id}?claim={claim_id}{anchor}"

        return _render(request, "dossier.html.j2", **dossier_context(dossier, href), claim_links=True)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(request: Request, article_id: str, claim: str | None = None) -> HTMLResponse:
        store = _state(request).store
        article = store.get_article(article_id)
        attributions = load_attributions(store, [article.id])
        accounts = load_accounts(store, article_ids=[article.id])
        if claim:
            accounts = [a for a in accounts if a.claim_id == claim]
        links = load_reuse_links(store, [article.id])
        marks = article_marks(article.id, attributions, accounts, links)
        return _render(
            request,
            "article.html.j2",
            article=article,
            segments=segments(article.text, marks),
            attributions=attributions,
            links=links,
            claim_id=claim,
        )
