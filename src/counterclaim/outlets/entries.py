"""Reads and validates outlet registry files (TOML): the shipped one and a user's own.

A malformed file raises RegistryError naming the file, the line of the entry and what to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from counterclaim.errors import UsageError
from counterclaim.model import Outlet, OutletKind

OUTLET_FIELDS = frozenset(
    {
        "name",
        "kind",
        "domains",
        "country",
        "owner",
        "aliases",
        "channel_of",
        "channel_of_aliases",
        "fictional",
    }
)
COUNTRY_FIELDS = frozenset({"name", "words"})
TOP_LEVEL_TABLES = ("outlet", "country")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
# A host name, optionally followed by a path prefix for a channel on a shared platform.
DOMAIN_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(/[^\s?#]+)?$")


class RegistryError(UsageError):
    """An outlet registry file is missing or malformed; the message names the file, entry and fix."""


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One outlet as read from a file, with what the Outlet record has no room for."""

    outlet: Outlet
    fictional: bool
    organisation_names: tuple[str, ...]
    origin: str


@dataclass(frozen=True, slots=True)
class CountryWords:
    code: str
    name: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RegistryFile:
    entries: tuple[RegistryEntry, ...]
    countries: tuple[CountryWords, ...]


def read_registry_file(path: Path) -> RegistryFile:
    """Read a user's registry file; raises RegistryError when it is missing or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise RegistryError(
            f"outlet file {path} does not exist: pass the path of an existing TOML file"
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise RegistryError(f"outlet file {path} cannot be read ({err}): save it as UTF-8 text") from err
    return parse_registry(text, str(path))


def parse_registry(text: str, origin: str) -> RegistryFile:
    """Parse the TOML text of a registry file; origin names it in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RegistryError(f"{origin}: not valid TOML ({err}): fix the syntax at that place") from err
    unknown = sorted(set(document) - set(TOP_LEVEL_TABLES))
    if unknown:
        raise RegistryError(
            f"{origin}: unknown top-level key(s) {', '.join(unknown)}: "
            "write outlets as [outlet.<key>] tables and countries as [country.<code>] tables"
        )
    outlets = _table(document, "outlet", origin)
    countries = _table(document, "country", origin)
    return RegistryFile(
        entries=tuple(_entry(key, fields, text, origin) for key, fields in outlets.items()),
        countries=tuple(_country(code, fields, text, origin) for code, fields in countries.items()),
    )


def _table(document: dict[str, Any], name: str, origin: str) -> dict[str, Any]:
    table = document.get(name, {})
    if not isinstance(table, dict):
        raise RegistryError(
            f"{origin}: '{name}' must be a table of [{name}.<key>] entries, not a {_kind(table)}"
        )
    return table


def _entry(key: str, fields: Any, text: str, origin: str) -> RegistryEntry:
    where = _where(origin, text, "outlet", key)
    if not isinstance(fields, dict):
        raise RegistryError(f"{where}: outlet '{key}' must be a table of fields, not a {_kind(fields)}")
    if not KEY_PATTERN.match(key):
        raise RegistryError(
            f"{where}: outlet key '{key}' is not allowed: use lower-case letters, digits, '-', '.' or '_'"
        )
    _reject_unknown(fields, OUTLET_FIELDS, where, f"outlet '{key}'")
    kind = _kind_of(fields, where, key)
    channel_of = _optional_str(fields, "channel_of", where, key)
    if kind is OutletKind.GOVERNMENT_CHANNEL and channel_of is None:
        raise RegistryError(
            f"{where}: outlet '{key}' is a government channel but has no channel_of: "
            'name the organisation that publishes it, e.g. channel_of = "Russian Defense Ministry"'
        )
    if kind is not OutletKind.GOVERNMENT_CHANNEL and (channel_of or "channel_of_aliases" in fields):
        raise RegistryError(
            f"{where}: outlet '{key}' has channel_of but its kind is '{kind.value}': "
            'channel_of is only for kind = "government channel"; remove it or change the kind'
        )
    outlet = Outlet(
        key=key,
        name=_required_str(fields, "name", where, key),
        domains=tuple(_domain(value, where, key) for value in _str_list(fields, "domains", where, key)),
        country=_country_code(fields, where, key),
        kind=kind,
        owner=_optional_str(fields, "owner", where, key),
        aliases=_str_list(fields, "aliases", where, key),
        channel_of=channel_of,
    )
    fictional = fields.get("fictional", False)
    if not isinstance(fictional, bool):
        raise RegistryError(f"{where}: outlet '{key}': fictional must be true or false, not {fictional!r}")
    names = (channel_of, *_str_list(fields, "channel_of_aliases", where, key)) if channel_of else ()
    return RegistryEntry(outlet=outlet, fictional=fictional, organisation_names=names, origin=origin)


def _country(code: str, fields: Any, text: str, origin: str) -> CountryWords:
    where = _where(origin, text, "country", code)
    if not COUNTRY_PATTERN.match(code):
        raise RegistryError(
            f"{where}: country code '{code}' must be two upper-case letters (ISO 3166-1 alpha-2)"
        )
    if not isinstance(fields, dict):
        raise RegistryError(f"{where}: country '{code}' must be a table with name and words")
    _reject_unknown(fields, COUNTRY_FIELDS, where, f"country '{code}'")
    return CountryWords(
        code=code,
        name=_required_str(fields, "name", where, code),
        words=_str_list(fields, "words", where, code),
    )


def _kind_of(fields: dict[str, Any], where: str, key: str) -> OutletKind:
    value = _required_str(fields, "kind", where, key)
    try:
        return OutletKind(value)
    except ValueError:
        allowed = ", ".join(f'"{kind.value}"' for kind in OutletKind)
        raise RegistryError(
            f"{where}: outlet '{key}': kind '{value}' is unknown: use one of {allowed}"
        ) from None


def _domain(value: str, where: str, key: str) -> str:
    domain = value.strip().lower().rstrip("/")
    if "://" in domain:
        raise RegistryError(
            f"{where}: outlet '{key}': domain '{value}' has a scheme: write the bare host, e.g. 'rferl.org'"
        )
    domain = domain.removeprefix("www.")
    if not DOMAIN_PATTERN.match(domain):
        raise RegistryError(
            f"{where}: outlet '{key}': '{value}' is not a domain: write a host name such as 'tass.ru', "
            "optionally with a path prefix such as 'facebook.com/mod.mil.rus'"
        )
    return domain


def _country_code(fields: dict[str, Any], where: str, key: str) -> str | None:
    code = _optional_str(fields, "country", where, key)
    if code is not None and not COUNTRY_PATTERN.match(code):
        raise RegistryError(
            f"{where}: outlet '{key}': country '{code}' must be a two-letter upper-case ISO 3166-1 code "
            "such as 'RU' (fictional countries: QA-QZ)"
        )
    return code


def _required_str(fields: dict[str, Any], name: str, where: str, key: str) -> str:
    value = _optional_str(fields, name, where, key)
    if value is None:
        raise RegistryError(f"{where}: '{key}' has no {name}: add {name} = \"...\"")
    return value


def _optional_str(fields: dict[str, Any], name: str, where: str, key: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}: '{key}': {name} must be a non-empty string, not {value!r}")
    return value.strip()


def _str_list(fields: dict[str, Any], name: str, where: str, key: str) -> tuple[str, ...]:
    value = fields.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise RegistryError(
            f"{where}: '{key}': {name} must be a list of non-empty strings, e.g. {name} = [\"...\"]"
        )
    return tuple(item.strip() for item in value)


def _reject_unknown(fields: dict[str, Any], allowed: frozenset[str], where: str, what: str) -> None:
    for name in sorted(set(fields) - allowed):
        guess = get_close_matches(name, sorted(allowed), n=1)
        hint = f"did you mean '{guess[0]}'?" if guess else f"allowed fields: {', '.join(sorted(allowed))}"
        raise RegistryError(f"{where}: {what} has an unknown field '{name}': {hint}")


def _where(origin: str, text: str, table: str, key: str) -> str:
    """'file:line' of the entry's table header, or just the file when the entry was written inline."""
    header = re.compile(
        rf"^\s*\[\s*{table}\s*\.\s*(\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*\]"
    )
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            return f"{origin}:{number}"
    return origin


def _kind(value: object) -> str:
    return type(value).__name__
