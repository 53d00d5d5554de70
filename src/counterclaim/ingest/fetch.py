"""Fetching a URL with httpx, safely: timeouts, a size cap, a content-type check, few redirects, SSRF guard.

Every host (the first and each redirect target) is resolved and every address checked before connecting.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from counterclaim import __version__
from counterclaim.errors import FetchError, UsageError

MAX_REDIRECTS = 5
USER_AGENT = f"counterclaim/{__version__} (+https://github.com/counterclaim)"
ACCEPTED_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "text/plain": "text",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    body: bytes
    kind: str
    charset: str | None


def check_url(url: str) -> None:
    """Refuse what is not an http(s) URL with a host, before any network use."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not an http(s) URL with a host")


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Refuses hosts that resolve to non-public addresses, except networks explicitly allowed."""

    allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    def check(self, url: str) -> None:
        for address in resolve(url):
            if any(address in network for network in self.allowed):
                continue
            if not address.is_global or address.is_multicast:
                raise FetchError(
                    f"refused: {urlsplit(url).hostname} resolves to the non-public address {address} "
                    "(loopback, private, link-local or cloud metadata); "
                    "pass --allow-private to fetch from your own network"
                )


PUBLIC_ONLY = AddressGuard()


def resolve(url: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address the URL's host resolves to."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r} ({exc.strerror})") from exc
    # A scoped IPv6 address ("fe80::1%eth0") carries its interface after the %.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def fetch(url: str, *, max_bytes: int, timeout: float, guard: AddressGuard | None) -> Fetched:
    """The body of a URL, following at most MAX_REDIRECTS redirects, each re-checked by the guard.

    guard None fetches from any address (--allow-private).
    """
    check_url(url)
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}) as client:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if guard is not None:
                guard.check(current)
            fetched_or_next = _get_once(client, current, max_bytes)
            if isinstance(fetched_or_next, Fetched):
                return fetched_or_next
            current = fetched_or_next
            check_url(current)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _get_once(client: httpx.Client, url: str, max_bytes: int) -> Fetched | str:
    """One request: the page, or the next URL when the answer is a redirect."""
    try:
        with client.stream("GET", url) as response:
            if response.is_redirect:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"redirect {response.status_code} without a Location header")
                return urljoin(url, str(location))
            if response.status_code != 200:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
            kind, charset = _content_kind(response.headers.get("Content-Type", ""))
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise FetchError(
                    f"response of {declared / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB limit"
                )
            body = _read_capped(response, max_bytes)
            return Fetched(url=str(response.url), body=body, kind=kind, charset=charset)
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out ({type(exc).__name__}): raise --timeout or try later") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch ({type(exc).__name__}: {exc})") from exc


def _content_kind(content_type: str) -> tuple[str, str | None]:
    media, *parameters = [part.strip() for part in content_type.split(";")]
    kind = ACCEPTED_TYPES.get(media.lower())
    if kind is None:
        raise FetchError(f"content type {media or 'missing'!r} is not a page, feed, text or JSON")
    charset = None
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return kind, charset


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"response is over the {max_bytes / 1e6:.0f} MB limit; stopped reading")
        chunks.append(chunk)
    return b"".join(chunks)
