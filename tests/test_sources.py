"""Source identity: spellings of one source across articles become one name; different sources stay apart."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE_OUTLETS
from counterclaim.outlets import load_registry
from counterclaim.outlets.entries import CountryWords
from counterclaim.outlets.names import CountryLexicon
from counterclaim.sources import source_identities, speaker_name


@pytest.fixture(scope="module")
def lexicon() -> CountryLexicon:
    return CountryLexicon(
        [
            CountryWords("VA", "Valdoria", ("Valdoria", "Valdorian")),
            CountryWords("KA", "Karsland", ("Karsland", "Karslander")),
        ]
    )


def test_country_adjective_and_possessive_name_the_same_ministry(lexicon: CountryLexicon) -> None:
    names = ["Valdorian Defence Ministry", "Valdoria's Defence Ministry", "Defence Ministry"]
    identities = source_identities([*names, "Defence Ministry"], lexicon)
    assert set(identities.values()) == {"Valdorian Defence Ministry"}


def test_unqualified_name_stays_apart_when_two_countries_have_one(lexicon: CountryLexicon) -> None:
    names = ["Valdorian Defence Ministry", "Karsland's Defence Ministry", "Defence Ministry"]
    identities = source_identities(names, lexicon)
    assert identities["Defence Ministry"] == "Defence Ministry"
    assert identities["Valdorian Defence Ministry"] != identities["Karsland's Defence Ministry"]


def test_spelling_and_case_variants_meet(lexicon: CountryLexicon) -> None:
    names = ["Valnews", "valnews", "Defense Department", "Defence Department"]
    identities = source_identities(names, lexicon)
    assert identities["valnews"] == identities["Valnews"]
    assert identities["Defense Department"] == identities["Defence Department"]


def test_a_lone_surname_joins_the_only_full_name_ending_in_it() -> None:
    identities = source_identities(["Ilse Brandvold", "Brandvold", "Pieter Aalund"])
    assert identities["Brandvold"] == "Ilse Brandvold"
    assert identities["Pieter Aalund"] == "Pieter Aalund"


def test_an_ambiguous_surname_is_left_alone() -> None:
    identities = source_identities(["Anna Berg", "Tomas Berg", "Berg"])
    assert identities["Berg"] == "Berg"


def test_the_example_registry_knows_the_example_countries() -> None:
    names = ["Valdoria's Defence Ministry", "Defence Ministry"]
    identities = source_identities(names, load_registry(EXAMPLE_OUTLETS).lexicon)
    assert identities["Defence Ministry"] == "Valdoria's Defence Ministry"


def test_a_source_filter_finds_every_spelling_of_the_source(lexicon: CountryLexicon) -> None:
    from counterclaim.sources import names_source

    wanted = "Valdorian Defence Ministry"
    assert names_source(wanted, "Defence Ministry", lexicon)
    assert names_source(wanted, "Valdoria's Defense Ministry", lexicon)
    assert names_source("defense ministry", "Valdorian Defence Ministry", lexicon)
    assert not names_source(wanted, "Karsland's Defence Ministry", lexicon)
    assert not names_source(wanted, "Valdorian Interior Ministry", lexicon)
    assert names_source("pahon", "Eric Pahon", lexicon)
    assert not names_source("", "Eric Pahon", lexicon)


def test_unnamed_sources_in_the_singular_and_datelines_name_no_party() -> None:
    from counterclaim.sources import named_party, speaker_name

    for unnamed in ("A judicial official", "a source close to the talks", "Militants fighting for the group"):
        assert not named_party(unnamed), unnamed
    # A video or a rumour carries a claim; it has no channels of its own to check.
    for carrier in ("A video posted online Tuesday", "A new rumor making the rounds today", "The footage"):
        assert not named_party(carrier), carrier
    for named in ("Pentagon", "Eric Pahon", "Human Rights Watch", "The Washington Post", "Video News Agency"):
        assert named_party(named), named
    assert speaker_name("BEIRUT: Lebanon's interior minister") == "Lebanon's interior minister"
    assert speaker_name("NASDAQ: MRR") is None


def test_spellings_of_the_arabic_article_name_one_source() -> None:
    from counterclaim.sources import source_identities

    found = source_identities(["Lebanese As-Safir newspaper", "Lebanese al-Safir newspaper", "Pentagon"])
    assert found["Lebanese As-Safir newspaper"] == found["Lebanese al-Safir newspaper"]
    assert found["Pentagon"] == "Pentagon"


@pytest.mark.parametrize(
    ("phrase", "party"),
    [
        ("Spokesman Ahmed Rudaini", "Ahmed Rudaini"),
        ("Foreign Minister Nasser Judeh", "Nasser Judeh"),
        ("Secretary of State Ann Roe", "Ann Roe"),
        ("General Motors", "General Motors"),
        ("World Health Organization (WHO", "World Health Organization"),
        ("No government agency", None),
        ("AFP PHOTO/Harbour TV", None),
        ("The 26-year-old", None),
    ],
)
def test_titles_brackets_nobody_and_photo_credits(phrase: str, party: str | None) -> None:
    assert speaker_name(phrase) == party


def test_spellings_of_one_name_across_outlets_are_one_party() -> None:
    identities = source_identities(
        ["Wilfried Strauch", "Wilfred Strauch", "Wilfried Strauch", "Nouhad Machnouk", "Nouhad Mashnuq"]
    )
    assert identities["Wilfred Strauch"] == "Wilfried Strauch"
    assert identities["Nouhad Machnouk"] == identities["Nouhad Mashnuq"]
    # Short names are compared as written: two different people stay two parties.
    assert len(set(source_identities(["Barack Obama", "Osama Obana"]).values())) == 2
