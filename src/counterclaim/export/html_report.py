"""The self-contained HTML report of one claim: one file, styles and charts inline, no script, no CDN.

It opens offline; accounts link to the articles' own URLs. The web app renders the same dossier body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from counterclaim import __version__
from counterclaim.dossier import Dossier, format_time, relay_path
from counterclaim.export.charts import Href, graph_svg, timeline_svg
from counterclaim.parties import AccountEntry, Role

STYLESHEET = "counterclaim.css"
# The report runs no script and loads nothing: its own inline styles and data: images only.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
)


def template_environment(*first_dirs: str) -> Environment:
    """Jinja2 with autoescaping on every template, searching `first_dirs` before the export templates."""
    dirs = [*first_dirs, str(resources.files("counterclaim.export") / "templates")]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(format_time=format_time, relay_path=relay_path, roles=list(Role))
    env.filters["web_url"] = web_url
    return env


def web_url(url: str | None) -> str | None:
    """The URL when it is an http(s) link, else None: no javascript:, data: or file: link is ever rendered."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def stylesheet() -> str:
    return (resources.files("counterclaim.web") / "static" / STYLESHEET).read_text(encoding="utf-8")


def dossier_context(dossier: Dossier, href: Href) -> dict[str, object]:
    """What the dossier body template needs: the dossier, its two charts and the link rule for accounts."""
    return {
        "dossier": dossier,
        "timeline": timeline_svg(dossier, href),
        "graph": graph_svg(dossier),
        "href": href,
    }


def _article_url(entry: AccountEntry) -> str | None:
    # Only web links: a report file must not carry javascript: or file: links from ingested metadata.
    return web_url(entry.article_url)


def html_report(dossier: Dossier, generated_at: datetime | None = None) -> str:
    env = template_environment()
    template = env.get_template("report.html.j2")
    return template.render(
        **dossier_context(dossier, _article_url),
        css=stylesheet(),
        csp=REPORT_CSP,
        generator=f"counterclaim {__version__}",
        generated_at=(generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
    )
