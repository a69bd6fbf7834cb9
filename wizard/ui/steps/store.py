"""Choose where to save (.env or the OS keyring), then save, asking before overwriting."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from wizard.core.codes import StoreTarget
from wizard.core.errors import StoreError
from wizard.core.flow import Mode
from wizard.core.stores import registry
from wizard.core.token import SecretToken
from wizard.ui.modals import ConfirmModal
from wizard.ui.navigation import NEXT
from wizard.ui.safe import literal as escape
from wizard.ui.steps.base import StepScreen
from wizard.ui.widgets.text import error_markup

if TYPE_CHECKING:
    from wizard.core.stores.outcome import Reach
    from wizard.core.stores.protocol import TokenStore


def choice_label(store: TokenStore) -> str:
    """The store's name, its key, and the arrow that reaches it: ".env file (e or ↑)"."""
    arrow = (
        " or ↑" if store is registry.STORES[0] else " or ↓" if store is registry.STORES[-1] else ""
    )
    return f"{store.label} ({store.letter}{arrow})"


def choice_bindings() -> list[BindingType]:
    """A letter for each store; ↑ and ↓ move through them from the path field."""
    return [
        *(
            Binding(
                store.letter, f"choose('{store.target}')", store.footer, id=f"choose-{store.target}"
            )
            for store in registry.STORES
        ),
        Binding("up", "choose_beside(-1)", "Previous", id="choose-up", show=False),
        Binding("down", "choose_beside(1)", "Next", id="choose-down", show=False),
    ]


class StoreStep(StepScreen):
    """Where to keep the token; saving happens here, in a worker."""

    title_text = "Save it"
    next_label = "Save"

    BINDINGS: ClassVar[list[BindingType]] = choice_bindings()
    """e and k, or ↑ and ↓ from the path field, where e and k are letters of the path."""

    def compose_body(self) -> ComposeResult:
        with RadioSet(id="store-choice", compact=True):
            for store in registry.STORES:
                yield RadioButton(
                    choice_label(store),
                    value=self.state.target == store.target,
                    id=f"store-{store.target}",
                )
        yield Static("File to write (Enter saves):", id="env-path-label")
        yield Input(str(self.state.env_file), id="env-path", placeholder=".env", compact=True)
        yield Static(id="store-help", classes="help")
        for store in self._probed():
            yield Static(f"[dim]{escape(store.probing)}[/dim]", id=f"{store.target}-status")
        yield Static(id="save-status")

    @property
    def store(self) -> TokenStore:
        """The store chosen."""
        return registry.store_for(self.state.target)

    @staticmethod
    def _probed() -> tuple[TokenStore, ...]:
        """The stores whose reachability takes asking (the keyring: it may be locked or hung)."""
        return tuple(store for store in registry.STORES if store.probing)

    def setup(self) -> None:
        super().setup()
        self._show_choice()
        self._focus_the_path()
        self.probe_stores()

    def _focus_the_path(self) -> None:
        """Saving to a file: the focus is in its path, so typing edits it (e and k are letters;
        ↑ and ↓ choose there); saving elsewhere (the keyring): on Save."""
        if not self.store.in_chosen_file:
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

    def action_choose_beside(self, step: int) -> None:
        """↑ or ↓: the next store up or down that can be chosen (the first and last stay put)."""
        stores = registry.STORES
        index = stores.index(self.store) + step
        while 0 <= index < len(stores):
            if not self.query_one(f"#store-{stores[index].target}", RadioButton).disabled:
                self.action_choose(stores[index].target)
                return
            index += step

    def _show_choice(self) -> None:
        in_file = self.store.in_chosen_file
        self.query_one("#env-path", Input).display = in_file
        self.query_one("#env-path-label", Static).display = in_file
        self.query_one("#store-help", Static).update(self.store.help(self.state.settings.profile))

    @work(thread=True, group="keyring")
    def probe_stores(self) -> None:
        """Whether each store that needs asking works here (bounded: a keyring may hang)."""
        for store in self._probed():
            reach = store.reach(self.state.env_file)
            self.app.call_from_thread(self._show_reach, store, reach)

    def _show_reach(self, store: TokenStore, reach: Reach) -> None:
        button = self.query_one(f"#store-{store.target}", RadioButton)
        status = self.query_one(f"#{store.target}-status", Static)
        if reach.usable:
            status.update(
                f"[$success]✓ {escape(reach.said)}[/] [dim]({escape(reach.detail)})[/dim]"
            )
            return
        button.disabled = True
        instead = self._instead(store)
        status.update(
            f"[$warning]! {escape(reach.said)}:[/] {escape(reach.detail)}. "
            f"Use the {escape(instead.label)} instead."
        )
        if self.state.target == store.target:
            self.query_one(f"#store-{instead.target}", RadioButton).value = True

    def _instead(self, store: TokenStore) -> TokenStore:
        """What to offer when `store` cannot be used: the chosen file (it can always be named)."""
        others = [other for other in registry.STORES if other is not store]
        return next((other for other in others if other.in_chosen_file), others[0])

    @on(RadioSet.Changed, "#store-choice")
    def _chosen(self, event: RadioSet.Changed) -> None:
        self.state.target = StoreTarget((event.pressed.id or "").removeprefix("store-"))
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

    @work(exclusive=True, group="save")
    async def save(self) -> None:
        """Ask before replacing a different token, then write in a thread; stay on failure."""
        token, store, path = self.state.token, self.store, self.state.env_file
        assert token is not None
        status = self.query_one("#save-status", Static)
        self.allow_next(False)
        status.update("[dim]Saving…[/dim]")
        try:
            profile = self.state.settings.profile
            existing = await asyncio.to_thread(store.stored, path, profile.token_key)
            if existing is not None and existing != token:
                where = store.named(path)
                chosen = self._replacing_chosen(existing)
                replace = await self.app.push_screen_wait(
                    ConfirmModal(
                        "Replace the token already stored?",
                        f"{escape(where)} already holds a different token "
                        f"({escape(existing.masked)}). Replace it with {escape(token.masked)}? "
                        "The old one is not revoked at Meta.",
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
            self.state.saved = await asyncio.to_thread(store.write, token, path, profile)
        except StoreError as err:
            self._failed(err, store)
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

    def _failed(self, err: StoreError, store: TokenStore) -> None:
        offer = (
            ""
            if store.in_chosen_file
            else f" You can save to the {self._instead(store).label} instead."
        )
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
