"""Project files and git repositories for tests: a private .env, a repo with an author."""

from __future__ import annotations

import subprocess
from pathlib import Path

ENV_AROUND = "export PORT=8080\n{key}={token}\n# end\n"
"""A .env whose other lines must survive every write."""


def write_env(
    folder: Path,
    token: str,
    *,
    name: str = ".env",
    key: str = "WHATSAPP_CLOUD_API_TOKEN",
    around: bool = False,
) -> Path:
    """`folder/name` holding `key=token` (with other lines when `around`), readable by you only."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ENV_AROUND.format(key=key, token=token) if around else f"{key}={token}\n")
    path.chmod(0o600)
    return path


def write_text_env(folder: Path, text: str, name: str = ".env") -> Path:
    """`folder/name` holding exactly `text`, readable by you only."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd`; its stdout (a failure raises)."""
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def new_repo(folder: Path) -> None:
    """An empty git repository with an author, so commits work on any machine."""
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "dev@example.com")
    git(folder, "config", "user.name", "Dev")
