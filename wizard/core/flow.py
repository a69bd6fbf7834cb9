"""The wizard's journeys and steps, described without any UI: which journey, which steps, what they say."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from wizard.core.codes import ProblemCode, WarningCode
from wizard.core.diagnose import (
    API_SETUP_URL,
    SYSTEM_USERS_URL,
    WHATSAPP_ACCOUNTS_URL,
)

if TYPE_CHECKING:  # the wizard's first screen needs the journeys, not the check
    from wizard.core.check import CheckReport

BUSINESS_SETTINGS_URL = "https://business.facebook.com/settings"
PEOPLE_URL = "https://business.facebook.com/settings/people"
TOKEN_DEBUGGER_URL = "https://developers.facebook.com/tools/debug/accesstoken/"


class Mode(StrEnum):
    """The journey the wizard takes."""

    ONBOARD = "onboard"
    """No token anywhere: the System User route from the start."""
    EXPIRED = "expired"
    """A stored token that Graph rejects, or a temporary one: replace it."""
    TROUBLESHOOT = "troubleshoot"
    """Check every source and explain everything found."""
    MENU = "menu"
    """A working token: ask what the user wants."""


class Step(StrEnum):
    """Every step screen of the wizard."""

    WHY = "why"
    CREATE = "create"
    ASSIGN = "assign"
    GENERATE = "generate"
    PASTE = "paste"
    CHECK = "check"
    STORE = "store"
    DONE = "done"


PERMANENT_ROUTE = (
    Step.CREATE,
    Step.ASSIGN,
    Step.GENERATE,
    Step.PASTE,
    Step.CHECK,
    Step.STORE,
    Step.DONE,
)
"""The System User route for someone who already knows why (expired journey)."""

ONBOARD_STEPS = (Step.WHY, *PERMANENT_ROUTE)
"""The System User route, in order."""

TEMPORARY_ROUTE = (Step.PASTE, Step.CHECK, Step.STORE, Step.DONE)
"""Paste a new 24-hour token, check it, replace the old one."""

COMPARE_ROUTE = (Step.PASTE, Step.CHECK, Step.STORE, Step.DONE)
"""Paste another token to compare with the stored one (troubleshooting)."""


class Choice(StrEnum):
    """What a journey's first screen offers (a hub's buttons, the first step's "Do it for me")."""

    PERMANENT = "permanent"
    TEMPORARY = "temporary"
    EXTEND = "extend"
    COMPARE = "compare"
    TROUBLESHOOT = "troubleshoot"
    REPLACE = "replace"
    PROVISION = "provision"


REPLACE_PROBLEMS = frozenset(
    {
        ProblemCode.TOKEN_EXPIRED,
        ProblemCode.TOKEN_INVALID,
        ProblemCode.TOKEN_REVOKED,
        ProblemCode.TOKEN_MALFORMED,
    }
)
"""Problems that mean the stored token is dead and must be replaced."""

STEP_FOR_PROBLEM: dict[ProblemCode | WarningCode, Step] = {
    ProblemCode.MISSING_PERMISSION: Step.GENERATE,
    ProblemCode.NO_WHATSAPP_ACCOUNT: Step.ASSIGN,
    ProblemCode.WRONG_APP: Step.GENERATE,
    ProblemCode.TOKEN_EXPIRED: Step.GENERATE,
    ProblemCode.TOKEN_REVOKED: Step.CREATE,
    ProblemCode.TOKEN_INVALID: Step.PASTE,
    ProblemCode.TOKEN_MALFORMED: Step.PASTE,
}
"""The step of Meta's route that fixes a problem; the check screen offers to go there."""


def choose_mode(report: CheckReport | None) -> Mode:
    """No token → onboarding; a dead or temporary token → expired; other trouble → troubleshoot."""
    if report is None or report.found is None:
        return Mode.ONBOARD
    problems = {p.code for p in report.diagnosis.problems}
    warnings = {w.code for w in report.diagnosis.warnings}
    if problems & REPLACE_PROBLEMS or (not problems and WarningCode.TEMPORARY_TOKEN in warnings):
        return Mode.EXPIRED
    if problems:
        return Mode.TROUBLESHOOT
    return Mode.MENU


class RouteChoice(NamedTuple):
    """Where a hub's choice leads, and what the wizard forgets or aims at before it walks there.

    (NamedTuples here, as CheckReport: the wizard's first screen imports this module.)"""

    route: tuple[Step, ...] | None
    """The steps to walk; None: a hub again (the journey's, or troubleshooting's)."""
    mode: Mode
    """The journey the route belongs to, or whose hub comes next."""
    forget_paste: bool = False
    """A new route starts: the token pasted before and its check are dropped."""
    aim_at_stored: bool = False
    """Replace in place: save where the stored token was."""
    temporary: bool = False
    """The 24-hour route: the paste step says so."""
    extend: bool = False
    """Method 2 first (exchange the stored token); its hub comes back when it did not."""


def opening_route(mode: Mode) -> RouteChoice | None:
    """Onboarding has no hub, it starts on its route; the other journeys start at their hub."""
    if mode is Mode.ONBOARD:
        return RouteChoice(ONBOARD_STEPS, Mode.ONBOARD)
    return None


def route_for(choice: Choice | None, mode: Mode) -> RouteChoice:
    """A hub choice (within a journey) → the route, its journey, and what to reset first."""
    expired = mode is Mode.EXPIRED
    if choice in (Choice.PERMANENT, Choice.REPLACE):
        route = PERMANENT_ROUTE if expired else ONBOARD_STEPS
        return RouteChoice(route, mode, forget_paste=True, aim_at_stored=expired)
    if choice is Choice.TEMPORARY:
        return RouteChoice(
            TEMPORARY_ROUTE, mode, forget_paste=True, aim_at_stored=True, temporary=True
        )
    if choice is Choice.COMPARE:
        return RouteChoice(COMPARE_ROUTE, mode, forget_paste=True)
    if choice is Choice.TROUBLESHOOT:
        return RouteChoice(None, Mode.TROUBLESHOOT)
    return RouteChoice(None, mode, extend=choice is Choice.EXTEND)


class Walk(NamedTuple):
    """A place on a route: the step on screen, within its journey."""

    route: tuple[Step, ...]
    mode: Mode
    at: int = 0
    """The index of the step on screen (len(route): finished; -1: backed out)."""

    @property
    def walking(self) -> bool:
        """Still on the route (neither finished nor backed out of)."""
        return 0 <= self.at < len(self.route)

    @property
    def finished(self) -> bool:
        """Next was pressed on the route's last step."""
        return self.at >= len(self.route)

    @property
    def step(self) -> Step:
        """The step on screen."""
        return self.route[self.at]

    @property
    def number(self) -> tuple[int, int]:
        """(n, N) for "Step n of N"."""
        return step_number(self.route, self.step)

    @property
    def first(self) -> bool:
        """The journey's first screen (onboarding's): nothing to go back to."""
        return self.at == 0 and self.mode is Mode.ONBOARD

    @property
    def needs_the_look(self) -> bool:
        """From Paste on, a step compares with or replaces the stored token: it must be read."""
        return self.step not in STEP_TEXTS

    def forward(self) -> Walk:
        """Next."""
        return self._replace(at=self.at + 1)

    def back(self) -> Walk:
        """Back (before the first step: out of the route)."""
        return self._replace(at=self.at - 1)

    def reroute(self, step: Step) -> Walk:
        """Jump to a step; outside this route, continue on the full System User route."""
        route = self.route
        if step not in route:
            route = ONBOARD_STEPS if self.mode is Mode.ONBOARD else PERMANENT_ROUTE
        return self._replace(route=route, at=route.index(step))


@dataclass(frozen=True)
class Link:
    """A page to open; always shown as text too, for SSH sessions."""

    label: str
    url: str


@dataclass(frozen=True)
class StepText:
    """What one instruction step says."""

    title: str
    body: str
    """Markdown."""
    links: tuple[Link, ...] = ()


STEP_TEXTS: dict[Step, StepText] = {
    Step.WHY: StepText(
        "Why a System User token",
        "The token on your app's **API Setup** page is a *temporary user token*: it dies after "
        "**24 hours**, and with your Facebook session (a password change kills it too).\n\n"
        "A **System User** belongs to your business, not to a person. Its token can be set to "
        "**never expire**, survives staff changes, and carries only the permissions you tick. "
        "It is what Meta recommends for production.\n\n"
        "The next three steps happen in Meta Business Settings; this wizard waits, then tests "
        "the token you paste against the Graph API before it stores anything.",
    ),
    Step.CREATE: StepText(
        "Create a System User",
        "1. Open **Business Settings → Users → System Users**.\n"
        "2. Click **Add**, name it (e.g. *WhatsApp API User*), role **Admin** or **Employee**, "
        "then **Create System User**.\n\n"
        "**No Add button?** You must be an **admin** of the business portfolio: check your role "
        "under Users → People, or ask an admin to make you one (or to create the System User). "
        "Until then, the temporary token from API Setup works for 24 hours at a time.",
        (Link("System Users", SYSTEM_USERS_URL), Link("People (your role)", PEOPLE_URL)),
    ),
    Step.ASSIGN: StepText(
        "Assign your app and WhatsApp account",
        "On the System User you created, click **Assign Assets** and assign:\n\n"
        "- **Apps** → your WhatsApp app, with **Manage app** (full control);\n"
        "- **WhatsApp accounts** → your WhatsApp Business Account, with **Full control** "
        "(WhatsApp Business Management and Message Management).\n\n"
        "Click **Save Changes**. An Employee System User sees only what you assign here; "
        "without the WhatsApp account the token reaches nothing.",
        (Link("System Users", SYSTEM_USERS_URL), Link("WhatsApp accounts", WHATSAPP_ACCOUNTS_URL)),
    ),
    Step.GENERATE: StepText(
        "Generate the token",
        "Still on the System User, click **Generate New Token**:\n\n"
        "1. Select **your app**.\n"
        "2. Token expiration, either:\n"
        "   - **Never**: nothing to renew, but a leaked token works until you revoke it;\n"
        "   - **60 days** (Meta recommends it; some businesses must use it): a leak expires, "
        "but the token must be renewed before day 60. `wa-token refresh` does it from cron "
        "(`wa-token schedule --print`), with WHATSAPP_APP_ID and WHATSAPP_APP_SECRET in `.env`.\n"
        "3. Tick **whatsapp_business_messaging** and **whatsapp_business_management** "
        "(nothing else is needed).\n"
        "4. Click **Generate Token**.\n\n"
        "**Copy it now: Meta shows it only once.** Then come back and paste it.",
        (Link("System Users", SYSTEM_USERS_URL),),
    ),
}


TROUBLESHOOTING_CASES: tuple[tuple[str, str], ...] = (
    (
        "Token expired?",
        (
            "Temporary tokens last 24 hours. Generate a permanent System User token (this wizard's "
            "onboarding), save it, and restart your backend server."
        ),
    ),
    (
        '"Invalid OAuth access token"?',
        (
            "Check the token was copied whole, with no spaces or quotes; check it has not expired; "
            "check it has both WhatsApp permissions. The diagnosis above tells which."
        ),
    ),
    (
        "Can't create a System User?",
        (
            "You must be an admin of the business portfolio (Business Settings → Users → People). "
            "Until you are, use the temporary token from API Setup, or extend it to 60 days."
        ),
    ),
)
"""The three troubleshooting cases of Meta's guide, answered."""

API_SETUP = Link("App Dashboard (API Setup)", API_SETUP_URL)
DEBUGGER = Link("Access Token Debugger", TOKEN_DEBUGGER_URL)


def step_number(route: tuple[Step, ...], step: Step) -> tuple[int, int]:
    """(n, N) for "Step n of N" within a route."""
    return route.index(step) + 1, len(route)


def cron_line(workdir: str, env_file: str, executable: str = "wa-token") -> str:
    """A daily 08:00 check for cron; cron mails its output, so only failures speak."""
    env_option = "" if env_file in (".env", "./.env") else f" --env-file {env_file}"
    return f"0 8 * * * cd {workdir} && {executable} check{env_option} >/dev/null"
