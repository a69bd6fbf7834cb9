"""Drive the real wizard against the fake Graph server and write the README's screenshots.

    python -m wizard.testing.screenshots [--out screenshots] [--scene NAME ...]

Each scene runs at 80×24 and the main ones also at 120×36; SVGs come from Textual, PNGs from
`rsvg-convert` (Debian: librsvg2-bin). The keyring is switched off so nothing real is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from wizard.core.settings import load_settings
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, FakeGraphServer
from wizard.testing.scenes import SCENES, Scene

FIXED_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SMALL, LARGE = (80, 24), (120, 36)
README_SCENES = ("why", "create", "generate", "paste_valid", "check_ok",
                 "check_missing_permission", "store", "overwrite", "done", "expired",
                 "troubleshoot", "menu", "send_test_confirm", "send_test_sent", "extended")
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
    app = make_app(load_settings(environ, timeout=3), environ, mode=scene.mode, open_links=False,
                   clock=lambda: FIXED_NOW, workdir=Path("/srv/my-app"), command="wa-token")
    async with app.run_test(size=size) as pilot:
        await scene.script(pilot)
        return app.export_screenshot(title="wa-token")


def to_png(svg: Path) -> Path | None:
    """The PNG beside the SVG, or None when rsvg-convert is not installed."""
    if shutil.which("rsvg-convert") is None:
        return None
    png = svg.with_suffix(".png")
    subprocess.run(["rsvg-convert", "-w", str(svg_width(svg)), str(svg), "-o", str(png)],
                   check=True)
    return png


def svg_width(svg: Path) -> int:
    """Twice the SVG's own width, for a sharp picture."""
    text = svg.read_text()
    marker = 'viewBox="0 0 '
    start = text.index(marker) + len(marker)
    return int(float(text[start:].split()[0]) * 1.25)


async def shoot_all(names: list[str], out: Path) -> list[Path]:
    """Every requested scene at its sizes; returns the files written."""
    written: list[Path] = []
    with FakeGraphServer(clock=FIXED_NOW.timestamp, trace_id="AFixedTraceId") as server, \
            tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        os.chdir(workdir)
        for name in names:
            sizes = [SMALL, LARGE] if name in LARGE_SCENES else [SMALL]
            for size in sizes:
                svg = out / f"{name}-{size[0]}x{size[1]}.svg"
                svg.write_text(await shoot(SCENES[name], server.url, size, workdir))
                written.append(svg)
                png = to_png(svg)
                if png is not None:
                    written.append(png)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--scene", action="append", choices=sorted(SCENES),
                        help="only these scenes (default: the README's)")
    args = parser.parse_args(argv)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ["WA_TOKEN_KEYRING_SERVICE"] = "wa-token"
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    cwd = Path.cwd()
    try:
        written = asyncio.run(shoot_all(args.scene or list(README_SCENES), out))
    finally:
        os.chdir(cwd)
    for path in written:
        print(path.relative_to(out.parent) if path.is_relative_to(out.parent) else path)
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert not found: SVGs only (apt-get install librsvg2-bin)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
