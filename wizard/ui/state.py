"""What the wizard knows and what the user entered, owned by the app and kept across Back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.core.codes import StoreTarget

if TYPE_CHECKING:  # the stores and the check load when a step first needs them
    from wizard.core import provision
    from wizard.core.check import CheckReport
    from wizard.core.flow import Mode
    from wizard.core.settings import Settings
    from wizard.core.stores.save import SaveOutcome
    from wizard.core.stores.sources import FoundToken, SourceReading
    from wizard.core.token import SecretToken


@dataclass
class WizardState:
    """The wizard's memory; steps read and fill it, the flow decides from it."""

    settings: Settings
    environ: Mapping[str, str]
    mode: Mode | None = None
    """The journey; None until detection has chosen one (or --mode forced it)."""
    readings: list[SourceReading] = field(default_factory=list)
    """Every stored source as found at start."""
    initial: CheckReport | None = None
    """The check of the stored token found at start, if any."""
    pasted_text: str = ""
    """What the user pasted, kept so Back shows it again (masked)."""
    token: SecretToken | None = None
    """The cleaned pasted token, once it can be a token."""
    report: CheckReport | None = None
    """The check of the pasted token."""
    temporary_route: bool = False
    """The user chose to paste another 24-hour token."""
    target: StoreTarget = StoreTarget.ENV
    """Where to save: env or keyring."""
    env_file: Path = field(default_factory=lambda: Path(".env"))
    """The .env file to write when target is env."""
    saved: SaveOutcome | None = None
    """What saving did, once it happened."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    """Where "now" comes from (fixed in snapshot tests)."""
    workdir: Path = field(default_factory=Path.cwd)
    """The app's folder, for the cron line."""
    command: str = "wa-token"
    """How to call wa-token in the cron line (its full path when installed)."""
    changes: list[str] = field(default_factory=list)
    """Everything the wizard changed on disk or in the keyring, for the quit summary."""
    saved_report: CheckReport | None = None
    """The check of the token where it was saved (local warnings looked at again)."""
    recipient: str = ""
    """What was typed as the send-test recipient, kept across Back."""
    sender_id: str | None = None
    """The send-test sender chosen, kept across Back."""
    extended: bool = False
    """Extend replaced the stored token with a ~60-day one (the quit summary says so)."""

    @property
    def stored(self) -> FoundToken | None:
        """The stored token found at start."""
        return self.initial.found if self.initial else None

    def aim_at_stored_place(self) -> None:
        """Replace in place: save where the old token was (the env var cannot be written)."""
        from wizard.core.stores.registry import store_holding

        found = self.stored
        store = store_holding(found.source) if found is not None else None
        if found is None or store is None:
            return
        self.target = store.target
        if store.in_chosen_file:
            self.env_file = Path(found.location)

    def record_at_meta(self, outcome: provision.Outcome) -> None:
        """What "Do it for me" changed at Meta (it stays there, even when a later step failed)."""
        from wizard.core.provision import StepState
        from wizard.core.untrusted import terminal_safe

        self.changes.extend(
            terminal_safe(f"Changed at Meta: {result.step.words}.")
            for result in outcome.results
            if result.step.kind.changes_meta and result.state is StepState.DONE
        )

    def forget_paste(self) -> None:
        """Drop the pasted token and its check (a new route starts)."""
        self.pasted_text, self.token, self.report = "", None, None
