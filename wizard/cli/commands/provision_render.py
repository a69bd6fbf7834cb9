"""`wa-token provision`'s output: the plan, each step's progress, the outcome, the JSON."""

from __future__ import annotations

import json
from typing import Any

from wizard.cli.console import Console
from wizard.cli.render import hanging, render_check
from wizard.core import provision as pv
from wizard.core.check import report_json
from wizard.core.push.destination import PushReport

STATE_WORDS = {
    pv.StepState.TO_DO: "to do",
    pv.StepState.ALREADY_DONE: "already done (reused)",
    pv.StepState.DONE: "done",
    pv.StepState.FAILED: "FAILED",
    pv.StepState.NOT_RUN: "not run",
}


def print_plan(plan: pv.Plan, console: Console) -> None:
    """The plan step by step, what is reused, the expiry and how many calls change Meta."""
    console.say(f"The plan for {pv.describe(plan.business)} ({plan.business.id}):")
    for number, step in enumerate(plan.steps, 1):
        state = "" if step.state is pv.StepState.TO_DO else "  [already done: reused]"
        marker = f"  {number}. "
        console.say(hanging(f"{step.words}{state}", marker, " " * len(marker)))
    if not plan.app_owned:
        console.say(
            f"  {console.marks.warn} The business does not list app {plan.app.id} among "
            "its apps: Meta may refuse to install it."
        )
    console.say(f"  Token expiry: {pv.EXPIRY_WORDS[plan.request.expires]}.")
    if plan.writes_at_meta == 0:
        console.say("Nothing to change at Meta: everything is already in place.")
    else:
        console.say(f"{plan.writes_at_meta} call(s) will change something at Meta.")


def progress(console: Console) -> pv.ProgressCallback:
    """A callback that prints each step as it ends."""

    def tell(step: pv.PlannedStep, state: pv.StepState) -> None:
        if state is pv.StepState.TO_DO:
            return
        mark = {pv.StepState.FAILED: console.marks.bad}.get(state, console.marks.ok)
        console.say(f"{mark} {step.words}: {STATE_WORDS[state]}")

    return tell


def print_outcome(outcome: pv.Outcome, console: Console) -> None:
    """The check, the refusal or what was stored, and what changed at Meta."""
    if outcome.check is not None:
        console.err.write(render_check(outcome.check, console.marks))
    if outcome.refusal is not None:
        print_refusal(outcome.refusal, console, done=outcome.done)
        return
    if outcome.saved is not None and outcome.token is not None:
        console.say(f"{console.marks.ok} {outcome.saved.summary}: {outcome.token.masked}.")
    if outcome.changed_at_meta == 0:
        console.say(
            "Nothing was changed at Meta: the System User, the app, the account(s) and "
            "the token were already in place."
        )
    else:
        console.say(
            f"{outcome.changed_at_meta} change(s) made at Meta. Restart your backend "
            "server so it reads the new token."
        )


def print_refusal(refusal: pv.Refusal, console: Console, done: tuple[pv.StepResult, ...]) -> None:
    """Meta's refusal: the call, why, what was done before it, the fix and the manual steps."""
    console.say(f"{console.marks.bad} {refusal.title}")
    console.say(f"  Call: {refusal.call}")
    console.say(f"  Why: {refusal.reason}")
    if done:
        console.say("  Already done (kept at Meta; a new run reuses it):")
        for result in done:
            console.say(f"    {console.marks.ok} {result.step.words}")
    else:
        console.say("  Nothing was done at Meta.")
    console.say(f"  Fix: {refusal.fix}")
    if refusal.manual_text:
        console.say("\nFinish by hand from this step:\n")
        console.say(_plain(refusal.manual_text))


def _plain(markdown: str) -> str:
    return markdown.replace("**", "").replace("*", "")


def write_json(
    console: Console,
    plan: pv.Plan | None,
    outcome: pv.Outcome | None,
    refusal: pv.Refusal | None,
    pushed: PushReport | None = None,
) -> None:
    """The plan, the steps, the problem, the store, the check and the pushes (--push, --then,
    the remembered destinations) as JSON on stdout."""
    from wizard.cli.commands.push import pushes_json

    body: dict[str, Any] = {
        "plan": [_step_json(s) for s in plan.steps] if plan else None,
        "steps": [
            {"kind": r.step.kind.value, "words": r.step.words, "state": r.state.value}
            for r in outcome.results
        ]
        if outcome
        else [],
        "changed_at_meta": outcome.changed_at_meta if outcome else 0,
        "problem": _refusal_json(refusal) if refusal else None,
        "stored": (
            {"target": outcome.saved.target, "where": outcome.saved.where}
            if outcome and outcome.saved
            else None
        ),
        "check": report_json(outcome.check) if outcome and outcome.check else None,
        "admin_token_stored": False,
        "pushes": pushes_json(pushed or PushReport()),
    }
    if plan is not None:
        body["business"] = {"id": plan.business.id, "name": plan.business.name}
    console.out.write(json.dumps(body, indent=2) + "\n")


def _step_json(step: pv.PlannedStep) -> dict[str, Any]:
    return {
        "kind": step.kind.value,
        "words": step.words,
        "call": step.call,
        "state": step.state.value,
        "manual_step": step.manual_step.value,
    }


def _refusal_json(refusal: pv.Refusal) -> dict[str, Any]:
    return {
        "code": refusal.problem.value,
        "title": refusal.title,
        "call": refusal.call,
        "reason": refusal.reason,
        "fix": refusal.fix,
        "manual_step": refusal.manual_step.value if refusal.manual_step else None,
        "manual_instructions": _plain(refusal.manual_text) or None,
    }
