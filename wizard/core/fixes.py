"""The one fix table: what fixes each problem and warning code, read by the CLI and the wizard."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from wizard.core.codes import ProblemCode, WarningCode


class FixKind(StrEnum):
    """Who carries out a fix, and where it changes something."""

    LOCAL = "local"
    """A `wa-token fix` command changes this machine; the wizard offers it as a button."""
    GRAPH = "graph"
    """A wa-token command changes something at Meta (after a yes)."""
    COMMAND = "command"
    """Another wa-token command does it (save, refresh, setup, check)."""
    BY_HAND = "by_hand"
    """The finding's own fix says what to do: at Meta, in a setting, or wait and retry."""


class FixEntry(NamedTuple):
    """One code's fix: its kind, one line saying what fixes it, and the command that does."""

    code: ProblemCode | WarningCode
    kind: FixKind
    summary: str
    """What fixes it, in one line (the help of `wa-token fix NAME`, after the code)."""
    command: str | None = None
    """The wa-token words that fix it (`fix gitignore`, `fix webhooks`, `register`), if any."""
    button: str | None = None
    """The wizard's button for a fix it runs itself (LOCAL fixes only)."""

    @property
    def fix_name(self) -> str | None:
        """NAME in `wa-token fix NAME`, when this fix is one of them."""
        words = (self.command or "").split()
        return words[1] if len(words) > 1 and words[0] == "fix" else None


P, W = ProblemCode, WarningCode
_LOCAL, _GRAPH, _COMMAND, _HAND = FixKind.LOCAL, FixKind.GRAPH, FixKind.COMMAND, FixKind.BY_HAND

FIXES: tuple[FixEntry, ...] = (
    # `wa-token fix NAME`, in the order its help lists them
    FixEntry(
        W.ENV_NOT_GITIGNORED,
        _LOCAL,
        "add the .env file to its work tree's .gitignore",
        "fix gitignore",
        "Add it to .gitignore",
    ),
    FixEntry(
        W.ENV_WORLD_READABLE,
        _LOCAL,
        "make the .env file readable by you only (600)",
        "fix permissions",
        "Make it private (chmod 600)",
    ),
    FixEntry(
        W.PLAINTEXT_STORAGE,
        _LOCAL,
        "move the token from .env into the OS keyring",
        "fix keyring",
        "Move the token into the OS keyring",
    ),
    FixEntry(
        W.ENV_TRACKED_BY_GIT,
        _LOCAL,
        "how to untrack it, and where the token is in history",
        "fix tracked",
        "Show how to untrack it, and search the history for the token",
    ),
    FixEntry(
        W.APP_NOT_SUBSCRIBED,
        _GRAPH,
        "subscribe the token's app to every account's webhooks",
        "fix webhooks",
    ),
    # changed at Meta by another command
    FixEntry(
        W.NUMBER_UNREGISTERED,
        _GRAPH,
        "register the number for the Cloud API with its two-step verification PIN",
        "register",
    ),
    # the token itself
    FixEntry(P.TOKEN_MISSING, _COMMAND, "store a checked token", "save"),
    FixEntry(P.TOKEN_MALFORMED, _COMMAND, "copy the whole token again and save it", "save"),
    FixEntry(P.TOKEN_INVALID, _COMMAND, "copy or generate the token again and save it", "save"),
    FixEntry(P.TOKEN_EXPIRED, _COMMAND, "make a System User token and save it", "setup"),
    FixEntry(P.TOKEN_REVOKED, _COMMAND, "generate a new System User token and save it", "setup"),
    FixEntry(P.WRONG_TOKEN_TYPE, _COMMAND, "generate a System User token", "setup"),
    FixEntry(P.MISSING_PERMISSION, _HAND, "generate a new token with both WhatsApp permissions"),
    FixEntry(P.NO_WHATSAPP_ACCOUNT, _HAND, "assign the WhatsApp account, then a new token"),
    FixEntry(P.ACCOUNTS_NOT_LISTABLE, _HAND, "set WHATSAPP_BUSINESS_ACCOUNT_ID"),
    FixEntry(P.NO_PHONE_NUMBER, _HAND, "add a phone number in WhatsApp Manager"),
    FixEntry(P.NO_SENDING_NUMBER, _HAND, "fix the number as its warning or Meta's verdict says"),
    FixEntry(P.WRONG_APP, _HAND, "generate the token for that app, or set the token's app"),
    FixEntry(P.APP_TOKEN_REQUIRED, _HAND, "set WHATSAPP_APP_ID and WHATSAPP_APP_SECRET"),
    FixEntry(P.WRONG_APP_SECRET, _HAND, "set WHATSAPP_APP_SECRET to the app's secret"),
    FixEntry(P.GRAPH_UNREACHABLE, _HAND, "check the connection, proxy and --graph-url"),
    FixEntry(P.GRAPH_ERROR, _HAND, "try again in a minute"),
    FixEntry(P.RATE_LIMITED, _HAND, "wait as long as Graph says"),
    # send-test
    FixEntry(P.RECIPIENT_NOT_ALLOWED, _HAND, "add the recipient to the test number's list"),
    FixEntry(P.TEMPLATE_MISSING, _HAND, "create or restore the hello_world template"),
    FixEntry(
        P.NUMBER_NOT_REGISTERED,
        _GRAPH,
        "register the sending number with its two-step verification PIN",
        "register",
    ),
    FixEntry(P.ACCOUNT_LOCKED, _HAND, "see Business Support Home"),
    FixEntry(P.REENGAGEMENT_REQUIRED, _HAND, "send a template message"),
    FixEntry(P.MESSAGE_UNDELIVERABLE, _HAND, "check the recipient's number"),
    # extend and refresh
    FixEntry(P.EXCHANGE_REFUSED, _COMMAND, "a fresh temporary token, saved and extended", "extend"),
    FixEntry(P.CANNOT_EXCHANGE, _COMMAND, "make a System User token instead", "setup"),
    # --all-profiles
    FixEntry(P.SETTING_INVALID, _HAND, "correct the variable the message names"),
    FixEntry(P.STORE_UNREADABLE, _COMMAND, "run the profile's own check", "check"),
    # register
    FixEntry(P.PIN_MISMATCH, _HAND, "check the PIN, or change it in WhatsApp Manager"),
    FixEntry(P.REGISTRATION_LIMIT, _HAND, "wait 72 hours without an attempt"),
    FixEntry(P.TOO_MANY_PIN_GUESSES, _HAND, "wait as long as Meta says"),
    FixEntry(P.NUMBER_NEEDS_VERIFICATION, _HAND, "verify the number again"),
    FixEntry(P.NUMBER_NOT_OWNED, _HAND, "use a number id `wa-token check` lists"),
    FixEntry(P.REGISTRATION_REFUSED, _HAND, "as Meta's words say; reset the PIN if needed"),
    # webhook-test
    FixEntry(P.WEBHOOK_VERIFICATION_FAILED, _HAND, "answer the challenge with 200 and it alone"),
    FixEntry(P.WEBHOOK_NOTIFICATION_REFUSED, _HAND, "answer a signed notification with a 2xx"),
    FixEntry(P.WEBHOOK_UNREACHABLE, _HAND, "make the endpoint reachable over https"),
    FixEntry(W.WEBHOOK_ACCEPTS_WRONG_VERIFY_TOKEN, _HAND, "compare hub.verify_token"),
    FixEntry(W.WEBHOOK_ACCEPTS_BAD_SIGNATURE, _HAND, "check X-Hub-Signature-256"),
    # warnings fixed elsewhere
    FixEntry(W.TEMPORARY_TOKEN, _COMMAND, "make a System User token", "setup"),
    FixEntry(W.EXPIRES_SOON, _COMMAND, "renew it before it expires", "refresh"),
    FixEntry(W.ROTATION_DUE, _HAND, "generate a new token, save it, revoke the old one"),
    FixEntry(W.EXTRA_PERMISSIONS, _HAND, "generate a token with the two WhatsApp permissions"),
    FixEntry(W.SHADOWED, _HAND, "remove the token that wins, or make both the same"),
    FixEntry(W.NUMBER_NOT_CONNECTED, _HAND, "register it, or finish its setup"),
    FixEntry(W.NUMBER_NOT_ON_CLOUD_API, _HAND, "register it for the Cloud API"),
    FixEntry(W.NUMBER_VERIFICATION_EXPIRED, _HAND, "verify it again in WhatsApp Manager"),
    FixEntry(W.NUMBER_NAME_NOT_APPROVED, _HAND, "wait for the review, or edit the name"),
    FixEntry(W.GRAPH_VERSION_ENDING, _HAND, "set the newest Graph API version"),
    FixEntry(W.NUMBER_LIMITED, _HAND, "what Meta's possible_solution says"),
    FixEntry(W.NUMBER_BLOCKED, _HAND, "what Meta's possible_solution says"),
    FixEntry(W.ACCOUNT_LIMITED, _HAND, "what Meta's possible_solution says"),
    FixEntry(W.ACCOUNT_BLOCKED, _HAND, "what Meta's possible_solution says"),
    FixEntry(W.WEBHOOK_CALLBACK_MISSING, _HAND, "set the Callback URL in the App Dashboard"),
    FixEntry(W.WEBHOOK_MESSAGES_MISSING, _HAND, "subscribe the messages webhook field"),
)
"""Every problem and warning code's one fix (a test checks: exactly one each)."""

_BY_CODE = {entry.code: entry for entry in FIXES}


def fix_for(code: ProblemCode | WarningCode) -> FixEntry:
    """The one fix of a code."""
    return _BY_CODE[code]


def fix_commands() -> dict[str, FixEntry]:
    """The fixes `wa-token fix NAME` runs, by NAME, in the order its help lists them."""
    return {name: entry for entry in FIXES if (name := entry.fix_name)}


def wizard_buttons() -> dict[str, str]:
    """The fixes the wizard runs itself, by code: the button's label."""
    return {entry.code: entry.button for entry in FIXES if entry.button}
