"""Typed errors of counterclaim, each saying what went wrong and what to do next.

The CLI maps them to exit codes: usage errors exit 2, failed inputs exit 1.
"""


class CounterclaimError(Exception):
    """Base class: every error counterclaim raises on purpose."""


class UsageError(CounterclaimError):
    """The user asked for something impossible: a bad option, path or URL."""


class StoreError(CounterclaimError):
    """The store cannot be opened, migrated or queried."""


class NotFoundError(CounterclaimError):
    """A record asked for by id does not exist."""


class InputError(CounterclaimError):
    """One input (file, feed entry, WARC record, URL) cannot be ingested; the run goes on."""


class ExtractionError(InputError):
    """A page was read but no main text could be extracted from it."""


class FetchError(InputError):
    """A URL could not be fetched, or was refused (size, content type, private address)."""


class ModelError(CounterclaimError):
    """A model artifact is missing or unreadable: rebuild it with the make target named in the message."""


class EngineError(CounterclaimError):
    """An engine cannot run: Ray is not installed or its cluster cannot be reached."""
