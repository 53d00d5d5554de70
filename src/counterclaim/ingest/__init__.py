"""Ingest of every common news format: HTML, pre-scraped text, RSS/Atom, JSONL, WARC, directories, URLs.

`ingest_paths(store, inputs, options)` reads the inputs, stores one article per transaction and reports;
`ingest_pending(store, options)` fetches the links feeds listed without their text.
"""

from counterclaim.ingest.runner import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    IngestOptions,
    ingest_paths,
    ingest_pending,
)
from counterclaim.model import IngestProblem, IngestReport

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "IngestOptions",
    "IngestProblem",
    "IngestReport",
    "ingest_paths",
    "ingest_pending",
]
