"""Text from articles, feeds and file names made safe for a terminal before the CLI prints it.

Control characters (escape sequences, bells, bidi overrides) are shown escaped, and Rich markup is made inert.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

# C0 controls but tab and newline, DEL and C1 controls, and the bidi controls that reorder what is shown.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """The text with every terminal control character written as a visible escape (\\x1b, \\u202e)."""
    return _UNSAFE.sub(_escaped, text)


def shown(text: str) -> str:
    """The text ready for Rich markup: control characters escaped, brackets not read as markup."""
    return escape(printable(text))


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


class SafeConsole(Console):
    """A Rich console that shows control characters in any printed string escaped (titles, file names,
    table cells, progress descriptions), so stored text can never move the cursor or clear the screen."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text), **options)
