"""Fetching a URL with httpx, safely: one deadline for the whole fetch, a size cap, a content-type check,
few redirects, and an SSRF guard whose checked address is the one connected to (no DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
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
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 ranges that carry an IPv4 address in their last 32 bits: the IPv4 address decides.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


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

    def check(self, url: str) -> Address:
        """The address to connect to: every address the host resolves to must pass, the first is used."""
        addresses = resolve(url)
        for address in addresses:
            if any(address in network for network in self.allowed):
                continue
            if not is_public(address):
                raise FetchError(
                    f"refused: {urlsplit(url).hostname} resolves to the non-public address {address} "
                    "(loopback, private, link-local or cloud metadata); "
                    "pass --allow-private to fetch from your own network"
                )
        return addresses[0]


PUBLIC_ONLY = AddressGuard()


def is_public(address: Address) -> bool:
    """A globally routable unicast address; an IPv6 form of an IPv4 address is judged by that address."""
    if not address.is_global or address.is_multicast:
        return False
    embedded = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    return embedded is None or (embedded.is_global and not embedded.is_multicast)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside a mapped, IPv4-compatible, 6to4, Teredo or NAT64 IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _IPV4_COMPATIBLE or any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def resolve(url: str) -> list[Address]:
    """Every address the URL's host resolves to."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host!r} ({exc.strerror})") from exc
    if not infos:
        raise FetchError(f"cannot resolve host {host!r} (no address)")
    # A scoped IPv6 address ("fe80::1%eth0") carries its interface after the %.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def fetch(url: str, *, max_bytes: int, timeout: float, guard: AddressGuard | None) -> Fetched:
    """The body of a URL, following at most MAX_REDIRECTS redirects, each re-checked by the guard.

    `timeout` bounds the whole fetch (every hop, connect and read), not each read. guard None fetches from any
    address (--allow-private); otherwise each hop connects to the address the guard checked.
    """
    check_url(url)
    deadline = _Deadline(time.monotonic() + timeout, timeout)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        address = guard.check(current) if guard is not None else None
        backend = _GuardedBackend(address, deadline)
        with httpx.Client(
            transport=_PinnedTransport(backend),
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            # Environment proxies would resolve the host again, past the guard.
            trust_env=False,
        ) as client:
            fetched_or_next = _get_once(client, current, max_bytes, deadline)
        if isinstance(fetched_or_next, Fetched):
            return fetched_or_next
        current = fetched_or_next
        _check_redirect_target(current)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _check_redirect_target(url: str) -> None:
    """A redirect elsewhere than http(s) fails this input only; the run goes on."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refused a redirect to {url[:200]!r}: only http(s) URLs with a host are fetched")


@dataclass(frozen=True, slots=True)
class _Deadline:
    """The moment the whole fetch must be over; every connect, read and write waits at most until then."""

    at: float
    timeout: float

    def bounded(self, wait: float | None) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout(f"the fetch took over {self.timeout:g} s")
        return left if wait is None else min(wait, left)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at


class _GuardedStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the deadline (a server dripping bytes is cut off)."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: object, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        secured = self._stream.start_tls(
            ssl_context,  # type: ignore[arg-type]
            server_hostname,
            self._deadline.bounded(timeout),
        )
        return _GuardedStream(secured, self._deadline)

    def get_extra_info(self, info: str) -> object:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Connects to the checked address (when there is one) whatever the host resolves to now.

    The URL keeps its host name, so the Host header, TLS SNI and certificate check stay those of the host.
    """

    def __init__(self, address: Address | None, deadline: _Deadline) -> None:
        self.address = address
        self.deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        target = str(self.address) if self.address is not None else host
        stream = super().connect_tcp(
            target, port, self.deadline.bounded(timeout), local_address, socket_options
        )
        return _GuardedStream(stream, self.deadline)


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport over a pool that connects through `backend`."""

    def __init__(self, backend: _GuardedBackend) -> None:
        super().__init__(trust_env=False)
        # httpx takes no network backend argument: its pool is rebuilt with one (httpx 0.28, pinned in
        # requirements.lock; tests/hostile checks the pinning end to end).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=backend
        )


def _get_once(client: httpx.Client, url: str, max_bytes: int, deadline: _Deadline) -> Fetched | str:
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
            declared = _declared_length(response)
            if declared > max_bytes:
                raise FetchError(
                    f"response of {declared / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB limit"
                )
            body = _read_capped(response, max_bytes)
            return Fetched(url=url, body=body, kind=kind, charset=charset)
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"timed out after {deadline.timeout:g} s ({type(exc).__name__}): raise --timeout or try later"
        ) from exc
    except httpx.HTTPError as exc:
        if deadline.passed:
            raise FetchError(f"timed out after {deadline.timeout:g} s: raise --timeout or try later") from exc
        raise FetchError(f"cannot fetch ({type(exc).__name__}: {exc})") from exc


def _declared_length(response: httpx.Response) -> int:
    try:
        return int(response.headers.get("Content-Length") or 0)
    except ValueError:
        return 0


def _content_kind(content_type: str) -> tuple[str, str | None]:
    media, *parameters = [part.strip() for part in content_type.split(";")]
    kind = ACCEPTED_TYPES.get(media.lower())
    if kind is None:
        raise FetchError(f"content type {media[:80] or 'missing'!r} is not a page, feed, text or JSON")
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
