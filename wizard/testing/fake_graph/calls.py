"""Parsing a request to the fake Graph: the call, its token, its fields expression and cursors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from wizard.testing.fake_graph.data import EDGES, NODE_FIELDS, VERSION_SEGMENT
from wizard.testing.fake_graph.replies import GraphFailure, bad_parameter, fail


@dataclass(frozen=True)
class Call:
    """One parsed request: the path without its version, the parameters and the caller's token."""

    method: str
    segments: tuple[str, ...]
    version: str  # "v26.0", or "" when the path had no version prefix
    params: dict[str, str]
    token: str | None
    body: bytes


def parse_call(method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Call:
    parts = urlsplit(raw_path)
    segments = tuple(s for s in parts.path.split("/") if s)
    version = ""
    if segments and VERSION_SEGMENT.fullmatch(segments[0]):
        version, segments = segments[0], segments[1:]
    params = _first_values(parts.query)
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params = {**_first_values(body.decode("utf-8", "replace")), **params}
    token = params.get("access_token") or _bearer(headers.get("authorization", ""))
    return Call(method, segments, version, params, token, body)


def _first_values(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _bearer(authorization: str) -> str | None:
    match = re.fullmatch(r"\s*(?:Bearer|OAuth)\s+(\S+)\s*", authorization, re.IGNORECASE)
    return match.group(1) if match else None


def requested_fields(call: Call, node: str, known: frozenset[str]) -> list[str] | None:
    """The names in `fields=` (nesting and modifiers dropped); unknown names are a 100 error."""
    fields = requested_field_tree(call, node, known)
    return None if fields is None else [f.name for f in fields]


@dataclass(frozen=True)
class FieldRequest:
    """One entry of `fields=`: a name, its `.limit(n)` and its nested `{…}` fields."""

    name: str
    limit: int | None = None
    nested: tuple[FieldRequest, ...] | None = None
    nested_text: str = ""  # the text between the braces, for the edge's paging.next


_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
_MODIFIER = re.compile(r"\.([a-z_]+)\(([^()]*)\)")


def parse_fields(raw: str) -> tuple[FieldRequest, ...]:
    """`fields=` as Graph reads it: `a,b.limit(3){c,d}`; bad syntax is Graph's error 2500."""
    fields, end = _parse_field_list(raw, 0)
    if end != len(raw):
        raise _syntax_error(raw, end)
    return fields


def _parse_field_list(raw: str, pos: int) -> tuple[tuple[FieldRequest, ...], int]:
    fields: list[FieldRequest] = []
    while True:
        match = _NAME.match(raw, pos)
        if match is None:
            raise _syntax_error(raw, pos)
        name, pos, limit = match.group(1), match.end(), None
        while (modifier := _MODIFIER.match(raw, pos)) is not None:
            if modifier.group(1) != "limit" or not modifier.group(2).strip().isdigit():
                raise _syntax_error(raw, pos)  # only .limit(n) is played here
            limit, pos = int(modifier.group(2)), modifier.end()
        nested, text = None, ""
        if raw.startswith("{", pos):
            nested, close = _parse_field_list(raw, pos + 1)
            if not raw.startswith("}", close):
                raise _syntax_error(raw, close)
            text, pos = raw[pos + 1 : close], close + 1
        fields.append(FieldRequest(name, limit, nested, text))
        while raw.startswith(" ", pos):
            pos += 1
        if not raw.startswith(",", pos):
            return tuple(fields), pos
        pos += 1


def _syntax_error(raw: str, pos: int) -> GraphFailure:
    # [Unverified] wording; Graph answers malformed `fields=` with code 2500 "Syntax error".
    return fail(400, 2500, f'Syntax error "Unexpected character" at character {pos}: {raw}')


def check_fields(fields: tuple[FieldRequest, ...], node: str) -> None:
    """Every name must be a field or an edge of the node type, recursively: Graph's (#100)."""
    for item in fields:
        edge_node = EDGES.get((node, item.name))
        if item.name not in NODE_FIELDS.get(node, frozenset()) and edge_node is None:
            raise bad_parameter(
                f"Tried accessing nonexisting field ({item.name}) on node type ({node})"
            )
        if item.nested is not None:
            if edge_node is None:  # [Unverified] wording: subfields of a plain field
                raise bad_parameter(
                    f"Tried accessing nonexisting field ({item.name}) with "
                    f"subfields on node type ({node})"
                )
            check_fields(item.nested, edge_node)


def requested_field_tree(
    call: Call, node: str, known: frozenset[str] | None = None
) -> tuple[FieldRequest, ...] | None:
    """The parsed, checked `fields=` of a call (None when it has none)."""
    raw = call.params.get("fields")
    if not raw:
        return None
    fields = parse_fields(raw)
    if known is not None and known is not NODE_FIELDS.get(node):
        for item in fields:
            if item.name not in known:
                raise bad_parameter(
                    f"Tried accessing nonexisting field ({item.name}) on node type ({node})"
                )
        return fields
    check_fields(fields, node)
    return fields


def pick(record: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    """The requested fields that apply (always with `id`), or the whole record."""
    if names is None:
        return dict(record)
    return {name: record[name] for name in ["id", *names] if name in record}


def _encode_cursor(offset: int) -> str:
    return f"QVFIU{offset:06d}"  # opaque-looking like Meta's base64 cursors


def _decode_cursor(cursor: str | None) -> int:
    digits = (cursor or "QVFIU0").removeprefix("QVFIU")
    if not digits.isdigit():
        raise bad_parameter("Invalid cursor")
    return int(digits)
