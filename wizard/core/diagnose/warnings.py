"""The warnings: the token works, but something will break or leak."""

from __future__ import annotations

import shlex
from datetime import timedelta

from wizard.core.codes import Source, WarningCode
from wizard.core.diagnose.accounts import CANNOT_SEND_STATUSES, _number_label
from wizard.core.diagnose.findings import Finding, GraphFindings, LocalFacts
from wizard.core.diagnose.meta_texts import (
    PERMANENT_ROUTE,
    PHONE_NUMBERS_URL,
    SAVE_AND_RESTART,
    STEP_GENERATE,
)
from wizard.core.diagnose.problems import NOT_USER_TYPES
from wizard.core.diagnose.readiness import (
    account_findings,
    health_findings,
    health_looks_fine,
    is_unregistered,
)
from wizard.core.diagnose.timefmt import format_delta, format_time
from wizard.core.diagnose.wording import _where, command, graph_text
from wizard.core.graph import (
    WHATSAPP_SCOPES,
    PhoneNumber,
    TokenInfo,
)
from wizard.core.versions import version_end

ROTATE_AFTER = timedelta(days=180)
HARMLESS_SCOPES = frozenset({"public_profile"})
# -- warnings ------------------------------------------------------------------------------------


def _warnings(graph: GraphFindings, local: LocalFacts) -> list[Finding]:
    info = graph.token_info
    found: list[Finding] = []
    alive = info is not None and (info.expires_at is None or info.expires_at > local.now)
    if info is not None and info.is_valid and alive and info.type not in NOT_USER_TYPES:
        found += _lifetime_warnings(info, local)
        found += _extra_permission_warnings(info)
        found += [
            w for a in graph.accounts for n in a.phone_numbers for w in number_warnings(n, local)
        ]
        found += account_findings(graph, local)
    found += _version_warnings(local)
    found += _storage_warnings(local)
    return found


REGISTER_FIX = (
    "Register it with the Cloud API: `wa-token register --phone-number-id {id}` (it asks for the "
    "number's 6-digit two-step verification PIN, hidden), or POST /{id}/register with "
    "messaging_product=whatsapp and that PIN (or finish "
    f"its setup in WhatsApp Manager → Phone numbers, {PHONE_NUMBERS_URL}); then run "
    "`wa-token check` again."
)


def number_warnings(number: PhoneNumber, local: LocalFacts | None = None) -> list[Finding]:
    """What keeps one phone number from sending, or may soon, with the concrete fix."""
    if _looks_fine(number) and health_looks_fine(number):  # most numbers look fine
        return []
    return _number_findings(number, local)


def _number_findings(number: PhoneNumber, local: LocalFacts | None = None) -> list[Finding]:
    label = _number_label(number)
    register = REGISTER_FIX.format(id=graph_text(number.id))
    found: list[Finding] = health_findings(number, label, local)
    status = (number.status or "CONNECTED").upper()
    if status == "PENDING" and is_unregistered(number):
        status = "CONNECTED"  # Meta lists a number not yet registered as PENDING: said above
    if status != "CONNECTED":
        blocked = status in CANNOT_SEND_STATUSES
        fix = (
            register
            if status in ("DISCONNECTED", "PENDING", "UNVERIFIED")
            else (
                "Check the number in WhatsApp Manager → Phone numbers and Business Support Home "
                "(https://business.facebook.com/business-support-home): Meta restricts it; no token "
                "change fixes this."
            )
        )
        found.append(
            Finding(
                WarningCode.NUMBER_NOT_CONNECTED,
                f"{label} is {graph_text(status)}: "
                + ("it cannot send messages." if blocked else "sending may be limited."),
                fix,
            )
        )
    if number.platform_type not in (None, "CLOUD_API") and not is_unregistered(number):
        found.append(
            Finding(
                WarningCode.NUMBER_NOT_ON_CLOUD_API,
                f"{label} is not registered for the Cloud API (platform "
                f"{graph_text(number.platform_type or '')}).",
                register + " A number still on the On-Premises API must be migrated first.",
            )
        )
    if (number.code_verification_status or "").upper() == "EXPIRED":
        found.append(
            Finding(
                WarningCode.NUMBER_VERIFICATION_EXPIRED,
                f"The verification of {label} has expired.",
                "Verify the number again: WhatsApp Manager → Phone numbers → the number → verify "
                f"(a code by SMS or voice call), or POST /{graph_text(number.id)}/request_code then "
                f"POST /{graph_text(number.id)}/verify_code.",
            )
        )
    name = (number.name_status or "").upper()
    if name in NAME_NOT_APPROVED:
        pending = name == "PENDING_REVIEW"
        found.append(
            Finding(
                WarningCode.NUMBER_NAME_NOT_APPROVED,
                f"The display name of {label} is "
                + (
                    "waiting for Meta's review."
                    if pending
                    else f"not approved ({graph_text(name)})."
                ),
                "Wait for the review (WhatsApp Manager → Phone numbers shows it); until the name is "
                "approved the number may send only limited messages."
                if pending
                else "Edit the display name in WhatsApp Manager → Phone numbers so that it follows "
                "Meta's display name guidelines, and submit it again.",
            )
        )
    return found


NAME_NOT_APPROVED = frozenset({"PENDING_REVIEW", "DECLINED", "EXPIRED", "NONE"})
"""name_status values that number_warnings warns about."""


def _looks_fine(number: PhoneNumber) -> bool:
    """Whether _number_findings finds nothing to say (and need not write a label): CONNECTED
    (or no status) on the Cloud API (or no platform), verification not expired, display name
    not pending or refused."""
    return (
        (number.status or "CONNECTED").upper() == "CONNECTED"
        and number.platform_type in (None, "CLOUD_API")
        and (number.code_verification_status or "").upper() != "EXPIRED"
        and (number.name_status or "").upper() not in NAME_NOT_APPROVED
    )


def _version_warnings(local: LocalFacts) -> list[Finding]:
    if not local.graph_version:
        return []
    end = version_end(local.graph_version, local.now)
    if end is None:
        return []
    when = (
        f"Meta retired it on {end.ends:%Y-%m-%d}"
        if end.past and end.ends
        else "Meta has retired it"
        if end.past
        else f"Meta retires it on {end.ends:%Y-%m-%d}"
    )
    return [
        Finding(
            WarningCode.GRAPH_VERSION_ENDING,
            f"Graph API version {end.version} is configured, and {when}.",
            f"Set WHATSAPP_GRAPH_API_VERSION (or --graph-version) to {end.newest}, test your "
            "server's calls against it, and keep it there.",
        )
    ]


def _lifetime_warnings(info: TokenInfo, local: LocalFacts) -> list[Finding]:
    found: list[Finding] = []
    left = info.expires_at - local.now if info.expires_at else None
    if info.type != "SYSTEM_USER":
        kind = (
            "a user token"
            if info.type == "USER"
            else f"a token of type {info.type}"
            if info.type
            else "a token of unknown type"
        )
        life = f", expiring in {format_delta(left)}" if left is not None else ""
        found.append(
            Finding(
                WarningCode.TEMPORARY_TOKEN,
                f"This is {kind}{life}, not a System User token.",
                f"Make a System User token: {PERMANENT_ROUTE}.",
            )
        )
    elif left is not None and left <= timedelta(days=local.warn_days):
        found.append(
            Finding(
                WarningCode.EXPIRES_SOON,
                f"The System User token expires in {format_delta(left)} "
                f"({format_time(info.expires_at)}).",
                f"Renew it now: `{command(local, 'refresh')}` (needs "
                f"{local.profile.var('WHATSAPP_APP_ID')} and "
                f"{local.profile.var('WHATSAPP_APP_SECRET')}; `wa-token schedule --print` runs it "
                f"daily), or generate a new one ({STEP_GENERATE}); {SAVE_AND_RESTART}.",
            )
        )
    if info.issued_at and local.now - info.issued_at > ROTATE_AFTER:
        found.append(
            Finding(
                WarningCode.ROTATION_DUE,
                f"The token was issued on {format_time(info.issued_at)}, over 180 days ago.",
                rotation_steps(local),
            )
        )
    return found


def rotation_steps(local: LocalFacts) -> str:
    """The numbered steps that replace a token at Meta and everywhere it is used."""
    return (
        f"Rotate it: 1) {STEP_GENERATE}; 2) store it with "
        f"`{command(local, 'save')}` (it checks the token first) and restart your backend "
        f"server; 3) prove it sends: `{command(local, 'send-test --to +NUMBER')}`; 4) revoke "
        "the old one: Business Settings → Users → System Users → your system user → Revoke "
        "tokens. Revoking there may revoke every token of that system user for the app, the new "
        "one too: revoke first and generate at once (a minute of downtime), or generate the new "
        "token with a second system user."
    )


def _extra_permission_warnings(info: TokenInfo) -> list[Finding]:
    extra = sorted(set(info.scopes) - set(WHATSAPP_SCOPES) - HARMLESS_SCOPES)
    if not extra:
        return []
    return [
        Finding(
            WarningCode.EXTRA_PERMISSIONS,
            f"The token also carries {', '.join(extra)}, which WhatsApp messaging does not need.",
            "Least privilege: generate a token with only whatsapp_business_messaging and "
            "whatsapp_business_management ticked, save it, and revoke this one.",
        )
    ]


def _storage_warnings(local: LocalFacts) -> list[Finding]:
    key = local.profile.token_key
    found = [
        Finding(
            WarningCode.SHADOWED,
            f"The token from {_where(local, bare=True)} is used, but {other} holds a different one.",
            f"Remove the one you do not want (`{command(local, 'forget --from ...')}`, or unset "
            f"{key}), so your server and wa-token agree.",
        )
        for other in local.shadowed
    ]
    if local.source != Source.DOTENV:
        return found
    path = local.location or ".env"
    if local.env_tracked_by_git:
        found.append(
            Finding(
                WarningCode.ENV_TRACKED_BY_GIT,
                f"{path} is tracked by git: the token may already be in the history.",
                f"Run `{command(local, 'fix tracked')}`: it searches the history for this token and "
                f"lists the steps. In short: untrack it (`git rm --cached {shlex.quote(path)}`, add it "
                "to .gitignore, commit), and treat the token as leaked: revoke it (Business Settings "
                "→ System Users → Revoke tokens) and generate a new one.",
            )
        )
    elif local.env_in_git_work_tree and not local.env_git_ignored:
        found.append(
            Finding(
                WarningCode.ENV_NOT_GITIGNORED,
                f"{path} is inside a git work tree and not ignored: one `git add .` commits the token.",
                f"Run `{command(local, 'fix gitignore')}` (it adds {path} to the .gitignore of its "
                "work tree).",
            )
        )
    if local.env_world_readable:
        found.append(
            Finding(
                WarningCode.ENV_WORLD_READABLE,
                f"{path} is readable by every user of this machine.",
                f"Run `{command(local, 'fix permissions')}` (the same as `chmod 600 "
                f"{shlex.quote(path)}`).",
            )
        )
    if local.keyring_available:
        found.append(
            Finding(
                WarningCode.PLAINTEXT_STORAGE,
                f"The token is stored in plain text in {path}, although an OS keyring works here.",
                f"Run `{command(local, 'fix keyring')}`: it moves the token into the keyring and "
                f"removes it from {path} once the keyring gives it back. Your server then reads it "
                f'with `export {key}="$({command(local, "token")})"`.',
            )
        )
    return found
