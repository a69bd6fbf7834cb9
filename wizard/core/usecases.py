"""Deprecated: the use cases live in one module each (extend.py, refresh.py, repair.py, ...).

Kept only for `wizard/ui/steps/extend.py`, which another branch is changing: once that branch
has landed, point its import at `wizard.core.extend` and delete this file.
"""

from __future__ import annotations

from wizard.core.extend import extend

__all__ = ["extend"]
