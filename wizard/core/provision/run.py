"""Carrying out provision's plan step by step, and the outcome."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from wizard.core.business_api import (
    BusinessApi,
    NamedNode,
)
from wizard.core.check import CheckReport, check_found_token
from wizard.core.codes import ExitCode, StoreTarget
from wizard.core.errors import (
    GraphError,
    StoreError,
)
from wizard.core.flow import Step
from wizard.core.graph import WHATSAPP_SCOPES
from wizard.core.provision.plan import (
    Plan,
    PlannedStep,
    Request,
    StepResult,
    _client,
    describe,
    find_accounts,
    find_businesses,
    make_plan,
)
from wizard.core.provision.refusals import Refusal, refusal_for
from wizard.core.provision.steps import PROVISIONED, Expiry, ProvisionProblem, StepKind, StepState
from wizard.core.settings import Settings
from wizard.core.stores import keyring_store, registry
from wizard.core.stores.save import SaveOutcome, store_token, stored_token
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken


@dataclass(frozen=True)
class Outcome:
    """What `provision` did: each step's end, the check of the new token, where it went."""

    plan: Plan
    results: tuple[StepResult, ...]
    refusal: Refusal | None = None
    check: CheckReport | None = None
    saved: SaveOutcome | None = None
    token: SecretToken | None = dataclasses.field(default=None, repr=False)
    """The generated (or reused) token; only its mask is ever shown."""

    @property
    def ok(self) -> bool:
        """True when a checked token is stored."""
        return self.refusal is None and self.saved is not None

    @property
    def changed_at_meta(self) -> int:
        """How many calls changed something at Meta."""
        return sum(
            1 for r in self.results if r.step.kind.changes_meta and r.state is StepState.DONE
        )

    @property
    def done(self) -> tuple[StepResult, ...]:
        """The steps done or found done."""
        return tuple(r for r in self.results if r.state in (StepState.DONE, StepState.ALREADY_DONE))

    @property
    def exit_code(self) -> int:
        """The contract's exit code."""
        if self.refusal is None:
            return ExitCode.OK
        if self.refusal.problem is ProvisionProblem.CHECK_FAILED and self.check is not None:
            return self.check.exit_code
        return self.refusal.exit_code


ProgressCallback = Callable[[PlannedStep, StepState], None]
"""Told when a step starts (TO_DO) and when it ends (DONE, ALREADY_DONE, FAILED)."""


# -- carrying it out ------------------------------------------------------------------------------


def carry_out(
    settings: Settings,
    environ: Mapping[str, str],
    admin: SecretToken,
    plan: Plan,
    *,
    existing: SecretToken | None = None,
    on_progress: ProgressCallback | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Outcome:
    """Run the plan after the user's yes; stop at the first refusal."""
    run = _Run(settings, environ, admin, plan, existing, on_progress or _quiet, transport)
    return run.go()


def provision(
    settings: Settings,
    environ: Mapping[str, str],
    admin: SecretToken,
    request: Request,
    *,
    business_id: str | None = None,
    waba_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Outcome:
    """The whole use case without questions: one business, its accounts (or the one asked for)."""
    businesses = find_businesses(settings, admin, transport=transport)
    business = pick(businesses, business_id, "--business-id")
    accounts = find_accounts(settings, admin, business.id, transport=transport)
    chosen = accounts if waba_id is None else (pick(accounts, waba_id, "--waba-id"),)
    existing = existing_token(settings, request.target)
    plan = make_plan(
        settings, admin, request, business, chosen, existing=existing, transport=transport
    )
    return carry_out(settings, environ, admin, plan, existing=existing, transport=transport)


def pick(nodes: tuple[NamedNode, ...], wanted: str | None, flag: str) -> NamedNode:
    """The node with that id; or the only one; else ValueError naming the flag."""
    if wanted is not None:
        for node in nodes:
            if node.id == wanted:
                return node
        raise ValueError(
            f"{flag} {wanted} is not among those the admin token sees: "
            + ", ".join(describe(n, short=False) + f" ({n.id})" for n in nodes)
        )
    if len(nodes) == 1:
        return nodes[0]
    raise ValueError(f"there are {len(nodes)} to choose from; name one with {flag}")


def existing_token(settings: Settings, target: StoreTarget) -> SecretToken | None:
    """The token already in the chosen store, if it can be read (else None: generate anew)."""
    try:
        return stored_token(target, settings.env_file, settings.profile)
    except StoreError:
        return None


def check_store_usable(target: StoreTarget) -> None:
    """Raise StoreError before any write at Meta when the keyring cannot take the token."""
    if target == StoreTarget.KEYRING:
        status = keyring_store.keyring_status()
        if not status.available:
            raise StoreError(
                "No working OS keyring here, so the token could not be kept.",
                fix="Use `--to env`, or unlock/install a keyring, then run this again.",
            )


def _quiet(step: PlannedStep, state: StepState) -> None:
    """No progress to show."""


class _Run:
    """One execution of a plan."""

    def __init__(
        self,
        settings: Settings,
        environ: Mapping[str, str],
        admin: SecretToken,
        plan: Plan,
        existing: SecretToken | None,
        on_progress: ProgressCallback,
        transport: httpx.BaseTransport | None,
    ) -> None:
        # The check verifies the app id; the app secret travels only as appsecret_proof.
        self.settings = dataclasses.replace(settings, app_id=plan.request.app_id, app_secret=None)
        self.environ = environ
        self.admin = admin
        self.plan = plan
        self.existing = existing
        self.tell = on_progress
        self.transport = transport
        self.results: list[StepResult] = []
        self.user_id = plan.system_user.id if plan.system_user else None
        self.token: SecretToken | None = existing if self._reusing else None

    @property
    def _reusing(self) -> bool:
        return any(
            s.kind is StepKind.GENERATE_TOKEN and s.state is StepState.ALREADY_DONE
            for s in self.plan.steps
        )

    def go(self) -> Outcome:
        with _client(self.settings, self.transport) as client:
            api = BusinessApi(client)
            for step in self.plan.steps:
                if step.kind in (StepKind.CHECK_TOKEN, StepKind.STORE_TOKEN):
                    break
                refusal = self._meta_step(api, step)
                if refusal is not None:
                    return self._stopped(refusal)
        return self._check_and_store()

    def _meta_step(self, api: BusinessApi, step: PlannedStep) -> Refusal | None:
        if step.state is StepState.ALREADY_DONE:
            self._record(step, StepState.ALREADY_DONE)
            return None
        self.tell(step, StepState.TO_DO)
        call = self._call_of(step)
        try:
            self._send(api, step)
        except GraphError as err:
            self._record(step, StepState.FAILED)
            return refusal_for(err, call, step.kind, app_owned=self.plan.app_owned)
        self._record(step, StepState.DONE)
        return None

    def _call_of(self, step: PlannedStep) -> str:
        return step.call.replace("{new-system-user-id}", self.user_id or "{new-system-user-id}")

    def _send(self, api: BusinessApi, step: PlannedStep) -> None:
        request, admin = self.plan.request, self.admin
        if step.kind is StepKind.CREATE_SYSTEM_USER:
            self.user_id = api.create_system_user(
                admin, self.plan.business.id, request.system_user, request.role.graph_value
            )
            return
        user_id = self.user_id or ""
        if step.kind is StepKind.INSTALL_APP:
            api.install_app(admin, user_id, request.app_id)
        elif step.kind is StepKind.ASSIGN_ACCOUNT:
            api.assign_user(admin, step.target_id or "", user_id)
        elif step.kind is StepKind.GENERATE_TOKEN:
            if request.app_secret is None:
                raise ValueError("the app secret is needed to generate the token")
            self.token = api.generate_token(
                admin,
                user_id,
                app_id=request.app_id,
                app_secret=request.app_secret,
                scopes=WHATSAPP_SCOPES,
                expires_in_60_days=request.expires is Expiry.SIXTY_DAYS,
            )

    def _check_and_store(self) -> Outcome:
        check_step, store_step = self.plan.steps[-2], self.plan.steps[-1]
        token = self.token
        if token is None:  # pragma: no cover - the generate step always sets or reuses one
            raise AssertionError("no token after the generate step")
        self.tell(check_step, StepState.TO_DO)
        found = FoundToken(PROVISIONED, f"System User {self.user_id}", token)
        report = check_found_token(found, self.settings, self.environ, transport=self.transport)
        if not report.ok:
            self._record(check_step, StepState.FAILED)
            reason = "; ".join(p.title for p in report.diagnosis.problems)
            refusal = Refusal(
                ProvisionProblem.CHECK_FAILED, "wa-token check", reason, _manual_for_check(report)
            )
            return self._stopped(refusal, report)
        self._record(check_step, StepState.DONE)
        if store_step.state is StepState.ALREADY_DONE:
            self._record(store_step, StepState.ALREADY_DONE)
            target = self.plan.request.target
            where = registry.store_for(target).named(self.settings.env_file)
            saved = SaveOutcome(target, where, unchanged=True)
            return Outcome(self.plan, tuple(self.results), None, report, saved, token)
        self.tell(store_step, StepState.TO_DO)
        try:
            saved = store_token(
                self.plan.request.target, token, self.settings.env_file, self.settings.profile
            )
        except StoreError as err:
            self._record(store_step, StepState.FAILED)
            refusal = Refusal(ProvisionProblem.STORE_FAILED, "store", err.message, None)
            return self._stopped(refusal, report)
        self._record(store_step, StepState.DONE)
        return Outcome(self.plan, tuple(self.results), None, report, saved, token)

    def _record(self, step: PlannedStep, state: StepState) -> None:
        self.results.append(StepResult(step, state))
        self.tell(step, state)

    def _stopped(self, refusal: Refusal, report: CheckReport | None = None) -> Outcome:
        ran = {id(r.step) for r in self.results}
        rest = [StepResult(s, StepState.NOT_RUN) for s in self.plan.steps if id(s) not in ran]
        return Outcome(self.plan, (*self.results, *rest), refusal, report, None, self.token)


def _manual_for_check(report: CheckReport) -> Step:
    from wizard.core.flow import STEP_FOR_PROBLEM

    for problem in report.diagnosis.problems:
        if problem.code in STEP_FOR_PROBLEM:
            return STEP_FOR_PROBLEM[problem.code]
    return Step.GENERATE
