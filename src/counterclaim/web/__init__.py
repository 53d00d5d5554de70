"""The web app: a read-only JSON API and server-rendered pages over a store, served by `counterclaim serve`.

`create_app(store)` builds the FastAPI application; nothing is global, so tests and benchmarks build theirs.
"""

from counterclaim.web.app import create_app

__all__ = ["create_app"]
