"""The README's PNGs show what the terminal shows: every space kept, every character in its cell."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from rich.console import Console

from wizard.ui.scenes.screenshots import for_rsvg, to_png

pytestmark = pytest.mark.skipif(
    shutil.which("rsvg-convert") is None, reason="rsvg-convert (librsvg2-bin) is not installed"
)

LINES = (
    # (markup, plain text): runs that start with a space, after a bold or coloured run
    ("Found [b]EAAF…Ex07[/b] in [b].env[/b]: it works.", "Found EAAF…Ex07 in .env: it works."),
    ("[red]✗[/red] The token expired", "✗ The token expired"),
    ("[b]Fix:[/b] Temporary tokens last 24 hours", "Fix: Temporary tokens last 24 hours"),
    ("[b]Expires     [/b] [green]never[/green]", "Expires      never"),
)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA/RGB bytes) of an 8-bit non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    step = 4 if colour == 6 else 3
    raw, stride, rows, previous = zlib.decompress(idat), width * step, [], bytes(width * step)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for i in range(stride):
            left = row[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                best = min(
                    (abs(guess - left), 0, left),
                    (abs(guess - up), 1, up),
                    (abs(guess - corner), 2, corner),
                )[2]
                row[i] = (row[i] + best) & 0xFF
        rows.append(bytes(row))
        previous = bytes(row)
    return width, height, [bytes(r[i : i + 3]) for r in rows for i in range(0, stride, step)]


def inked_cells(svg_text: str, png: Path, cells: int) -> list[bool]:
    """For each cell of the first text line: does the PNG draw anything there?"""
    first = re.search(r'<text class="[^"]*-r\d+" x="([\d.]+)" y="([\d.]+)"', svg_text)
    assert first is not None
    shift_x, shift_y = (
        float(v) for v in re.findall(r"translate\(([\d.]+),\s*([\d.]+)\)", svg_text)[-1]
    )  # the terminal's group
    x0, baseline = float(first[1]) + shift_x, float(first[2]) + shift_y
    view = float(re.search(r'viewBox="0 0 ([\d.]+)', svg_text)[1])  # type: ignore[index]
    width, _height, pixels = read_png(png)
    scale, cell = width / view, 12.2
    top, bottom = int((baseline - 17) * scale), int((baseline + 3) * scale)
    background = pixels[top * width + int((x0 - 2) * scale)] if x0 > 2 else pixels[top * width]
    inked = []
    for index in range(cells):
        left = int((x0 + index * cell + 2) * scale)
        right = int((x0 + (index + 1) * cell - 2) * scale)
        inked.append(
            any(
                sum(abs(a - b) for a, b in zip(pixels[y * width + x], background, strict=True)) > 90
                for y in range(top, bottom)
                for x in range(left, right)
            )
        )
    return inked


@pytest.mark.parametrize(("markup", "plain"), LINES)
def test_rendered_png_keeps_every_space_and_column(markup: str, plain: str, tmp_path: Path) -> None:
    """Failed before: rsvg-convert dropped the space that starts a run ("EAAF…Ex07in")."""
    console = Console(
        record=True,
        width=len(plain) + 2,
        color_system="truecolor",
        force_terminal=True,
        file=io.StringIO(),
    )
    console.print(markup, highlight=False)
    svg = tmp_path / "line.svg"
    svg.write_text(console.export_svg(title="t"))
    png = to_png(svg)
    assert png is not None
    expected = [char != " " for char in plain]
    assert inked_cells(svg.read_text(), png, len(plain)) == expected


def test_prepared_svg_has_no_run_without_its_spaces() -> None:
    svg = (
        '<text class="t-r1" x="24.4" y="20" textLength="61" clip-path="url(#c)">'
        "&#160;in&#160;&#160;</text>"
    )
    prepared = for_rsvg(svg)
    assert ">&#160;" not in prepared and "> in  </text>" in prepared
    assert 'xml:space="preserve"' in prepared
    assert 'x="24.40 36.60 48.80 61.00 73.20"' in prepared
