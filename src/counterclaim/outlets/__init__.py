"""The outlet registry: publishers and official channels, shipped as outlets.toml, extendable by user files.

`open_registry(store)` is a store's one registry: shipped file, stored outlets, user files stored by ingest.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from counterclaim.outlets.entries import (
    RegistryEntry,
    RegistryError,
    parse_registry,
    read_registry_file,
)
from counterclaim.outlets.registry import OutletRegistry

if TYPE_CHECKING:
    from counterclaim.store import Store

__all__ = ["OutletRegistry", "RegistryError", "load_registry", "open_registry", "shipped_registry_text"]

SHIPPED_FILE = "outlets.toml"


def shipped_registry_text() -> str:
    """The TOML text of the registry shipped inside the package."""
    return files("counterclaim.outlets").joinpath(SHIPPED_FILE).read_text(encoding="utf-8")


def load_registry(extra: Path | None = None) -> OutletRegistry:
    """The shipped registry, extended (and overridden by key) by the user file `extra` when given."""
    shipped = parse_registry(shipped_registry_text(), f"counterclaim/outlets/{SHIPPED_FILE}")
    if extra is None:
        return OutletRegistry(shipped.entries, shipped.countries)
    user = read_registry_file(Path(extra))
    return OutletRegistry(shipped.entries + user.entries, shipped.countries + user.countries)


def open_registry(store: Store, extra: Path | None = None) -> OutletRegistry:
    """The registry every command of one store shares.

    In order, a later entry replacing an earlier one with the same key: the shipped file; the outlets stored
    by earlier ingests (as the user's registry described them then); each user file stored by an earlier
    `ingest --outlets`; and `extra`, which is stored too, so later commands (provenance, report, export, the
    web app) see it without being told.
    """
    from counterclaim.store.pipeline import load_outlet_files, save_outlet_file

    shipped = parse_registry(shipped_registry_text(), f"counterclaim/outlets/{SHIPPED_FILE}")
    names = {entry.outlet.key: entry.organisation_names for entry in shipped.entries}
    stored = [
        RegistryEntry(
            outlet=outlet,
            fictional=False,
            organisation_names=names.get(outlet.key) or ((outlet.channel_of,) if outlet.channel_of else ()),
            origin="store",
        )
        for outlet in store.outlets()
    ]
    files = [parse_registry(text, name) for name, text in load_outlet_files(store)]
    if extra is not None:
        files.append(read_registry_file(Path(extra)))
        with store.begin() as conn:
            save_outlet_file(conn, str(extra), Path(extra).read_text(encoding="utf-8"))
    entries = [*shipped.entries, *stored, *(entry for file in files for entry in file.entries)]
    return OutletRegistry(entries, [*shipped.countries, *(c for file in files for c in file.countries)])
