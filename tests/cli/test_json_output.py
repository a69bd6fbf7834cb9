"""Our JSON writer gives json.dumps(indent=2)'s text exactly: for any value, and for every check
report the fake Graph's scenarios make."""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.cli.jsonout import json_text
from wizard.core.check import check_found_token, report_json, status_json
from wizard.core.codes import Source
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken, SourceReading
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer

CI = bool(os.environ.get("CI"))


class Text(enum.StrEnum):
    """A str subclass, as our codes are."""

    ODD = "é\n\x1b[31m\"'\\/"


class Number(enum.IntEnum):
    """An int subclass."""

    SEVEN = 7


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from(
        [Text.ODD, Number.SEVEN, "\x1b[2J\x00\x7f\x85", "\ud800", "Zoë 漢 \U0001f600", '"\\/\t']
    )
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text() | st.just(Text.ODD), inner, max_size=4)
    ),
    max_leaves=40,
)


@settings(max_examples=600, derandomize=CI, deadline=None)
@given(value=VALUES)
def test_any_json_value_is_written_as_json_dumps_indent_2_writes_it(value: object) -> None:
    assert json_text(value) == json.dumps(value, indent=2)


@settings(max_examples=300, derandomize=CI, deadline=None)
@given(
    value=st.recursive(
        SCALARS,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.integers() | st.floats() | st.booleans() | st.none() | st.text(),
                inner,
                max_size=3,
            )
        ),
        max_leaves=20,
    )
)
def test_keys_json_converts_are_converted_the_same(value: object) -> None:
    assert json_text(value) == json.dumps(value, indent=2)


def test_what_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    for value in ({"a": [1, {"b": object()}]}, [object()], {"a": {1, 2}}):
        with pytest.raises(TypeError):
            json.dumps(value, indent=2)
        with pytest.raises(TypeError):
            json_text(value)


def test_empty_and_nested_empty_containers() -> None:
    for value in ({}, [], (), {"a": {}, "b": [], "c": [[]], "d": [{}]}, [[], {}, [[{}]]]):
        assert json_text(value) == json.dumps(value, indent=2)


@pytest.fixture(scope="module")
def many_accounts() -> Iterator[FakeGraphServer]:
    with FakeGraphServer(accounts=60) as server:
        yield server


def _check(server: FakeGraphServer, token: str, source: Source = Source.STDIN) -> dict[str, object]:
    settings = Settings(
        graph_url=server.url, timeout=5.0, app_id=APP_ID, app_secret=SecretToken(APP_SECRET)
    )
    found = FoundToken(source, "-", SecretToken(token))
    return report_json(check_found_token(found, settings, {}, now=datetime.now(UTC)))


@pytest.mark.parametrize(
    "scenario", [name for name in TOKENS if name not in ("slow", "hang", "drop", "flaky")]
)
def test_every_scenario_report_is_written_as_json_dumps_writes_it(
    fake_graph: FakeGraphServer, scenario: str
) -> None:
    body = _check(fake_graph, TOKENS[scenario])
    assert json_text(body) == json.dumps(body, indent=2)


def test_a_report_of_sixty_accounts_and_status_json(many_accounts: FakeGraphServer) -> None:
    body = _check(many_accounts, TOKENS["many"])
    assert len(body["whatsapp_business_accounts"]) == 60  # type: ignore[arg-type]
    assert json_text(body) == json.dumps(body, indent=2)
    token = SecretToken(TOKENS["many"])
    reading = SourceReading(Source.ENVIRONMENT, "WHATSAPP_CLOUD_API_TOKEN", token)
    report = check_found_token(
        FoundToken(Source.ENVIRONMENT, "WHATSAPP_CLOUD_API_TOKEN", token),
        Settings(graph_url=many_accounts.url, timeout=5.0),
        {},
    )
    status = status_json([reading], report, (), "default")
    assert json_text(status) == json.dumps(status, indent=2)
