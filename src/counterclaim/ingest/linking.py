"""Links each article to its outlet: --outlet, the input's own outlet field, the registry, or the domain.

An outlet the registry does not know is derived from the URL's domain (kind unknown) and stored.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from counterclaim.errors import NotFoundError
from counterclaim.ingest.draft import Draft
from counterclaim.model import Outlet
from counterclaim.outlets import OutletRegistry

_SLUG = re.compile(r"[^a-z0-9]+")


def domain_of(url: str | None) -> str | None:
    """The host of a URL without a leading www., lower case."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.") or None


def slug(name: str) -> str:
    return _SLUG.sub("-", name.casefold()).strip("-")[:120] or "unnamed"


class OutletLinker:
    """Resolves outlets against one registry; `forced` (from --outlet) wins over everything."""

    def __init__(self, registry: OutletRegistry, forced: str | None = None) -> None:
        self.registry = registry
        self.warnings: list[str] = []
        self._named: dict[str, Outlet] = {}
        self.forced = self.by_name(forced) if forced else None

    def by_name(self, name: str) -> Outlet:
        """An outlet by registry key or name/alias; an unknown one becomes a new outlet of that name."""
        if name not in self._named:
            self._named[name] = self._resolve_name(name)
        return self._named[name]

    def _resolve_name(self, name: str) -> Outlet:
        try:
            return self.registry.get(name)
        except NotFoundError:
            pass
        found = self.registry.find_by_name(name)
        if found:
            return found[0]
        self.warnings.append(
            f"outlet {name!r} is not in the registry: stored as a new outlet of unknown kind"
        )
        return Outlet(key=slug(name), name=name)

    def link(self, draft: Draft) -> Outlet | None:
        if self.forced is not None:
            return self.forced
        if draft.outlet:
            return self.by_name(draft.outlet)
        matched = self.registry.match(url=draft.url, site_name=draft.site_name)
        if matched is not None:
            return matched
        domain = domain_of(draft.url)
        if domain:
            return Outlet(key=domain, name=draft.site_name or domain, domains=(domain,))
        if draft.site_name:
            return Outlet(key=slug(draft.site_name), name=draft.site_name)
        return None
