"""Remembered destinations, per profile, in the user's config directory (never the project's).

`$XDG_CONFIG_HOME/wa-token/destinations.json` (else `~/.config/…`), mode 0600, written
atomically under a lock. It holds destination names and the last push's time and result, never a
credential: GitHub credentials are read at push time. Only `wa-token push add/remove` writes the
destinations; nothing from a `.env` or a project folder can add one."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wizard.core.codes import DestinationKind, PushState
from wizard.core.errors import StoreError
from wizard.core.profiles import Profile
from wizard.core.push.destination import PushResult
from wizard.core.stores.atomic import write_bytes_atomically
from wizard.core.user_dirs import config_folder

FILE_NAME = "destinations.json"
LOCK_SUFFIX = ".lock"
LOCK_WAIT = 5.0
"""Seconds to wait for another wa-token writing the file."""
MAX_FILE_BYTES = 1024 * 1024
VERSION = 1


@dataclass(frozen=True)
class LastPush:
    """The time and result of the last push to one destination."""

    at: str
    """ISO-8601 UTC."""
    state: PushState
    detail: str


@dataclass(frozen=True)
class Remembered:
    """One remembered destination of a profile: its name and its last push, if any."""

    label: str
    last: LastPush | None = None


def config_file(environ: Mapping[str, str]) -> Path:
    """`$XDG_CONFIG_HOME/wa-token/destinations.json`, else `~/.config/wa-token/…` (absolute)."""
    return config_folder(environ) / FILE_NAME


def remembered(environ: Mapping[str, str], profile: Profile) -> tuple[Remembered, ...]:
    """The profile's remembered destinations, in the order they were added."""
    return tuple(_entry(row) for row in _rows(_read(config_file(environ)), profile))


def add(environ: Mapping[str, str], profile: Profile, label: str) -> bool:
    """Remember `label` for the profile; False when it was remembered already."""

    def change(data: dict[str, Any]) -> bool:
        rows = _rows(data, profile)
        if any(row.get("destination") == label for row in rows):
            return False
        rows.append({"destination": label})
        _set_rows(data, profile, rows)
        return True

    return _update(config_file(environ), change)


def remove(environ: Mapping[str, str], profile: Profile, label: str) -> bool:
    """Forget `label` for the profile; False when it was not remembered."""

    def change(data: dict[str, Any]) -> bool:
        rows = _rows(data, profile)
        kept = [row for row in rows if row.get("destination") != label]
        _set_rows(data, profile, kept)
        return len(kept) != len(rows)

    return _update(config_file(environ), change)


def record_pending(
    environ: Mapping[str, str], profile: Profile, labels: tuple[str, ...], at: datetime
) -> None:
    """Mark these remembered destinations as being pushed to now: a push killed half-way shows
    as `pending` in `status` until `wa-token push` finishes it."""
    record(
        environ,
        profile,
        tuple(
            PushResult(label, DestinationKind.HOOK, PushState.PENDING, "started, not finished", at)
            for label in labels
        ),
    )


def record(environ: Mapping[str, str], profile: Profile, results: tuple[PushResult, ...]) -> None:
    """Keep each remembered destination's last result (others are not remembered: skipped)."""
    by_label = {result.label: result for result in results}

    def change(data: dict[str, Any]) -> bool:
        rows = _rows(data, profile)
        for row in rows:
            result = by_label.get(row.get("destination", ""))
            if result is not None:
                row["last_push"] = {
                    "at": now_text(result.at),
                    "result": result.state.value,
                    "detail": result.detail[:500],
                }
        _set_rows(data, profile, rows)
        return True

    if by_label:
        _update(config_file(environ), change)


# -- the file ------------------------------------------------------------------------------------


def _rows(data: dict[str, Any], profile: Profile) -> list[dict[str, Any]]:
    profiles = data.get("profiles")
    rows = profiles.get(profile.name) if isinstance(profiles, dict) else None
    if not isinstance(rows, list):
        return []
    return [
        row for row in rows if isinstance(row, dict) and isinstance(row.get("destination"), str)
    ]


def _set_rows(data: dict[str, Any], profile: Profile, rows: list[dict[str, Any]]) -> None:
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        profiles = data["profiles"] = {}
    if rows:
        profiles[profile.name] = rows
    else:
        profiles.pop(profile.name, None)


def _entry(row: dict[str, Any]) -> Remembered:
    last = row.get("last_push")
    if not isinstance(last, dict):
        return Remembered(row["destination"])
    try:
        state = PushState(str(last.get("result")))
    except ValueError:
        return Remembered(row["destination"])
    return Remembered(
        row["destination"], LastPush(str(last.get("at", "")), state, str(last.get("detail", "")))
    )


def _read(path: Path) -> dict[str, Any]:
    """The file's object; {} when it does not exist. A broken file is a StoreError (exit 5),
    never silently replaced: it may hold destinations the user wants."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise _broken(path, exc.strerror or type(exc).__name__) from None
    try:
        data = json.loads(raw) if len(raw) <= MAX_FILE_BYTES else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise _broken(path, "it is not the JSON object wa-token writes")
    return data


def _update(path: Path, change: Any) -> bool:
    """Read, change and write the file atomically, under its lock (another wa-token waits)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise _broken(path, exc.strerror or type(exc).__name__) from None
    with _locked(path):
        data = _read(path)
        data["version"] = VERSION
        changed = bool(change(data))
        if changed:
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            try:
                write_bytes_atomically(path, text.encode(), new_mode=0o600)
            except OSError as exc:
                raise _broken(path, exc.strerror or type(exc).__name__) from None
        return changed


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(path.name + LOCK_SUFFIX)
    try:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise _broken(path, exc.strerror or type(exc).__name__) from None
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise _broken(path, "another wa-token kept it locked") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(descriptor)


def _broken(path: Path, why: str) -> StoreError:
    return StoreError(
        f"The remembered destinations ({path}) could not be used: {why}.",
        fix=f"Fix or remove {path} (it holds only destination names and last results), then "
        "run the command again.",
        title="The remembered destinations could not be used",
    )


def now_text(moment: datetime) -> str:
    """An ISO-8601 UTC time as the file keeps it."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
