"""The outlet registry: publishers and official channels, shipped as outlets.toml, extendable by a user file.

`load_registry()` reads the shipped file (and a user file whose entries replace shipped ones by key).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from counterclaim.outlets.entries import RegistryError, parse_registry, read_registry_file
from counterclaim.outlets.registry import OutletRegistry

__all__ = ["OutletRegistry", "RegistryError", "load_registry", "shipped_registry_text"]

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
