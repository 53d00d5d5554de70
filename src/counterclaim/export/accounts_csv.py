"""The CSV export: one row per account of each claim, in time order, with its evidence span.

Cells that a spreadsheet would run as a formula are prefixed with a quote (`counterclaim.records.csv_text`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from counterclaim.dossier import Dossier
from counterclaim.records import csv_text

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
    return csv_text(COLUMNS, _rows(dossiers))


def _rows(dossiers: Sequence[Dossier]) -> Iterator[tuple[object, ...]]:
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
            yield row
