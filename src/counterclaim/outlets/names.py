"""Normalises outlet and organisation names so that spellings found in articles compare equal.

"Russian Ministry of Defence" and "Russia's Defense Ministry" reduce to the same words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from counterclaim.outlets.entries import CountryWords

# British and American spellings of the same institution must meet.
SPELLINGS = {"defence": "defense", "organisation": "organization", "programme": "program"}
FUNCTION_WORDS = frozenset({"the", "of", "for", "and", "on", "s"})


def display_key(name: str) -> str:
    """The form outlet names and aliases are compared in: case-folded, single spaces, no leading 'the'."""
    folded = " ".join(name.casefold().replace("\u2019", "'").split())
    return folded.removeprefix("the ")


def name_words(name: str) -> list[str]:
    """Words of an organisation name, possessives and abbreviation dots removed, spelling unified."""
    text = name.casefold().replace("\u2019", "'")
    text = re.sub(r"'s\b", " ", text)
    # "U.S." must read as one word, "us", not "u" and "s".
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)
    return [SPELLINGS.get(word, word) for word in re.findall(r"\w+", text)]


@dataclass(frozen=True, slots=True)
class OrganisationName:
    """An organisation name split into the countries it names and the words of the institution."""

    countries: frozenset[str]
    words: frozenset[str]


class CountryLexicon:
    """Recognises the words that name a country inside an organisation name ("Russian", "U.S.")."""

    def __init__(self, countries: Iterable[CountryWords]) -> None:
        phrases: dict[tuple[str, ...], str] = {}
        for country in countries:
            for word in country.words:
                phrase = tuple(name_words(word))
                if phrase:
                    phrases[phrase] = country.code
        # Longest first, so "Republic of Valdoria" wins over "Valdoria".
        self._phrases = sorted(phrases.items(), key=lambda item: -len(item[0]))

    def parse(self, name: str) -> OrganisationName:
        words = name_words(name)
        countries: set[str] = set()
        institution: set[str] = set()
        position = 0
        while position < len(words):
            code, length = self._country_at(words, position)
            if code is not None:
                countries.add(code)
                position += length
                continue
            if words[position] not in FUNCTION_WORDS:
                institution.add(words[position])
            position += 1
        return OrganisationName(frozenset(countries), frozenset(institution))

    def _country_at(self, words: list[str], position: int) -> tuple[str | None, int]:
        for phrase, code in self._phrases:
            if tuple(words[position : position + len(phrase)]) == phrase:
                return code, len(phrase)
        return None, 0
