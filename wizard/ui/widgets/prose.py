"""Our own instruction text, drawn as Textual's Markdown draws it, without Markdown (or any markup).

The step texts (core/flow.py) are written in a small Markdown subset: paragraphs, `1.` and `-`
lists (nested by indentation), **bold**, *italic* and `code`. They are ours, never text from a
file or the network; even so nothing here is read as markup: the words become Content and the
emphasis becomes spans, so a `[` or a `$` shows as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content, Span
from textual.style import Style
from textual.widgets import Static

_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\*(?P<italic>[^*]+?)\*|`(?P<code>[^`]+)`")
_ITEM = re.compile(r"(?P<indent> *)(?P<marker>\d+\.|-) (?P<text>.*)")
BULLETS = ("• ", "▪ ", "‣ ", "⭑ ", "◦ ")
"""Unordered bullets by nesting, as Textual's Markdown draws them."""
STYLES: dict[str, Style | str] = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "code": ".prose--code",
}
"""The span style of each kind of emphasis (`code` is a component class of Prose)."""


@dataclass
class Item:
    """One list item: its marker (`1.` or `-`), its words and the list nested under it."""

    marker: str
    text: str
    children: list[Item] = field(default_factory=list)


Block = str | list[Item]
"""A paragraph, or a list."""


def inline(text: str) -> Content:
    """`**bold**`, `*italic*` and `` `code` `` as spans; runs of white space as one space."""
    text = re.sub(r"\s+", " ", text.strip())
    words: list[str] = []
    spans: list[Span] = []
    position = last = 0
    for match in _INLINE.finditer(text):
        before = text[last : match.start()]
        kind = next(name for name, value in match.groupdict().items() if value is not None)
        emphasised = match[kind]
        words += [before, emphasised]
        position += len(before)
        spans.append(Span(position, position + len(emphasised), STYLES[kind]))
        position += len(emphasised)
        last = match.end()
    words.append(text[last:])
    return Content("".join(words), spans=spans)


def parse_list(lines: list[str]) -> list[Item]:
    """List lines into items; a deeper indentation nests under the item above it."""
    top: list[Item] = []
    levels: list[tuple[int, list[Item]]] = [(len(lines[0]) - len(lines[0].lstrip(" ")), top)]
    last: Item | None = None
    for line in lines:
        match = _ITEM.fullmatch(line)
        if match is None:
            if last is not None:  # a continuation line of the item above
                last.text += " " + line.strip()
            continue
        indent = len(match["indent"])
        while len(levels) > 1 and indent < levels[-1][0]:
            levels.pop()
        if indent > levels[-1][0] and levels[-1][1]:
            levels.append((indent, levels[-1][1][-1].children))
        last = Item(match["marker"], match["text"])
        levels[-1][1].append(last)
    return top


def blocks(body: str) -> Iterator[Block]:
    """The paragraphs and lists of a body; blank lines separate them."""
    for chunk in body.strip().split("\n\n"):
        lines = chunk.split("\n")
        if _ITEM.fullmatch(lines[0]):
            yield parse_list(lines)
        else:
            yield " ".join(lines)


def markers(items: list[Item], depth: int) -> list[str]:
    """What is drawn before each item: ` 1. ` right-aligned in an ordered list, else a bullet."""
    if items and items[0].marker[0].isdigit():
        numbers = [f"{item.marker} " for item in items]
        width = max(len(number) for number in numbers)
        return [number.rjust(width + 1) for number in numbers]
    return [BULLETS[depth % len(BULLETS)] for _ in items]


class ProseList(Vertical):
    """A list: each item its marker, then its words and any list nested under it."""

    def __init__(self, items: list[Item], depth: int = 0) -> None:
        super().__init__()
        self.items = items
        """The list's items."""
        self.depth = depth
        """How many bullet lists enclose this one (it picks the bullet)."""

    def compose(self) -> ComposeResult:
        for item, marker in zip(self.items, markers(self.items, self.depth), strict=True):
            with Horizontal(classes="prose-item"):
                yield Static(marker, classes="prose-marker")
                with Vertical(classes="prose-item-body"):
                    yield Static(inline(item.text))
                    if item.children:
                        nested = self.depth + (item.marker == "-")
                        yield ProseList(item.children, nested)


class Prose(Vertical):
    """A body of instructions: paragraphs and lists, as Textual's Markdown widget draws them."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"prose--code"}
    DEFAULT_CSS = """
    Prose { height: auto; }
    Prose > .prose-text, Prose > ProseList { margin-bottom: 1; }
    Prose ProseList, Prose .prose-item, Prose .prose-item-body { height: auto; }
    Prose .prose-marker { width: auto; color: $text-primary; }
    Prose:light .prose-marker { color: $text-secondary; }
    Prose:dark > .prose--code { background: $warning 10%; color: $text-warning 95%; }
    Prose:light > .prose--code { background: $error 5%; color: $text-error 95%; }
    Prose:ansi > .prose--code { background: ansi_default; }
    """

    def __init__(self, body: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.body = body
        """The text, in the Markdown subset above."""

    def compose(self) -> ComposeResult:
        for block in blocks(self.body):
            if isinstance(block, str):
                yield Static(inline(block), classes="prose-text")
            else:
                yield ProseList(block)
