"""The outlet registry: looks outlets up by key, URL, site name or alias, and finds official channels.

Built from registry entries; later entries replace earlier ones with the same key (a user file wins).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from counterclaim.errors import NotFoundError
from counterclaim.model import Outlet, OutletKind
from counterclaim.outlets.entries import CountryWords, RegistryEntry
from counterclaim.outlets.names import CountryLexicon, OrganisationName, display_key


@dataclass(frozen=True, slots=True)
class _DomainRule:
    host: str
    path: str
    key: str
    # Load order: on equal specificity the entry loaded last (a user file) wins.
    order: int

    @property
    def specificity(self) -> int:
        return len(self.host) + len(self.path)

    def covers(self, path: str) -> bool:
        return not self.path or path == self.path or path.startswith(self.path + "/")


class OutletRegistry:
    """Outlets and official channels, with lookups by URL, name and organisation."""

    def __init__(self, entries: Iterable[RegistryEntry], countries: Iterable[CountryWords] = ()) -> None:
        self._entries: dict[str, RegistryEntry] = {}
        order: dict[str, int] = {}
        for position, entry in enumerate(entries):
            self._entries[entry.outlet.key] = entry
            order[entry.outlet.key] = position
        self._lexicon = CountryLexicon(countries)
        self._rules = _domain_rules(self._entries.values(), order)
        self._names = _name_index(self._entries.values(), aliases=False)
        self._aliases = _name_index(self._entries.values(), aliases=True)
        self._organisations = {
            key: tuple(self._lexicon.parse(name) for name in entry.organisation_names)
            for key, entry in self._entries.items()
            if entry.outlet.kind is OutletKind.GOVERNMENT_CHANNEL
        }

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def lexicon(self) -> CountryLexicon:
        """The country words of the registry, for comparing organisation names found in articles."""
        return self._lexicon

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def all(self, include_fictional: bool = True) -> list[Outlet]:
        return [e.outlet for e in self._entries.values() if include_fictional or not e.fictional]

    def get(self, key: str) -> Outlet:
        entry = self._entries.get(key)
        if entry is None:
            raise NotFoundError(
                f"no outlet with key '{key}' in the registry: check the spelling, "
                "or add it to your own outlets file and pass it with load_registry(extra=...)"
            )
        return entry.outlet

    def is_fictional(self, key: str) -> bool:
        """Whether the outlet is one of the invented outlets of the bundled example corpus."""
        self.get(key)
        return self._entries[key].fictional

    def origin(self, key: str) -> str:
        """The file the outlet's entry came from (the shipped registry or a user file)."""
        self.get(key)
        return self._entries[key].origin

    def match(self, url: str | None = None, site_name: str | None = None) -> Outlet | None:
        """The outlet of a URL (most specific rule wins), else of a site name; None if unknown/ambiguous."""
        if url:
            outlet = self._match_url(url)
            if outlet is not None:
                return outlet
        if site_name:
            return self._match_site_name(site_name)
        return None

    def find_by_name(self, name: str) -> list[Outlet]:
        """Outlets whose name or alias is `name` (case-insensitive); exact names before aliases."""
        wanted = display_key(name)
        keys = self._names.get(wanted, []) + self._aliases.get(wanted, [])
        return [self._entries[key].outlet for key in dict.fromkeys(keys)]

    def channels_of(self, organisation: str, country: str | None = None) -> list[Outlet]:
        """Official channels of an organisation named as in an article ("Russian Ministry of Defence")."""
        wanted = self._lexicon.parse(organisation)
        if not wanted.words:
            return []
        found = []
        for key, names in self._organisations.items():
            outlet = self._entries[key].outlet
            if country is not None and outlet.country != country:
                continue
            if any(_same_organisation(wanted, name, outlet.country) for name in names):
                found.append(outlet)
        return found

    def _match_url(self, url: str) -> Outlet | None:
        host, path = _host_and_path(url)
        if not host:
            return None
        labels = host.split(".")
        candidates = [
            rule
            for start in range(len(labels))
            for rule in self._rules.get(".".join(labels[start:]), ())
            if rule.covers(path)
        ]
        if not candidates:
            return None
        best = max(candidates, key=lambda rule: (rule.specificity, rule.order))
        return self._entries[best.key].outlet

    def _match_site_name(self, site_name: str) -> Outlet | None:
        if "." in site_name and " " not in site_name.strip():
            outlet = self._match_url(site_name.strip())
            if outlet is not None:
                return outlet
        wanted = display_key(site_name)
        for index in (self._names, self._aliases):
            keys = index.get(wanted, [])
            if len(keys) == 1:
                return self._entries[keys[0]].outlet
            if len(keys) > 1:
                # Two outlets share the name ("ABC News"): refuse to guess.
                return None
        return None


def _same_organisation(wanted: OrganisationName, name: OrganisationName, country: str | None) -> bool:
    if wanted.words != name.words:
        return False
    countries = name.countries or (frozenset({country}) if country else frozenset())
    return not wanted.countries or wanted.countries <= countries


def _host_and_path(url: str) -> tuple[str, str]:
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return "", ""
    return host.rstrip("."), parts.path.lower().rstrip("/")


def _domain_rules(entries: Iterable[RegistryEntry], order: dict[str, int]) -> dict[str, list[_DomainRule]]:
    rules: dict[str, list[_DomainRule]] = {}
    for entry in entries:
        key = entry.outlet.key
        for domain in entry.outlet.domains:
            host, _, path = domain.partition("/")
            rule = _DomainRule(host=host, path=f"/{path}" if path else "", key=key, order=order[key])
            rules.setdefault(host, []).append(rule)
    return rules


def _name_index(entries: Iterable[RegistryEntry], aliases: bool) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for entry in entries:
        names = entry.outlet.aliases if aliases else (entry.outlet.name,)
        for name in names:
            keys = index.setdefault(display_key(name), [])
            if entry.outlet.key not in keys:
                keys.append(entry.outlet.key)
    return index
