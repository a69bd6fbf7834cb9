"""Drive the real wizard against the fake Graph server and write the README's screenshots.

    python -m wizard.ui.scenes.screenshots [--out screenshots] [--scene NAME ...]

Each scene runs at 80×24 and the main ones also at 120×36; SVGs come from Textual, PNGs from
`rsvg-convert` (Debian: librsvg2-bin) fed a copy of the SVG that places every character in its
terminal cell (see `for_rsvg`). The keyring is switched off so nothing real is touched, except
for scenes that show a working keyring: they get a private gnome-keyring on a private D-Bus.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.cells import get_character_cell_size

from wizard.core.settings import load_settings
from wizard.testing import fake_business
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer
from wizard.ui.scenes.walks import SCENES, Scene, begin

FIXED_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SMALL, LARGE = (80, 24), (120, 36)
README_SCENES = (
    "why",
    "create",
    "generate",
    "paste_valid",
    "check_ok",
    "check_missing_permission",
    "store",
    "overwrite",
    "done",
    "expired",
    "troubleshoot",
    "menu",
    "send_test_confirm",
    "send_test_sent",
    "extended",
    "ready",
    "ready_unsubscribed",
    "ready_pin",
    "ready_endpoint",
)
LARGE_SCENES = ("check_ok", "expired", "troubleshoot")


async def shoot(scene: Scene, graph_url: str, size: tuple[int, int], workdir: Path) -> str:
    """Run one scene in `workdir` and return the SVG of the last screen."""
    from wizard.ui.app import make_app  # Textual only when a picture is taken

    env_file = workdir / ".env"
    env_file.unlink(missing_ok=True)
    if scene.stored:
        env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKENS[scene.stored]}\n")
        env_file.chmod(0o600)
    environ = {"WHATSAPP_GRAPH_URL": graph_url}
    if scene.app_credentials:
        environ |= {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}
    app = make_app(
        load_settings(environ, timeout=3),
        environ,
        mode=scene.mode,
        open_links=False,
        clock=lambda: FIXED_NOW,
        workdir=Path("/srv/my-app"),
        command="wa-token",
    )
    with working_keyring() if scene.keyring else contextlib.nullcontext():
        if scene.start is not None:  # its check sees the keyring the scene's wizard sees
            begin(app, scene.start)
        async with app.run_test(size=size) as pilot:
            await scene.script(pilot)
            return app.export_screenshot(title="wa-token")


@contextlib.contextmanager
def working_keyring() -> Iterator[None]:
    """A private gnome-keyring (the tests' own session helper) as keyring's backend, then none."""
    import keyring
    from keyring.backends import SecretService, fail

    try:
        from tests.keyring_session import running_secret_service
    except ImportError:  # not run from the repository with the test extras
        print(
            "no private keyring (run from the repository root): the picture shows none",
            file=sys.stderr,
        )
        yield
        return
    saved = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    with running_secret_service() as instance:
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = instance.session.address
        keyring.set_keyring(SecretService.Keyring())  # type: ignore[no-untyped-call]
        try:
            yield
        finally:
            keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
            if saved is None:
                os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved


_TEXT_RUN = re.compile(
    r'<text (?P<before>[^>]*?)x="(?P<x>[\d.]+)" (?P<y>y="[\d.]+") textLength="(?P<length>[\d.]+)"'
    r"(?P<after>[^>]*)>(?P<body>[^<]*)</text>"
)
MONOSPACE = "DejaVu Sans Mono"
"""A monospace font rsvg-convert really has (Debian: fonts-dejavu-core); Fira Code is not there."""
MONOSPACE_SIZE = "20.264px"
"""DejaVu Sans Mono's advance is 0.60205 em: at this size a glyph is one 12.2 px cell wide."""


def for_rsvg(svg: str) -> str:
    """The SVG with each character at its cell's x and its spaces kept.

    Textual's SVG gives each run one x and a textLength, and uses NBSP for spaces; rsvg-convert
    drops a run's leading spaces and lays glyphs out with whatever font it finds for Fira Code,
    so words ran together and columns drifted. Here every character gets its own x, spaces are
    plain spaces under xml:space="preserve", and the font is one that exists.
    """

    def one_run(match: re.Match[str]) -> str:
        chars = html.unescape(match["body"]).replace("\xa0", " ")
        cells = sum(get_character_cell_size(c) for c in chars) or 1
        cell = float(match["length"]) / cells
        x, positions = float(match["x"]), []
        for char in chars:
            positions.append(f"{x:.2f}")
            x += cell * get_character_cell_size(char)
        return (
            f'<text {match["before"]}x="{" ".join(positions)}" {match["y"]}{match["after"]} '
            f'xml:space="preserve">{html.escape(chars, quote=False)}</text>'
        )

    svg = _TEXT_RUN.sub(one_run, svg)
    svg = svg.replace("font-family: Fira Code, monospace;", f"font-family: {MONOSPACE}, monospace;")
    return svg.replace("font-size: 20px;", f"font-size: {MONOSPACE_SIZE};", 1)


def to_png(svg: Path) -> Path | None:
    """The PNG beside the SVG, or None when rsvg-convert is not installed."""
    if shutil.which("rsvg-convert") is None:
        return None
    png = svg.with_suffix(".png")
    with tempfile.TemporaryDirectory() as folder:
        prepared = Path(folder) / svg.name
        prepared.write_text(for_rsvg(svg.read_text()))
        subprocess.run(
            ["rsvg-convert", "-w", str(svg_width(svg)), str(prepared), "-o", str(png)], check=True
        )
    return png


def svg_width(svg: Path) -> int:
    """Twice the SVG's own width, for a sharp picture."""
    text = svg.read_text()
    marker = 'viewBox="0 0 '
    start = text.index(marker) + len(marker)
    return int(float(text[start:].split()[0]) * 1.25)


@contextlib.contextmanager
def studio() -> Iterator[tuple[FakeGraphServer, Path]]:
    """The fake Graph server at the fixed time, and a fresh working folder to shoot in."""
    with (
        FakeGraphServer(
            clock=FIXED_NOW.timestamp, trace_id="AFixedTraceId", business=fake_business.answer
        ) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        workdir = Path(folder)
        os.chdir(workdir)
        yield server, workdir


def keep(svg: Path, picture: str) -> list[Path]:
    """Writes the SVG and, when rsvg-convert is there, its PNG; returns the files written."""
    svg.write_text(picture)
    png = to_png(svg)
    return [svg] if png is None else [svg, png]


def shoot_into(
    out: Path, shoot_all: Callable[[Path], Coroutine[Any, Any, list[Path]]]
) -> list[Path]:
    """Runs `shoot_all(out)` with the keyring switched off; the working folder is restored after."""
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ["WA_TOKEN_KEYRING_SERVICE"] = "wa-token"
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    cwd = Path.cwd()
    try:
        return asyncio.run(shoot_all(out))
    finally:
        os.chdir(cwd)


async def shoot_all(names: list[str], out: Path) -> list[Path]:
    """Every requested scene at its sizes; returns the files written."""
    written: list[Path] = []
    with studio() as (server, workdir):
        for name in names:
            sizes = [SMALL, LARGE] if name in LARGE_SCENES else [SMALL]
            for size in sizes:
                svg = out / f"{name}-{size[0]}x{size[1]}.svg"
                written += keep(svg, await shoot(SCENES[name], server.url, size, workdir))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument(
        "--scene",
        action="append",
        choices=sorted(SCENES),
        help="only these scenes (default: the README's)",
    )
    args = parser.parse_args(argv)
    out = args.out.resolve()
    names = args.scene or list(README_SCENES)
    written = shoot_into(out, lambda folder: shoot_all(names, folder))
    for path in written:
        print(path.relative_to(out.parent) if path.is_relative_to(out.parent) else path)
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert not found: SVGs only (apt-get install librsvg2-bin)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
