"""The claim dossier: everything the stages found about one claim, assembled for a verification desk.

`build_dossier` is a pure function over records; `render_dossier` draws it in the terminal with Rich.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from counterclaim.model import (
    Account,
    Article,
    Attribution,
    Claim,
    Outlet,
    OutletKind,
    Polarity,
    ProvenanceCheck,
    ProvenanceStatus,
    ReuseLink,
    Span,
    Stance,
    Verdict,
)
from counterclaim.outlets.names import CountryLexicon
from counterclaim.sources import named_party, source_identities, speaker_name


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


@dataclass(frozen=True, slots=True)
class ReuseCluster:
    """Articles sharing wording, as far as they touch this claim's accounts."""

    cluster: str
    article_ids: tuple[str, ...]
    outlets: tuple[str, ...]
    links: tuple[ReuseLink, ...]


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """Something a verifier still has to find out, with the party it concerns."""

    kind: str
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class Dossier:
    claim: Claim
    first_appearance: AccountEntry | None
    accounts: tuple[AccountEntry, ...]
    sources: tuple[PartySummary, ...]
    outlets: tuple[PartySummary, ...]
    reuse_clusters: tuple[ReuseCluster, ...]
    provenance: tuple[ProvenanceCheck, ...]
    verdicts: tuple[Verdict, ...]
    open_questions: tuple[OpenQuestion, ...]

    def parties(self, role: Role) -> tuple[str, ...]:
        """Names of sources and outlets that play `role`, sources first."""
        names = [s.name for s in self.sources if role in s.roles]
        names += [o.name for o in self.outlets if role in o.roles and o.name not in names]
        return tuple(names)


_STANCE_SOURCE_ROLE = {
    Stance.ASSERTS: Role.ASSERTS,
    Stance.DENIES: Role.DENIES,
    Stance.REPORTS: Role.REPORTS,
}
_NEVER = datetime.max.replace(tzinfo=UTC)


def build_dossier(
    claim: Claim,
    accounts: Sequence[Account],
    attributions: Iterable[Attribution],
    articles: Iterable[Article],
    outlets: Iterable[Outlet],
    reuse_links: Iterable[ReuseLink],
    provenance_checks: Sequence[ProvenanceCheck] = (),
    verdicts: Sequence[Verdict] = (),
    lexicon: CountryLexicon | None = None,
) -> Dossier:
    """Assemble one claim's dossier; unrelated accounts and links between unrelated articles are left out.

    Names of one source ("Defence Ministry", "Valdoria's Defence Ministry") are shown as one; `lexicon` (the
    outlet registry's country words) lets country adjectives and possessives meet.
    """
    by_article = {a.id: a for a in articles}
    by_attribution = {a.id: a for a in attributions}
    by_outlet = {o.key: o for o in outlets}
    entries = [
        _entry(account, by_article.get(account.article_id), by_attribution, by_outlet)
        for account in accounts
        if account.claim_id == claim.id and account.stance is not Stance.UNRELATED
    ]
    identities = source_identities(
        [name for e in entries for name in (e.source or "", *e.relays)]
        + [check.source for check in provenance_checks],
        lexicon,
    )
    entries = sorted((_same_source_names(e, identities) for e in entries), key=_time_order)
    provenance_checks = _merged_checks(provenance_checks, identities)
    article_ids = {e.article_id for e in entries}
    return Dossier(
        claim=claim,
        first_appearance=_first_appearance(entries),
        accounts=tuple(entries),
        sources=_source_summaries(entries),
        outlets=_outlet_summaries(entries),
        reuse_clusters=_reuse_clusters(reuse_links, article_ids, by_article),
        provenance=tuple(sorted(provenance_checks, key=lambda c: c.source)),
        verdicts=tuple(sorted(verdicts, key=lambda v: v.reviewed_at)),
        open_questions=_open_questions(entries, provenance_checks),
    )


def _time_order(entry: AccountEntry) -> tuple[datetime, str, int]:
    start = entry.evidence.start if entry.evidence else 0
    return (entry.published_at or _NEVER, entry.article_id, start)


def _entry(
    account: Account,
    article: Article | None,
    by_attribution: Mapping[str, Attribution],
    by_outlet: Mapping[str, Outlet],
) -> AccountEntry:
    attribution = by_attribution.get(account.attribution_id or "")
    outlet_key = article.outlet if article else None
    outlet = by_outlet.get(outlet_key or "")
    source = source_name(attribution) if attribution else None
    relays = _relayers(attribution, source) if attribution else ()
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
        source_role=_source_role(account, attribution) if attribution else None,
        source_kind=_source_kind(attribution),
        relays=relays,
        channel=attribution.channel if attribution else None,
        outlet_role=_outlet_role(account, attribution),
    )


def article_label(article_id: str, title: str | None) -> str:
    """How a row without an outlet names its article: id prefix and title, so two such rows differ."""
    label = f"article {article_id[:8]}"
    title = " ".join((title or "").split())
    if not title:
        return label
    shown = title if len(title) <= 60 else title[:59] + "\u2026"
    return f"{label} \u201c{shown}\u201d"


def _same_source_names(entry: AccountEntry, identities: Mapping[str, str]) -> AccountEntry:
    """The entry with its source and relays under the names of the sources they name."""
    source = identities.get(entry.source, entry.source) if entry.source else entry.source
    relays = tuple(dict.fromkeys(identities.get(name, name) for name in entry.relays))
    return replace(entry, source=source, relays=tuple(name for name in relays if name != source))


# When two spellings of one source were checked, the more telling result stands.
_CHECK_ORDER = (ProvenanceStatus.FOUND, ProvenanceStatus.NOT_FOUND, ProvenanceStatus.NO_COVERAGE)


def _merged_checks(
    checks: Sequence[ProvenanceCheck], identities: Mapping[str, str]
) -> tuple[ProvenanceCheck, ...]:
    """One provenance check per source, under the source's shown name."""
    best: dict[str, ProvenanceCheck] = {}
    for check in checks:
        named = replace(check, source=identities.get(check.source, check.source))
        current = best.get(named.source)
        if current is None or _check_rank(named) < _check_rank(current):
            best[named.source] = named
    return tuple(best.values())


def _check_rank(check: ProvenanceCheck) -> int:
    return _CHECK_ORDER.index(check.status)


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


def _relayers(attribution: Attribution, source: str | None) -> tuple[str, ...]:
    # The chain is outermost first and may end with the original source itself; only speakers relay.
    names = (speaker_name(r.name) for r in attribution.relay_chain)
    return tuple(dict.fromkeys(name for name in names if name and name != source))


def _source_role(account: Account, attribution: Attribution) -> Role:
    if attribution.polarity is Polarity.DECLINES:
        return Role.DECLINES
    if attribution.polarity is Polarity.DENIES and account.stance is not Stance.ASSERTS:
        return Role.DENIES
    return _STANCE_SOURCE_ROLE.get(account.stance, Role.REPORTS)


def _outlet_role(account: Account, attribution: Attribution | None) -> Role:
    # An outlet that carries someone else's assertion relays it; unattributed, it asserts in its own voice.
    if attribution is None:
        return _STANCE_SOURCE_ROLE.get(account.stance, Role.REPORTS)
    if account.stance is Stance.ASSERTS:
        return Role.RELAYS
    return Role.REPORTS


def _first_appearance(entries: Sequence[AccountEntry]) -> AccountEntry | None:
    dated = [e for e in entries if e.published_at is not None]
    return dated[0] if dated else (entries[0] if entries else None)


def _source_summaries(entries: Sequence[AccountEntry]) -> tuple[PartySummary, ...]:
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
    return tuple(sorted(summaries, key=lambda s: (s.first_at or _NEVER, s.name)))


def _outlet_summaries(entries: Sequence[AccountEntry]) -> tuple[PartySummary, ...]:
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
    return tuple(sorted(summaries, key=lambda s: (s.first_at or _NEVER, s.name)))


def _ordered_roles(roles: set[Role]) -> tuple[Role, ...]:
    return tuple(role for role in Role if role in roles)


def _first_time(group: Sequence[AccountEntry]) -> datetime | None:
    times = [e.published_at for e in group if e.published_at]
    return min(times) if times else None


def _reuse_clusters(
    links: Iterable[ReuseLink], article_ids: set[str], by_article: Mapping[str, Article]
) -> tuple[ReuseCluster, ...]:
    groups: dict[str, list[ReuseLink]] = defaultdict(list)
    for link in links:
        if link.a in article_ids or link.b in article_ids:
            groups[link.cluster].append(link)
    clusters = []
    for cluster, group in sorted(groups.items()):
        ids = sorted({link.a for link in group} | {link.b for link in group})
        outlets = sorted({by_article[i].outlet or "" for i in ids if i in by_article} - {""})
        clusters.append(ReuseCluster(cluster, tuple(ids), tuple(outlets), tuple(group)))
    return tuple(clusters)


def _open_questions(
    entries: Sequence[AccountEntry], checks: Sequence[ProvenanceCheck]
) -> tuple[OpenQuestion, ...]:
    questions = []
    for check in sorted(checks, key=lambda c: c.source):
        if check.status is ProvenanceStatus.NO_COVERAGE:
            questions.append(
                OpenQuestion(
                    "no primary-source coverage",
                    check.source,
                    f"Nothing from {check.source}'s own channels is in the corpus: "
                    "ingest its website or feeds, or ask it directly.",
                )
            )
        elif check.status is ProvenanceStatus.NOT_FOUND:
            questions.append(
                OpenQuestion(
                    "not on own channel",
                    check.source,
                    f"{check.source}'s own channels ({check.items_checked} items in the window) do not carry "
                    "the statement: was it ever made, and to whom?",
                )
            )
    found = {c.source for c in checks if c.status is ProvenanceStatus.FOUND}
    for source, group in _asserting_sources(entries).items():
        if not named_party(source):
            continue
        if source not in found and all(e.relays or e.outlet_role is Role.RELAYS for e in group):
            questions.append(
                OpenQuestion(
                    "only relayed",
                    source,
                    f"{source} is heard only through others ({_relay_names(group)}): "
                    "no first-hand publication is known.",
                )
            )
    asserting = [e for e in entries if e.stance is Stance.ASSERTS]
    if asserting and not any(e.source for e in asserting):
        questions.append(
            OpenQuestion("no named source", "", "Every assertion is unattributed: who first said it?")
        )
    return tuple(questions)


def _asserting_sources(entries: Sequence[AccountEntry]) -> dict[str, list[AccountEntry]]:
    groups: dict[str, list[AccountEntry]] = defaultdict(list)
    for entry in entries:
        if entry.source and entry.source_role is Role.ASSERTS:
            groups[entry.source].append(entry)
    return groups


def _relay_names(group: Sequence[AccountEntry]) -> str:
    names: list[str] = []
    for entry in group:
        for name in (*entry.relays, entry.outlet_name):
            if name not in names:
                names.append(name)
    return ", ".join(names)


# Terminal rendering -------------------------------------------------------------------------------------

STANCE_STYLE = {
    Stance.ASSERTS: "bold green",
    Stance.DENIES: "bold red",
    Stance.REPORTS: "yellow",
    Stance.UNRELATED: "dim",
}


def relay_path(entry: AccountEntry) -> str:
    """The path a statement took into an article, outlet first: "TASS ← RIA Novosti ← Defense Ministry"."""
    parts: list[str] = []
    for name in (entry.outlet_name, *entry.relays, entry.source or ""):
        # The outlet often names itself as the first relay ("..., RIA Novosti reported").
        if name and name.casefold() not in (p.casefold() for p in parts):
            parts.append(name)
    return " ← ".join(parts)


def format_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "undated"


def render_dossier(dossier: Dossier, console: Console | None = None) -> None:
    """Print the dossier: claim, first sighting, parties, accounts, reuse, checks, open questions."""
    (console or Console()).print(dossier_renderable(dossier))


def dossier_renderable(dossier: Dossier) -> RenderableType:
    claim = dossier.claim
    header = Text.assemble(("Claim ", "bold"), (claim.id, "cyan"), "\n", (claim.canonical_text, "italic"))
    first = dossier.first_appearance
    if first:
        header.append(f"\nFirst seen {format_time(first.published_at)} in {first.outlet_name}")
    parts: list[RenderableType] = [Panel(header, title="counterclaim dossier")]
    parts.append(_roles_table(dossier))
    parts.append(_accounts_table(dossier))
    if dossier.sources:
        parts.append(_sources_table(dossier))
    if dossier.outlets:
        parts.append(_outlets_table(dossier))
    if dossier.reuse_clusters:
        parts.append(_reuse_table(dossier))
    parts.append(_provenance_table(dossier))
    for verdict in dossier.verdicts:
        parts.append(
            Text(f"Verdict by {verdict.reviewer} ({verdict.reviewed_at:%Y-%m-%d}): {verdict.rating}")
        )
    if dossier.open_questions:
        questions = Text("Open questions\n", style="bold")
        for q in dossier.open_questions:
            questions.append(f"• {q.text}\n")
        parts.append(questions)
    return Group(*parts)


def _roles_table(dossier: Dossier) -> Table:
    table = Table(title="Who does what", show_header=False, expand=False)
    for role in (Role.ASSERTS, Role.RELAYS, Role.DENIES, Role.DECLINES, Role.REPORTS):
        names = dossier.parties(role)
        if names:
            table.add_row(Text(role.value, style="bold"), ", ".join(names))
    return table


def _accounts_table(dossier: Dossier) -> Table:
    table = Table(title=f"Accounts in time order ({len(dossier.accounts)})")
    for column in ("when", "outlet", "kind", "path", "channel", "stance", "evidence"):
        table.add_column(column, overflow="fold")
    for entry in dossier.accounts:
        evidence = entry.evidence
        table.add_row(
            format_time(entry.published_at),
            entry.outlet_name,
            entry.outlet_kind.value,
            relay_path(entry),
            entry.channel or "",
            Text(entry.stance.value, style=STANCE_STYLE[entry.stance]),
            f"[{evidence.start}:{evidence.end}] {evidence.text}" if evidence else "",
        )
    return table


def _sources_table(dossier: Dossier) -> Table:
    table = Table(title="Sources")
    for column in ("source", "roles", "accounts", "channels", "first"):
        table.add_column(column)
    for source in dossier.sources:
        table.add_row(
            source.name,
            ", ".join(r.value for r in source.roles),
            str(source.accounts),
            ", ".join(source.channels),
            format_time(source.first_at),
        )
    return table


def _outlets_table(dossier: Dossier) -> Table:
    table = Table(title="Outlets")
    for column in ("outlet", "kind", "roles", "accounts", "first"):
        table.add_column(column)
    for outlet in dossier.outlets:
        table.add_row(
            outlet.name,
            outlet.kind.value if outlet.kind else "",
            ", ".join(r.value for r in outlet.roles),
            str(outlet.accounts),
            format_time(outlet.first_at),
        )
    return table


def _reuse_table(dossier: Dossier) -> Table:
    table = Table(title="Shared wording")
    for column in ("cluster", "outlets", "articles", "passages"):
        table.add_column(column)
    for cluster in dossier.reuse_clusters:
        table.add_row(
            cluster.cluster,
            ", ".join(cluster.outlets),
            str(len(cluster.article_ids)),
            str(len(cluster.links)),
        )
    return table


def _provenance_table(dossier: Dossier) -> Table:
    table = Table(title="Primary-source checks")
    for column in ("source", "status", "channels", "items checked", "window", "found"):
        table.add_column(column, overflow="fold")
    for check in dossier.provenance:
        window = (
            f"{format_time(check.window_start)} – {format_time(check.window_end)}"
            if check.window_start
            else ""
        )
        found = f"{check.found_article_id} {check.found_span.text!r}" if check.found_span else ""
        style = {"found": "green", "not found": "red", "no coverage": "yellow"}[check.status.value]
        table.add_row(
            check.source,
            Text(check.status.value, style=style),
            ", ".join(check.channel_outlets),
            str(check.items_checked),
            window,
            found,
        )
    if not dossier.provenance:
        table.add_row("(no attributed source)", "", "", "", "", "")
    return table
