"""The wizard's route rules, as core data: a hub choice's route, the walk, the jumps."""

from __future__ import annotations

import pytest

from wizard.core.flow import (
    COMPARE_ROUTE,
    ONBOARD_STEPS,
    PERMANENT_ROUTE,
    STEP_TEXTS,
    TEMPORARY_ROUTE,
    Choice,
    Mode,
    RouteChoice,
    Step,
    Walk,
    opening_route,
    route_for,
    step_number,
)

HUBS = (Mode.MENU, Mode.EXPIRED, Mode.TROUBLESHOOT)


@pytest.mark.parametrize(
    ("choice", "mode", "expected"),
    [
        (
            Choice.PERMANENT,
            Mode.EXPIRED,
            RouteChoice(PERMANENT_ROUTE, Mode.EXPIRED, forget_paste=True, aim_at_stored=True),
        ),
        (
            Choice.PERMANENT,
            Mode.TROUBLESHOOT,
            RouteChoice(ONBOARD_STEPS, Mode.TROUBLESHOOT, forget_paste=True),
        ),
        (Choice.REPLACE, Mode.MENU, RouteChoice(ONBOARD_STEPS, Mode.MENU, forget_paste=True)),
        (
            Choice.TEMPORARY,
            Mode.EXPIRED,
            RouteChoice(
                TEMPORARY_ROUTE, Mode.EXPIRED, forget_paste=True, aim_at_stored=True, temporary=True
            ),
        ),
        (Choice.EXTEND, Mode.EXPIRED, RouteChoice(None, Mode.EXPIRED, extend=True)),
        (
            Choice.COMPARE,
            Mode.TROUBLESHOOT,
            RouteChoice(COMPARE_ROUTE, Mode.TROUBLESHOOT, forget_paste=True),
        ),
        (Choice.TROUBLESHOOT, Mode.MENU, RouteChoice(None, Mode.TROUBLESHOOT)),
        (None, Mode.MENU, RouteChoice(None, Mode.MENU)),
    ],
)
def test_a_hub_choice_leads_to_its_route_and_says_what_to_reset(
    choice: Choice | None, mode: Mode, expected: RouteChoice
) -> None:
    assert route_for(choice, mode) == expected


@pytest.mark.parametrize("mode", HUBS)
@pytest.mark.parametrize("choice", [Choice.PERMANENT, Choice.REPLACE])
def test_the_permanent_route_aims_at_the_stored_place_only_when_replacing_a_dead_token(
    choice: Choice, mode: Mode
) -> None:
    chosen = route_for(choice, mode)
    assert chosen.aim_at_stored is (mode is Mode.EXPIRED)
    assert chosen.route == (PERMANENT_ROUTE if mode is Mode.EXPIRED else ONBOARD_STEPS)


def test_only_the_temporary_choice_marks_the_temporary_route() -> None:
    marked = {c for c in Choice for mode in HUBS if route_for(c, mode).temporary}
    assert marked == {Choice.TEMPORARY}


def test_every_route_ends_with_check_store_done_and_compare_is_its_own() -> None:
    for route in (ONBOARD_STEPS, PERMANENT_ROUTE, TEMPORARY_ROUTE, COMPARE_ROUTE):
        assert route[-3:] == (Step.CHECK, Step.STORE, Step.DONE)
    assert COMPARE_ROUTE[0] is Step.PASTE


def test_onboarding_opens_on_its_route_and_the_others_on_their_hub() -> None:
    assert opening_route(Mode.ONBOARD) == RouteChoice(ONBOARD_STEPS, Mode.ONBOARD)
    assert [opening_route(mode) for mode in HUBS] == [None, None, None]


def test_a_walk_goes_forward_to_the_end_and_back_out_of_the_start() -> None:
    walk = Walk(TEMPORARY_ROUTE, Mode.EXPIRED)
    seen = []
    while walk.walking:
        seen.append((walk.step, walk.number))
        walk = walk.forward()
    assert walk.finished
    assert seen == [(step, step_number(TEMPORARY_ROUTE, step)) for step in TEMPORARY_ROUTE]
    out = Walk(TEMPORARY_ROUTE, Mode.EXPIRED).forward().back().back()
    assert not out.walking and not out.finished


@pytest.mark.parametrize("mode", list(Mode))
def test_only_onboarding_s_first_screen_has_no_back(mode: Mode) -> None:
    walk = Walk(ONBOARD_STEPS, mode)
    assert walk.first is (mode is Mode.ONBOARD)
    assert not walk.forward().first


def test_the_steps_from_paste_on_need_the_look_for_a_stored_token() -> None:
    needing = [
        step
        for step in ONBOARD_STEPS
        if Walk(ONBOARD_STEPS, Mode.ONBOARD).reroute(step).needs_the_look
    ]
    assert needing == [step for step in ONBOARD_STEPS if step not in STEP_TEXTS]
    assert needing[0] is Step.PASTE


@pytest.mark.parametrize(
    ("route", "mode", "goto", "expected"),
    [
        (TEMPORARY_ROUTE, Mode.EXPIRED, Step.PASTE, TEMPORARY_ROUTE),  # on the route: stay on it
        (TEMPORARY_ROUTE, Mode.EXPIRED, Step.GENERATE, PERMANENT_ROUTE),
        (COMPARE_ROUTE, Mode.TROUBLESHOOT, Step.ASSIGN, PERMANENT_ROUTE),
        (ONBOARD_STEPS, Mode.ONBOARD, Step.CREATE, ONBOARD_STEPS),
        (ONBOARD_STEPS, Mode.ONBOARD, Step.DONE, ONBOARD_STEPS),  # "Do it for me" stored it
    ],
)
def test_a_jump_outside_the_route_continues_on_the_full_system_user_route(
    route: tuple[Step, ...], mode: Mode, goto: Step, expected: tuple[Step, ...]
) -> None:
    walk = Walk(route, mode, at=len(route) - 1).reroute(goto)
    assert walk.route == expected and walk.step is goto and walk.mode is mode
    assert walk.number == step_number(expected, goto)
