"""Bytes of an input to text: size cap, gzip, binary detection and character-set decoding.

Decoding tries the BOM, the declared charset, UTF-8, UTF-16 without a BOM, then a guess that prefers the
Western European code page for sparse accents; a guessed charset is named so the article can record it.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text of some bytes, the charset that read them, and whether it was guessed rather than known."""

    text: str
    encoding: str
    guessed: bool = False

    @property
    def note(self) -> str | None:
        """A warning for the article when the charset was a guess."""
        if not self.guessed:
            return None
        return (
            f"character set not declared: read as {self.encoding}; "
            "declare the charset or convert the file to UTF-8 if accented letters look wrong"
        )


def decode(raw: bytes, declared: str | None = None) -> str:
    """Text of the bytes: BOM, then the declared charset, then UTF-8, then detection."""
    return decode_bytes(raw, declared).text


def decode_bytes(raw: bytes, declared: str | None = None) -> Decoded:
    """Text of the bytes with the charset used: BOM, declared, UTF-8, UTF-16 without BOM, then a guess."""
    if not raw.strip():
        raise InputError("empty file")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            text = _strict(raw[len(bom) :], encoding)
            return Decoded(text, encoding) if text is not None else _undecodable(encoding)
    utf16 = utf16_without_bom(raw)
    if utf16 is not None:
        text = _strict(raw, utf16)
        if text is not None:
            return Decoded(text, f"{utf16} (no byte-order mark)", guessed=True)
    if looks_binary(raw):
        raise InputError("binary content: not text, HTML, a feed, JSONL or WARC")
    for candidate in (declared, declared_charset(raw)):
        if candidate:
            text = _strict(raw, candidate)
            if text is not None:
                return Decoded(text, candidate)
    text = _strict(raw, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    return _guess(raw, declared)


def utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like mostly-Latin UTF-16 (a NUL in every other byte)."""
    head = raw[:8192]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    pairs = len(head) // 2
    even_nul = head[0::2].count(0)
    odd_nul = head[1::2].count(0)
    if odd_nul >= 0.9 * pairs and even_nul <= 0.1 * pairs:
        return "utf-16-le"
    if even_nul >= 0.9 * pairs and odd_nul <= 0.1 * pairs:
        return "utf-16-be"
    return None


# Accented letters of the languages each Latin code page serves; symbols rare in running text count against.
_WESTERN_LETTERS = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸŒ¿¡")
_CENTRAL_LETTERS = frozenset("áäâăąćčďéęëěíîĺľłńňóôöőŕřśşšťţúůüűýźżžÁÄÂĂĄĆČĎÉĘËĚÍÎĹĽŁŃŇÓÔÖŐŔŘŚŞŠŤŢÚŮÜŰÝŹŻŽ")
_SHARED_MARKS = frozenset("’‘“”„–—…«»°€•·§©®×")
_LATIN_PAGES = (("cp1252", _WESTERN_LETTERS), ("cp1250", _CENTRAL_LETTERS))
# The guess reads the first megabyte: enough to tell, and bounded for a large file.
_SAMPLE_BYTES = 1 << 20


def _guess(raw: bytes, declared: str | None) -> Decoded:
    """The most plausible charset. Text with a few accents among ASCII letters is Latin: the Western page
    wins unless the Central European one reads more of its accents as letters (short French text in
    cp1250 turns 'è' into 'č', so plausibility, not the detector's first pick, decides).
    """
    sample = raw[:_SAMPLE_BYTES]
    if _sparse_accents(sample):
        scored = [
            (_plausibility(text, letters), -rank, encoding)
            for rank, (encoding, letters) in enumerate(_LATIN_PAGES)
            if (text := _strict(sample, encoding)) is not None
        ]
        if scored:
            score, _, encoding = max(scored)
            text = _strict(raw, encoding) if score > 0 else None
            if text is not None:
                return Decoded(text, encoding, guessed=True)
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None and best.encoding:
        text = _strict(raw, best.encoding)
        if text is not None:
            return Decoded(text, best.encoding, guessed=True)
    return _undecodable(declared)


_HIGH_BYTES = bytes(range(0x80, 0x100))
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _sparse_accents(raw: bytes) -> bool:
    """Few non-ASCII bytes among ASCII letters: an alphabet like Latin, not Cyrillic or Greek."""
    high = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    ascii_letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    return 0 < high <= 0.4 * ascii_letters


def _plausibility(text: str, letters: frozenset[str]) -> int:
    score = 0
    for char in text:
        if char.isascii():
            continue
        if char in letters:
            score += 1
        elif char not in _SHARED_MARKS:
            score -= 2
    return score


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _undecodable(declared: str | None) -> Decoded:
    said = f" (declared {declared})" if declared else ""
    raise InputError(
        f"cannot decode the text{said}: not UTF-8 and no character set fits; convert it to UTF-8 first"
    )
