"""The CSV export: one row per account of each claim, in time order, with its evidence span.

Cells that a spreadsheet would run as a formula are prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from counterclaim.dossier import Dossier

COLUMNS = (
    "claim_id",
    "claim_text",
    "published_at",
    "outlet",
    "outlet_name",
    "outlet_kind",
    "outlet_role",
    "source",
    "source_role",
    "relays",
    "channel",
    "stance",
    "score",
    "article_id",
    "article_url",
    "attribution_id",
    "evidence_start",
    "evidence_end",
    "evidence_text",
)


def accounts_csv(dossiers: Sequence[Dossier]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for dossier in dossiers:
        for entry in dossier.accounts:
            evidence = entry.evidence
            row = (
                dossier.claim.id,
                dossier.claim.canonical_text,
                entry.published_at.isoformat() if entry.published_at else "",
                entry.outlet or "",
                entry.outlet_name,
                entry.outlet_kind.value,
                entry.outlet_role.value,
                entry.source or "",
                entry.source_role.value if entry.source_role else "",
                " <- ".join(entry.relays),
                entry.channel or "",
                entry.stance.value,
                f"{entry.account.score:.3f}",
                entry.article_id,
                entry.article_url or "",
                entry.account.attribution_id or "",
                evidence.start if evidence else "",
                evidence.end if evidence else "",
                evidence.text if evidence else "",
            )
            writer.writerow([_safe_cell(cell) for cell in row])
    return out.getvalue()


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
