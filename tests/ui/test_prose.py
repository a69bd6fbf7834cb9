"""The instruction steps' own text widget: the same words and look as Textual's Markdown, no markup."""

from __future__ import annotations

import re

import pytest
from textual.app import App, ComposeResult
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Markdown

from wizard.core.flow import STEP_TEXTS, Step
from wizard.ui.widgets.prose import Item, Prose, blocks, inline

SIZE = (76, 30)
"""The body's width at 80 columns (the step body's padding takes 4)."""


class OneBody(App[None]):
    """A body alone, spaced as the step body spaces it (wizard.tcss: `#step-body Markdown`)."""

    CSS = "Markdown { margin: 0 0 1 0; padding: 0; } Prose { margin: 0 0 1 0; }"

    def __init__(self, body: Widget) -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        yield self.body


async def drawn(body: Widget) -> list[str]:
    """Each character run as drawn (position, style and text), from the SVG export; the
    background rectangles are left out (Textual cuts them where widgets meet)."""
    app = OneBody(body)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
    svg = re.sub(r"terminal-\d+", "terminal", svg)
    styles = re.findall(r"\.terminal-r\d+ \{[^}]*\}", svg)
    texts = re.findall(r"<text [^>]*>[^<]*</text>", svg)
    return styles + texts


@pytest.mark.parametrize("step", list(STEP_TEXTS))
async def test_a_step_reads_and_looks_as_markdown_drew_it(step: Step) -> None:
    """Every character, its place, its colour and weight: as Textual's Markdown drew the step."""
    body = STEP_TEXTS[step].body
    assert await drawn(Prose(body)) == await drawn(Markdown(body, open_links=False))


def test_emphasis_becomes_spans_of_the_same_words() -> None:
    content = inline("The **API Setup** page, a *temporary user token*, `wa-token  refresh`.")
    assert content.plain == "The API Setup page, a temporary user token, wa-token refresh."
    emphasised = [(content.plain[span.start : span.end], span.style) for span in content.spans]
    assert emphasised == [
        ("API Setup", Style(bold=True)),
        ("temporary user token", Style(italic=True)),
        ("wa-token refresh", ".prose--code"),
    ]


def test_lists_nest_by_indentation() -> None:
    body = "Intro:\n\n1. One.\n2. Two:\n   - a;\n   - b.\n3. Three.\n\nAfter."
    assert list(blocks(body)) == [
        "Intro:",
        [
            Item("1.", "One."),
            Item("2.", "Two:", [Item("-", "a;"), Item("-", "b.")]),
            Item("3.", "Three."),
        ],
        "After.",
    ]


async def test_nothing_in_the_text_is_read_as_markup() -> None:
    """Square brackets, `$variables`, `@click` actions and backslashes show as they are."""
    text = r"Press [@click=app.quit]here[/] or [b]bold[/b], $error, [link=https://x.test]x[/] \\"
    app = OneBody(Prose(text))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = app.query_one(Prose).query_one(".prose-text").render()
        assert str(shown) == text.replace("  ", " ")
        await pilot.click(Prose, offset=(7, 0))  # on "[@click=app.quit]"
        assert app.is_running
