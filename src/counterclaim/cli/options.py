"""Options shared by every command, declared once."""

from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="COUNTERCLAIM_DB",
        help="Store: a SQLite file path (default ./counterclaim.db) or postgresql://user@host/db.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
