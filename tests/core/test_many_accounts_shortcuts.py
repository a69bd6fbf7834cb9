"""The shortcuts for many accounts give what the long way gives: models built in one update are
the ones their __init__ builds (equal, frozen, hashable, every field and no other), and the
numbers the diagnosis skips are the ones it has nothing to say about."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.core.diagnose.warnings import _looks_fine, _number_findings, number_warnings
from wizard.core.graph import BusinessAccount, GraphClient, PhoneNumber
from wizard.core.graph.parsing import _opt_str, parse_phone_number
from wizard.core.graph.readiness import (
    messaging_limit,
    parse_health,
    parse_subscribed_apps,
    parse_webhook_configuration,
)
from wizard.core.graph.transport import _new_rows
from wizard.core.token import SecretToken

CI = bool(os.environ.get("CI"))
TOKEN = SecretToken("EAAFake0ModelBuilding0" + "x" * 40)

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=4,
)
"""What Graph may put in a field: usually a string, sometimes anything."""
PHONE_KEYS = tuple(
    "throughput" if f.name == "throughput_level" else f.name
    for f in dataclasses.fields(PhoneNumber)
    if f.name != "id"
)
"""What Graph names PhoneNumber's fields (throughput is an object holding the level)."""
ACCOUNT_KEYS = ("id", "name", "currency", "timezone_id", "account_review_status")


def _some_of(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    values = st.text(max_size=12) | ANY_JSON | st.fixed_dictionaries({"level": ANY_JSON})
    return st.dictionaries(st.sampled_from(keys), values)


PHONE_ROWS = st.builds(lambda row, key: {"id": key, **row}, _some_of(PHONE_KEYS), ANY_JSON)


def phone_by_init(row: dict[str, Any]) -> PhoneNumber:
    """The phone number as parse_phone_number built it with PhoneNumber(...) before."""
    throughput = row.get("throughput")
    return PhoneNumber(
        id=str(row["id"]),
        display_phone_number=_opt_str(row.get("display_phone_number")),
        verified_name=_opt_str(row.get("verified_name")),
        quality_rating=_opt_str(row.get("quality_rating")),
        code_verification_status=_opt_str(row.get("code_verification_status")),
        platform_type=_opt_str(row.get("platform_type")),
        throughput_level=_opt_str(throughput.get("level"))
        if isinstance(throughput, dict)
        else None,
        name_status=_opt_str(row.get("name_status")),
        status=_opt_str(row.get("status")),
        health=parse_health(row.get("health_status")),
        webhook=parse_webhook_configuration(row.get("webhook_configuration")),
        messaging_limit=messaging_limit(row),
    )


def assert_same_model(built: object, expected: object) -> None:
    assert built == expected and type(built) is type(expected)
    assert hash(built) == hash(expected) and repr(built) == repr(expected)
    names = {f.name for f in dataclasses.fields(expected)}  # type: ignore[arg-type]
    assert set(vars(built)) == names
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.id = "1"  # type: ignore[attr-defined]


@settings(max_examples=400, derandomize=CI, deadline=None)
@given(row=PHONE_ROWS)
def test_a_phone_number_is_the_one_its_init_builds(row: dict[str, Any]) -> None:
    assert_same_model(parse_phone_number(row), phone_by_init(row))


@pytest.fixture(scope="module")
def client() -> Iterator[GraphClient]:
    with GraphClient("http://127.0.0.1:9") as graph:  # never called: no paging.next here
        yield graph


@settings(max_examples=300, derandomize=CI, deadline=None)
@given(account=_some_of(ACCOUNT_KEYS), rows=st.lists(PHONE_ROWS, max_size=3))
def test_an_expanded_account_is_the_one_its_init_builds(
    client: GraphClient, account: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    body = {**account, "phone_numbers": {"data": rows}} if rows else account
    built = client._account_from(TOKEN, "102290129340398", body)
    unique = _new_rows(rows, set())  # a number listed twice is listed once (not tested here)
    expected = BusinessAccount(
        id=_opt_str(account.get("id")) or "102290129340398",
        name=_opt_str(account.get("name")),
        currency=_opt_str(account.get("currency")),
        timezone_id=_opt_str(account.get("timezone_id")),
        account_review_status=_opt_str(account.get("account_review_status")),
        phone_numbers=tuple(phone_by_init(r) for r in unique),
        health=parse_health(account.get("health_status")),
        subscribed_apps=parse_subscribed_apps(account.get("subscribed_apps", {"data": []})),
    )
    assert_same_model(built, expected)
    for number, by_init in zip(built.phone_numbers, expected.phone_numbers, strict=True):
        assert_same_model(number, by_init)


STATE = (
    st.none()
    | st.text(max_size=6)
    | st.sampled_from(
        [
            "CONNECTED",
            "connected",
            "DISCONNECTED",
            "PENDING",
            "BANNED",
            "FLAGGED",
            "RESTRICTED",
            "CLOUD_API",
            "ON_PREMISE",
            "EXPIRED",
            "expired",
            "VERIFIED",
            "APPROVED",
            "PENDING_REVIEW",
            "DECLINED",
            "NONE",
        ]
    )
)


@settings(max_examples=500, derandomize=CI, deadline=None)
@given(status=STATE, platform=STATE, verification=STATE, name=STATE, shown=st.text(max_size=8))
def test_a_number_skipped_as_fine_is_one_with_no_warning(
    status: str | None, platform: str | None, verification: str | None, name: str | None, shown: str
) -> None:
    """number_warnings skips the numbers _looks_fine passes: exactly those the full reading
    finds nothing to say about."""
    number = PhoneNumber(
        id="106540352242922",
        display_phone_number=shown,
        status=status,
        platform_type=platform,
        code_verification_status=verification,
        name_status=name,
    )
    assert _looks_fine(number) == (not _number_findings(number))
    assert number_warnings(number) == _number_findings(number)
