"""schema.org JSON-LD: a `Claim` per dossier with appearances and authors, and a `ClaimReview` per verdict.

ClaimReview objects come only from verdicts a user recorded; the tool never rates a claim itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from counterclaim.dossier import Dossier
from counterclaim.parties import AccountEntry, Role

CONTEXT = "https://schema.org"


def jsonld_document(dossiers: Sequence[Dossier]) -> dict[str, Any]:
    graph: list[dict[str, Any]] = []
    for dossier in dossiers:
        graph.append(claim_object(dossier))
        graph.extend(claim_reviews(dossier))
    return {"@context": CONTEXT, "@graph": graph}


def claim_object(dossier: Dossier) -> dict[str, Any]:
    claim = dossier.claim
    appearances = _appearances(dossier)
    node: dict[str, Any] = {
        "@type": "Claim",
        "@id": f"urn:counterclaim:claim:{claim.id}",
        "text": claim.canonical_text,
        "appearance": appearances,
        "author": _authors(dossier),
    }
    if claim.first_seen:
        node["dateCreated"] = claim.first_seen.isoformat()
    if dossier.first_appearance:
        node["firstAppearance"] = _creative_work(dossier.first_appearance)
    return node


def claim_reviews(dossier: Dossier) -> list[dict[str, Any]]:
    reviews = []
    for verdict in dossier.verdicts:
        review: dict[str, Any] = {
            "@type": "ClaimReview",
            "claimReviewed": dossier.claim.canonical_text,
            "itemReviewed": {"@id": f"urn:counterclaim:claim:{dossier.claim.id}"},
            "reviewRating": {"@type": "Rating", "alternateName": verdict.rating},
            "author": {"@type": "Organization", "name": verdict.reviewer},
            "datePublished": verdict.reviewed_at.date().isoformat(),
        }
        if verdict.url:
            review["url"] = verdict.url
        reviews.append(review)
    return reviews


def _appearances(dossier: Dossier) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for entry in dossier.accounts:
        if entry.article_id not in seen:
            seen[entry.article_id] = _creative_work(entry)
    return list(seen.values())


def _creative_work(entry: AccountEntry) -> dict[str, Any]:
    work: dict[str, Any] = {
        "@type": "NewsArticle",
        "identifier": entry.article_id,
        "publisher": {"@type": "Organization", "name": entry.outlet_name},
    }
    if entry.article_url:
        work["url"] = entry.article_url
    if entry.article_title:
        work["headline"] = entry.article_title
    if entry.published_at:
        work["datePublished"] = entry.published_at.isoformat()
    return work


def _authors(dossier: Dossier) -> list[dict[str, Any]]:
    authors: dict[str, dict[str, Any]] = {}
    for entry in dossier.accounts:
        if entry.source and entry.source_role is Role.ASSERTS and entry.source not in authors:
            kind = "Person" if entry.source_kind == "person" else "Organization"
            authors[entry.source] = {"@type": kind, "name": entry.source}
    return list(authors.values())
