"""Which sending number the send-test offers first: the test number when there is one."""

from __future__ import annotations

import pytest

from wizard.core.graph import PhoneNumber
from wizard.core.messaging import default_sender, is_test_number

BUSINESS = PhoneNumber("106540352242922", "+1 555-010-4477", "Acme Support", "GREEN")
TEST = PhoneNumber("113402916702233", "15550783881", "Test Number", "UNKNOWN")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (TEST, True),
        (PhoneNumber("1", "15550000000", " test number ", None), True),
        (BUSINESS, False),
        (PhoneNumber("2", None, None, None), False),
        (PhoneNumber("3", "+1 555", "Test Numbers Inc", None), False),
    ],
)
def test_is_test_number(number: PhoneNumber, expected: bool) -> None:
    assert is_test_number(number) is expected


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ((BUSINESS, TEST), TEST),
        ((TEST, BUSINESS), TEST),
        ((BUSINESS,), BUSINESS),
        ((), None),
    ],
)
def test_default_sender_prefers_the_test_number(
    numbers: tuple[PhoneNumber, ...], expected: PhoneNumber | None
) -> None:
    assert default_sender(numbers) == expected
