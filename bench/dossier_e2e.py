"""End-to-end dossier benchmark on FNC-1-format files: ingest bodies, search each headline as a user would.

Each body becomes an article (no outlet, no date) through the library; for every headline with at least 3
related bodies the same call as `report --search HEADLINE` picks a claim and its dossier is scored: recall of
related bodies, story share, stance agreement, top-claim precision; plus claim and source quality over the
whole store, speed, and a TF-IDF baseline whose threshold is chosen on other headlines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.feature_extraction.text import TfidfVectorizer

from counterclaim.dossier import Dossier
from counterclaim.model import Article, Stance
from counterclaim.models import offline
from counterclaim.parties import source_name
from counterclaim.store import Store, article_id
from counterclaim.training.stance import StancePair, read_bodies, read_split, read_stances

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("COUNTERCLAIM_DATA", REPO.parent / "shared" / "data"))
RESULTS = REPO / "bench" / "results"
SEED = 13
MIN_RELATED = 3
GOLD_STANCE = {"agree": Stance.ASSERTS, "disagree": Stance.DENIES, "discuss": Stance.REPORTS}
FLOORS = {
    "recall": 0.90,
    "stance_agreement": 0.75,
    "top_claim_precision": 0.85,
    "fragment_share": 0.10,
    "non_speaker_share": 0.02,
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    fnc = DATA / "fnc-1"
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bodies", type=Path, default=fnc / "train_bodies.csv")
    parser.add_argument("--stances", type=Path, default=fnc / "train_stances.reconstructed.csv")
    parser.add_argument(
        "--split-file",
        type=Path,
        default=fnc / "baseline_split_body_ids.csv",
        help="CSV 'Body ID,split'; only bodies of --split are evaluated (others tune the baseline)",
    )
    parser.add_argument("--split", default="holdout", help="split name to evaluate; 'all' ignores the file")
    parser.add_argument("--body-ids", type=Path, help="file of body ids (one a line): evaluate only these")
    parser.add_argument("--headlines", type=Path, help="file of headlines (one a line): search only these")
    parser.add_argument("--limit-headlines", type=int, help="a seeded sample of N eligible headlines")
    parser.add_argument(
        "--dev-stories",
        action="store_true",
        help="the story-disjoint dev split of the stance section: its related bodies and its headlines "
        "(as --body-ids and --headlines files would give them; use with --split train)",
    )
    parser.add_argument(
        "--fit-sample",
        type=int,
        metavar="BODIES",
        help="a tuning sample of whole fit stories (no dev story, no hold-out body), drawn with --fit-seed "
        "until it holds BODIES related bodies; 240 with seed 7 is the sample rules were chosen on",
    )
    parser.add_argument("--fit-seed", type=int, default=7)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--db", help="store to build (default: a temporary SQLite file)")
    parser.add_argument(
        "--searches-only",
        action="store_true",
        help="reuse the analysed store given by --db: search and score only (no speed figure)",
    )
    parser.add_argument("--name", default="dossier_e2e", help="results file bench/results/<name>.json")
    parser.add_argument("--dossiers", type=Path, help="also write each search's dossier (JSON) here")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    return parser.parse_args(argv)


# ------------------------------------------------------------------ selection


@dataclass
class Selection:
    bodies: dict[str, str]
    pairs: list[StancePair]
    headlines: list[str]
    related: dict[str, dict[str, str]] = field(default_factory=dict)  # headline -> body -> label
    tuning: list[StancePair] = field(default_factory=list)


def _lines(path: Path | None) -> set[str] | None:
    if path is None:
        return None
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def dev_story_sets(folder: Path) -> tuple[set[str], set[str]]:
    """Related body ids and headlines of the story-disjoint dev split (`training.stance.split_fnc`), each
    headline stripped as a one-a-line file would give it (one dev headline ends in a space and so matches
    none: 208 of 209 are searched, as in every run reported)."""
    from counterclaim.training.stance import split_fnc

    dev = split_fnc(folder).dev
    return {p.body_id for p in dev if p.label != "unrelated"}, {p.headline.strip() for p in dev}


def fit_story_sets(folder: Path, min_bodies: int, seed: int) -> tuple[set[str], set[str]]:
    """Related body ids and headlines of whole fit stories drawn in a seeded order until `min_bodies` related
    bodies are in: a tuning set kept apart from the dev split that decides."""
    from counterclaim.training.stance import find_stories, split_fnc

    fit = split_fnc(folder).fit
    stories = find_stories(fit)
    order = sorted(set(stories.of_headline.values()))
    random.Random(seed).shuffle(order)
    bodies: set[str] = set()
    picked: set[int] = set()
    for story in order:
        picked.add(story)
        bodies |= {
            p.body_id for p in fit if p.label != "unrelated" and stories.of_headline[p.headline] == story
        }
        if len(bodies) >= min_bodies:
            break
    return bodies, {p.headline.strip() for p in fit if stories.of_headline[p.headline] in picked}


def select(args: argparse.Namespace) -> Selection:
    """The evaluated bodies and headlines; pairs of other headlines over other bodies tune the baseline."""
    all_bodies = read_bodies(args.bodies)
    pairs = read_stances(args.stances)
    split = read_split(args.split_file) if args.split != "all" else {}
    in_split = (lambda b: split.get(b) == args.split) if split else (lambda b: True)
    wanted_bodies, wanted_headlines = _lines(args.body_ids), _lines(args.headlines)
    if getattr(args, "dev_stories", False):
        wanted_bodies, wanted_headlines = dev_story_sets(args.bodies.parent)
    if getattr(args, "fit_sample", None):
        wanted_bodies, wanted_headlines = fit_story_sets(args.bodies.parent, args.fit_sample, args.fit_seed)
    evaluated = [
        p for p in pairs if in_split(p.body_id) and (wanted_bodies is None or p.body_id in wanted_bodies)
    ]
    related: dict[str, dict[str, str]] = defaultdict(dict)
    for pair in evaluated:
        if pair.label != "unrelated":
            related[pair.headline][pair.body_id] = pair.label
    eligible = sorted(
        h
        for h, found in related.items()
        if len(found) >= MIN_RELATED and (wanted_headlines is None or h in wanted_headlines)
    )
    rng = random.Random(args.seed)
    if args.limit_headlines and args.limit_headlines < len(eligible):
        eligible = sorted(rng.sample(eligible, args.limit_headlines))
    chosen = {p.body_id for p in evaluated}
    headline_set = set(eligible)
    others = sorted({p.headline for p in pairs if p.headline not in headline_set and p.body_id not in chosen})
    tuning_headlines = set(rng.sample(others, min(200, len(others))))
    tuning = [p for p in pairs if p.headline in tuning_headlines and p.body_id not in chosen]
    return Selection(
        {b: all_bodies[b] for b in sorted(chosen, key=int)},
        [p for p in evaluated if p.body_id in chosen],
        eligible,
        {h: dict(related[h]) for h in related},
        tuning,
    )


# ------------------------------------------------------------------ quality checks (the definitions)

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")
_VERB_HINT = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|did|does|do|can|could|may|might|must|should)\b|"
    r"\b[a-z]{2,}(?:ed|es|s)\b|\b(?:said|says|told|made|took|gave|sent|went|hit|shot|found|left|began|"
    r"came|won|lost|held|led|met|paid|sold|bought|kept|saw|knew|got|put|set|became|brought|built|spent|"
    r"fell|ran|fled|died|killed|beheaded|shows|show)\b",
    re.IGNORECASE,
)
_QUOTES = "\"'\u201c\u201d\u2018\u2019"


def fragment_reasons(text: str) -> list[str]:
    """Why a canonical text is not a proposition: question, no verb, under 8 words, starts lower-case or
    with a quote mark, no end punctuation (the issue's checks, kept apart from the library's filters)."""
    stripped = text.strip()
    reasons = []
    if stripped.rstrip(_QUOTES + ")] ").endswith("?"):
        reasons.append("question")
    if not _VERB_HINT.search(stripped):
        reasons.append("no verb")
    if len(_WORD.findall(stripped)) < 8:
        reasons.append("under 8 words")
    if stripped[:1].islower() or stripped[:1] in _QUOTES:
        reasons.append("lower-case or quote start")
    if not stripped.rstrip(_QUOTES + ")] ").endswith((".", "!", "?")):
        reasons.append("no end punctuation")
    return reasons


_PRONOUNS = {
    "he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us", "me", "which", "who", "whom",
    "that", "this", "these", "those", "one", "someone", "somebody", "everyone", "his", "its", "their",
}  # fmt: skip
_UNNAMED = re.compile(
    r"^(?:(?:a|an|the|two|three|several|some|many|other|local|senior|unnamed|anonymous|[A-Z][a-z]+)\s+)*"
    r"(?:source|sources|official|officials|spokes(?:man|woman|person)|witness(?:es)?|police|authorities|"
    r"investigators|experts?|analysts?|residents?|activists?|insiders?|aides?|diplomats?|researchers?|"
    r"scientists?|doctors?|lawyers?|prosecutors?|militants?|rebels?|troops|soldiers|government|ministry|"
    r"agency|company|statement|report|study|survey|video|website|paper|newspaper|documents?|"
    # unnamed people and bodies: "people familiar with the matter", "a family friend", "neighbours", "a court"
    r"people|person|man|woman|family|friends?|members?|neighbou?rs|court|crews?|attorneys?|officers?)\b",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?:BREAKING|UPDATE|UPDATED|WATCH|VIDEO|PHOTOS?|EXCLUSIVE|SEE ALSO|READ MORE|RELATED)\b"
)
_TICKER = re.compile(r"\b(?:NYSE|NASDAQ|LSE|TSX)\s*:|\$[A-Z]{1,5}\b|\([A-Z]{1,5}\)$")


def non_speaker_reason(name: str) -> str | None:
    """Why a source name is no speaker (pronoun, common noun, section label, ticker, 'reports'), or None."""
    stripped = name.strip().strip(_QUOTES + " ,.:;")
    if not stripped or not re.search(r"[A-Za-z]", stripped):
        return "empty"
    if stripped.casefold() in _PRONOUNS:
        return "pronoun"
    if stripped.casefold() in {"reports", "report", "reported", "media reports"}:
        return "reports"
    if _LABEL.match(stripped) or stripped.upper().startswith("SEE ALSO"):
        return "section label"
    if _TICKER.search(stripped):
        return "ticker"
    if stripped[0].islower() and not _UNNAMED.match(stripped):
        return "common noun"
    return None


# ------------------------------------------------------------------ the run


def ingest(store: Store, bodies: dict[str, str]) -> tuple[list[str], dict[str, list[str]]]:
    """Every body as an article (no outlet, no date); identical bodies become one article."""
    ids: list[str] = []
    body_ids: dict[str, list[str]] = defaultdict(list)
    with store.begin() as conn:
        for body_id, text in bodies.items():
            article = Article(
                id=article_id(text),
                text=text,
                title=None,
                source_id=f"fnc-body-{body_id}",
                extraction="fnc-csv",
            )
            store.add_article(article, conn)
            body_ids[article.id].append(body_id)
            ids.append(article.id)
    return list(dict.fromkeys(ids)), body_ids


def analyse(store: Store, ids: list[str]) -> float:
    """Run the analysis pipeline; returns its CPU seconds (all threads of this process)."""
    from counterclaim.pipeline import analyze_new

    started = time.process_time()
    analyze_new(store, ids, progress=sys.stderr.isatty())
    return time.process_time() - started


@dataclass
class SearchResult:
    headline: str
    match: bool
    claim_id: str | None
    claim_text: str | None
    listed: dict[str, Stance]  # body id -> stance of its article toward the claim
    claim_bodies: set[str]
    alternatives: list[dict[str, object]]


def search_headlines(
    store: Store, headlines: Sequence[str], body_ids: dict[str, list[str]], dossier_dir: Path | None
) -> list[SearchResult]:
    from counterclaim.dossier import load_dossier
    from counterclaim.embeddings import Embedder
    from counterclaim.export import dossier_json
    from counterclaim.outlets import open_registry
    from counterclaim.stance import StanceModel
    from counterclaim.store.claims import ClaimVectorCache
    from counterclaim.store.search import find_claim

    encoder, cache = SentenceCache.wrap(Embedder.load()), ClaimVectorCache()
    stance_model = StanceModel.load(embedder=encoder)
    registry = open_registry(store)
    results = []
    for position, headline in enumerate(headlines):
        search = find_claim(store, headline, encoder=encoder, cache=cache)
        alternatives = [dict(search.to_json())]
        if search.best is None:
            results.append(SearchResult(headline, False, None, None, {}, set(), alternatives))
            continue
        # As `report --search HEADLINE` loads it: articles' own stances judged toward the search text.
        dossier = load_dossier(store, search.best.claim.id, registry, stance_model, query=headline)
        if dossier_dir is not None:
            dossier_dir.mkdir(parents=True, exist_ok=True)
            (dossier_dir / f"{position:03d}.json").write_text(
                json.dumps({"search": search.to_json(), "dossier": json.loads(dossier_json.dumps([dossier]))})
            )
        listed = _listed(dossier, body_ids)
        results.append(
            SearchResult(
                headline,
                True,
                search.best.claim.id,
                search.best.claim.canonical_text,
                listed,
                _claim_bodies(dossier, body_ids),
                alternatives,
            )
        )
    return results


class SentenceCache:
    """Remembers each text's vector across searches: the searches read the same bodies' sentences again
    and again (story articles, the search text's stance), and the benchmark times only the ingest."""

    @staticmethod
    def wrap(encoder: Any) -> Any:
        from counterclaim.embeddings import Embedder

        class CachedEmbedder(Embedder):
            def encode(
                self, texts: Sequence[str], batch_size: int = 64, budget: int | None = None
            ) -> np.ndarray:
                missing = list(dict.fromkeys(t for t in texts if t not in vectors))
                if missing:
                    vectors.update(zip(missing, super().encode(missing, batch_size, budget), strict=True))
                return np.stack([vectors[t] for t in texts]) if texts else super().encode(texts)

        vectors: dict[str, np.ndarray] = {}
        return CachedEmbedder(encoder.session, encoder.tokenizer, encoder.max_tokens)


def _claim_bodies(dossier: Dossier, body_ids: dict[str, list[str]]) -> set[str]:
    """Bodies of the articles linked to the claim itself (not those listed only through its story)."""
    from counterclaim.dossier import from_story

    return {
        body
        for entry in dossier.accounts
        if not from_story(entry.account)
        for body in body_ids.get(entry.article_id, [])
    }


def _listed(dossier: Dossier, body_ids: dict[str, list[str]]) -> dict[str, Stance]:
    """Body id -> the article's own stance (the article-level account; else its attributions' first)."""
    found: dict[str, Stance] = {}
    for entry in dossier.accounts:
        if entry.account.attribution_id is None:
            for body in body_ids.get(entry.article_id, []):
                found[body] = entry.stance
    for entry in dossier.accounts:
        for body in body_ids.get(entry.article_id, []):
            found.setdefault(body, entry.stance)
    return found


# ------------------------------------------------------------------ scoring


def stories(related: dict[str, dict[str, str]]) -> dict[str, set[str]]:
    """Headline -> bodies related to any headline sharing a related body with it (its story)."""
    by_body: dict[str, set[str]] = defaultdict(set)
    for headline, found in related.items():
        for body in found:
            by_body[body].add(headline)
    return {
        headline: {b for other in {h for body in found for h in by_body[body]} for b in related[other]}
        for headline, found in related.items()
    }


def score(selection: Selection, results: Sequence[SearchResult]) -> dict[str, Any]:
    story = stories(selection.related)
    hits = total = listed_total = in_story = top_ok = listed_ok = story_ok = 0
    per_class: dict[str, list[int]] = {label: [0, 0] for label in GOLD_STANCE}
    disagree_found = disagree_total = 0
    list_sizes = []
    for result in results:
        gold = selection.related[result.headline]
        total += len(gold)
        list_sizes.append(len(result.listed))
        listed_total += len(result.listed)
        in_story += sum(1 for body in result.listed if body in story[result.headline])
        for body, label in gold.items():
            if label == "disagree":
                disagree_total += 1
                disagree_found += result.listed.get(body) is Stance.DENIES
            if body in result.listed:
                hits += 1
                per_class[label][1] += 1
                per_class[label][0] += result.listed[body] is GOLD_STANCE[label]
        if result.claim_bodies:
            share = sum(1 for body in result.claim_bodies if body in gold) / len(result.claim_bodies)
            top_ok += share > 0.5
        if result.listed:
            listed_ok += sum(1 for body in result.listed if body in gold) / len(result.listed) > 0.5
        # FNC-1 pairs a headline with only some of its story's bodies (nested sets across a story's
        # headlines, not chosen by what a body says): a claim holding exactly the story passes only here.
        story_ok += len(gold) / len(story[result.headline]) > 0.5
    agreed = sum(right for right, _ in per_class.values())
    found = sum(n for _, n in per_class.values())
    return {
        "searches": len(results),
        "no_match": sum(1 for r in results if not r.match),
        "recall": _ratio(hits, total),
        "story_share": _ratio(in_story, listed_total),
        "mean_list_size": _ratio(sum(list_sizes), len(list_sizes)),
        "stance_agreement": _ratio(agreed, found),
        "stance_agreement_per_class": {label: _ratio(r, n) for label, (r, n) in per_class.items()},
        "disagree_recall": _ratio(disagree_found, disagree_total),
        "top_claim_precision": _ratio(top_ok, len(results)),
        # The same with every listed body (the story's related articles included) counted as the claim's.
        "top_claim_precision_listed": _ratio(listed_ok, len(results)),
        # What top-claim precision would be if every first claim held exactly its headline's story.
        "top_claim_precision_whole_story": _ratio(story_ok, len(results)),
    }


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def claim_quality(store: Store) -> dict[str, Any]:
    """Fragment share over all claims and claims of 2+ articles; non-speaker share of distinct sources."""
    import sqlalchemy as sa

    from counterclaim.store.attributions import load_attributions
    from counterclaim.store.schema.claims import claim_statements, claims

    with store.engine.connect() as conn:
        texts = dict(conn.execute(sa.select(claims.c.id, claims.c.canonical_text)).all())
        support = dict(
            conn.execute(
                sa.select(
                    claim_statements.c.claim_id, sa.func.count(sa.distinct(claim_statements.c.article_id))
                ).group_by(claim_statements.c.claim_id)
            ).all()
        )
    failing = {cid: fragment_reasons(text) for cid, text in texts.items()}
    shared = [cid for cid in texts if support.get(cid, 0) >= 2]
    reasons = Counter(reason for cid in texts for reason in failing[cid])
    ids = [article.id for batch in store.iter_articles() for article in batch]
    names = {name for a in load_attributions(store, ids) if (name := source_name(a))}
    bad = {name: why for name in names if (why := non_speaker_reason(name))}
    return {
        "claims": len(texts),
        "fragment_share": _ratio(sum(1 for r in failing.values() if r), len(texts)),
        "claims_2plus_articles": len(shared),
        "fragment_share_2plus": _ratio(sum(1 for cid in shared if failing[cid]), len(shared)),
        "fragment_reasons": dict(reasons.most_common()),
        "sources": len(names),
        "non_speaker_share": _ratio(len(bad), len(names)),
        "non_speaker_examples": sorted(bad.items())[:60],
    }


# ------------------------------------------------------------------ TF-IDF baseline


def tfidf_baseline(
    selection: Selection, all_bodies: dict[str, str], results: Sequence[SearchResult]
) -> dict[str, Any]:
    """Bodies whose TF-IDF cosine to the headline passes a threshold tuned (best F1 of related vs unrelated)
    on other headlines over other bodies; and the same cosine cut at the dossier's own list size."""
    fit_text = list(all_bodies.values())
    vectoriser = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1).fit(fit_text)
    threshold = _tune_threshold(vectoriser, selection.tuning, all_bodies)
    body_order = list(selection.bodies)
    body_matrix = vectoriser.transform([selection.bodies[b] for b in body_order])
    hits = hits_k = total = listed = 0
    for result in results:
        gold = selection.related[result.headline]
        cosine = (body_matrix @ vectoriser.transform([result.headline]).T).toarray().ravel()
        passed = {body_order[i] for i in np.flatnonzero(cosine >= threshold)}
        top_k = {body_order[i] for i in np.argsort(-cosine, kind="stable")[: len(result.listed)]}
        total += len(gold)
        listed += len(passed)
        hits += len(passed & set(gold))
        hits_k += len(top_k & set(gold))
    return {
        "threshold": round(threshold, 4),
        "recall": _ratio(hits, total),
        "mean_list_size": _ratio(listed, len(results)),
        "recall_at_dossier_list_size": _ratio(hits_k, total),
    }


def _tune_threshold(
    vectoriser: TfidfVectorizer, tuning: Sequence[StancePair], bodies: dict[str, str]
) -> float:
    if not tuning:
        return 0.1
    heads = vectoriser.transform([p.headline for p in tuning])
    texts = vectoriser.transform([bodies[p.body_id] for p in tuning])
    cosine = np.asarray(heads.multiply(texts).sum(axis=1)).ravel()
    gold = np.array([p.label != "unrelated" for p in tuning])
    best, best_f1 = 0.1, -1.0
    for threshold in np.arange(0.01, 0.6, 0.01):
        predicted = cosine >= threshold
        tp = float(np.sum(predicted & gold))
        f1 = 2 * tp / max(float(predicted.sum() + gold.sum()), 1.0)
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


# ------------------------------------------------------------------ report


def table(payload: dict[str, Any], console: Console) -> None:
    e2e, base, quality = payload["dossier"], payload["tfidf"], payload["quality"]
    summary = Table(title=f"Dossiers end to end ({payload['bodies']} bodies, {e2e['searches']} searches)")
    for column in (
        "",
        "recall",
        "mean list",
        "story share",
        "stance agr.",
        "disagree rec.",
        "top-claim prec.",
    ):
        summary.add_column(column, justify="right")
    summary.add_row(
        "counterclaim report --search",
        f"{e2e['recall']:.3f}",
        f"{e2e['mean_list_size']:.1f}",
        f"{e2e['story_share']:.3f}",
        f"{e2e['stance_agreement']:.3f}",
        f"{e2e['disagree_recall']:.3f}",
        f"{e2e['top_claim_precision']:.3f}",
    )
    threshold = f"TF-IDF, threshold {base['threshold']:.2f}"
    summary.add_row(threshold, f"{base['recall']:.3f}", f"{base['mean_list_size']:.1f}", "", "", "", "")
    summary.add_row(
        "TF-IDF at the dossier's list size", f"{base['recall_at_dossier_list_size']:.3f}", "", "", "", "", ""
    )
    console.print(summary)
    per_class = e2e["stance_agreement_per_class"]
    console.print(
        "stance agreement per class: "
        + ", ".join(f"{label} {value:.3f}" for label, value in per_class.items())
        + f"; no match: {e2e['no_match']}"
    )
    console.print(
        "top-claim precision if each first claim held exactly its headline's story: "
        f"{e2e['top_claim_precision_whole_story']:.3f}"
    )
    console.print(
        f"claims {quality['claims']}: fragment share {quality['fragment_share']:.3f} "
        f"(2+ articles: {quality['claims_2plus_articles']}, {quality['fragment_share_2plus']:.3f}); "
        f"sources {quality['sources']}: non-speaker share {quality['non_speaker_share']:.3f}; "
        + (
            f"{payload['articles_per_cpu_second']:.2f} articles per CPU-second"
            if payload["articles_per_cpu_second"] is not None
            else "speed not measured (--searches-only)"
        )
    )
    floors = Table(title="issue 12 floors")
    for column in ("measure", "value", "floor", "holds"):
        floors.add_column(column)
    for name, value, floor, holds in payload["floors"]:
        floors.add_row(name, f"{value:.3f}", f"{floor:.2f}", "yes" if holds else "NO")
    console.print(floors)


def floors(payload: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    e2e, quality = payload["dossier"], payload["quality"]
    values = {
        "recall": e2e["recall"],
        "stance_agreement": e2e["stance_agreement"],
        "top_claim_precision": e2e["top_claim_precision"],
        "fragment_share": quality["fragment_share"],
        "non_speaker_share": quality["non_speaker_share"],
    }
    at_most = {"fragment_share", "non_speaker_share"}
    return [
        (name, value, FLOORS[name], value <= FLOORS[name] if name in at_most else value >= FLOORS[name])
        for name, value in values.items()
    ]


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    """Ingest, analyse, search every selected headline and score: the payload the table is drawn from."""
    selection = select(args)
    all_bodies = read_bodies(args.bodies)
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(args.db or f"sqlite:///{scratch}/e2e.db")
        ids, body_ids = ingest(store, selection.bodies)
        cpu = 0.0 if args.searches_only else analyse(store, ids)
        results = search_headlines(store, selection.headlines, body_ids, args.dossiers)
        quality = claim_quality(store)
        store.close()
    payload: dict[str, Any] = {
        "bodies_file": str(args.bodies),
        "stances_file": str(args.stances),
        "split": args.split,
        "seed": args.seed,
        "bodies": len(selection.bodies),
        "articles": len(ids),
        "headlines": len(selection.headlines),
        "dossier": score(selection, results),
        "tfidf": tfidf_baseline(selection, all_bodies, results),
        "quality": quality,
        "cpu_seconds": round(cpu, 1),
        # None with --searches-only: the store was analysed by an earlier run, whose speed is not known here.
        "articles_per_cpu_second": round(len(ids) / cpu, 3) if cpu else None,
        "searches": [
            {"headline": r.headline, "claim": r.claim_text, "listed": len(r.listed), "match": r.match}
            for r in results
        ],
    }
    payload["floors"] = floors(payload)
    return payload


def without_text(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without any text of the data set (headlines, claim texts, source names): results files
    are committed, and the shared sets' text stays out of the repository."""
    quality = {k: v for k, v in payload["quality"].items() if k != "non_speaker_examples"}
    searches = [{"listed": s["listed"], "match": s["match"]} for s in payload["searches"]]
    return {**payload, "quality": quality, "searches": searches}


def main(argv: Sequence[str] | None = None) -> None:
    offline()
    args = parse_args(argv)
    payload = evaluate(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stored = without_text(payload)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(stored))
    else:
        table(payload, Console(width=150))


if __name__ == "__main__":
    main()
