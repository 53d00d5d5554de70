"""The JSON export of dossiers: a documented, versioned document checked by `schema/dossier-v1.json`.

Bump SCHEMA_VERSION and add a new schema file when a field changes meaning or is removed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from counterclaim import __version__, records
from counterclaim.dossier import Dossier, ReuseCluster
from counterclaim.model import (
    ProvenanceCheck,
    Span,
    Verdict,
)
from counterclaim.parties import AccountEntry, PartySummary

FORMAT = "counterclaim.dossiers"
SCHEMA_VERSION = 1
SCHEMA_FILE = "dossier-v1.json"


def load_schema() -> dict[str, Any]:
    """The JSON Schema every export of this version validates against."""
    text = (resources.files("counterclaim.export") / "schema" / SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def export_document(dossiers: Sequence[Dossier], generated_at: datetime | None = None) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": SCHEMA_VERSION,
        "generator": f"counterclaim {__version__}",
        "generated_at": _time(generated_at or datetime.now(UTC)),
        "dossiers": [dossier_to_dict(d) for d in dossiers],
    }


def dumps(dossiers: Sequence[Dossier], generated_at: datetime | None = None) -> str:
    return json.dumps(export_document(dossiers, generated_at), ensure_ascii=False, indent=2)


def dossier_to_dict(dossier: Dossier) -> dict[str, Any]:
    return {
        "claim": claim_to_dict(dossier.claim),
        "first_appearance": account_to_dict(dossier.first_appearance) if dossier.first_appearance else None,
        "accounts": [account_to_dict(e) for e in dossier.accounts],
        "sources": [_party(p) for p in dossier.sources],
        "outlets": [_party(p) for p in dossier.outlets],
        "reuse_clusters": [_cluster(c) for c in dossier.reuse_clusters],
        "provenance": [provenance_to_dict(c) for c in dossier.provenance],
        "verdicts": [_verdict(v) for v in dossier.verdicts],
        "open_questions": [
            {"kind": q.kind, "subject": q.subject, "text": q.text} for q in dossier.open_questions
        ],
        "story": dossier.story.to_json() if dossier.story else None,
        "reported_reuse": [
            {"article_id": r.article_id, "parties": list(r.parties), "evidence": span_to_dict(r.evidence)}
            for r in dossier.reported_reuse
        ],
    }


def account_to_dict(entry: AccountEntry) -> dict[str, Any]:
    account = entry.account
    return {
        "article_id": account.article_id,
        "attribution_id": account.attribution_id,
        "published_at": _time(entry.published_at),
        "article_title": entry.article_title,
        "article_url": entry.article_url,
        "outlet": entry.outlet,
        "outlet_name": entry.outlet_name,
        "outlet_kind": entry.outlet_kind.value,
        "outlet_role": entry.outlet_role.value,
        "source": entry.source,
        "source_role": entry.source_role.value if entry.source_role else None,
        "relays": list(entry.relays),
        "channel": entry.channel,
        "stance": account.stance.value,
        "score": account.score,
        "method": account.method,
        "evidence": span_to_dict(account.evidence) if account.evidence else None,
    }


def provenance_to_dict(check: ProvenanceCheck) -> dict[str, Any]:
    return {
        "source": check.source,
        "status": check.status.value,
        "channel_outlets": list(check.channel_outlets),
        "items_checked": check.items_checked,
        "window_start": _time(check.window_start),
        "window_end": _time(check.window_end),
        "found_article_id": check.found_article_id,
        "found_span": span_to_dict(check.found_span) if check.found_span else None,
        "method": check.method,
    }


def span_to_dict(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def _party(party: PartySummary) -> dict[str, Any]:
    return {
        "name": party.name,
        "key": party.key,
        "kind": party.kind.value if party.kind else None,
        "roles": [r.value for r in party.roles],
        "accounts": party.accounts,
        "first_at": _time(party.first_at),
        "channels": list(party.channels),
    }


def _cluster(cluster: ReuseCluster) -> dict[str, Any]:
    return {
        "cluster": cluster.cluster,
        "article_ids": list(cluster.article_ids),
        "outlets": list(cluster.outlets),
        "links": [reuse_link_to_dict(link) for link in cluster.links],
    }


# One shape per entity, shared with the CLI and the web API (counterclaim.records).
reuse_link_to_dict = records.reuse_link_record
claim_to_dict = records.claim_record
article_to_dict = records.article_record
account_record_to_dict = records.account_record
attribution_to_dict = records.attribution_record


def _verdict(verdict: Verdict) -> dict[str, Any]:
    return {
        "rating": verdict.rating,
        "reviewer": verdict.reviewer,
        "reviewed_at": _time(verdict.reviewed_at),
        "url": verdict.url,
        "notes": verdict.notes,
    }


def _time(moment: datetime | None) -> str | None:
    return records.time_record(moment)
