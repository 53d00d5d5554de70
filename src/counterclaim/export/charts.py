"""Inline SVG drawn on the server: the timeline of a claim's accounts and its relay and reuse graph.

No JavaScript and no inline styles, so pages keep a strict Content-Security-Policy; all text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from itertools import pairwise

from markupsafe import Markup

from counterclaim.dossier import Dossier
from counterclaim.model import Stance
from counterclaim.parties import AccountEntry

STANCE_COLOUR = {
    Stance.ASSERTS: "#2e7d32",
    Stance.DENIES: "#c62828",
    Stance.REPORTS: "#f9a825",
    Stance.UNRELATED: "#9e9e9e",
}
_LANES = (Stance.ASSERTS, Stance.REPORTS, Stance.DENIES)
# Where an account links to: the article page in the web app, the article's own URL in a report file.
Href = Callable[[AccountEntry], str | None]


def timeline_svg(dossier: Dossier, href: Href, width: int = 860) -> Markup:
    """Accounts as dots on a time axis, one lane per stance; undated accounts are left off and counted."""
    dated = [e for e in dossier.accounts if e.published_at is not None]
    left, right, lane_height, top = 90, 30, 44, 20
    height = top + lane_height * len(_LANES) + 40
    parts = [_svg_open("timeline", width, height, "Timeline of accounts coloured by stance")]
    for index, stance in enumerate(_LANES):
        y = top + lane_height * index + lane_height // 2
        parts.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="8" y="{y + 4}" font-size="12" fill="#333">{stance.value}</text>')
    if dated:
        times = [e.published_at for e in dated if e.published_at]
        start, end = min(times), max(times)
        span = (end - start).total_seconds() or 1.0
        axis_y = top + lane_height * len(_LANES) + 6
        parts.append(_axis_labels(start, end, left, width - right, axis_y))
        for number, entry in enumerate(dated):
            moment = entry.published_at or start
            x = left + (moment - start).total_seconds() / span * (width - left - right)
            lane = _LANES.index(entry.stance) if entry.stance in _LANES else 1
            y = top + lane_height * lane + lane_height // 2 + ((number % 3) - 1) * 8
            parts.append(_dot(entry, x, y, href))
    undated = len(dossier.accounts) - len(dated)
    if undated or not dated:
        parts.append(
            f'<text x="{left}" y="{height - 4}" font-size="11" fill="#666">'
            f"{undated} undated account(s) not placed</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _axis_labels(start: datetime, end: datetime, x0: int, x1: int, y: int) -> str:
    fmt = "%Y-%m-%d %H:%M"
    return (
        f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#999"/>'
        f'<text x="{x0}" y="{y + 16}" font-size="11" fill="#333">{start.strftime(fmt)}</text>'
        f'<text x="{x1}" y="{y + 16}" font-size="11" fill="#333" text-anchor="end">{end.strftime(fmt)}</text>'
    )


def _dot(entry: AccountEntry, x: float, y: float, href: Href) -> str:
    label = escape(
        f"{entry.published_at:%Y-%m-%d %H:%M} · {entry.outlet_name} · "
        f"{entry.source or 'unattributed'} · {entry.stance.value}"
    )
    colour = STANCE_COLOUR[entry.stance]
    circle = (
        f'<circle class="account-dot stance-{entry.stance.name.lower()}" cx="{x:.1f}" cy="{y:.1f}" r="7" '
        f'fill="{colour}" stroke="#fff" stroke-width="1.5"><title>{label}</title></circle>'
    )
    link = href(entry)
    return f'<a href="{escape(link)}">{circle}</a>' if link else circle


@dataclass
class _Node:
    name: str
    column: int
    y: float = 0.0


def graph_svg(dossier: Dossier, width: int = 860) -> Markup:
    """Sources → relays → outlets, edges coloured by stance; dashed arcs join outlets sharing wording."""
    nodes: dict[tuple[int, str], _Node] = {}
    edges: dict[tuple[tuple[int, str], tuple[int, str]], Stance] = {}
    for entry in dossier.accounts:
        # An outlet naming itself as a relay ("..., RIA Novosti reported") is drawn once, as the outlet.
        own = {entry.outlet_name.casefold(), (entry.source or "").casefold()}
        relays = [(1, r) for r in entry.relays if r.casefold() not in own]
        chain = _dedupe([(0, entry.source or "unattributed"), *relays, (2, entry.outlet_name)])
        for column, name in chain:
            nodes.setdefault((column, name), _Node(name, column))
        for step in pairwise(chain):
            edges.setdefault(step, entry.stance)
    reprints = _reprint_pairs(dossier)
    for pair in reprints:
        for name in pair:
            nodes.setdefault((2, name), _Node(name, 2))
    columns = {
        c: sorted((n for n in nodes.values() if n.column == c), key=lambda n: n.name) for c in (0, 1, 2)
    }
    rows = max((len(c) for c in columns.values()), default=1) or 1
    height = 50 + rows * 40
    xs = {0: 110, 1: width // 2 - 40, 2: width - 230}
    for members in columns.values():
        gap = (height - 40) / (len(members) + 1) if members else 0
        for index, node in enumerate(members, start=1):
            node.y = 30 + gap * index
    parts = [_svg_open("relay-graph", width, height, "Relay and reuse graph: sources, relays, outlets")]
    for title, column_index in (("sources", 0), ("relayed by", 1), ("outlets", 2)):
        parts.append(
            f'<text x="{xs[column_index]}" y="16" font-size="12" font-weight="bold" fill="#555" '
            f'text-anchor="middle">{title}</text>'
        )
    for (start, end), stance in edges.items():
        na, nb = nodes[start], nodes[end]
        parts.append(
            f'<line class="relay-edge" x1="{xs[na.column]}" y1="{na.y:.1f}" '
            f'x2="{xs[nb.column]}" y2="{nb.y:.1f}" '
            f'stroke="{STANCE_COLOUR[stance]}" stroke-width="2"/>'
        )
    for first, second in reprints:
        na, nb = nodes[(2, first)], nodes[(2, second)]
        bend = xs[2] + 150
        parts.append(
            f'<path class="reuse-edge" d="M{xs[2] + 60},{na.y:.1f} C{bend},{na.y:.1f} {bend},{nb.y:.1f} '
            f'{xs[2] + 60},{nb.y:.1f}" fill="none" stroke="#6a1b9a" stroke-width="2" stroke-dasharray="5,4">'
            f"<title>shared wording: {escape(first)} / {escape(second)}</title></path>"
        )
    for node in nodes.values():
        x = xs[node.column]
        parts.append(
            f'<g class="graph-node"><circle cx="{x}" cy="{node.y:.1f}" r="6" fill="#37474f"/>'
            f'<text x="{x}" y="{node.y - 10:.1f}" font-size="12" fill="#111" text-anchor="middle">'
            f"{escape(_short(node.name))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _dedupe(chain: list[tuple[int, str]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    names: set[str] = set()
    for column, name in chain:
        key = name.casefold()
        if key in names:
            continue
        names.add(key)
        out.append((column, name))
    return out


def _reprint_pairs(dossier: Dossier) -> list[tuple[str, str]]:
    outlet_of = {e.article_id: e.outlet_name for e in dossier.accounts}
    pairs: set[tuple[str, str]] = set()
    for cluster in dossier.reuse_clusters:
        for link in cluster.links:
            a, b = outlet_of.get(link.a), outlet_of.get(link.b)
            if a and b and a != b:
                pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _short(name: str, limit: int = 32) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _svg_open(css_class: str, width: int, height: int, label: str) -> str:
    return (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}">'
    )
