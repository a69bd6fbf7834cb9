"""Choose where to save (.env or the OS keyring), then save, asking before overwriting."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from wizard.core.codes import StoreTarget
from wizard.core.errors import KeyringError, StoreError
from wizard.core.flow import Mode
from wizard.core.profiles import Profile
from wizard.core.stores import keyring_store
from wizard.core.stores.keyring_backend import backend_label
from wizard.core.stores.save import store_token, stored_token, token_command
from wizard.core.token import SecretToken
from wizard.ui.modals import ConfirmModal
from wizard.ui.navigation import NEXT
from wizard.ui.safe import literal as escape
from wizard.ui.steps.base import StepScreen
from wizard.ui.widgets.text import error_markup


def env_help(key: str) -> str:
    """What saving to a .env file does, naming the profile's variable."""
    return (
        f"Adds or replaces the {key} line and leaves every other line as it is; a new file "
        "is readable by you only (0600). Your backend reads it as before. Keep it out of git."
    )


def keyring_help(profile: Profile) -> str:
    """What saving to the keyring does, and how the server reads this profile's token back."""
    return (
        "Encrypted by your OS (Keychain, Credential Locker, Secret Service), never in a plain "
        f'file. Your server reads it with: export {profile.token_key}="$('
        f'{token_command(profile)})"'
    )


class StoreStep(StepScreen):
    """Where to keep the token; saving happens here, in a worker."""

    title_text = "Save it"
    next_label = "Save"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "choose('env')", ".env file", id="choose-env"),
        Binding("k", "choose('keyring')", "Keyring", id="choose-keyring"),
        Binding("up", "choose('env')", ".env file", id="choose-env-up", show=False),
        Binding("down", "choose('keyring')", "Keyring", id="choose-keyring-down", show=False),
    ]
    """e and k, or ↑ and ↓ from the path field, where e and k are letters of the path."""

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="store-choice", compact=True):
            yield RadioButton(
                ".env file (e or ↑)", value=self.state.target == StoreTarget.ENV, id="store-env"
            )
            yield RadioButton(
                "OS keyring (k or ↓)",
                value=self.state.target == StoreTarget.KEYRING,
                id="store-keyring",
            )
        yield Static("File to write (Enter saves):", id="env-path-label")
        yield Input(str(self.state.env_file), id="env-path", placeholder=".env", compact=True)
        yield Static(id="store-help", classes="help")
        yield Static("[dim]Looking for an OS keyring…[/dim]", id="keyring-status")
        yield Static(id="save-status")

    def setup(self) -> None:
        super().setup()
        self._show_choice()
        self._focus_the_path()
        self.probe_keyring()

    def _focus_the_path(self) -> None:
        """Saving to a file: the focus is in its path, so typing edits it (e and k are letters;
        ↑ and ↓ choose there); saving to the keyring: on Save."""
        if self.state.target != StoreTarget.ENV:
            self.query_one("#next", Button).focus()
            return
        field = self.query_one("#env-path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def action_choose(self, target: str) -> None:
        """e or k."""
        button = self.query_one(f"#store-{target}", RadioButton)
        if not button.disabled:
            button.value = True

    def _show_choice(self) -> None:
        env = self.state.target == StoreTarget.ENV
        self.query_one("#env-path", Input).display = env
        self.query_one("#env-path-label", Static).display = env
        profile = self.state.settings.profile
        self.query_one("#store-help", Static).update(
            env_help(profile.token_key) if env else keyring_help(profile)
        )

    @work(thread=True, exit_on_error=False, group="keyring")
    def probe_keyring(self) -> None:
        """Whether a keyring works here (bounded: it may be locked or hung)."""
        status = keyring_store.keyring_status()
        self.app.call_from_thread(
            self._show_keyring, status.available, status.reason, status.backend
        )

    def _show_keyring(self, available: bool, reason: str, backend: str) -> None:
        button = self.query_one("#store-keyring", RadioButton)
        status = self.query_one("#keyring-status", Static)
        if available:
            status.update(
                f"[$success]✓ A keyring works here[/] [dim]({escape(backend_label(backend))})[/dim]"
            )
            return
        button.disabled = True
        status.update(
            f"[$warning]! No usable OS keyring:[/] {reason or 'none found'}. "
            "Use the .env file instead."
        )
        if self.state.target == StoreTarget.KEYRING:
            self.query_one("#store-env", RadioButton).value = True

    @on(RadioSet.Changed, "#store-choice")
    def _chosen(self, event: RadioSet.Changed) -> None:
        self.state.target = (
            StoreTarget.KEYRING if event.pressed.id == "store-keyring" else StoreTarget.ENV
        )
        self._show_choice()
        if not event.radio_set.has_focus_within:  # e or k: on to the path (arrows stay put)
            self._focus_the_path()

    @on(Input.Changed, "#env-path")
    def _path(self, event: Input.Changed) -> None:
        self.state.env_file = Path(event.value.strip() or ".env")

    @on(Input.Submitted, "#env-path")
    async def _path_submitted(self) -> None:
        await self.action_next()

    async def go_next(self) -> None:
        self.save()

    @work(exclusive=True, exit_on_error=False, group="save")
    async def save(self) -> None:
        """Ask before replacing a different token, then write in a thread; stay on failure."""
        token, target, path = self.state.token, self.state.target, self.state.env_file
        assert token is not None
        status = self.query_one("#save-status", Static)
        self.allow_next(False)
        status.update("[dim]Saving…[/dim]")
        try:
            profile = self.state.settings.profile
            existing = await asyncio.to_thread(stored_token, StoreTarget(target), path, profile)
            if existing is not None and existing != token:
                where = "the OS keyring" if target == StoreTarget.KEYRING else str(path)
                chosen = self._replacing_chosen(existing)
                replace = await self.app.push_screen_wait(
                    ConfirmModal(
                        "Replace the token already stored?",
                        f"{where} already holds a different token ({existing.masked}). Replace it "
                        f"with {token.masked}? The old one is not revoked at Meta.",
                        yes="Replace",
                        no="Keep the old one",
                        default_yes=chosen,
                    )
                )
                if not replace:
                    status.update(
                        "[$warning]Not saved:[/] the old token was kept. Choose "
                        "another place, or go back."
                    )
                    self.allow_next(True)
                    return
            self.state.saved = await asyncio.to_thread(
                store_token, StoreTarget(target), token, path, profile
            )
        except StoreError as err:
            self._failed(err)
            return
        self.dismiss(NEXT)

    def _replacing_chosen(self, existing: SecretToken) -> bool:
        """The user chose to replace this stored token (expired journey), unless it still works."""
        initial = self.state.initial
        return bool(
            self.state.mode is Mode.EXPIRED
            and initial is not None
            and not initial.ok
            and initial.found is not None
            and initial.found.token == existing
        )

    def _failed(self, err: StoreError) -> None:
        offer = " You can save to the .env file instead." if isinstance(err, KeyringError) else ""
        self.query_one("#save-status", Static).update(
            error_markup(
                err.title,
                err.fix,
                message=err.message,
                fix_suffix=offer,
                outcome="Nothing was written.",
            )
        )
        self.allow_next(True)
