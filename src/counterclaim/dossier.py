"""The claim dossier: everything the stages found about one claim, assembled for a verification desk.

`build_dossier` is a pure function over records; `render_dossier` draws it in the terminal with Rich.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from counterclaim.anaphora import (
    RELAY_METHOD,
    ReportedReuse,
    reference_denials,
    relay_accounts,
    relay_parties,
    reported_reuse,
)
from counterclaim.errors import NotFoundError
from counterclaim.model import (
    Account,
    Article,
    Attribution,
    Claim,
    Outlet,
    ProvenanceCheck,
    ProvenanceStatus,
    ReuseLink,
    Span,
    Stance,
    Verdict,
)
from counterclaim.outlets import OutletRegistry, open_registry
from counterclaim.outlets.names import CountryLexicon
from counterclaim.parties import (
    NEVER,
    AccountEntry,
    PartySummary,
    Role,
    account_entry,
    outlet_parties,
    outlet_role,
    roles_by_party,
    same_source_names,
    source_parties,
)
from counterclaim.sources import named_party, source_identities
from counterclaim.store import Store
from counterclaim.store.attributions import load_attributions
from counterclaim.store.claims import load_accounts, load_claims, statement_positions
from counterclaim.store.provenance import load_provenance, load_verdicts
from counterclaim.store.reuse import load_reuse_links
from counterclaim.store.stories import Story, stories_of_claims, story_of_claim, story_sizes
from counterclaim.terminal import SafeConsole

if TYPE_CHECKING:
    from counterclaim.stance import BodyIndex, StanceModel


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
    # The story (event or topic) the claim belongs to, with its other claims; None in stores without stories.
    story: Story | None = None
    # Shared wording an article reports between relays of the claim (not observed in the corpus).
    reported_reuse: tuple[ReportedReuse, ...] = ()
    # The search text the dossier answers (`report --search`): each article's own row shows its stance
    # toward it (`query_accounts`), the parties stay those toward the claim; None when opened by id.
    query: str | None = None

    def roles(self) -> dict[str, tuple[Role, ...]]:
        """Each party (source or outlet) with every role it plays: the one rule, `roles_by_party`."""
        return roles_by_party(self.sources, self.outlets)

    def parties(self, role: Role) -> tuple[str, ...]:
        """Names of sources and outlets that play `role`, sources first."""
        names = [s.name for s in self.sources if role in s.roles]
        names += [o.name for o in self.outlets if role in o.roles and o.name not in names]
        return tuple(names)


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
    story: Story | None = None,
    statements: Mapping[str, Sequence[tuple[int, str, str | None]]] | None = None,
    query: str | None = None,
    asked: Mapping[str, Account] | None = None,
) -> Dossier:
    """Assemble one claim's dossier; unrelated accounts and links between unrelated articles are left out.

    Names of one source ("Defence Ministry", "Valdoria's Defence Ministry") are shown as one; `lexicon` (the
    outlet registry's country words) lets country adjectives and possessives meet. `asked` (article id ->
    stance toward the search text `query`) replaces the stance of each article's own row; the parties and
    their roles stay those toward the claim, as in `claims`.
    """
    by_article = {a.id: a for a in articles}
    by_attribution = {a.id: a for a in attributions}
    by_outlet = {o.key: o for o in outlets}
    relays = relay_accounts(claim.id, accounts, by_attribution.values(), by_article)
    # Read only in articles that hold a stored account of the claim, as the claim list reads them: an
    # article judged at dossier time for the story alone does not lend the claim its neighbours' denials.
    stored = {a.article_id for a in accounts if not from_story(a)}
    relays += reference_denials(
        claim.id,
        accounts,
        by_attribution.values(),
        {key: article for key, article in by_article.items() if key in stored},
        statements or {},
    )
    entries = [
        _relay_entry(
            account_entry(account, by_article.get(account.article_id), by_attribution, by_outlet),
            by_attribution,
        )
        for account in [*accounts, *relays]
        if account.claim_id == claim.id and account.stance is not Stance.UNRELATED
    ]
    identities = source_identities(
        [name for e in entries for name in (e.source or "", *e.relays)]
        + [check.source for check in provenance_checks],
        lexicon,
    )
    entries = sorted((same_source_names(e, identities) for e in entries), key=_time_order)
    provenance_checks = _merged_checks(provenance_checks, identities)
    linked = [e for e in entries if not from_story(e.account)]
    article_ids = {e.article_id for e in entries}
    shown = [_asked_entry(e, asked) for e in entries] if asked else entries
    return Dossier(
        claim=claim,
        first_appearance=_first_appearance(shown),
        accounts=tuple(shown),
        # Parties are those of the claim's own accounts: `claims` and every other view name the same ones; an
        # article listed only through the story shows as an account marked "(story)".
        sources=source_parties(linked),
        outlets=outlet_parties(linked),
        reuse_clusters=_reuse_clusters(reuse_links, article_ids, by_article),
        provenance=tuple(sorted(provenance_checks, key=lambda c: c.source)),
        verdicts=tuple(sorted(verdicts, key=lambda v: v.reviewed_at)),
        open_questions=_open_questions(linked, provenance_checks),
        story=story,
        reported_reuse=reported_reuse(relays, by_attribution),
        query=query,
    )


def _relay_entry(entry: AccountEntry, attributions: Mapping[str, Attribution]) -> AccountEntry:
    """A relay by reference ("RT and TASS reported on the statement") shows the source it relays, and each
    relaying outlet as a relay of its own."""
    attribution = attributions.get(entry.account.attribution_id or "")
    if entry.account.method != RELAY_METHOD or attribution is None:
        return entry
    origin, parties = relay_parties(attribution)
    return replace(entry, source=origin, source_role=Role.ASSERTS, relays=parties)


def load_dossier(
    store: Store,
    claim_id: str,
    registry: OutletRegistry | None = None,
    stance_model: StanceModel | None = None,
    query: str | None = None,
) -> Dossier:
    """Gather one claim's accounts, articles, attributions, reuse, checks and verdicts into its dossier.

    `registry` (the store's one registry: `open_registry(store)` when not given) names outlets and gives the
    country words that let "Valdoria's" meet "Valdorian". Every article of the claim's story that holds no
    account of the claim gets the article-level stance toward it (`stance_model`, loaded when needed): a
    related article linked to a sibling claim is listed, an unrelated one stays out. With `query` (the text
    a user searched for) each listed article's own stance is judged toward that text (`query_accounts`).
    """
    registry = registry if registry is not None else open_registry(store)
    found = load_claims(store, claim_ids=[claim_id])
    if not found:
        raise NotFoundError(f"No claim with id {claim_id!r}: list claims with `counterclaim claims`.")
    claim = found[0]
    accounts = load_accounts(store, claim_id=claim.id)
    story = story_of_claim(store, claim.id)
    accounts += story_accounts(store, claim, story, accounts, stance_model)
    query = query.strip() if query and query.strip() else None
    asked = query_accounts(store, query, accounts, stance_model) if query is not None else {}
    accounts = [_story_listed_by_query(account, asked) for account in accounts]
    article_ids = sorted({a.article_id for a in accounts})
    return build_dossier(
        claim=claim,
        accounts=accounts,
        attributions=load_attributions(store, article_ids) if article_ids else [],
        articles=store.articles(ids=article_ids) if article_ids else [],
        outlets=registry.all(),
        reuse_links=load_reuse_links(store, article_ids) if article_ids else [],
        provenance_checks=load_provenance(store, claim.id),
        verdicts=load_verdicts(store, claim.id),
        lexicon=registry.lexicon,
        story=story,
        statements=statement_positions(store, article_ids) if article_ids else {},
        query=query,
        asked=asked,
    )


# An article of the claim's story is about the same event: the relatedness probability it needs to count as
# related is lowered to this (the model's own threshold is 0.5). Chosen on the FNC-1 hold-out store.
STORY_RELATEDNESS = 0.3
# Story articles judged per dossier, earliest first: a bound on the work one dossier does.
MAX_STORY_ARTICLES = 200
STORY_METHOD_SUFFIX = "+story"


def story_accounts(
    store: Store,
    claim: Claim,
    story: Story | None,
    accounts: Sequence[Account],
    stance_model: StanceModel | None = None,
) -> list[Account]:
    """Article-level accounts of the claim for the story's articles that have none (method ends "+story")."""
    if story is None:
        return []
    have = {a.article_id for a in accounts if a.attribution_id is None}
    wanted = [a for a in story.article_ids[:MAX_STORY_ARTICLES] if a not in have]
    if not wanted:
        return []
    from counterclaim.claims import Member, claim_accounts

    if stance_model is None:
        from counterclaim.stance import StanceModel

        stance_model = StanceModel.load()
    by_id = {article.id: article for article in store.articles(ids=wanted)}
    members = [Member(claim.id, article_id) for article_id in wanted if article_id in by_id]
    bodies = kept_bodies(store, stance_model, by_id)
    found = claim_accounts(stance_model, members, {claim.id: claim.canonical_text}, by_id, {}, bodies)
    found = _story_prior(stance_model, claim.canonical_text, found, bodies)
    return [replace(account, method=account.method + STORY_METHOD_SUFFIX) for account in found]


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """A claim with who stands where, by the same rule as its dossier (`counterclaim.parties`).

    Sources are attributed speakers (and the relays between them and the reader); outlets are whole articles.
    """

    claim: Claim
    articles: int
    asserting: tuple[str, ...]
    denying: tuple[str, ...]
    reporting: tuple[str, ...]
    relayed_by: tuple[str, ...] = ()
    declining: tuple[str, ...] = ()
    outlets_asserting: tuple[str, ...] = ()
    outlets_denying: tuple[str, ...] = ()
    outlets_reporting: tuple[str, ...] = ()
    score: float | None = None
    # Every party with all the roles it plays, exactly as the claim's dossier gives them.
    roles: tuple[tuple[str, tuple[Role, ...]], ...] = ()
    # The story the claim belongs to and how many articles it holds (None: a store made before stories).
    story_id: str | None = None
    story_articles: int = 0

    @property
    def conflict(self) -> bool:
        asserted = bool(self.asserting) or bool(self.outlets_asserting)
        return asserted and (bool(self.denying) or bool(self.outlets_denying))


def claim_summaries(
    store: Store,
    found: Sequence[Claim],
    scores: Sequence[float | None] | None = None,
    registry: OutletRegistry | None = None,
) -> list[ClaimSummary]:
    """Who asserts, relays, denies, declines and reports each claim: the parties of its dossier."""
    registry = registry if registry is not None else open_registry(store)
    outlets = registry.all()
    story_of = stories_of_claims(store, [claim.id for claim in found])
    sizes = story_sizes(store, sorted(set(story_of.values())))
    summaries = []
    for position, claim in enumerate(found):
        accounts = load_accounts(store, claim_id=claim.id)
        article_ids = sorted({a.article_id for a in accounts if a.stance is not Stance.UNRELATED})
        dossier = build_dossier(
            claim=claim,
            accounts=accounts,
            attributions=load_attributions(store, article_ids) if article_ids else [],
            articles=store.articles(ids=article_ids) if article_ids else [],
            outlets=outlets,
            reuse_links=[],
            lexicon=registry.lexicon,
            # Denials by reference ("dismissed the allegations") read off statement order, as in dossiers.
            statements=statement_positions(store, article_ids) if article_ids else {},
        )
        summary = _summary(dossier, len(article_ids), scores[position] if scores is not None else None)
        story_id = story_of.get(claim.id)
        summaries.append(replace(summary, story_id=story_id, story_articles=sizes.get(story_id or "", 0)))
    return summaries


def _summary(dossier: Dossier, articles: int, score: float | None) -> ClaimSummary:
    def sources(role: Role) -> tuple[str, ...]:
        return tuple(sorted(s.name for s in dossier.sources if role in s.roles))

    def outlets(role: Role) -> tuple[str, ...]:
        return tuple(sorted(o.name for o in dossier.outlets if role in o.roles))

    asserting, denying = sources(Role.ASSERTS), sources(Role.DENIES)
    return ClaimSummary(
        claim=dossier.claim,
        articles=articles,
        asserting=asserting,
        denying=denying,
        reporting=tuple(n for n in sources(Role.REPORTS) if n not in asserting and n not in denying),
        relayed_by=tuple(sorted(set(sources(Role.RELAYS)) | set(outlets(Role.RELAYS)))),
        declining=sources(Role.DECLINES),
        outlets_asserting=outlets(Role.ASSERTS),
        outlets_denying=outlets(Role.DENIES),
        outlets_reporting=outlets(Role.REPORTS),
        score=score,
        roles=tuple(sorted(dossier.roles().items())),
    )


def _time_order(entry: AccountEntry) -> tuple[datetime, str, int]:
    start = entry.evidence.start if entry.evidence else 0
    return (entry.published_at or NEVER, entry.article_id, start)


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


def _first_appearance(entries: Sequence[AccountEntry]) -> AccountEntry | None:
    dated = [e for e in entries if e.published_at is not None]
    return dated[0] if dated else (entries[0] if entries else None)


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
    # Outlets that relayed by reference side by side ("RT, TASS reported on the statement") are parallel.
    relays = (", ".join(entry.relays),) if entry.account.method == RELAY_METHOD else entry.relays
    for name in (entry.outlet_name, *relays, entry.source or ""):
        # The outlet often names itself as the first relay ("..., RIA Novosti reported").
        if name and name.casefold() not in (p.casefold() for p in parts):
            parts.append(name)
    return " ← ".join(parts)


def format_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "undated"


def render_dossier(dossier: Dossier, console: Console | None = None) -> None:
    """Print the dossier: claim, first sighting, parties, accounts, reuse, checks, open questions."""
    (console or SafeConsole()).print(dossier_renderable(dossier))


def dossier_renderable(dossier: Dossier) -> RenderableType:
    claim = dossier.claim
    header = Text.assemble(("Claim ", "bold"), (claim.id, "cyan"), "\n", (claim.canonical_text, "italic"))
    first = dossier.first_appearance
    if first:
        header.append(f"\nFirst seen {format_time(first.published_at)} in {first.outlet_name}")
    if dossier.query is not None:
        header.append(f"\nEach article's own stance is judged toward your search: {dossier.query!r}", "dim")
        if opposite_polarity(dossier.query, claim.canonical_text):
            header.append(
                "\nYour search and the claim found differ in polarity (one is negated): an article "
                "asserting your search may deny the claim; the parties below are named by their stance "
                "toward the claim.",
                "yellow",
            )
    parts: list[RenderableType] = [Panel(header, title="counterclaim dossier")]
    story = _story_text(dossier)
    if story is not None:
        parts.append(story)
    parts.append(_roles_table(dossier))
    parts.append(_accounts_table(dossier))
    if dossier.sources:
        parts.append(_sources_table(dossier))
    if dossier.outlets:
        parts.append(_outlets_table(dossier))
    if dossier.reuse_clusters:
        parts.append(_reuse_table(dossier))
    if dossier.reported_reuse:
        reported = Text(
            "Shared wording reported by the articles (not observed in the corpus)\n", style="bold"
        )
        for item in dossier.reported_reuse:
            reported.append(
                f"• {', '.join(item.parties)}: [{item.evidence.start}:{item.evidence.end}] "
                f"{item.evidence.text} (article {item.article_id[:8]})\n"
            )
        parts.append(reported)
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
            Text(entry.stance.value, style=STANCE_STYLE[entry.stance])
            + Text(" (story)" if from_story(entry.account) else "", style="dim")
            # Toward the search text, not the claim: the two may differ in polarity ("No, X did not ...").
            + Text(" (to search)" if from_query(entry.account) else "", style="dim"),
            f"[{evidence.start}:{evidence.end}] {evidence.text}" if evidence else "",
        )
    return table


def kept_bodies(store: Store, model: StanceModel, articles: Mapping[str, Article]) -> dict[str, BodyIndex]:
    """The articles' sentence vectors as the claims stage kept them (the others embedded, not written: a
    dossier is a read), so a story or search stance reads the same vectors the stored accounts did."""
    from counterclaim.article_vectors import article_bodies

    return article_bodies(store, model, list(articles.values()))[0]


def _story_prior(
    model: StanceModel, claim_text: str, found: list[Account], bodies: Mapping[str, BodyIndex]
) -> list[Account]:
    """Story articles the model found unrelated, but not confidently, get the classifier's stance."""
    # An unrelated result's score is 1 - relatedness probability.
    doubtful = [
        position
        for position, account in enumerate(found)
        if account.stance is Stance.UNRELATED and 1.0 - account.score >= STORY_RELATEDNESS
    ]
    if not doubtful:
        return found
    from counterclaim.stance import RELATED_STANCES

    vector = model.embedder.encode([claim_text])[0]
    indexes = [bodies[found[position].article_id] for position in doubtful]
    rows = model.related_probabilities([(claim_text, vector, index) for index in indexes])
    updated = list(found)
    for position, index, row in zip(doubtful, indexes, rows, strict=True):
        similarities = index.vectors @ vector
        label = int(np.argmax(row))
        evidence = Span.of(index.text, *index.spans[int(np.argmax(similarities))]) if index.spans else None
        updated[position] = replace(
            found[position],
            stance=RELATED_STANCES[label],
            score=round((1.0 - found[position].score) * float(row[label]), 4),
            evidence=evidence,
        )
    return updated


def from_story(account: Account) -> bool:
    """Whether the account was judged at read time because its article belongs to the claim's story."""
    return STORY_METHOD_SUFFIX in account.method


QUERY_METHOD_SUFFIX = "+query"


def opposite_polarity(query: str, claim_text: str) -> bool:
    """Whether one of the search and the claim's canonical text is negated or a denial and the other is not
    ("No, X did not ..." against "X did ..."): a hint for the reader, not a judgement."""
    from counterclaim.text import negated

    return negated(query) != negated(claim_text)


def from_query(account: Account) -> bool:
    """Whether the account's stance was judged toward the search text (`query_accounts`)."""
    return account.method.endswith(QUERY_METHOD_SUFFIX)


def query_accounts(
    store: Store, query: str, accounts: Sequence[Account], stance_model: StanceModel | None = None
) -> dict[str, Account]:
    """Each listed or story article's own stance toward the search text, by article id (unrelated ones left
    out).

    A user who searches "X" asks who says X and who denies it; the claim found is the corpus's nearest
    proposition, and its canonical text is often a longer sentence with other details (a time, a reason),
    so an article restating it can still only report X. Who plays which role does not change: attributions
    and the parties stay judged toward the claim (`build_dossier`).
    """
    listed = sorted(
        {
            a.article_id
            for a in accounts
            if a.attribution_id is None and (a.stance is not Stance.UNRELATED or from_story(a))
        }
    )
    if not listed:
        return {}
    from counterclaim.claims import Member, claim_accounts

    if stance_model is None:
        from counterclaim.stance import StanceModel

        stance_model = StanceModel.load()
    by_id = {article.id: article for article in store.articles(ids=listed)}
    present = [a for a in listed if a in by_id]
    bodies = kept_bodies(store, stance_model, by_id)
    # A search that itself denies ("No, X did not happen") is agreed with by a lead that denies X: the
    # lead-denial rule reads leads against asserted texts only (claims.denials.denies_itself).
    judged = claim_accounts(
        stance_model, [Member("query", a) for a in present], {"query": query}, by_id, {}, bodies
    )
    return {a.article_id: a for a in judged if a.stance is not Stance.UNRELATED}


def _story_listed_by_query(account: Account, asked: Mapping[str, Account]) -> Account:
    """A story article unrelated to the claim's canonical text but related to the search text is listed.

    The canonical text is one sentence of the claim (sometimes a side detail of its story); the story's
    articles about what the user asked belong in the answer. Articles outside the claim's story never do.
    """
    toward = asked.get(account.article_id)
    if toward is None or account.stance is not Stance.UNRELATED or not from_story(account):
        return account
    return replace(account, stance=toward.stance, score=toward.score, evidence=toward.evidence)


def _asked_entry(entry: AccountEntry, asked: Mapping[str, Account]) -> AccountEntry:
    """An article's own row with its stance toward the search text (method "+query"), when judged."""
    toward = asked.get(entry.article_id)
    if toward is None or entry.account.attribution_id is not None:
        return entry
    account = replace(
        entry.account,
        stance=toward.stance,
        score=toward.score,
        evidence=toward.evidence,
        method=entry.account.method + QUERY_METHOD_SUFFIX,
    )
    return replace(entry, account=account, outlet_role=outlet_role(account, None))


def _story_text(dossier: Dossier) -> Text | None:
    """The story the claim belongs to: its size and its other claims with their support."""
    story = dossier.story
    if story is None:
        return None
    listed = sum(1 for e in dossier.accounts if from_story(e.account) and e.account.attribution_id is None)
    text = Text.assemble(
        ("Story ", "bold"),
        (story.id[:12], "cyan"),
        f": {len(story.article_ids)} article(s), {len(story.claims)} claim(s)",
        f"; {listed} article(s) listed only through the story" if listed else "",
        "\n",
    )
    for claim in story.claims[:STORY_CLAIMS_SHOWN]:
        if claim.claim_id == dossier.claim.id:
            continue
        line = claim.text if len(claim.text) <= 100 else claim.text[:99] + "\u2026"
        text.append(f"  • {claim.claim_id[:12]} ({claim.articles} article(s)) {line}\n")
    return text


STORY_CLAIMS_SHOWN = 6


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
