"""The one push use case: send a stored token to every destination, report each, remember how."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from wizard.core.codes import DestinationKind, PushState
from wizard.core.errors import SettingsError, StoreError, WaTokenError
from wizard.core.profiles import Profile
from wizard.core.push import remembered
from wizard.core.push.destination import Delivery, Destination, PushReport, PushResult
from wizard.core.push.github import GITHUB_PREFIX, GitHubDestination, parse_github_target
from wizard.core.push.hook import HOOK_PREFIX, HookDestination, check_command

OLD_TOKEN_KEPT = (
    "A destination that did not take the new token still holds the previous one, which keeps "
    "working until its own expiry: nothing is down. Fix the cause, then run `wa-token push` to "
    "send the stored token there."
)


def destination_named(label: str) -> Destination:
    """`github:OWNER/REPO[/ENV]` or `then:CMD` as a destination (SettingsError otherwise)."""
    if label.startswith(GITHUB_PREFIX):
        return GitHubDestination(parse_github_target(label))
    if label.startswith(HOOK_PREFIX):
        return HookDestination(check_command(label[len(HOOK_PREFIX) :]))
    raise SettingsError(
        "A destination is github:OWNER/REPO[/ENVIRONMENT], or a command given with --then.",
        fix="For example `wa-token push add github:acme/shop` or "
        "`wa-token push add --then 'gh secret set \"$WA_TOKEN_VARIABLE\"'`.",
    )


def from_command_line(pushes: Sequence[str], hooks: Sequence[str]) -> tuple[Destination, ...]:
    """--push and --then, checked before anything is done (SettingsError: exit 2)."""
    return (
        *(GitHubDestination(parse_github_target(text)) for text in pushes),
        *(HookDestination(check_command(text)) for text in hooks),
    )


def remembered_destinations(
    environ: Mapping[str, str], profile: Profile
) -> tuple[Destination, ...]:
    """The profile's remembered destinations (from the user's config directory only)."""
    return tuple(
        destination_named(entry.label) for entry in remembered.remembered(environ, profile)
    )


def every_destination(
    environ: Mapping[str, str], profile: Profile, given: Sequence[Destination]
) -> tuple[Destination, ...]:
    """The remembered destinations, then those given on the command line, each once."""
    chosen: dict[str, Destination] = {}
    for destination in (*remembered_destinations(environ, profile), *given):
        chosen.setdefault(destination.label, destination)
    return tuple(chosen.values())


def push_token(
    delivery: Delivery,
    destinations: Sequence[Destination],
    *,
    on_result: Callable[[PushResult], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PushReport:
    """Send the token to each destination in turn (one failing stops none of the others), tell
    `on_result` as each ends, and keep the remembered ones' results for `status`."""
    results = []
    _record(remembered.record_pending, delivery, tuple(d.label for d in destinations), clock())
    for destination in destinations:
        result = _push_one(destination, delivery, clock)
        results.append(result)
        if on_result is not None:
            on_result(result)
    report = PushReport(tuple(results))
    _record(remembered.record, delivery, report.results)
    return report


def _record(write: Callable[..., None], delivery: Delivery, *what: object) -> None:
    """Keep the state for `status`; a config file that cannot be written changes no push."""
    try:
        write(delivery.environ, delivery.profile, *what)
    except StoreError:
        pass


def _push_one(
    destination: Destination, delivery: Delivery, clock: Callable[[], datetime]
) -> PushResult:
    try:
        detail = destination.send(delivery)
    except WaTokenError as err:
        return PushResult(
            destination.label,
            destination.kind,
            PushState.FAILED,
            err.message,
            clock(),
            err.fix,
        )
    return PushResult(destination.label, destination.kind, PushState.OK, detail, clock())


def describe_kind(kind: DestinationKind) -> str:
    """A few words for a destination's kind."""
    return {
        DestinationKind.GITHUB: "GitHub Actions secret",
        DestinationKind.HOOK: "command",
        DestinationKind.ENV: ".env file",
        DestinationKind.KEYRING: "OS keyring",
    }[kind]
