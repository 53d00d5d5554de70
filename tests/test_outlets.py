"""Tests of the outlet registry: the shipped data file, lookups by URL, name and organisation, user files.

User files are written to a temporary directory; the shipped registry is read through importlib.resources.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE_OUTLETS
from counterclaim.errors import NotFoundError, UsageError
from counterclaim.model import OutletKind
from counterclaim.outlets import OutletRegistry, RegistryError, load_registry, shipped_registry_text


@pytest.fixture(scope="module")
def registry() -> OutletRegistry:
    # The shipped registry with the example corpus's own file: the fictional outlets live there.
    return load_registry(EXAMPLE_OUTLETS)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-outlets.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped data ------------------------------------------------------------------------------

FOUNDING_EXAMPLE_KEYS = [
    "rferl",
    "ria-novosti",
    "rt",
    "tass",
    "interfax",
    "reuters",
    "mil-ru",
    "mil-ru-facebook",
    "kremlin",
    "us-dod",
    "white-house",
    "mid-ru",
]
WIRES = ["ap", "afp", "reuters", "dpa", "efe", "ansa", "kyodo", "yonhap", "upi", "bloomberg"]
BROADCASTERS = ["bbc", "cnn", "al-jazeera", "dw", "france24", "voa", "nhk", "cgtn", "sputnik", "euronews"]
MORE_BROADCASTERS = ["npr", "pbs", "cbc", "abc-au"]
PAPERS = [
    "nyt",
    "washington-post",
    "guardian",
    "wsj",
    "politico",
    "usa-today",
    "breitbart",
    "huffpost",
    "fox-news",
]
FICTIONAL = [
    "valnews",
    "orsenna-telegraph",
    "valdoria-today",
    "karsland-one",
    "meridian-report",
    "continental-press",
    "valdoria-mod",
    "valdoria-mod-chirper",
]


@pytest.mark.parametrize("key", FOUNDING_EXAMPLE_KEYS + WIRES + BROADCASTERS + MORE_BROADCASTERS + PAPERS)
def test_shipped_registry_covers_real_outlet(registry: OutletRegistry, key: str) -> None:
    outlet = registry.get(key)
    assert outlet.name
    assert outlet.domains
    assert not registry.is_fictional(key)


@pytest.mark.parametrize("key", FICTIONAL)
def test_fictional_outlets_are_marked_and_use_reserved_domains(registry: OutletRegistry, key: str) -> None:
    assert registry.is_fictional(key)
    assert all(domain.split("/")[0].endswith(".example") for domain in registry.get(key).domains)


def test_shipped_registry_holds_no_fictional_outlet() -> None:
    shipped = load_registry()
    assert shipped.all(include_fictional=False) == shipped.all()
    assert "valnews" not in shipped and "valnews" in load_registry(EXAMPLE_OUTLETS)


def test_no_real_outlet_uses_a_reserved_domain(registry: OutletRegistry) -> None:
    real = registry.all(include_fictional=False)
    assert len(real) < len(registry.all())
    for outlet in real:
        assert not any(domain.split("/")[0].endswith(".example") for domain in outlet.domains), outlet.key


def test_shipped_domains_belong_to_one_outlet_each(registry: OutletRegistry) -> None:
    owners: dict[str, str] = {}
    for outlet in registry.all():
        for domain in outlet.domains:
            assert domain not in owners, f"{domain} is listed by {owners[domain]} and {outlet.key}"
            owners[domain] = outlet.key


def test_every_government_channel_names_its_organisation(registry: OutletRegistry) -> None:
    channels = [o for o in registry.all() if o.kind is OutletKind.GOVERNMENT_CHANNEL]
    assert len(channels) >= 10
    for outlet in channels:
        assert outlet.channel_of
        assert outlet in registry.channels_of(outlet.channel_of)


def test_kinds_of_founding_example_outlets(registry: OutletRegistry) -> None:
    assert registry.get("ria-novosti").kind is OutletKind.STATE_MEDIA
    assert registry.get("reuters").kind is OutletKind.WIRE
    assert registry.get("mil-ru").kind is OutletKind.GOVERNMENT_CHANNEL
    assert registry.get("mil-ru").country == "RU"


def test_every_shipped_entry_is_in_the_file_in_the_same_order() -> None:
    document = tomllib.loads(shipped_registry_text())
    assert [o.key for o in load_registry().all()] == list(document["outlet"])


# --- lookups -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.rferl.org/a/pentagon-denies-russian-claims/28252335.html", "rferl"),
        ("https://rferl.org/", "rferl"),
        ("https://en.yna.co.kr/view/AEN2025", "yonhap"),
        ("https://m.bbc.co.uk/news/world-123", "bbc"),
        ("HTTPS://WWW.TASS.RU:443/politika/1", "tass"),
        ("https://www.facebook.com/mod.mil.rus/posts/1234", "mil-ru-facebook"),
        ("https://mil.ru/mil.ru/files", "mil-ru"),
        ("https://function.mil.ru/news_page/country.htm", "mil-ru"),
        ("http://en.kremlin.ru/events/president/news/53744", "kremlin"),
        ("https://www.gov.uk/government/organisations/ministry-of-defence/news", "uk-mod"),
        ("www.defense.gov/News/Releases/", "us-dod"),
        ("https://www.karslandone.example/news/world/x", "karsland-one"),
    ],
)
def test_match_by_url(registry: OutletRegistry, url: str, key: str) -> None:
    outlet = registry.match(url=url)
    assert outlet is not None
    assert outlet.key == key


@pytest.mark.parametrize(
    "url",
    [
        "https://notrferl.org/a/1",
        "https://rferl.org.evil.example/a/1",
        "https://www.facebook.com/someone.else/posts/1",
        "https://www.facebook.com/mod.mil.russia",
        "https://www.gov.uk/government/organisations/home-office",
        "not a url at all",
        "",
        "https://[::1/bad",
    ],
)
def test_match_by_url_refuses_lookalikes(registry: OutletRegistry, url: str) -> None:
    assert registry.match(url=url) is None


@pytest.mark.parametrize(
    ("site_name", "key"),
    [
        ("RFE/RL", "rferl"),
        ("Radio Free Europe/Radio Liberty", "rferl"),
        ("the guardian", "guardian"),
        ("THE NEW YORK TIMES", "nyt"),
        ("Reuters", "reuters"),
        ("  RIA   Novosti ", "ria-novosti"),
        ("www.aljazeera.com", "al-jazeera"),
        ("Valdoria Today", "valdoria-today"),
    ],
)
def test_match_by_site_name(registry: OutletRegistry, site_name: str, key: str) -> None:
    outlet = registry.match(site_name=site_name)
    assert outlet is not None
    assert outlet.key == key


def test_ambiguous_site_name_is_not_guessed(registry: OutletRegistry) -> None:
    assert {o.key for o in registry.find_by_name("ABC News")} == {"abc-au", "abc-us"}
    assert registry.match(site_name="ABC News") is None


def test_url_wins_over_site_name(registry: OutletRegistry) -> None:
    outlet = registry.match(url="https://www.reuters.com/world/x", site_name="BBC")
    assert outlet is not None
    assert outlet.key == "reuters"
    fallback = registry.match(url="https://unknown-outlet.test/x", site_name="BBC")
    assert fallback is not None
    assert fallback.key == "bbc"


def test_unknown_names_match_nothing(registry: OutletRegistry) -> None:
    assert registry.match() is None
    assert registry.match(site_name="The Daily Nonexistent") is None
    assert registry.find_by_name("The Daily Nonexistent") == []


def test_find_by_name_puts_names_before_aliases(registry: OutletRegistry) -> None:
    assert [o.key for o in registry.find_by_name("ria novosti")] == ["ria-novosti"]
    assert [o.key for o in registry.find_by_name("the state-run Valnews agency")] == ["valnews"]


def test_get_unknown_key_says_what_to_do(registry: OutletRegistry) -> None:
    with pytest.raises(NotFoundError, match=r"no outlet with key 'nope'.*load_registry"):
        registry.get("nope")
    assert "nope" not in registry
    assert "tass" in registry


@pytest.mark.parametrize(
    "organisation",
    [
        "Russian Defense Ministry",
        "Russian Ministry of Defence",
        "Russia's Defence Ministry",
        "the Ministry of Defence of the Russian Federation",
        "Minoborony",
    ],
)
def test_channels_of_russian_defense_ministry(registry: OutletRegistry, organisation: str) -> None:
    keys = [o.key for o in registry.channels_of(organisation)]
    assert "mil-ru" in keys
    assert "mil-ru-facebook" in keys
    assert "valdoria-mod" not in keys
    assert "us-dod" not in keys


def test_channels_of_an_unqualified_ministry_lists_every_country(registry: OutletRegistry) -> None:
    keys = {o.key for o in registry.channels_of("the Defense Ministry")}
    assert {"mil-ru", "valdoria-mod", "uk-mod", "ukraine-mod"} <= keys
    assert {o.key for o in registry.channels_of("Defence Ministry", country="QV")} == {
        "valdoria-mod",
        "valdoria-mod-chirper",
    }


@pytest.mark.parametrize(
    ("organisation", "key"),
    [
        ("Pentagon", "us-dod"),
        ("U.S. Department of Defense", "us-dod"),
        ("the US Defense Department", "us-dod"),
        ("White House", "white-house"),
        ("Kremlin", "kremlin"),
        ("Russian Foreign Ministry", "mid-ru"),
        ("Valdorian Defence Ministry", "valdoria-mod"),
        ("Ministry of Defence of the Republic of Valdoria", "valdoria-mod"),
    ],
)
def test_channels_of_named_organisations(registry: OutletRegistry, organisation: str, key: str) -> None:
    assert key in [o.key for o in registry.channels_of(organisation)]


@pytest.mark.parametrize(
    "organisation", ["Health Ministry", "Chinese Defense Ministry", "the ministry", "", "of the"]
)
def test_channels_of_unknown_organisation_is_empty(registry: OutletRegistry, organisation: str) -> None:
    assert registry.channels_of(organisation) == []


def test_channels_of_respects_the_named_country(registry: OutletRegistry) -> None:
    assert registry.channels_of("Russian Pentagon") == []
    assert registry.channels_of("Valdorian Foreign Ministry")[0].key == "valdoria-mfa"


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0),
    label=st.sampled_from(["", "www.", "m.", "en.", "news.", "amp.www."]),
    path=st.lists(st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True), max_size=4),
)
def test_any_subdomain_and_path_of_a_host_domain_matches_its_outlet(
    registry: OutletRegistry, index: int, label: str, path: list[str]
) -> None:
    hosts = sorted((d, o.key) for o in registry.all() for d in o.domains if "/" not in d)
    domain, key = hosts[index % len(hosts)]
    outlet = registry.match(url=f"https://{label}{domain}/{'/'.join(path)}")
    assert outlet is not None
    # A more specific rule (a path-prefixed channel on the same host) may win, never another host.
    assert outlet.key == key or any(d.startswith(f"{domain}/") for d in outlet.domains)


# --- user files ----------------------------------------------------------------------------------


def test_user_file_adds_and_overrides_by_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[outlet.rferl]
name = "RFE/RL (my label)"
kind = "independent"
domains = ["rferl.org"]

[outlet.local-gazette]
name = "Local Gazette"
kind = "independent"
domains = ["gazette.test"]
aliases = ["The Gazette"]
country = "DE"
""",
    )
    registry = load_registry(extra=path)
    assert registry.get("rferl").name == "RFE/RL (my label)"
    assert registry.get("rferl").kind is OutletKind.INDEPENDENT
    assert registry.get("rferl").aliases == ()
    gazette = registry.match(url="https://www.gazette.test/2025/story")
    assert gazette is not None
    assert gazette.key == "local-gazette"
    assert registry.match(site_name="the gazette") == gazette
    assert registry.origin("local-gazette") == str(path)
    assert len(registry) == len(load_registry()) + 1


def test_user_domain_wins_over_shipped_domain(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[outlet.my-bbc]\nname = "My BBC"\nkind = "independent"\ndomains = ["bbc.co.uk"]\n'
    )
    outlet = load_registry(extra=path).match(url="https://www.bbc.co.uk/news")
    assert outlet is not None
    assert outlet.key == "my-bbc"


def test_user_government_channel_and_country_words(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[country.FR]
name = "France"
words = ["France", "French"]

[outlet.fr-armees]
name = "French Armed Forces Ministry website"
kind = "government channel"
domains = ["defense.gouv.fr"]
country = "FR"
channel_of = "French Armed Forces Ministry"
""",
    )
    registry = load_registry(extra=path)
    assert [o.key for o in registry.channels_of("France's Armed Forces Ministry")] == ["fr-armees"]
    assert registry.channels_of("Russian Armed Forces Ministry") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[outlet.x]\nname = X\nkind = "wire"\n', r"not valid TOML .*line 2"),
        (
            '\n\n[outlet.x]\nname = "X"\nkind = "wire service"\n',
            r"my-outlets\.toml:3: .*kind 'wire service'.*\"wire\"",
        ),
        ('[outlet.x]\nname = "X"\nkind = "wire"\nalias = ["X"]\n', r":1: .*unknown field 'alias'.*'aliases'"),
        ('[outlet.x]\nkind = "wire"\n', r"has no name: add name"),
        ('[outlet.x]\nname = "X"\nkind = "wire"\ndomains = ["https://x.test"]\n', r"has a scheme"),
        ('[outlet.x]\nname = "X"\nkind = "wire"\ndomains = ["not a domain"]\n', r"is not a domain"),
        ('[outlet.x]\nname = "X"\nkind = "wire"\ndomains = "x.test"\n', r"domains must be a list"),
        ('[outlet.x]\nname = "X"\nkind = "wire"\ncountry = "Russia"\n', r"two-letter"),
        (
            '[outlet.x]\nname = "X"\nkind = "wire"\nchannel_of = "Y"\n',
            r"only for kind = \"government channel\"",
        ),
        ('[outlet.x]\nname = "X"\nkind = "government channel"\n', r"has no channel_of"),
        ('[outlet.x]\nname = "X"\nkind = "wire"\nfictional = "yes"\n', r"fictional must be true or false"),
        ('[outlet.X_Y]\nname = "X"\nkind = "wire"\n', r"key 'X_Y' is not allowed"),
        ('[outlets.x]\nname = "X"\nkind = "wire"\n', r"unknown top-level key\(s\) outlets"),
        ('outlet = ["x"]\n', r"'outlet' must be a table"),
        ('[country.russia]\nname = "Russia"\nwords = []\n', r"country code 'russia'"),
    ],
)
def test_malformed_user_file_names_file_entry_and_fix(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RegistryError, match=message) as caught:
        load_registry(extra=path)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, UsageError)


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="does not exist"):
        load_registry(extra=tmp_path / "absent.toml")


def test_user_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[outlet.x]\nname = "Société"\nkind = "wire"\n'.encode("latin-1"))
    with pytest.raises(RegistryError, match="UTF-8"):
        load_registry(extra=path)
