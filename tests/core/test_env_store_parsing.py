"""env_store reads and rewrites a .env as python-dotenv reads it, keeps every byte, skips its import."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import dotenv
import dotenv.parser
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.core.test_env_parse import GRAMMAR, RAW
from wizard.core.stores.env_store import (
    TOKEN_KEY,
    env_values,
    read_env_file,
    read_env_token,
    set_env_value,
    unset_env_value,
    write_env_token,
)

K = TOKEN_KEY
BOM = "\ufeff"
CI = bool(os.environ.get("CI"))
TEXTS = settings(
    max_examples=100 if CI else 300,
    deadline=None,
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow],
)
_KEYED = st.tuples(GRAMMAR, st.sampled_from(["", f"{K}=old\n", f"export {K}='old' # c\r\n"])).map(
    lambda t: t[0] + t[1]
)
"""Texts in every shape, some holding the token."""
FILE_TEXT = _KEYED | RAW.filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text))
"""What a file can hold: a UTF-8 file never decodes to a lone surrogate."""


def oracle_values(text: str) -> dict[str, str | None]:
    """What env_store read with python-dotenv: one BOM off, then dotenv_values drops another."""
    return dict(dotenv.dotenv_values(stream=io.StringIO(text.removeprefix(BOM)), interpolate=False))


@TEXTS
@given(text=FILE_TEXT)
@example(f"{BOM}{BOM}A=1\n{K}=old\n")
def test_read_env_file_is_python_dotenvs_reading(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".env"
        path.write_bytes(text.encode())
        read = read_env_file(path)
        token = read_env_token(path)
    expected = {key: value for key, value in oracle_values(text).items() if value is not None}
    assert read == expected
    assert token == (expected.get(K) or None)


@TEXTS
@given(text=_KEYED | RAW)
def test_env_values_are_python_dotenvs_values_in_order(text: str) -> None:
    bindings = dotenv.parser.parse_stream(io.StringIO(text.removeprefix(BOM)))
    assert env_values(text, K) == [binding.value for binding in bindings if binding.key == K]


@TEXTS
@given(text=_KEYED | RAW, token=st.sampled_from(["new", "EAAG.x-y_z|w~+/="]))
@example(text=f"{BOM}{BOM}{K}=old\n", token="new")
def test_setting_the_token_changes_only_its_statements(text: str, token: str) -> None:
    """Read back as python-dotenv reads it: the token, and every other value as it was; and a
    key that is not there changes nothing at all, whatever the text (two BOMs included)."""
    after = set_env_value(text, K, token)
    values = oracle_values(after)
    assert values.pop(K) == token
    before = oracle_values(text)
    before.pop(K, None)
    assert values == before
    assert unset_env_value(text, "NOT_THERE") == text


@TEXTS
@given(text=_KEYED | RAW)
def test_removing_the_token_changes_only_its_statements(text: str) -> None:
    after = unset_env_value(text, K)
    before = oracle_values(text)
    before.pop(K, None)
    assert oracle_values(after) == before


@pytest.mark.parametrize("boms", [1, 2, 3])
def test_every_bom_is_kept_when_the_token_is_saved(tmp_path: Path, boms: int) -> None:
    """python-dotenv's parser drops a BOM of its own after the one env_store splits off: a
    second BOM used to vanish from the file on save."""
    path = tmp_path / ".env"
    path.write_bytes((BOM * boms + f"A=1\n{K}=old\r\n# end").encode())

    write_env_token(path, "new")

    text = path.read_bytes().decode()
    assert text.startswith(BOM * boms + "A=1\n") and text.endswith("\r\n# end")
    assert read_env_token(path) == "new"
    assert read_env_file(path) == {
        key: value for key, value in oracle_values(text).items() if value is not None
    }


def test_reading_and_saving_a_typical_env_do_not_import_python_dotenv(tmp_path: Path) -> None:
    """Only a statement the one-pattern way cannot read (a multi-line value, a broken line)
    goes to python-dotenv's own parser, and a typical .env has none."""
    path = tmp_path / ".env"
    path.write_text(
        f"# app\nexport A='1'\nB=\"two\\n\" # c\n\n  C = spaced  \n'D'=x\nBARE\n{K}=old\n",
        encoding="utf-8",
    )
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from wizard.core.stores import env_store\n"
        f"path = Path({str(path)!r})\n"
        "assert env_store.read_env_token(path) == 'old'\n"
        "env_store.write_env_token(path, 'new')\n"
        "env_store.remove_env_token(path)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'dotenv'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert (done.stdout, done.stderr) == ("[]\n", "")
