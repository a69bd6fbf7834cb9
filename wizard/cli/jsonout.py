"""Our JSON output, `json.dumps(value, indent=2)` byte for byte, mostly by json's C encoder."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]

_STEP = "  "
"""One level of indentation (indent=2)."""
_CONTAINERS = (dict, list, tuple)
"""What json writes as an object or an array."""
_SCALARS = frozenset({str, int, float, bool, type(None)})
"""Types that json writes as a string, a number, true, false or null (subclasses aside)."""


class _KeyNotText(Exception):
    """A key json would have to convert (a number, a bool, None): left to json.dumps."""


def json_text(value: object) -> str:
    """`json.dumps(value, indent=2)`, the same text. json indents only with its pure-Python
    encoder (a generator per level, ~10x slower than its C one, which cannot indent): here every
    object or array that holds no object or array is written by the C encoder, its separators
    set to the indentation of its level, and the levels above it in Python."""
    parts: list[str] = []
    try:
        _write(value, "\n", parts)
    except _KeyNotText:
        return json.dumps(value, indent=2)
    return "".join(parts)


def _write(value: object, newline: str, parts: list[str]) -> None:
    """`value` as json.dumps(indent=2) writes it at the level whose lines start `newline`."""
    inner = newline + _STEP
    if isinstance(value, dict) and not _SCALARS.issuperset(map(type, value.values())):
        parts.append("{")
        separator = inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _KeyNotText
            parts += (separator, encode_basestring_ascii(key), ": ")
            _write_item(item, inner, parts)
            separator = "," + inner
        parts += (newline, "}")
    elif isinstance(value, (list, tuple)) and not _SCALARS.issuperset(map(type, value)):
        parts.append("[")
        separator = inner
        for item in value:
            parts.append(separator)
            _write_item(item, inner, parts)
            separator = "," + inner
        parts += (newline, "]")
    else:  # a scalar, or an object or array of scalars only: the C encoder writes it whole
        text = "".join(_flat_encoder(inner)(value))
        if isinstance(value, _CONTAINERS) and value:  # "{" items "}" -> "{" inner items newline "}"
            text = f"{text[0]}{inner}{text[1:-1]}{newline}{text[-1]}"
        parts.append(text)


def _write_item(item: object, newline: str, parts: list[str]) -> None:
    """An item of an object or array written in Python: a string at once, the rest by _write."""
    if type(item) is str:
        parts.append(encode_basestring_ascii(item))
    else:
        _write(item, newline, parts)


@lru_cache(maxsize=32)
def _flat_encoder(inner: str) -> Callable[[object], list[str]]:
    """json's C encoder with the separators indent=2 uses between items at this level (made
    once: JSONEncoder.encode makes a new one on every call); json's own where C is missing."""
    encoder = json.JSONEncoder(separators=("," + inner, ": "))
    if c_make_encoder is None:  # pragma: no cover - CPython always has it
        return lambda value: [encoder.encode(value)]
    made = c_make_encoder(
        None,  # no circular-reference check: a flat container holds no container
        encoder.default,
        encode_basestring_ascii,
        None,
        encoder.key_separator,
        encoder.item_separator,
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
    return lambda value: made(value, 0)
