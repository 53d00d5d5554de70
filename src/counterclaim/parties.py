"""The one rule for who plays which part in a claim: asserts, relays, denies, declines or reports.

The dossier, the claim list, the exports and the web app all take parties' roles from here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from counterclaim.model import Account, Article, Attribution, Outlet, OutletKind, Polarity, Span, Stance
from counterclaim.sources import speaker_name


class Role(StrEnum):
    """What a party does with the claim in one account."""

    ASSERTS = "asserts"
    RELAYS = "relays"
    DENIES = "denies"
    DECLINES = "declines"
    REPORTS = "reports"


@dataclass(frozen=True, slots=True)
class AccountEntry:
    """One account of the claim with everything needed to show it: outlet, source, relay path, evidence."""

    account: Account
    article_title: str | None
    article_url: str | None
    published_at: datetime | None
    outlet: str | None
    outlet_name: str
    outlet_kind: OutletKind
    source: str | None
    source_role: Role | None
    # "person" or "organisation": JSON-LD needs it to type a claim's author.
    source_kind: str | None
    relays: tuple[str, ...]
    channel: str | None
    outlet_role: Role

    @property
    def stance(self) -> Stance:
        return self.account.stance

    @property
    def article_id(self) -> str:
        return self.account.article_id

    @property
    def evidence(self) -> Span | None:
        return self.account.evidence


@dataclass(frozen=True, slots=True)
class PartySummary:
    """One source or one outlet, with every role it plays across the claim's accounts."""

    name: str
    roles: tuple[Role, ...]
    accounts: int
    first_at: datetime | None
    kind: OutletKind | None = None
    key: str | None = None
    channels: tuple[str, ...] = ()


_STANCE_SOURCE_ROLE = {
    Stance.ASSERTS: Role.ASSERTS,
    Stance.DENIES: Role.DENIES,
    Stance.REPORTS: Role.REPORTS,
}
NEVER = datetime.max.replace(tzinfo=UTC)


def source_name(attribution: Attribution) -> str | None:
    """The resolved original source of an attribution: speaker, else the innermost relay, else the span;
    None when none of them names a speaker (a pronoun left unresolved, a common noun, a section label)."""
    candidates = (
        attribution.speaker.name if attribution.speaker else "",
        attribution.relay_chain[-1].name if attribution.relay_chain else "",
        " ".join(span.text for span in attribution.source),
    )
    for candidate in candidates:
        if candidate and (name := speaker_name(candidate)):
            return name
    return None


def _source_kind(attribution: Attribution | None) -> str | None:
    if attribution is None or attribution.speaker is None:
        return None
    return "person" if attribution.speaker.person else "organisation"


def relayers(attribution: Attribution, source: str | None) -> tuple[str, ...]:
    # The chain is outermost first and may end with the original source itself; only speakers relay.
    names = (speaker_name(r.name) for r in attribution.relay_chain)
    return tuple(dict.fromkeys(name for name in names if name and name != source))


def source_role(account: Account, attribution: Attribution) -> Role:
    if attribution.polarity is Polarity.DECLINES:
        return Role.DECLINES
    if attribution.polarity is Polarity.DENIES and account.stance is not Stance.ASSERTS:
        return Role.DENIES
    return _STANCE_SOURCE_ROLE.get(account.stance, Role.REPORTS)


def outlet_role(account: Account, attribution: Attribution | None) -> Role:
    # An outlet that carries someone else's assertion relays it; unattributed, it asserts in its own voice.
    if attribution is None:
        return _STANCE_SOURCE_ROLE.get(account.stance, Role.REPORTS)
    if account.stance is Stance.ASSERTS:
        return Role.RELAYS
    return Role.REPORTS


def account_entry(
    account: Account,
    article: Article | None,
    by_attribution: Mapping[str, Attribution],
    by_outlet: Mapping[str, Outlet],
) -> AccountEntry:
    attribution = by_attribution.get(account.attribution_id or "")
    outlet_key = article.outlet if article else None
    outlet = by_outlet.get(outlet_key or "")
    source = source_name(attribution) if attribution else None
    relays = relayers(attribution, source) if attribution else ()
    return AccountEntry(
        account=account,
        article_title=article.title if article else None,
        article_url=article.url if article else None,
        published_at=article.published_at if article else None,
        outlet=outlet_key,
        outlet_name=outlet.name
        if outlet
        else (article.site_name if article and article.site_name else "")
        or outlet_key
        or article_label(account.article_id, article.title if article else None),
        outlet_kind=outlet.kind if outlet else OutletKind.UNKNOWN,
        source=source,
        source_role=source_role(account, attribution) if attribution else None,
        source_kind=_source_kind(attribution),
        relays=relays,
        channel=attribution.channel if attribution else None,
        outlet_role=outlet_role(account, attribution),
    )


def article_label(article_id: str, title: str | None) -> str:
    """How a row without an outlet names its article: id prefix and title, so two such rows differ."""
    label = f"article {article_id[:8]}"
    title = " ".join((title or "").split())
    if not title:
        return label
    shown = title if len(title) <= 60 else title[:59] + "\u2026"
    return f"{label} \u201c{shown}\u201d"


def same_source_names(entry: AccountEntry, identities: Mapping[str, str]) -> AccountEntry:
    """The entry with its source and relays under the names of the sources they name."""
    source = identities.get(entry.source, entry.source) if entry.source else entry.source
    relays = tuple(dict.fromkeys(identities.get(name, name) for name in entry.relays))
    return replace(entry, source=source, relays=tuple(name for name in relays if name != source))


def source_parties(entries: Sequence[AccountEntry]) -> tuple[PartySummary, ...]:
    groups: dict[str, list[AccountEntry]] = defaultdict(list)
    for entry in entries:
        if entry.source:
            groups[entry.source].append(entry)
        for relay in entry.relays:
            groups[relay].append(entry)
    summaries = []
    for name, group in groups.items():
        roles = {e.source_role for e in group if e.source == name and e.source_role}
        if any(name in e.relays for e in group):
            roles.add(Role.RELAYS)
        channels = sorted({e.channel for e in group if e.source == name and e.channel})
        summaries.append(
            PartySummary(
                name=name,
                roles=_ordered_roles(roles),
                accounts=len(group),
                first_at=_first_time(group),
                channels=tuple(channels),
            )
        )
    return tuple(sorted(summaries, key=lambda s: (s.first_at or NEVER, s.name)))


def outlet_parties(entries: Sequence[AccountEntry]) -> tuple[PartySummary, ...]:
    groups: dict[str, list[AccountEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.outlet or entry.outlet_name].append(entry)
    summaries = [
        PartySummary(
            name=group[0].outlet_name,
            key=group[0].outlet,
            kind=group[0].outlet_kind,
            roles=_ordered_roles({e.outlet_role for e in group}),
            accounts=len(group),
            first_at=_first_time(group),
        )
        for group in groups.values()
    ]
    return tuple(sorted(summaries, key=lambda s: (s.first_at or NEVER, s.name)))


def _ordered_roles(roles: set[Role]) -> tuple[Role, ...]:
    return tuple(role for role in Role if role in roles)


def _first_time(group: Sequence[AccountEntry]) -> datetime | None:
    times = [e.published_at for e in group if e.published_at]
    return min(times) if times else None


def roles_by_party(*groups: Sequence[PartySummary]) -> dict[str, tuple[Role, ...]]:
    """Every party's roles, one entry per name: a name that is both a source and an outlet (an agency quoted
    by others and publishing itself) has the roles of both, in `Role` order."""
    found: dict[str, set[Role]] = defaultdict(set)
    for group in groups:
        for party in group:
            found[party.name].update(party.roles)
    return {name: _ordered_roles(roles) for name, roles in found.items()}
