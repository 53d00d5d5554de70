"""Plain text and pre-scraped page text: boilerplate removal, title, byline and author-bio detection.

Text without boilerplate is kept exactly as given (offsets stay valid); with boilerplate, the body is kept.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import dateutil.parser

from counterclaim.ingest.draft import Draft

METHOD_EXACT = "plain-text"
METHOD_CLEANED = "prescraped-text-1"


class Boilerplate(StrEnum):
    NAVIGATION = "navigation"
    IMAGE_LABEL = "image label"
    CAPTION = "repeated caption"
    AUTHOR_BIO = "author bio"
    LEGAL = "legal notice"
    BYLINE = "byline"
    DATELINE = "dateline"


# Whole lines that are site navigation or widgets, never article sentences.
_NAVIGATION = frozenset(
    {
        "accessibility links",
        "breaking news",
        "skip to main content",
        "skip to content",
        "skip to navigation",
        "main menu",
        "menu",
        "search",
        "share",
        "share this",
        "share this article",
        "share on facebook",
        "share on twitter",
        "print",
        "print this page",
        "email",
        "copy link",
        "advertisement",
        "sponsored",
        "related",
        "related articles",
        "related stories",
        "related content",
        "read more",
        "see also",
        "subscribe",
        "sign in",
        "log in",
        "follow us",
        "home",
        "comments",
        "top stories",
        "most popular",
        "most read",
        "newsletter",
        "back to top",
        "listen to this article",
        "continue reading",
        "scroll to continue",
    }
)
_IMAGE_LABEL = re.compile(
    r"^[•·*\-–]?\s*(?:\d+\s*[x:×]\s*\d+\s+(?:image|video|photo|gallery)s?"
    r"|(?:image|photo|video|gallery)(?:\s+\d+\s+of\s+\d+)?"
    r"|(?:photo|image|picture|file photo|credit|photograph)\s*:\s*\S.{0,80})$",
    re.IGNORECASE,
)
_LEGAL = (
    re.compile(r"\bundesirable organi[sz]ation\b.{0,40}\bby the \w+ government\.?$", re.IGNORECASE),
    re.compile(r"\bforeign agent\b.{0,40}\bby the \w+ (?:government|ministry of justice)\.?$", re.IGNORECASE),
    re.compile(r"\b(?:sharing|liking|commenting on|saving) our content\b", re.IGNORECASE),
    re.compile(
        r"^(?:to find out more|for more information|more information|read more|learn more)\b.{0,30}"
        r"\bclick here\W*$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:copyright\b|©).{0,120}$|\ball rights reserved\.?$", re.IGNORECASE),
)
_NAME = r"[A-Z][\w'’.\-]+(?:\s+(?:[A-Z][\w'’.\-]+|van|von|de|da|al|bin|el|la|le)){1,4}"
_NAME_LINE = re.compile(rf"^{_NAME}$")
_BYLINE = re.compile(rf"^by\s+({_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*$", re.IGNORECASE)
_BIO_VERB = re.compile(r"^\s*(?:is|was|has|joined|covers|reports|writes|serves)\b")
_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*$""")
_WORD = re.compile(r"\w+")
_TITLE_MAX_WORDS = 25
_HEAD_LINES = 6


@dataclass(slots=True)
class CleanedText:
    """The body of a text with what was taken out and why, plus the title and authors found."""

    body: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    removed: list[tuple[str, Boilerplate]] = field(default_factory=list)
    published_at: datetime | None = None

    @property
    def had_boilerplate(self) -> bool:
        return bool(self.removed)


def read_text(text: str, location: str | None = None) -> Draft:
    """A plain-text article: exact when it has no boilerplate, else its cleaned body."""
    cleaned = clean_prescraped(text)
    if cleaned.had_boilerplate:
        return Draft(
            text=cleaned.body,
            extraction=METHOD_CLEANED,
            title=cleaned.title,
            authors=cleaned.authors,
            published_at=cleaned.published_at,
            location=location,
            warnings=(f"removed {len(cleaned.removed)} boilerplate lines",),
        )
    return Draft(
        text=text, extraction=METHOD_EXACT, title=cleaned.title, authors=cleaned.authors, location=location
    )


def clean_prescraped(text: str) -> CleanedText:
    """Split a pre-scraped page into body lines and boilerplate; the body keeps every article sentence."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    removed: dict[int, Boilerplate] = {}
    for index, line in enumerate(lines):
        kind = _line_kind(line)
        if kind is not None:
            removed[index] = kind
    removed.update(_repeated_captions(lines))
    bios, bio_authors = _author_bios(lines)
    removed.update(bios)
    kept = [index for index in range(len(lines)) if index not in removed]
    title_index = _title_index(lines, kept)
    bylines, byline_authors = _bylines(lines, kept)
    dateline, published_at = _dateline(lines, kept)
    authors = byline_authors or bio_authors
    body_lines = [lines[i] for i in kept if i != title_index and i not in bylines and i != dateline]
    if removed:
        for index in bylines:
            removed[index] = Boilerplate.BYLINE
        if dateline is not None:
            removed[dateline] = Boilerplate.DATELINE
    return CleanedText(
        body="\n\n".join(body_lines),
        title=lines[title_index] if title_index is not None else None,
        authors=authors,
        removed=[(lines[i], removed[i]) for i in sorted(removed)],
        published_at=published_at if removed else None,
    )


def _line_kind(line: str) -> Boilerplate | None:
    if line.casefold().rstrip(":") in _NAVIGATION:
        return Boilerplate.NAVIGATION
    if _IMAGE_LABEL.match(line):
        return Boilerplate.IMAGE_LABEL
    if any(pattern.search(line) for pattern in _LEGAL):
        return Boilerplate.LEGAL
    return None


def _repeated_captions(lines: list[str]) -> dict[int, Boilerplate]:
    """A line printed twice in a row is an image's alt text and caption; the body's own copy stays.

    When the same sentence also appears elsewhere, every copy in the run goes; when it appears only in
    the run, one copy stays, since it may be the only place that sentence is.
    """
    counts = Counter(lines)
    found: dict[int, Boilerplate] = {}
    index = 0
    while index < len(lines):
        end = index + 1
        while end < len(lines) and lines[end] == lines[index]:
            end += 1
        run = end - index
        if run > 1:
            keep_one = counts[lines[index]] == run
            for dropped in range(index + (1 if keep_one else 0), end):
                found[dropped] = Boilerplate.CAPTION
        index = end
    return found


def _author_bios(lines: list[str]) -> tuple[dict[int, Boilerplate], tuple[str, ...]]:
    """A name on its own line followed by a paragraph about that name ("X is an editor who ...")."""
    found: dict[int, Boilerplate] = {}
    authors: list[str] = []
    for index in range(len(lines) - 1):
        name = lines[index]
        if not _NAME_LINE.match(name) or len(name) > 60:
            continue
        following = lines[index + 1]
        if following.startswith(name) and _BIO_VERB.match(following[len(name) :]):
            found[index] = Boilerplate.AUTHOR_BIO
            found[index + 1] = Boilerplate.AUTHOR_BIO
            authors.append(name)
    return found, tuple(authors)


def _is_body_paragraph(line: str) -> bool:
    return len(_WORD.findall(line)) >= 12 and bool(_SENTENCE_END.search(line))


def _looks_like_title(line: str) -> bool:
    words = _WORD.findall(line)
    if not 2 <= len(words) <= _TITLE_MAX_WORDS or len(line) > 200:
        return False
    if line.endswith((".", ",", ";", ":")) or (line.isupper() and len(words) < 3):
        return False
    capitalised = sum(1 for word in words if word[0].isupper() or word[0].isdigit())
    return capitalised >= 1


def _title_index(lines: list[str], kept: list[int]) -> int | None:
    """The first kept line before the body that reads like a headline."""
    for index in kept:
        line = lines[index]
        if _is_body_paragraph(line):
            return None
        if _BYLINE.match(line):
            continue
        return index if _looks_like_title(line) else None
    return None


def _bylines(lines: list[str], kept: list[int]) -> tuple[set[int], tuple[str, ...]]:
    """ "By Jane Doe and John Roe" lines in the head of the text, before the first body paragraph."""
    found: set[int] = set()
    authors: list[str] = []
    for index in kept:
        line = lines[index]
        if _is_body_paragraph(line):
            break
        match = _BYLINE.match(line)
        if match:
            found.add(index)
            authors.extend(name.strip() for name in re.split(r",|\band\b|&", match.group(1)) if name.strip())
    return found, tuple(authors)


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    rf"^(?:(?:Published|Updated|Posted)\s*:?\s*)?(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})(?:[\sT,]+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:GMT|UTC|Z|[+-]\d{2}:?\d{2})?)?$"
)


def _dateline(lines: list[str], kept: list[int]) -> tuple[int | None, datetime | None]:
    """A line in the head of the text that is only a date (and time): the page's publication time."""
    # The head: a kept caption can precede the dateline, so look at the first few lines, not up to the body.
    for index in kept[:_HEAD_LINES]:
        line = lines[index]
        if _DATELINE.match(line):
            try:
                moment = dateutil.parser.parse(line.replace("GMT", "UTC"), fuzzy=True)
            except (ValueError, OverflowError):
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return index, moment.astimezone(UTC)
    return None, None
