"""A package's names loaded from its submodules on first use (PEP 562): importing it costs nothing."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Collection, Sequence
from typing import Any


def lazy_names(
    package: str, submodules: Sequence[str], names: Collection[str]
) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: a name of `names` comes from the first of
    `submodules` (cheapest first) that defines it, loaded then and kept in the package."""

    def load(name: str) -> Any:
        if name in names:
            for submodule in submodules:
                module = importlib.import_module(f"{package}.{submodule}")
                if name in vars(module):
                    value = vars(module)[name]
                    setattr(sys.modules[package], name, value)
                    return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return load
