"""Where wa-token keeps its own files: the user's config folder, never the project's."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_FOLDER = "wa-token"


def config_folder(environ: Mapping[str, str]) -> Path:
    """`$XDG_CONFIG_HOME/wa-token`, else `~/.config/wa-token` (a relative value is ignored)."""
    base = environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else _home(environ) / ".config"
    return root / APP_FOLDER


def _home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME", "")
    return Path(home) if home and os.path.isabs(home) else Path.home()
