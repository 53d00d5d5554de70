"""Source identity across articles: which source names in one claim's accounts name the same source.

"Defence Ministry", "Valdoria's Defence Ministry" and "Valdorian Defence Ministry" are one source when the
claim's accounts name only one country's defence ministry; "Pahon" is "Eric Pahon" when only one Pahon speaks.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from counterclaim.outlets.names import FUNCTION_WORDS, CountryLexicon, name_words
from counterclaim.text import BRACKETED_ACRONYM

_PRONOUNS = frozenset(
    [
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "him",
        "her",
        "them",
        "us",
        "me",
        "his",
        "hers",
        "its",
        "their",
        "our",
        "my",
        "your",
        "who",
        "whom",
        "whose",
        "which",
        "that",
        "this",
        "these",
        "those",
        "what",
        "one",
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "nobody",
        "everyone",
        "everybody",
        "others",
        "another",
        "some",
        "many",
        "few",
        "all",
        "both",
        "neither",
        "either",
        "none",
        "each",
        "several",
        "most",
    ]
)
# Words a section label, publication artefact or dateline is made of; never a speaker.
_LABELS = frozenset(
    [
        "breaking",
        "urgent",
        "update",
        "updated",
        "recommended",
        "related",
        "watch",
        "video",
        "videos",
        "photo",
        "photos",
        "gallery",
        "exclusive",
        "advertisement",
        "sponsored",
        "fact",
        "facts",
        "see",
        "also",
        "read",
        "more",
        "editor's",
        "note",
        "live",
        "developing",
        "trending",
        "rumor",
        "rumour",
        "news",
        "reports",
        "report",
        "hoax",
    ]
)
_TICKER = re.compile(
    r"\b(?:NYSE|NASDAQ|Nasdaq|LSE|TSX|AMEX|OTC)\s*:|\$[A-Z]{1,5}\b|^\(?[A-Z]{1,5}:[A-Z.]{1,6}\)?$"
)
# An unnamed source is a speaker when the text says what kind of party it is ("officials", "a source close to
# the family", "police"): the head words of such descriptions.
_UNNAMED = re.compile(
    r"^(?:(?:a|an|the|two|three|four|several|some|many|other|local|senior|top|unnamed|anonymous|high-ranking|"
    r"federal|state|military|government|security|intelligence|police|health|u\.s\.|western|[A-Z][\w.-]*)\s+)*"
    r"(?:sources?|officials?|spokes(?:man|woman|person|people)|witness(?:es)?|police|authorities|investigators?|"
    r"experts?|analysts?|residents?|activists?|insiders?|aides?|diplomats?|researchers?|scientists?|doctors?|"
    r"lawyers?|attorneys?|prosecutors?|militants?|rebels?|troops|soldiers|officers?|agents?|employees?|"
    r"workers?|executives?|staff|representatives?|relatives?|family|friends?|neighbou?rs|survivors?|victims?|"
    r"government|ministry|department|agency|company|military|army|court|council|committee|statement|"
    r"spokesperson|person|people|man|woman|leaders?|member|members)\b"
)
_DEMONYMS = frozenset(
    [
        "american",
        "british",
        "english",
        "french",
        "german",
        "italian",
        "spanish",
        "russian",
        "chinese",
        "japanese",
        "korean",
        "indian",
        "pakistani",
        "afghan",
        "iranian",
        "iraqi",
        "syrian",
        "turkish",
        "kurdish",
        "israeli",
        "palestinian",
        "lebanese",
        "jordanian",
        "egyptian",
        "saudi",
        "yemeni",
        "libyan",
        "nigerian",
        "kenyan",
        "somali",
        "ukrainian",
        "polish",
        "dutch",
        "swedish",
        "norwegian",
        "danish",
        "finnish",
        "greek",
        "canadian",
        "mexican",
        "brazilian",
        "argentine",
        "australian",
        "irish",
        "scottish",
        "welsh",
        "european",
        "arab",
        "arabic",
        "african",
        "asian",
        "western",
        "eastern",
        "islamic",
        "islamist",
        "muslim",
        "christian",
        "catholic",
        "orthodox",
        "jewish",
        "jihadist",
        "sunni",
        "shia",
        "shiite",
        "hindu",
        "buddhist",
        "qatari",
        "emirati",
        "kuwaiti",
        "omani",
        "bahraini",
        "tunisian",
        "algerian",
        "moroccan",
        "sudanese",
        "ethiopian",
        "cuban",
        "venezuelan",
        "colombian",
        "chilean",
        "peruvian",
        "belgian",
        "swiss",
        "austrian",
        "czech",
        "hungarian",
        "romanian",
        "serbian",
        "croatian",
    ]
)
# "the X news website", "X's website": the party is X.
_DESCRIPTOR = re.compile(
    r"(?:'s|\u2019s)?\s+(?:news\s+)?(?:website|web\s+site|site|blog|twitter\s+account|twitter\s+feed|"
    r"facebook\s+page|account)$",
    re.IGNORECASE,
)
_TRAVELLED = re.compile(
    r",\s+(?:carried|published|posted|issued|released|quoted|cited|reported|broadcast|aired|seen)\b.*$"
)
_TITLE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame)\.?\s+(?=[A-Z])")
# "Spokesman Ahmed Rudaini", "Foreign Minister Nasser Judeh", "Sen. Ann Roe": a job title before a name is
# not part of the party's name. Titles that also open organisation names ("General Motors") are left out.
_JOB_TITLE = re.compile(
    r"^(?:(?:Foreign|Defen[cs]e|Interior|Health|Finance|Prime|Deputy|Vice|Press|Chief|Former|Acting)\s+)?"
    r"(?:Spokes(?:man|woman|person)|President|Minister|Secretary|Senator|Sen\.|Rep\.|Representative|Gov\.|"
    r"Governor|Gen\.|Mayor|Judge|Ambassador|Chancellor|Premier|Congressman|Congresswoman|Lawmaker|Col\.|"
    r"Lt\.|Capt\.|Adm\.|Sgt\.|Officer|Analyst|Commander|Professor|Prosecutor)"
    r"(?:\s+of\s+(?:State|Defen[cs]e|the\s+[A-Z]\w+))?\s+(?=[A-Z][a-z])"
)
# "The statement, which circulated on Twitter": a relative clause describes the speaker, it is not its name.
_RELATIVE = re.compile(r",\s+(?:which|who|whose|that)\b.*$")
# "No government agency confirms ...", "None of the officials": nobody spoke.
_NOBODY = re.compile(r"^(?:no|none|nobody|neither)\b", re.IGNORECASE)
# Publication artefacts in a source slot: photo credits and captions, an age standing for a person.
_ARTEFACT = re.compile(r"\bphoto\b|\bimage grab\b|\bscreen ?(?:grab|shot)\b|^\d+-year-old$", re.IGNORECASE)


_DATELINE = re.compile(r"^[A-Z]{3,}(?:[ ,]+[A-Z]{2,})*\s*(?::|\s-|\s\u2014|\s\u2013)\s+(?=\S)")


def speaker_name(name: str) -> str | None:
    """The name of a speaker (person, organisation, outlet, document or explicit unnamed source) as shown, or
    None when the phrase names none: a pronoun, a common noun, a section label, a ticker, "reports".

    Variants of one party are made one: leading "the", possessives, courtesy titles and descriptors
    ("the X news website", "X's website") are dropped.
    """
    # A closing period may end an abbreviation ("U.S."): only a lone one after a word is dropped.
    shown = name.strip().strip("\"'\u201c\u201d\u2018\u2019 ,:;-")
    shown = re.sub(r"(?<=[a-z]{2})\.$", "", shown.lstrip(".")).strip()
    shown = re.sub(r"^(?:the|The)\s+", "", shown)
    # "BEIRUT: Lebanon's interior minister": a dateline opening the line is where, not who.
    undated = _DATELINE.sub("", shown)
    if undated != shown and re.search(r"[a-z]", undated):
        shown = undated
    # "The ministry statement, carried by state media": the clause after the comma says how it travelled.
    shown = _RELATIVE.sub("", _TRAVELLED.sub("", shown)).strip()
    shown = BRACKETED_ACRONYM.sub("", shown).strip()
    shown = re.sub(r"(?:'s|\u2019s|')$", "", shown).strip()
    described = _DESCRIPTOR.sub("", shown).strip()
    if described and described[:1].isupper():
        shown = described
    shown = _JOB_TITLE.sub("", _TITLE.sub("", shown))
    if not shown or not re.search(r"[A-Za-z]", shown) or len(shown) > 80:
        return None
    if _NOBODY.match(shown) or _ARTEFACT.search(shown):
        return None
    folded = shown.casefold()
    words = folded.replace("\u2019", "'").split()
    if folded in _PRONOUNS or words[0] in {"i", "we", "you", "they", "he", "she", "it", "who", "which"}:
        return None
    if all(word.strip(":!.") in _LABELS for word in words) or folded.startswith("see also"):
        return None
    if _TICKER.search(shown) or "reports" in (words[0], words[-1]):
        # "British media reports", "Reports of an attack": reports are what a speaker made, not who.
        return None
    if len(words) == 1 and folded in _DEMONYMS:
        return None
    if not shown[:1].isupper() and not shown[:1].isdigit() and not _UNNAMED.match(shown):
        return None
    return shown


# The head of an unnamed description ("British government sources", "Authorities", "three outlets"): a party
# with no channels of its own, so no primary-source check and no open question asks for them.
_HEADS = (
    r"(?:sources?|officials?|authorities|witness(?:es)?|residents?|activists?|insiders?|militants?|rebels?|"
    r"experts?|analysts?|investigators?|outlets|people|users|critics|observers|neighbou?rs|relatives|friends|"
    r"diplomats?|"
    # a document speaks for whoever issued it; its own channels are the issuer's
    r"statement|statements|report|document|letter|release|communiqu\u00e9|communique|tests?|"
    # a video or a rumour carries a claim; whoever made it is the party, and it has no channels ("post" is
    # left out: "The Washington Post" is an outlet)
    r"videos?|footage|recording|rumou?rs?)"
)
# "A judicial official", "Lebanese security officials", and a head described after it ("militants fighting
# for the Islamic State", "a source close to the talks").
_UNNAMED_HEAD = re.compile(
    rf"\b{_HEADS}$|^(?:(?:an?|the|some|several)\s+)?(?:[\w-]+\s+)?{_HEADS}\s+"
    r"(?:fighting|from|in|at|with|for|close|familiar|loyal|linked|based|posted|published|released|"
    r"circulated|circulating|making|shown|aired|obtained|attributed)\b",
    re.IGNORECASE,
)


def named_party(name: str) -> bool:
    """Whether a speaker is a named party that may have channels of its own (not "officials", "sources")."""
    shown = speaker_name(name)
    return shown is not None and not _UNNAMED_HEAD.search(shown)


@dataclass(frozen=True, slots=True)
class SourceKey:
    """What two names must share to name the same source: the countries named and the other words."""

    countries: frozenset[str]
    words: frozenset[str]


_ARABIC_ARTICLE = re.compile(r"\b(?:al|as|ash|ad|ar|at|az|an|el|ad|ath)[-\u2011](?=[A-Za-z])", re.IGNORECASE)


_ARABIC_ARTICLE_WORD = re.compile(r"\b(?:[Aa]l|[Ee]l)\s+(?=[A-Z])")


def source_key(name: str, lexicon: CountryLexicon | None = None) -> SourceKey:
    """The comparable form of a source name: case, spelling, possessives and country words unified."""
    # "As-Safir", "al-Safir", "Al Safir": one newspaper under the Arabic article's spellings.
    name = _ARABIC_ARTICLE_WORD.sub("", _ARABIC_ARTICLE.sub("", name))
    if lexicon is not None:
        parsed = lexicon.parse(name)
        return SourceKey(parsed.countries, frozenset(map(spelling, parsed.words)))
    return SourceKey(frozenset(), frozenset(spelling(w) for w in name_words(name) if w not in FUNCTION_WORDS))


# Spellings one name takes across outlets and transliterations: "Wilfried" / "Wilfred", "Mashnuq" /
# "Machnouk", "Al-Sabah" / "Al Sabaah". Applied to words of five letters or more, where two different names
# rarely meet; shorter words ("Lee", "Le") stay as written.
_SPELLINGS = (("ph", "f"), ("ou", "u"), ("ie", "e"), ("ck", "k"), ("q", "k"), ("ch", "sh"), ("y", "i"))


def spelling(word: str) -> str:
    """The comparable spelling of one lower-case name word."""
    if len(word) < 5 or not word.isalpha():
        return word
    for written, said in _SPELLINGS:
        word = word.replace(written, said)
    return re.sub(r"(.)\1+", r"\1", word)


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
