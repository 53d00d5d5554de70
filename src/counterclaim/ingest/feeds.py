"""RSS 2.0 and Atom feeds with feedparser: entries with full content become articles, others pending links.

An entry's HTML content is turned into paragraphs; an entry with only a summary and a link waits for a fetch.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXException

import feedparser
import lxml.html
from lxml import etree

from counterclaim.errors import InputError
from counterclaim.ingest.draft import Draft, Failure, PendingLink

METHOD = f"feed-content/feedparser-{feedparser.__version__}"
# Content shorter than this is a teaser, not the article: the entry is kept as a pending link.
MIN_CONTENT_WORDS = 60
_BLOCKS = {
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "section",
    "article",
}
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")
_WORD = re.compile(r"\w+")


def looks_like_feed(head: str) -> bool:
    start = head[:2048].lower()
    return "<rss" in start or "<feed" in start or "<rdf:rdf" in start


def read_feed(raw: bytes, feed_location: str) -> Iterator[Draft | Failure | PendingLink]:
    """Articles, pending links and unreadable entries of one feed document."""
    parsed = feedparser.parse(raw)
    if parsed.bozo and not parsed.entries:
        raise InputError(f"malformed feed: {_bozo_reason(parsed)}")
    if not parsed.entries and not parsed.feed:
        raise InputError("not an RSS or Atom feed (no channel and no entries)")
    site_name = _text(parsed.feed.get("title"))
    for number, entry in enumerate(parsed.entries, start=1):
        yield _entry_item(entry, number, site_name, feed_location)
    if parsed.bozo and isinstance(parsed.get("bozo_exception"), SAXException):
        # feedparser's lenient parser recovers what it can: keep those entries, report the feed.
        yield Failure(
            None, f"malformed feed XML ({_bozo_reason(parsed)}): the entries before the error were read"
        )


def _entry_item(entry: Any, number: int, site_name: str | None, feed: str) -> Draft | Failure | PendingLink:
    location = f"entry {number}"
    link = _text(entry.get("link"))
    title = _text(entry.get("title"))
    published = _moment(entry.get("published_parsed") or entry.get("updated_parsed"))
    body = _content_text(entry)
    if len(_WORD.findall(body)) >= MIN_CONTENT_WORDS:
        return Draft(
            text=body,
            extraction=METHOD,
            title=title,
            url=link,
            site_name=site_name,
            authors=_authors(entry),
            published_at=published,
            source_id=_text(entry.get("id")),
            location=location,
        )
    if link:
        return PendingLink(url=link, feed=feed, title=title, published_at=published)
    return Failure(location, "entry has neither full content nor a link")


def _content_text(entry: Any) -> str:
    contents = entry.get("content") or []
    html = max((part.get("value", "") for part in contents), key=len, default="")
    return html_fragment_text(html) if html else ""


def html_fragment_text(fragment: str) -> str:
    """Paragraphs of an HTML fragment, one per block element, separated by blank lines."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment.strip()
    for bad in root.xpath("//script|//style|//figure|//figcaption"):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            element.text = "\n\n" + (element.text or "")
    raw = root.text_content()
    paragraphs = (_SPACE.sub(" ", block).strip() for block in re.split(r"\n\s*\n", raw))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _authors(entry: Any) -> tuple[str, ...]:
    names = [_text(author.get("name")) for author in entry.get("authors") or []]
    found = tuple(name for name in names if name)
    if found:
        return found
    single = _text(entry.get("author"))
    return (single,) if single else ()


def _moment(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    # feedparser normalises every date to a UTC struct_time.
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


def _bozo_reason(parsed: Any) -> str:
    exception = parsed.get("bozo_exception")
    return str(exception).split("\n", 1)[0][:120] if exception else "unreadable XML"
