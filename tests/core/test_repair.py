"""The security fixes: .gitignore lines, file modes, the keyring move and the history search."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.core.memory_keyring import MemoryKeyring
from tests.support.files import git
from wizard.core import repair
from wizard.core.errors import KeyringLocked, StoreError
from wizard.core.profiles import DEFAULT, Profile
from wizard.core.token import SecretToken

TOKEN = SecretToken("EAAFake0Sentinel0Repair0Token00000000000000000000rep1")
OTHER = SecretToken("EAAFake0Sentinel0Repair0Other00000000000000000000rep2")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    return root


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A", "-f")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize(
    ("relative", "pattern"),
    [
        (".env", "/.env"),
        ("config/app.env", "/config/app.env"),
        ("a*b?.env", "/a\\*b\\?.env"),
        ("[x].env", "/\\[x].env"),
        ("back\\slash", "/back\\\\slash"),
        ("#x", "/#x"),
        ("!x", "/!x"),
        ("trailing ", "/trailing\\ "),
    ],
)
def test_gitignore_pattern(relative: str, pattern: str) -> None:
    assert repair.gitignore_pattern(relative) == pattern


def test_gitignore_is_created_at_the_top_of_the_work_tree(repo: Path) -> None:
    (repo / "deploy").mkdir()
    env_file = repo / "deploy" / "prod.env"
    env_file.write_text("X=1\n")
    done = repair.ignore_in_git(env_file)
    assert done.changed and done.notes == ()
    rules = b"/deploy/prod.env\n/deploy/prod.env.tmp-*\n"
    assert (repo / ".gitignore").read_bytes() == rules
    assert (repo / ".gitignore").stat().st_mode & 0o777 == 0o644 & ~current_umask()
    assert not repair.ignore_in_git(env_file).changed
    assert (repo / ".gitignore").read_bytes() == rules


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"a\nb", b"a\nb\n/.env\n/.env.tmp-*\n"),
        (b"a\r\n", b"a\r\n/.env\r\n/.env.tmp-*\r\n"),
        (b"", b"/.env\n/.env.tmp-*\n"),
        (b"\xef\xbb\xbf# bom\n\xff raw\n", b"\xef\xbb\xbf# bom\n\xff raw\n/.env\n/.env.tmp-*\n"),
    ],
)
def test_gitignore_keeps_every_other_byte(repo: Path, before: bytes, after: bytes) -> None:
    (repo / ".gitignore").write_bytes(before)
    (repo / ".gitignore").chmod(0o664)
    assert repair.ignore_in_git(repo / ".env").changed
    assert (repo / ".gitignore").read_bytes() == after
    assert (repo / ".gitignore").stat().st_mode & 0o777 == 0o664


def test_gitignore_through_a_symlinked_folder(repo: Path, tmp_path: Path) -> None:
    (repo / "conf").mkdir()
    link = tmp_path / "link"
    link.symlink_to(repo / "conf")
    assert repair.ignore_in_git(link / "app.env").changed
    assert (repo / ".gitignore").read_text() == "/conf/app.env\n/conf/app.env.tmp-*\n"


def test_gitignore_says_when_a_rule_re_includes_the_file(repo: Path) -> None:
    (repo / "sub").mkdir()
    (repo / "sub" / ".gitignore").write_text("!.env\n")
    done = repair.ignore_in_git(repo / "sub" / ".env")
    assert done.changed and "re-includes" in done.notes[0]


def test_gitignore_notes_a_tracked_file(repo: Path) -> None:
    (repo / ".env").write_text("X=1\n")
    commit_all(repo, "env")
    done = repair.ignore_in_git(repo / ".env")
    assert any("fix tracked" in note for note in done.notes)


def test_gitignore_outside_git(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    done = repair.ignore_in_git(folder / ".env")
    assert not done.changed and not (folder / ".gitignore").exists()


def test_restrict_permissions(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    assert not repair.restrict_permissions(env_file).changed
    env_file.write_text("X=1\n")
    env_file.chmod(0o664)
    done = repair.restrict_permissions(env_file)
    assert done.changed and "664 → 600" in done.summary
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert not repair.restrict_permissions(env_file).changed


def test_move_to_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = MemoryKeyring(monkeypatch)
    memory.values["WHATSAPP_CLOUD_API_TOKEN_SHOP"] = OTHER.reveal()
    env_file = tmp_path / ".env"
    env_file.write_text(f"A=1\nWHATSAPP_CLOUD_API_TOKEN_SHOP={TOKEN.reveal()}\n# end\n")
    done = repair.move_to_keyring(env_file, Profile("shop"))
    assert done.changed and TOKEN.masked in done.summary and "replaced" in done.notes[0]
    assert env_file.read_text() == "A=1\n# end\n"
    assert memory.values == {
        "WHATSAPP_CLOUD_API_TOKEN_SHOP": TOKEN.reveal(),
        "wa-token-profiles": "shop",
    }
    assert not repair.move_to_keyring(env_file, Profile("shop")).changed


@pytest.mark.parametrize("failure", ["error", "lost"])
def test_a_failed_move_leaves_dotenv_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    memory = MemoryKeyring(monkeypatch)
    if failure == "error":
        memory.error = KeyringLocked("locked")
    else:
        memory.lose_writes = True
    env_file = tmp_path / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKEN.reveal()}\n")
    before = env_file.read_bytes()
    with pytest.raises(StoreError):
        repair.move_to_keyring(env_file, DEFAULT)
    assert env_file.read_bytes() == before


def test_history_search_finds_every_commit_newest_first(repo: Path) -> None:
    env_file = repo / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKEN.reveal()}\n")
    first = commit_all(repo, "one")
    (repo / "notes.txt").write_text(f"pasted {TOKEN.reveal()} here\n")
    second = commit_all(repo, "two")
    env_file.write_text("WHATSAPP_CLOUD_API_TOKEN=rotated\n")
    (repo / "notes.txt").unlink()
    commit_all(repo, "three")
    scan = repair.scan_history(env_file, TOKEN)
    assert scan.root == repo.resolve() and scan.tracked and scan.complete
    assert scan.commits == (second, first) and scan.leaked and not scan.in_index
    assert {(h.commit, h.path) for h in scan.hits} == {
        (first, ".env"),
        (second, ".env"),
        (second, "notes.txt"),
    }
    assert repair.scan_history(env_file, OTHER).hits == ()


def test_history_search_sees_a_staged_token_and_stops_at_its_bounds(repo: Path) -> None:
    (repo / "a").write_text("1\n")
    commit_all(repo, "one")
    (repo / "a").write_text("2\n")
    commit_all(repo, "two")
    (repo / ".env").write_text(f"T={TOKEN.reveal()}\n")
    git(repo, "add", "-f", ".env")
    scan = repair.scan_history(repo / ".env", TOKEN, max_revisions=1)
    assert scan.in_index and scan.leaked and scan.hits == ()
    assert not scan.complete and "newest 1 of 2" in scan.failed
    assert repair.scan_history(repo / ".env", TOKEN, seconds=0).failed


def test_history_search_without_token_or_git(repo: Path, tmp_path: Path) -> None:
    scan = repair.scan_history(repo / ".env", None)
    assert scan.root is not None and not scan.tracked and scan.hits == ()
    assert repair.scan_history(tmp_path / "x.env", TOKEN).root is None


def test_untrack_steps(repo: Path) -> None:
    (repo / "my app.env").write_text("X=1\n")
    commit_all(repo, "env")
    scan = repair.scan_history(repo / "my app.env", None)
    steps = repair.untrack_steps(Path("my app.env"), scan, "wa-token fix gitignore")
    assert steps[0].startswith("git rm --cached -- 'my app.env'")
    assert steps[1].startswith("wa-token fix gitignore") and "git commit" in steps[2]
    assert repair.untrack_steps(Path(".env"), repair.HistoryScan(repo), "x") == ()


def test_a_hard_linked_env_is_refused_before_the_keyring_gets_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, the keyring got the token and then the .env removal split the hard link."""
    memory = MemoryKeyring(monkeypatch)
    env_file = tmp_path / ".env"
    env_file.write_text(f"WHATSAPP_CLOUD_API_TOKEN={TOKEN.reveal()}\n")
    os.link(env_file, tmp_path / "other-name.env")
    before = env_file.read_bytes()
    with pytest.raises(StoreError, match="hard links"):
        repair.move_to_keyring(env_file, DEFAULT)
    assert env_file.read_bytes() == before and env_file.stat().st_nlink == 2
    assert memory.values == {}
    assert sorted(p.name for p in tmp_path.iterdir() if "env" in p.name) == [
        ".env",
        "other-name.env",
    ]
