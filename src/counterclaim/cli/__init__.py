"""The `counterclaim` command: a thin shell that parses options, calls the library and formats results.

Each stage adds its commands from its own module; exit codes: 0 done, 1 some inputs failed, 2 usage error.
"""

from __future__ import annotations

import sys

import typer

from counterclaim.errors import CounterclaimError, NotFoundError, UsageError
from counterclaim.terminal import SafeConsole

app = typer.Typer(
    name="counterclaim",
    help="Map conflicting accounts in the news: claims, who asserts, relays and denies them, and when.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = SafeConsole(stderr=True)


def _register_commands() -> None:
    # Explicit, in the order `--help` lists them; each module only imports what its commands need.
    from counterclaim.cli import analyze, articles, attributions, claims, dossier, ingest, reuse, web

    for module in (ingest, analyze, articles, attributions, reuse, claims, dossier, web):
        module.register(app)


def main() -> None:
    _register_commands()
    try:
        app(standalone_mode=True)
    except UsageError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
    except NotFoundError as exc:
        err_console.print(f"[red]not found:[/red] {exc}")
        sys.exit(1)
    except CounterclaimError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        sys.exit(1)
