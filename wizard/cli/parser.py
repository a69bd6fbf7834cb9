"""argparse that never echoes a value: usage errors masked, token-shaped arguments refused."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TypeAlias

from wizard import __version__
from wizard.cli.help_texts import GLOBAL_OPTIONS_NOTE, HELP, TOP_EPILOG
from wizard.core.codes import StoreTarget
from wizard.core.token import mask

SubParsers: TypeAlias = "argparse._SubParsersAction[SafeParser]"
"""What `add_subparsers` returns: the command list each command module adds to."""

NEVER_AN_ARGUMENT = (
    "A token is never taken as an argument: pipe it on standard input, e.g. "
    "printf '%s' \"$TOKEN\" | wa-token save (or run `wa-token save` in a terminal for a hidden "
    "prompt)."
)
SHELL_HISTORY = (
    "If it was a real token or secret, your shell history now holds it: treat it as "
    "leaked if others can read that history."
)

MAX_TIMEOUT_SECONDS = 3600.0
"""The longest --timeout taken: an hour per Graph answer is already far beyond any real use."""
MAX_DAYS = 3650
"""The largest day count taken (--warn-days, --if-expiring-within): ten years."""
SHOWN_LENGTH = 16
"""Values shorter than this (and plain printable ASCII) are shown back; longer ones are masked."""
STORE_CHOICES = tuple(target.value for target in StoreTarget)
"""`save --to` and `forget --from`: every store's name."""

_TOKEN_SHAPED = re.compile(
    r"EAA[A-Za-z0-9]{20,}|(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])"
    r"[A-Za-z0-9]{32,}"
)
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
PIN_SHAPED = re.compile(r"[0-9]{4,8}")
"""A value that may be a two-step verification PIN: a usage error masks it like a secret."""


class UsageError(Exception):
    """A command line wa-token cannot run; its text is already masked."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class SafeParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise UsageError instead of printing argparse's text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def shown(value: str) -> str:
    """A value as a usage error may show it: short plain text quoted, anything else masked."""
    if len(value) < SHOWN_LENGTH and value.isascii() and value.isprintable():
        if PIN_SHAPED.fullmatch(value):  # a two-step verification PIN (register) is a secret
            return mask(value)
        return f"'{value}'"
    return mask(value)


def token_shaped(argv: Sequence[str]) -> str | None:
    """The first argument that holds something shaped like an access token or app secret."""
    for arg in argv:
        match = _TOKEN_SHAPED.search(arg)
        if match:
            return match.group(0)
    return None


def refuse_token_shaped(argv: Sequence[str]) -> None:
    """Raise UsageError when an argument looks like a token or secret (never echoing it)."""
    found = token_shaped(argv)
    if found is not None and any(a.startswith(("http://", "https://")) for a in argv if found in a):
        raise UsageError(
            f"wa-token: a URL on the command line holds a part shaped like a token or secret "
            f"({mask(found)}). For webhook-test, set WHATSAPP_WEBHOOK_URL (environment or .env) "
            f"to that URL and leave out --url. {SHELL_HISTORY}"
        )
    if found is not None:
        raise UsageError(
            f"wa-token: an argument looks like a token or secret ({mask(found)}). "
            f"{NEVER_AN_ARGUMENT} {SHELL_HISTORY}"
        )


def masked_usage(text: str, argv: Sequence[str], known: Iterable[str]) -> str:
    """argparse's message with every value from argv that is not a known word masked.

    A message that had to mask something also says that a token is never an argument.
    """
    known_words = set(known)
    unknown = sorted(
        {part for arg in argv for part in _parts(arg) if part not in known_words},
        key=len,
        reverse=True,
    )
    masked = False

    def safe(value: str) -> str:
        """The value as shown; a value hidden behind its mask calls for the lecture."""
        nonlocal masked
        text = shown(value)
        masked = masked or text != f"'{value}'"
        return text

    def quoted(match: re.Match[str]) -> str:
        value = match.group(1)
        return match.group(0) if value in known_words else safe(value)

    suggestions = _did_you_mean(text, known_words)
    text = _QUOTED.sub(quoted, text)
    if "unrecognized arguments:" in text:
        head, _, tail = text.partition("unrecognized arguments:")
        words = tail.split()
        text = head + "unrecognized arguments: "
        text += " ".join(word if word in known_words else safe(word) for word in words)
        suggestions = suggestions or _close_options(words, known_words)
    for value in unknown:  # the last net: nothing from argv that is not a known word survives
        if len(value) >= SHOWN_LENGTH and value in text:
            text = text.replace(value, mask(value))
            masked = True
        elif PIN_SHAPED.fullmatch(value) and re.search(rf"\b{value}\b", text):
            text = re.sub(rf"\b{value}\b", mask(value), text)
            masked = True
    text = text.rstrip(".") + "."
    if suggestions and not masked:
        text += f" Did you mean {' or '.join(suggestions)}?"
    if masked:
        text += f"\n{NEVER_AN_ARGUMENT}"
    return text


_INVALID_CHOICE = re.compile(r"invalid choice: '([^']{1,15})' \(choose from (.*)\)")


def _did_you_mean(text: str, known: set[str]) -> list[str]:
    """For a mistyped command or choice: the closest of the choices argparse listed."""
    import difflib

    match = _INVALID_CHOICE.search(text)
    if match is None:
        return []
    choices = [choice.strip("' ") for choice in match.group(2).split(",")]
    close = difflib.get_close_matches(match.group(1), [c for c in choices if c in known], n=2)
    return [f"'{choice}'" for choice in close]


def _close_options(words: list[str], known: set[str]) -> list[str]:
    """For a mistyped option (`--jsn`): the closest option strings of the parser."""
    import difflib

    options = sorted(word for word in known if word.startswith("--"))
    close: list[str] = []
    for word in words:
        name = word.partition("=")[0]
        if word.startswith("--") and len(word) < SHOWN_LENGTH:  # never itself: another command's
            close += [o for o in difflib.get_close_matches(name, options, n=1) if o != name]
    return [f"'{option}'" for option in close]


def known_words(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string, choice and command name of the parser and its subparsers."""
    words = {parser.prog}
    for action in parser._actions:
        words.update(action.option_strings)
        if action.choices:
            words.update(str(choice) for choice in action.choices)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                words |= known_words(sub)
    return words


def _parts(arg: str) -> list[str]:
    """`--to=x` is the option and the value x; anything else is itself."""
    if arg.startswith("--") and "=" in arg:
        return arg.split("=", 1)
    return [arg]


# -- option types whose errors never echo the value ------------------------------------------------


def seconds(text: str) -> float:
    """--timeout: a finite number of seconds above 0 and at most MAX_TIMEOUT_SECONDS."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT_SECONDS):
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS:g} (e.g. 10)"
        )
    return value


def days(text: str) -> int:
    """A whole number of days from 0 to MAX_DAYS."""
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be a whole number of days from 0 to {MAX_DAYS}")
    return value


def graph_url(text: str) -> str:
    """--graph-url: not empty (the full check is the settings' check_graph_url)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "is empty; leave it out for https://graph.facebook.com, or give a URL"
        )
    return text


def add_command(commands: SubParsers, name: str, common: SafeParser) -> argparse.ArgumentParser:
    """A subcommand with its description, examples and the note on global options."""
    summary, description, examples = HELP[name]
    return commands.add_parser(
        name,
        parents=[common],
        help=summary,
        description=description,
        epilog=f"examples:\n{examples}\n\n{GLOBAL_OPTIONS_NOTE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def teach(commands: SubParsers) -> None:
    """Give every known subcommand its description and examples, however it was added."""
    for name, sub in commands.choices.items():
        if name in HELP and sub.epilog is None:
            _, description, examples = HELP[name]
            sub.description = description
            sub.epilog = f"examples:\n{examples}\n\n{GLOBAL_OPTIONS_NOTE}"
            sub.formatter_class = argparse.RawDescriptionHelpFormatter


# -- the parser ----------------------------------------------------------------------------------


COMMAND_MODULES: dict[str, str] = {
    "setup": "setup",
    "check": "tokens",
    "status": "tokens",
    "save": "tokens",
    "token": "tokens",
    "forget": "tokens",
    "send-test": "send_test",
    "extend": "lifecycle",
    "refresh": "lifecycle",
    "schedule": "schedule",
    "fix": "fix",
    "provision": "provision",
    "register": "register",
    "webhook-test": "webhook_test",
    "push": "push",
}
"""Each command, in `wa-token --help`'s order, and its module in wizard.cli.commands (loaded
only when that command runs or the whole parser is built)."""


class NotQuick(Exception):
    """The quick parse met something the whole parser must answer (help, an error, --version)."""


class QuickParser(SafeParser):
    """A parser that only parses: anything it would print or refuse goes to the whole parser."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise NotQuick

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        raise NotQuick

    def _print_message(self, message: str, file: object = None) -> None:
        raise NotQuick


def quick_parse(argv: Sequence[str]) -> argparse.Namespace | None:
    """argv parsed by a parser that holds only the commands argv names, or None.

    argparse picks a command by its exact name, and each command's subparser is built the same
    way whatever else the parser holds: a quick parse that succeeds gives the whole parser's
    answer. Help, --version, usage errors (whose masking needs every known word) and anything
    else it would print give None: the caller asks the whole parser, `build_parser()`.
    """
    named = {arg for arg in argv if arg in COMMAND_MODULES}
    try:
        return build_parser(named, QuickParser).parse_args(argv)
    except NotQuick:
        return None


def build_parser(
    only: Collection[str] | None = None, parser_class: type[SafeParser] = SafeParser
) -> argparse.ArgumentParser:
    """The contract's commands and options; global options work before or after the command.

    `only`: build only these commands' subparsers (see quick_parse); None: every command.
    """
    common = SafeParser(add_help=False)
    _add_global_options(common, suppress=True)
    parser = parser_class(
        prog="wa-token",
        description="Get a permanent WhatsApp Cloud API token, prove it works, store it safely.",
        epilog=TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"wa-token {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = COMMAND_MODULES.keys() if only is None else only
    for name, add in TOKEN_COMMANDS.items():
        if name in wanted:
            add(commands, common)
    own_options = [n for n in COMMAND_MODULES if n in wanted and n not in TOKEN_COMMANDS]
    for module in dict.fromkeys(COMMAND_MODULES[name] for name in own_options):
        import_module(f"wizard.cli.commands.{module}").add_parsers(commands, common)
    teach(commands)  # commands added with a plain add_parser get their help too
    return parser


def _add_setup(commands: SubParsers, common: SafeParser) -> None:
    setup = add_command(commands, "setup", common)
    setup.add_argument(
        "--mode",
        choices=("onboard", "expired", "troubleshoot"),
        help="onboard, expired or troubleshoot (see above); default: chosen from what is stored",
    )


def _add_check(commands: SubParsers, common: SafeParser) -> None:
    check = add_command(commands, "check", common)
    check.add_argument("--json", action="store_true", help="JSON on stdout")
    check.add_argument(
        "--warn-days",
        type=days,
        metavar="N",
        help="warn when the token expires within N days (default 7)",
    )
    check.add_argument("stdin", nargs="?", choices=("-",), help="read the token from stdin")
    add_all_profiles(check)


def _add_status(commands: SubParsers, common: SafeParser) -> None:
    status = add_command(commands, "status", common)
    status.add_argument("--json", action="store_true", help="JSON on stdout (every detail)")
    status.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="every source and the full check, not just the summary",
    )
    add_all_profiles(status)


def add_all_profiles(command: argparse.ArgumentParser) -> None:
    """--all-profiles: every profile found, checked side by side (check and status)."""
    command.add_argument(
        "--all-profiles",
        action="store_true",
        help="every profile found (environment, .env keys, keyring index), side by side; "
        "the exit code is the worst one",
    )


def _add_save(commands: SubParsers, common: SafeParser) -> None:
    save = add_command(commands, "save", common)
    save.add_argument(
        "--to",
        choices=STORE_CHOICES,
        default="env",
        help="where to store it (default env: the .env file)",
    )
    save.add_argument("--force", action="store_true", help="store even if the check fails")
    add_push_options(save)
    save.add_argument("stdin", nargs="?", choices=("-",), help="read the token from stdin")


def _add_token(commands: SubParsers, common: SafeParser) -> None:
    add_command(commands, "token", common)


def _add_forget(commands: SubParsers, common: SafeParser) -> None:
    forget = add_command(commands, "forget", common)
    forget.add_argument(
        "--from", dest="source", choices=STORE_CHOICES, help="only this store (default: both)"
    )
    forget.add_argument("--yes", action="store_true", help="remove without asking")


TOKEN_COMMANDS: dict[str, Callable[[SubParsers, SafeParser], None]] = {
    "setup": _add_setup,
    "check": _add_check,
    "status": _add_status,
    "save": _add_save,
    "token": _add_token,
    "forget": _add_forget,
}
"""The commands whose options are added here: the wizard (commands.setup) and those on one
stored token (commands.tokens); every other command module adds its own (`add_parsers`)."""


GLOBAL_OPTIONS: tuple[tuple[str, str, Callable[[str], object], str], ...] = (
    ("--graph-url", "URL", graph_url, "Graph API base URL (env WHATSAPP_GRAPH_URL)"),
    ("--graph-version", "vNN.N", str, "Graph API version (env WHATSAPP_GRAPH_API_VERSION)"),
    ("--env-file", "PATH", Path, "the .env file (default ./.env)"),
    (
        "--timeout",
        "SECONDS",
        seconds,
        (
            "seconds to wait for each Graph answer, and for a piped "
            "token on stdin (default 10, at most 3600)"
        ),
    ),
    ("--profile", "NAME", str, "which app's token (env WA_TOKEN_PROFILE, default `default`)"),
)
"""Each global option: its flag, metavar, type (`str`: the text as given) and help."""


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Listed once, in `wa-token --help`; accepted after any command too (hidden there)."""
    for flag, metavar, kind, text in GLOBAL_OPTIONS:
        parser.add_argument(
            flag,
            metavar=metavar,
            type=kind,
            default=argparse.SUPPRESS if suppress else None,
            help=argparse.SUPPRESS if suppress else text,
        )


def add_push_options(command: argparse.ArgumentParser) -> None:
    """--then CMD and --push github:OWNER/REPO[/ENV], repeatable (issue 21)."""
    command.add_argument(
        "--then",
        action="append",
        metavar="CMD",
        help="after the token is stored, run CMD (/bin/sh -c) with the token on its stdin only "
        "(WA_TOKEN_VARIABLE, WA_TOKEN_PROFILE in its environment); repeatable",
    )
    command.add_argument(
        "--push",
        action="append",
        metavar="github:OWNER/REPO[/ENV]",
        help="after the token is stored, set the GitHub Actions secret named like the "
        "variable (credentials: GITHUB_TOKEN, GH_TOKEN or gh); repeatable",
    )
