"""Writes the example corpus's WARC file: a crawl of the fictional Valdorian Defence Ministry's press pages.

Deterministic (fixed record ids and dates, gzip without timestamps): re-running it gives the same bytes.
"""

from __future__ import annotations

import argparse
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SITE = "https://mod.valdoria.example"
DEFAULT_OUT = Path(__file__).resolve().parent / "corpus" / "warc" / "mod-valdoria-crawl-2025-03-13.warc.gz"
CRAWL_DAY = "2025-03-13"
SERVER_DATE = "Thu, 13 Mar 2025 06:00:00 GMT"

NAVIGATION = """<header class="gov-header">
  <div class="emblem">Ministry of Defence of the Republic of Valdoria</div>
  <nav class="gov-nav">
    <a href="/en/">Home</a> | <a href="/en/minister/">The Minister</a> |
    <a href="/en/press/">Press Centre</a> | <a href="/en/forces/">Armed Forces</a> |
    <a href="/en/service/">Military Service</a> | <a href="/en/contacts/">Contacts</a>
  </nav>
  <div class="lang"><a href="/va/">Valdorian</a> · English</div>
</header>"""

FOOTER = """<footer class="gov-footer">
  <p>© Ministry of Defence of the Republic of Valdoria, 2025. 7 Citadel Square, Orsenna.</p>
  <p>Materials of this site may be reproduced with a reference to mod.valdoria.example.</p>
  <p><a href="/en/accessibility/">Accessibility</a> · <a href="/en/sitemap/">Site map</a> ·
     <a href="/en/rss/">RSS</a></p>
</footer>"""

# The press centre as it stood on the crawl day: releases of 9-12 March, none about joint strikes.
PRESS_INDEX = [
    ("2025-03-12", "Orsenna garrison band begins spring tour of the provinces", "garrison-band-tour"),
    ("2025-03-11", "Minister Anton Rusek meets the Veterans' Council", "minister-rusek-veterans-council"),
    ("2025-03-11", "Army engineers help clear snow in northern districts", "engineers-snow-clearing"),
    ("2025-03-10", "Spring call-up begins in all regions", "spring-call-up"),
    ("2025-03-09", "Naval exercise in the Gulf of Sorel concludes", "gulf-of-sorel-exercise"),
]

RELEASES = {
    "2025/03/11/minister-rusek-veterans-council": (
        "Minister Anton Rusek meets the Veterans' Council",
        "2025-03-11T12:00:00+02:00",
        [
            "Defence Minister Anton Rusek on Tuesday met members of the Veterans' Council at the ministry in"
            " Orsenna to discuss housing for retired officers and the upkeep of military cemeteries.",
            "The minister said 340 flats for veterans' families would be handed over in Orsenna, Lutz and "
            "Sorel by the end of the year, and that the ministry would double its grant for the restoration "
            "of war memorials.",
            "Council chairman Colonel (ret.) Vasil Dragan thanked the minister and asked for faster "
            "processing of pension claims. The next meeting of the council with the ministry's leadership "
            "will take place in June.",
        ],
    ),
    "2025/03/10/spring-call-up": (
        "Spring call-up begins in all regions",
        "2025-03-10T10:00:00+02:00",
        [
            "The spring call-up for military service began on Monday in all regions of the Republic of "
            "Valdoria and will last until 15 May.",
            "About 9,500 young men and women are expected to join the armed forces. Conscripts will serve "
            "twelve months; those with a university degree may choose a nine-month service with the reserve "
            "training centres.",
            "Recruitment offices are open on weekdays from 8:00 to 18:00. Conscripts can check the date of "
            "their medical board on the ministry's website or by calling the free information line.",
        ],
    ),
}


def page(title: str, body: str, published: str | None) -> bytes:
    published_meta = f'<meta property="article:published_time" content="{published}">\n' if published else ""
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - Ministry of Defence of the Republic of Valdoria</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Ministry of Defence of the Republic of Valdoria">
{published_meta}</head>
<body>
{NAVIGATION}
<main>
{body}
</main>
{FOOTER}
</body>
</html>
"""
    return html.encode("utf-8")


def release_path(day: str, slug: str) -> str:
    return f"/en/press/{day.replace('-', '/')}/{slug}/"


def index_page() -> bytes:
    items = "\n".join(
        f'  <li><span class="date">{day}</span> <a href="{release_path(day, slug)}">{title}</a></li>'
        for day, title, slug in PRESS_INDEX
    )
    body = f"""<h1>Press releases</h1>
<p>Official statements and news of the Ministry of Defence of the Republic of Valdoria.</p>
<ul class="press-list">
{items}
</ul>
<p class="pager">Page 1 of 212 · <a href="/en/press/?page=2">Older releases</a></p>"""
    return page("Press releases", body, None)


def release_page(slug: str) -> tuple[str, bytes]:
    title, published, paragraphs = RELEASES[slug]
    text = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    body = f"""<article class="press-release">
<h1>{title}</h1>
<p class="date"><time datetime="{published}">{published[:10]}</time> · Press Service</p>
{text}
</article>"""
    return f"{SITE}/en/press/{slug}/", page(title, body, published)


def record_id(number: int) -> str:
    return f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>"


def write_exchange(writer: WARCWriter, number: int, url: str, content_type: str, body: bytes) -> None:
    """A request and its response, with ids and times fixed by `number`."""
    when = f"{CRAWL_DAY}T06:00:{number:02d}Z"
    path = url.removeprefix(SITE) or "/"
    request_headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [("Host", "mod.valdoria.example"), ("User-Agent", "counterclaim-example-crawler/1.0")],
        is_http_request=True,
    )
    request = writer.create_warc_record(
        url,
        "request",
        payload=BytesIO(b""),
        length=0,
        http_headers=request_headers,
        warc_headers_dict={"WARC-Record-ID": record_id(number * 2), "WARC-Date": when},
    )
    response_headers = StatusAndHeaders(
        "200 OK",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Date", SERVER_DATE),
            ("Server", "nginx"),
        ],
        protocol="HTTP/1.1",
    )
    response = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=response_headers,
        warc_headers_dict={
            "WARC-Record-ID": record_id(number * 2 + 1),
            "WARC-Date": when,
            "WARC-Concurrent-To": record_id(number * 2),
        },
    )
    writer.write_record(request)
    writer.write_record(response)


def write_crawl(out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    info = b"software: counterclaim examples/make_warc.py\r\nformat: WARC File Format 1.1\r\n" + (
        b"description: Crawl of the fictional Valdorian Defence Ministry press centre (example corpus)\r\n"
    )
    with out.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        warcinfo = writer.create_warc_record(
            "",
            "warcinfo",
            payload=BytesIO(info),
            length=len(info),
            warc_headers_dict={
                "WARC-Record-ID": record_id(1),
                "WARC-Date": f"{CRAWL_DAY}T06:00:00Z",
                "WARC-Filename": DEFAULT_OUT.name,
                "Content-Type": "application/warc-fields",
            },
        )
        writer.write_record(warcinfo)
        robots = b"User-agent: *\nDisallow: /admin/\n"
        write_exchange(writer, 1, f"{SITE}/robots.txt", "text/plain; charset=utf-8", robots)
        write_exchange(writer, 2, f"{SITE}/en/press/", "text/html; charset=utf-8", index_page())
        for number, slug in enumerate(RELEASES, start=3):
            url, body = release_page(slug)
            write_exchange(writer, number, url, "text/html; charset=utf-8", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the .warc.gz")
    args = parser.parse_args()
    write_crawl(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
