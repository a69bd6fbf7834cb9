"""Profile names, the names they give every store, and the profiles found on a machine."""

from __future__ import annotations

import pytest

from wizard.core.errors import SettingsError
from wizard.core.profiles import (
    DEFAULT,
    Profile,
    choose_profile,
    list_profiles,
    profile_named,
    profile_of_key,
)
from wizard.core.settings import load_settings


@pytest.mark.parametrize(
    ("name", "key", "flag"),
    [
        ("default", "WHATSAPP_CLOUD_API_TOKEN", ""),
        ("acme", "WHATSAPP_CLOUD_API_TOKEN_ACME", "--profile acme"),
        ("shop-2", "WHATSAPP_CLOUD_API_TOKEN_SHOP_2", "--profile shop-2"),
        ("a_b", "WHATSAPP_CLOUD_API_TOKEN_A_B", "--profile a_b"),
        ("x" * 32, "WHATSAPP_CLOUD_API_TOKEN_" + "X" * 32, "--profile " + "x" * 32),
    ],
)
def test_profile_names_and_keys(name: str, key: str, flag: str) -> None:
    profile = profile_named(name)
    assert profile.token_key == key and profile.flag == flag
    assert profile_of_key(key) == name.replace("-", "_")


@pytest.mark.parametrize("name", ["", "Acme", "a b", "x" * 33, "ä", "a.b", "a/b", "-\n"])
def test_bad_names_are_usage_errors(name: str) -> None:
    with pytest.raises(SettingsError):
        profile_named(name)


def test_flag_wins_over_the_variable_which_wins_over_default() -> None:
    environ = {"WA_TOKEN_PROFILE": "shop"}
    assert choose_profile("acme", environ).name == "acme"
    assert choose_profile(None, environ).name == "shop"
    assert choose_profile(None, {}) == DEFAULT
    with pytest.raises(SettingsError):
        choose_profile("", environ)


@pytest.mark.parametrize(
    ("key", "profile"),
    [
        ("WHATSAPP_CLOUD_API_TOKEN", "default"),
        ("WHATSAPP_CLOUD_API_TOKEN_ACME", "acme"),
        ("WHATSAPP_CLOUD_API_TOKENX", None),
        ("WHATSAPP_CLOUD_API_TOKEN_", None),
        ("WHATSAPP_CLOUD_API_TOKEN_a", None),
        ("WHATSAPP_APP_ID", None),
        ("PATH", None),
    ],
)
def test_profile_of_key(key: str, profile: str | None) -> None:
    assert profile_of_key(key) == profile


def test_list_profiles_merges_every_store_default_first() -> None:
    listing = list_profiles(
        [
            ("environment", ["zed"]),
            ("dotenv", ["default", "acme"]),
            ("keyring", ["acme", "my-app", "default"]),
        ]
    )
    assert [(p.name, p.stores) for p in listing] == [
        ("default", ("dotenv", "keyring")),
        ("acme", ("dotenv", "keyring")),
        ("my_app", ("keyring",)),
        ("zed", ("environment",)),
    ]


def test_settings_read_the_app_context_under_the_profile_names_only() -> None:
    environ = {
        "WHATSAPP_APP_ID": "1",
        "WHATSAPP_APP_ID_ACME": "2",
        "WHATSAPP_APP_SECRET_ACME": "s" * 32,
    }
    dotenv = {"WHATSAPP_PHONE_NUMBER_ID_ACME": "77", "WHATSAPP_PHONE_NUMBER_ID": "66"}
    acme = load_settings(environ, dotenv, profile="acme")
    assert acme.profile == Profile("acme")
    assert (acme.app_id, acme.phone_number_id) == ("2", "77")
    assert acme.app_secret is not None and acme.app_secret.reveal() == "s" * 32
    default = load_settings(environ, dotenv)
    assert (default.app_id, default.phone_number_id, default.app_secret) == ("1", "66", None)
    assert load_settings({"WHATSAPP_APP_ID": "1"}, profile="shop").app_id is None
