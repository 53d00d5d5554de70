"""Bytes of an input to text: size cap, gzip, binary detection and character-set decoding.

Decoding tries the declared charset, then UTF-8, then detection, and says so when nothing fits.
"""

from __future__ import annotations

import codecs
import re
import zlib
from pathlib import Path

import charset_normalizer

from counterclaim.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size, refused before reading when it is over the cap."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit: "
            "split it or raise the limit with --max-bytes"
        )
    if size == 0:
        raise InputError("empty file")
    return size


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes as stored (maybe gzip), refused before reading when over the cap."""
    check_size(path, max_bytes)
    return path.read_bytes()


def uncompressed(raw: bytes, max_bytes: int) -> bytes:
    """The bytes themselves, or their gzip content."""
    return gunzip(raw, max_bytes) if raw.startswith(GZIP_MAGIC) else raw


def gunzip(raw: bytes, max_bytes: int) -> bytes:
    """Decompress gzip data, refusing a truncated stream or one that inflates past the cap."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"corrupt gzip data ({exc})") from exc
    if len(out) > max_bytes:
        raise InputError(
            f"gzip data inflates past the {max_bytes / 1e6:.0f} MB limit: raise it with --max-bytes"
        )
    if not decompressor.eof:
        raise InputError("truncated gzip file: the compressed stream ends early")
    if not out:
        raise InputError("empty file (gzip of nothing)")
    return out


def looks_binary(raw: bytes) -> bool:
    """True for data that is not text in any encoding a news page uses (NULs, many control bytes)."""
    head = raw[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    return len(_CONTROL.findall(head)) > len(head) // 100


def declared_charset(raw: bytes) -> str | None:
    """The charset the document declares for itself (HTML meta or XML declaration)."""
    head = raw[:4096]
    found = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return found.group(1).decode("ascii", "replace") if found else None


def decode(raw: bytes, declared: str | None = None) -> str:
    """Text of the bytes: BOM, then the declared charset, then UTF-8, then detection."""
    if not raw.strip():
        raise InputError("empty file")
    if looks_binary(raw):
        raise InputError("binary content: not text, HTML, a feed, JSONL or WARC")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return _strict(raw[len(bom) :], encoding) or _undecodable(encoding)
    for candidate in (declared, declared_charset(raw), "utf-8"):
        if candidate:
            text = _strict(raw, candidate)
            if text is not None:
                return text
    best = charset_normalizer.from_bytes(raw[: 1 << 20]).best()
    if best is not None and best.encoding:
        text = _strict(raw, best.encoding)
        if text is not None:
            return text
    return _undecodable(declared)


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _undecodable(declared: str | None) -> str:
    said = f" (declared {declared})" if declared else ""
    raise InputError(
        f"cannot decode the text{said}: not UTF-8 and no character set fits; convert it to UTF-8 first"
    )
