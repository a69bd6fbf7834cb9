"""The token variable of the process environment: the highest stored source, read only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from wizard.core.codes import Source
from wizard.core.profiles import profiles_in
from wizard.core.stores.base import SourceReading
from wizard.core.token import SecretToken


class EnvironmentSource:
    """WHATSAPP_CLOUD_API_TOKEN (or a profile's variable) in the environment wa-token runs in."""

    source = Source.ENVIRONMENT
    short_name = "environment"

    def read(self, environ: Mapping[str, str], env_file: Path, key: str) -> SourceReading:
        """The variable; empty counts as unset."""
        value = environ.get(key) or None
        return SourceReading(Source.ENVIRONMENT, key, SecretToken(value) if value else None)

    def describe(self, location: str) -> str:
        """The variable in words: the NAME environment variable."""
        return f"the {location} environment variable"

    def profile_names(
        self, environ: Mapping[str, str], env_file: Path, readings: Sequence[SourceReading]
    ) -> tuple[str, ...]:
        """The profiles whose variable is set and not empty."""
        return profiles_in(name for name, value in environ.items() if value)


ENVIRONMENT = EnvironmentSource()
