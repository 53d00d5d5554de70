"""Long texts cut into pieces the attribution stage can parse (at paragraph, then sentence, then word ends).

The pieces joined back are exactly the text: a piece's offsets plus where it starts are offsets in the text.
"""

from __future__ import annotations

import re

# Articles up to this length are read whole (speakers resolved across the whole text); longer ones, far
# beyond any news article, are read in pieces: parsing memory and some steps grow faster than the length.
LONG_ARTICLE_CHARS = 100_000
PIECE_CHARS = 20_000
_PARAGRAPH_END = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*\s+""")
_SPACE = re.compile(r"\s+")


def split_for_parsing(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """Consecutive pieces of at most `limit` characters whose concatenation is `text`."""
    if limit < 2:
        raise ValueError("limit must be at least 2 characters")
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = _cut(text, start, start + limit)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _cut(text: str, start: int, stop: int) -> int:
    """Where to end the piece that starts at `start`: the last paragraph break, sentence end or space in
    the second half of the window (whitespace stays with the earlier piece), else a hard cut at `stop`."""
    window_start = start + (stop - start) // 2
    for pattern in (_PARAGRAPH_END, _SENTENCE_END, _SPACE):
        last = None
        for found in pattern.finditer(text, window_start, stop):
            last = found
        if last is not None:
            return last.end()
    return stop
