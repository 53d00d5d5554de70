"""The records that flow between counterclaim's stages, as frozen dataclasses.

Every finding carries character offsets into an article's text and the method that found it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class OutletKind(StrEnum):
    WIRE = "wire"
    STATE_MEDIA = "state media"
    PUBLIC_BROADCASTER = "public broadcaster"
    GOVERNMENT_CHANNEL = "government channel"
    INDEPENDENT = "independent"
    UNKNOWN = "unknown"


class Polarity(StrEnum):
    """What a speaker does with the content of an attribution."""

    ASSERTS = "asserts"
    DENIES = "denies"
    DECLINES = "declines"
    OTHER = "other"


class Stance(StrEnum):
    """An account's stance toward a claim (FNC-1: agree, disagree, discuss, unrelated)."""

    ASSERTS = "asserts"
    DENIES = "denies"
    REPORTS = "reports"
    UNRELATED = "unrelated"


class Direction(StrEnum):
    A_TO_B = "a->b"
    B_TO_A = "b->a"
    UNKNOWN = "unknown"


class ProvenanceStatus(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not found"
    NO_COVERAGE = "no coverage"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) of an article's text, with the text it covers."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])


@dataclass(frozen=True, slots=True)
class Outlet:
    """A publisher or an official channel, from the shipped registry or a user file."""

    key: str
    name: str
    domains: tuple[str, ...] = ()
    country: str | None = None
    kind: OutletKind = OutletKind.UNKNOWN
    owner: str | None = None
    aliases: tuple[str, ...] = ()
    # For a government channel: the organisation whose own publication this is
    # ("Russian Defense Ministry"), so provenance can find a source's own channel.
    channel_of: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    language: str | None = None
    source_id: str | None = None
    source_path: str | None = None
    extraction: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleCopy:
    """One file, feed entry, record or URL an article's text was stored from (duplicates have several)."""

    source_id: str | None
    source_path: str | None
    url: str | None
    outlet: str | None
    title: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved source: person and/or organisation, with role and affiliation when the text gives them."""

    person: str | None = None
    organisation: str | None = None
    role: str | None = None
    # The named mention a pronoun or short reference ("he", "the spokesman") was resolved to.
    resolved_from: Span | None = None

    @property
    def name(self) -> str:
        return self.person or self.organisation or ""


@dataclass(frozen=True, slots=True)
class Relay:
    """One link of a relay chain: an outlet, organisation or person that passed a statement on."""

    name: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    id: str
    article_id: str
    source: tuple[Span, ...]
    speaker: Speaker | None
    cue: tuple[Span, ...]
    content: tuple[Span, ...]
    direct: bool
    polarity: Polarity
    method: str
    hedges: tuple[Span, ...] = ()
    # Outermost first: ("RIA Novosti", "Defense Ministry") reads "RIA Novosti <- Defense Ministry".
    relay_chain: tuple[Relay, ...] = ()
    channel: str | None = None
    channel_span: Span | None = None
    addressee: str | None = None
    addressee_span: Span | None = None
    place: str | None = None
    place_span: Span | None = None
    time_span: Span | None = None
    time_date: date | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    canonical_text: str
    canonical_article_id: str
    canonical_span: Span
    first_seen: datetime | None
    method: str


@dataclass(frozen=True, slots=True)
class Account:
    """A claim seen from one article, or from one attribution inside it, with a stance."""

    claim_id: str
    article_id: str
    stance: Stance
    score: float
    method: str
    attribution_id: str | None = None
    evidence: Span | None = None


@dataclass(frozen=True, slots=True)
class ReuseLink:
    """A passage of article A that article B carries verbatim or nearly so."""

    a: str
    a_span: Span
    b: str
    b_span: Span
    score: float
    direction: Direction
    cluster: str
    method: str


@dataclass(frozen=True, slots=True)
class ProvenanceCheck:
    claim_id: str
    source: str
    status: ProvenanceStatus
    channel_outlets: tuple[str, ...] = ()
    items_checked: int = 0
    window_start: datetime | None = None
    window_end: datetime | None = None
    found_article_id: str | None = None
    found_span: Span | None = None
    method: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A reviewer's rating of a claim, recorded by a user: the tool never produces one."""

    claim_id: str
    rating: str
    reviewer: str
    reviewed_at: datetime
    url: str | None = None
    notes: str | None = None


@dataclass(slots=True)
class IngestProblem:
    """One input that could not be ingested, with the reason a user can act on."""

    path: str
    reason: str


@dataclass(slots=True)
class IngestReport:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)
    pending_links: list[str] = field(default_factory=list)
    problems: list[IngestProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed_inputs(self) -> list[str]:
        """The inputs with at least one problem, each once (a JSONL file with three bad lines is one)."""
        return list(dict.fromkeys(problem.path for problem in self.problems))

    def extend(self, later: IngestReport) -> None:
        """Add what a later run in the same command did."""
        self.added.extend(later.added)
        self.duplicates.extend(later.duplicates)
        self.skipped_sources.extend(later.skipped_sources)
        self.pending_links.extend(later.pending_links)
        self.problems.extend(later.problems)
        self.warnings.extend(later.warnings)
