"""Main text and metadata of an HTML page (title, authors, date, site name, canonical URL) with trafilatura.

Settings were chosen on the article-extraction benchmark (bench/ingest.py): comments out, no fallback pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import Document

from counterclaim.errors import ExtractionError
from counterclaim.ingest.draft import Draft, parse_moment

METHOD = f"trafilatura-{trafilatura.__version__}"


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    """How trafilatura is asked to extract; the defaults scored best on the benchmark."""

    include_comments: bool = False
    include_tables: bool = True
    favor_precision: bool = False
    favor_recall: bool = True
    # Skipping the readability/justext fallback scored higher (F1 and recall) and runs faster;
    # favor_recall adds a little F1 and keeps more of the body, which attribution needs.
    fast: bool = True

    def keywords(self) -> dict[str, Any]:
        return {
            "include_comments": self.include_comments,
            "include_tables": self.include_tables,
            "favor_precision": self.favor_precision,
            "favor_recall": self.favor_recall,
            "fast": self.fast,
        }


DEFAULT_SETTINGS = ExtractionSettings()
# Fewer words than this is a menu or a widget that trafilatura kept, not an article.
MIN_WORDS = 8
_WORD = re.compile(r"\w+")
# htmldate: look at the whole page and prefer the original publication over an update.
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S"}


def extract_main_text(
    html: str | bytes, url: str | None = None, settings: ExtractionSettings = DEFAULT_SETTINGS
) -> str:
    """Only the main text, as the benchmark scores it."""
    document = _extract(html, url, settings, with_metadata=False)
    return (document.text or "") if document is not None else ""


def read_html(
    html: str | bytes,
    url: str | None = None,
    settings: ExtractionSettings = DEFAULT_SETTINGS,
    location: str | None = None,
) -> Draft:
    """The page as a draft article; ExtractionError when it has no main text."""
    document = _extract(html, url, settings, with_metadata=True, date_extraction_params=_DATE_PARAMS)
    text = (document.text or "").strip() if document is not None else ""
    if document is None or len(_WORD.findall(text)) < MIN_WORDS:
        raise ExtractionError(
            "no main text found in the page (only navigation, a login wall or an empty template?)"
        )
    return Draft(
        text=text,
        extraction=METHOD,
        title=_clean(document.title),
        url=_clean(document.url) or url,
        site_name=_clean(document.sitename),
        authors=_authors(document.author),
        published_at=_declared_moment(html) or parse_moment(document.date),
        location=location,
    )


# Publication times the page declares with their clock time and offset; htmldate keeps only the day,
# and two outlets that publish the same story on one day are told apart by the hour.
_JSON_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"')
_META_PUBLISHED = (
    "//meta[@property='article:published_time' or @name='article:published_time' "
    "or @property='og:published_time' or @itemprop='datePublished' or @name='pubdate']/@content"
    " | //time[@itemprop='datePublished' or @pubdate]/@datetime"
)


def _declared_moment(html: str | bytes) -> datetime | None:
    """The page's own timestamp when it carries a clock time, else None (the day comes from htmldate)."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    candidates = [str(value) for value in tree.xpath(_META_PUBLISHED)]
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    candidates += _JSON_LD_PUBLISHED.findall(text)
    for candidate in candidates:
        if "T" in candidate or ":" in candidate:
            moment = parse_moment(candidate)
            if moment is not None:
                return moment
    return None


def _extract(
    html: str | bytes, url: str | None, settings: ExtractionSettings, **extra: Any
) -> Document | None:
    document = trafilatura.bare_extraction(html, url=url, **settings.keywords(), **extra)
    return document if isinstance(document, Document) else None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return stripped or None


def _authors(value: object) -> tuple[str, ...]:
    # trafilatura joins several authors with "; ".
    if not isinstance(value, str):
        return ()
    return tuple(name.strip() for name in value.split(";") if name.strip())
