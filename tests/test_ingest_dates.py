"""Publication times keep their clock time and offset.

Outlets that publish one story on one day are told apart by the hour.
"""

from __future__ import annotations

from datetime import UTC, datetime

from counterclaim.ingest.html import read_html
from counterclaim.ingest.plaintext import clean_prescraped

PAGE = """<!doctype html><html><head><title>Harbour closed after storm</title>
<meta property="article:published_time" content="2031-05-02T09:40:00+02:00">
<meta property="og:site_name" content="Lakeside Courier"></head>
<body><nav>Home | World | Sport</nav><article><h1>Harbour closed after storm</h1>
<p>The port authority of Kessel closed the harbour on Friday after a storm damaged two piers and a crane,
officials said in a statement issued in the early morning.</p>
<p>Ferries to the islands will resume on Monday at the earliest, the authority said, adding that
engineers were inspecting the damage and that no one had been hurt.</p></article>
<footer>© Lakeside Courier</footer></body></html>"""

PRESCRAPED = """Skip to main content

Harbour Closed After Storm

May 2, 2031 07:40 GMT

By Mira Olsen

KESSEL -- The port authority closed the harbour on Friday after a storm damaged two piers,
officials said.

Ferries to the islands will resume on Monday at the earliest, the authority said in a statement.
"""


def test_html_meta_time_keeps_hour_and_offset() -> None:
    draft = read_html(PAGE, url="https://courier.example/harbour")
    assert draft.published_at == datetime(2031, 5, 2, 7, 40, tzinfo=UTC)


def test_prescraped_dateline_is_read_and_removed() -> None:
    cleaned = clean_prescraped(PRESCRAPED)
    assert cleaned.published_at == datetime(2031, 5, 2, 7, 40, tzinfo=UTC)
    assert "May 2, 2031" not in cleaned.body
    assert cleaned.body.startswith("KESSEL -- The port authority")
    assert cleaned.title == "Harbour Closed After Storm"


def test_a_date_inside_a_body_sentence_is_not_a_dateline() -> None:
    text = PRESCRAPED.replace("May 2, 2031 07:40 GMT\n", "")
    cleaned = clean_prescraped(
        text + "\nThe storm of May 2, 2031 was the worst in a decade, the mayor said.\n"
    )
    assert cleaned.published_at is None
