"""`agora.settings`: every setting is read from its own variable, and an unset one gives the
field's default, so the defaults a test builds (`Settings()`) and a service reads agree."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import get_type_hints

import pytest

from agora.settings import PROJECT_ROOT, Settings, variable_of

FIELDS = dataclasses.fields(Settings)
TYPES = get_type_hints(Settings)
NAMES = {each.name: variable_of(each).name for each in FIELDS}

# The settings whose unset variable gives something other than the field's default (documented
# beside each field): what they are when nothing is set.
DERIVED: dict[str, Callable[[Settings], object]] = {
    "deployment_file": lambda read: read.data_dir / "deployment.json",
    "workers": lambda _: os.cpu_count() or 1,
    "siwe_domain": lambda read: f"{read.host}:{read.port}",
    "siwe_uri": lambda read: f"http://{read.host}:{read.port}",
}

# A variable's text and the value it gives, by the field's type; then the fields with parsers
# of their own.
SAMPLES: dict[object, tuple[str, object]] = {
    str: ("from-the-environment", "from-the-environment"),
    str | None: ("from-the-environment", "from-the-environment"),
    int: ("7", 7),
    float: ("2.5", 2.5),
    Decimal: ("0.35", Decimal("0.35")),
    bool: ("1", True),
    Path: ("/srv/agora-elsewhere", Path("/srv/agora-elsewhere")),
}
OWN_SAMPLES: dict[str, tuple[str, object]] = {
    "trusted_proxies": (" 10.0.0.1, 192.168.0.0/16 ", ("10.0.0.1", "192.168.0.0/16")),
    # Whole tokens in the variable, base units in the field.
    "reward_emission": ("2.5", 25 * 10**17),
}


def sample(field: dataclasses.Field[object]) -> tuple[str, object]:
    if field.name in OWN_SAMPLES:
        return OWN_SAMPLES[field.name]
    assert TYPES[field.name] in SAMPLES, f"no sample for {field.name}: {TYPES[field.name]}"
    return SAMPLES[TYPES[field.name]]


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No variable of any setting in the environment."""
    for name in NAMES.values():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_setting_has_a_variable_of_its_own() -> None:
    assert len(set(NAMES.values())) == len(NAMES)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in NAMES.values())


def test_the_configuration_page_names_every_variable() -> None:
    page = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    assert [name for name in NAMES.values() if f"`{name}" not in page] == []


def test_unset_variables_give_the_defaults_but_for_the_derived_ones(
    unset: pytest.MonkeyPatch,
) -> None:
    # given no variable set
    # when the settings are read
    read = Settings.from_env()
    # then each is its field's default, but for the derived ones
    assert {each.name for each in FIELDS if variable_of(each).unset} == set(DERIVED)
    for each in FIELDS:
        expected = DERIVED[each.name](read) if each.name in DERIVED else each.default
        assert getattr(read, each.name) == expected, each.name
    assert read == dataclasses.replace(Settings(), workers=os.cpu_count() or 1)


def test_an_empty_variable_counts_as_unset(unset: pytest.MonkeyPatch) -> None:
    for name in NAMES.values():
        unset.setenv(name, "")
    assert Settings.from_env() == dataclasses.replace(Settings(), workers=os.cpu_count() or 1)


@pytest.mark.parametrize("field", FIELDS, ids=[each.name for each in FIELDS])
def test_each_variable_is_read(unset: pytest.MonkeyPatch, field: dataclasses.Field[object]) -> None:
    # given the setting's variable set to something other than its default
    text, value = sample(field)
    assert value != field.default
    unset.setenv(NAMES[field.name], text)
    # when the settings are read
    read = Settings.from_env()
    # then that setting has the variable's value, and no other changed but what derives from it
    assert getattr(read, field.name) == value
    assert type(getattr(read, field.name)) is type(value)
    expected = dataclasses.replace(Settings(), **{field.name: value})
    derived = {name: derive(expected) for name, derive in DERIVED.items() if name != field.name}
    assert read == dataclasses.replace(expected, **derived)


SOURCES = {"AGORA_DATA_DIR": "/srv/agora", "AGORA_HOST": "forum.example", "AGORA_PORT": "8443"}
OWN = {
    "AGORA_DEPLOYMENT_FILE": "/etc/agora/chain.json",
    "SIWE_DOMAIN": "agora.example",
    "SIWE_URI": "https://agora.example",
}


@pytest.mark.parametrize(
    ("environment", "derived"),
    [
        (
            SOURCES,
            ("/srv/agora/deployment.json", "forum.example:8443", "http://forum.example:8443"),
        ),
        # set, they are their own
        (SOURCES | OWN, ("/etc/agora/chain.json", "agora.example", "https://agora.example")),
    ],
)
def test_derived_defaults_follow_what_they_derive_from(
    unset: pytest.MonkeyPatch, environment: dict[str, str], derived: tuple[str, str, str]
) -> None:
    for name, text in environment.items():
        unset.setenv(name, text)
    read = Settings.from_env()
    assert (str(read.deployment_file), read.siwe_domain, read.siwe_uri) == derived


@pytest.mark.parametrize("text", ["0", "true", "yes", "on", " 1"])
def test_a_switch_is_on_only_for_1(unset: pytest.MonkeyPatch, text: str) -> None:
    for name in ("COOKIE_SECURE", "COUNT_QUERIES", "AGORA_DEBUG"):
        unset.setenv(name, text)
    read = Settings.from_env()
    assert (read.cookie_secure, read.count_queries, read.debug) == (False, False, False)


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("AGORA_PORT", "eighty", "AGORA_PORT: invalid literal for int"),
        ("TRUSTED_PROXIES", "10.0.0.1,proxy.local", "TRUSTED_PROXIES: 'proxy.local' is not an IP"),
        ("REWARD_EMISSION", "1e-19", "REWARD_EMISSION: 1E-19 tokens is not a whole number"),
    ],
)
def test_a_value_that_does_not_parse_stops_start_up_naming_its_variable(
    unset: pytest.MonkeyPatch, name: str, text: str, error: str
) -> None:
    unset.setenv(name, text)
    with pytest.raises(ValueError, match=re.escape(error)):
        Settings.from_env()
