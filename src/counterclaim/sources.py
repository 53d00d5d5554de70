"""Source identity across articles: which source names in one claim's accounts name the same source.

"Defence Ministry", "Valdoria's Defence Ministry" and "Valdorian Defence Ministry" are one source when the
claim's accounts name only one country's defence ministry; "Pahon" is "Eric Pahon" when only one Pahon speaks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from counterclaim.outlets.names import FUNCTION_WORDS, CountryLexicon, name_words


@dataclass(frozen=True, slots=True)
class SourceKey:
    """What two names must share to name the same source: the countries named and the other words."""

    countries: frozenset[str]
    words: frozenset[str]


def source_key(name: str, lexicon: CountryLexicon | None = None) -> SourceKey:
    """The comparable form of a source name: case, spelling, possessives and country words unified."""
    if lexicon is not None:
        parsed = lexicon.parse(name)
        return SourceKey(parsed.countries, parsed.words)
    return SourceKey(frozenset(), frozenset(w for w in name_words(name) if w not in FUNCTION_WORDS))


def names_source(wanted: str, name: str, lexicon: CountryLexicon | None = None) -> bool:
    """Whether `name` can name the source a user asked for: every word asked for is there (spelling, case and
    possessives unified) and no other country is named. "Valdorian Defence Ministry" finds "Defence Ministry"
    and "Valdoria's Defense Ministry", not "Karsland's Defence Ministry"; "Pahon" finds "Eric Pahon"."""
    asked, found = source_key(wanted, lexicon), source_key(name, lexicon)
    if not (asked.words or asked.countries) or not asked.words <= found.words:
        return False
    return not (asked.countries and found.countries and asked.countries != found.countries)


def source_identities(names: Iterable[str], lexicon: CountryLexicon | None = None) -> dict[str, str]:
    """Each name mapped to the display name of the source it names (itself when no other name matches).

    Names with the same key are one source. A name without a country joins the one country-qualified source
    with the same words, when there is exactly one; a lone surname joins the one full name ending in it.
    Shown: the most specific spelling (with a country, most words), then the most frequent.
    """
    frequency = Counter(name for name in names if name and name.strip())
    keys = {name: source_key(name, lexicon) for name in frequency}
    groups: dict[SourceKey, list[str]] = defaultdict(list)
    for name, key in keys.items():
        if key.words or key.countries:
            groups[key].append(name)
    target = {key: _qualified(key, groups) or _full_name(key, groups) or key for key in groups}
    final = {key: _follow(key, target) for key in groups}
    members: dict[SourceKey, list[str]] = defaultdict(list)
    for key, group in groups.items():
        members[final[key]].extend(group)
    display = {key: _display(group, frequency, keys) for key, group in members.items()}
    identities = {name: name for name in frequency}
    for key, group in groups.items():
        for name in group:
            identities[name] = display[final[key]]
    return identities


def _follow(key: SourceKey, target: Mapping[SourceKey, SourceKey]) -> SourceKey:
    """Where a chain of joins ends ("Pahon" to "Eric Pahon" to a country-qualified "Eric Pahon")."""
    seen = {key}
    while target[key] not in seen:
        key = target[key]
        seen.add(key)
    return key


def _qualified(key: SourceKey, groups: Mapping[SourceKey, list[str]]) -> SourceKey | None:
    """For a name without a country, the only country-qualified group with the same words."""
    if key.countries or not key.words:
        return None
    matches = [other for other in groups if other.countries and other.words == key.words]
    return matches[0] if len(matches) == 1 else None


def _full_name(key: SourceKey, groups: Mapping[SourceKey, list[str]]) -> SourceKey | None:
    """For a one-word name, the only longer name that ends in that word (a surname's full name)."""
    if key.countries or len(key.words) != 1:
        return None
    (word,) = key.words
    matches = {
        other
        for other, names in groups.items()
        if other != key and not other.countries and any(_last_word(name) == word for name in names)
    }
    return next(iter(matches)) if len(matches) == 1 else None


def _last_word(name: str) -> str:
    words = name_words(name)
    return words[-1] if len(words) > 1 else ""


def _display(group: Iterable[str], frequency: Mapping[str, int], keys: Mapping[str, SourceKey]) -> str:
    # The most specific name first: "Valdorian Defence Ministry" says more than "Defence Ministry".
    return max(
        group, key=lambda name: (bool(keys[name].countries), len(keys[name].words), frequency[name], name)
    )
