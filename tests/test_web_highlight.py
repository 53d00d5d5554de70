"""Cutting an article's text into highlighted segments: overlaps, anchors, clipping.

Pure functions; the browser test checks the rendered marks.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from counterclaim.web.highlight import Mark, segments


def test_overlapping_marks_split_at_every_boundary() -> None:
    text = "Pentagon spokesman Eric Pahon denied it."
    marks = [Mark(19, 29, "source", "at-1"), Mark(0, 29, "content"), Mark(30, 36, "cue")]
    out = segments(text, marks)
    assert "".join(s.text for s in out) == text
    assert [(s.text, s.classes) for s in out] == [
        ("Pentagon spokesman ", ("content",)),
        ("Eric Pahon", ("content", "source")),
        (" ", ()),
        ("denied", ("cue",)),
        (" it.", ()),
    ]
    assert out[1].anchors == ("at-1",)


def test_marks_outside_the_text_are_clipped_or_dropped() -> None:
    out = segments("short", [Mark(2, 50, "reuse"), Mark(9, 12, "cue"), Mark(3, 3, "cue")])
    assert [(s.text, s.classes) for s in out] == [("sh", ()), ("ort", ("reuse",))]


@given(
    st.text(min_size=0, max_size=60),
    st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70), st.sampled_from(["a", "b"])), max_size=6),
)
def test_segments_always_rebuild_the_text(text: str, raw: list[tuple[int, int, str]]) -> None:
    marks = [Mark(min(a, b), max(a, b), kind) for a, b, kind in raw]
    out = segments(text, marks)
    assert "".join(s.text for s in out) == text
    assert all(s.text for s in out)
