"""The profiles' checks side by side: the worst exit code, bounded workers and connections for
a hundred profiles, one pool that later profiles reuse, the keyring index as a place to look."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from tests.core.memory_keyring import MemoryKeyring
from wizard.core.codes import ExitCode
from wizard.core.fleet import (
    POOL_CONNECTIONS,
    PROFILES_AT_ONCE,
    check_profiles,
    fleet_json,
    worst_exit_code,
)
from wizard.core.graph.threads import run_bounded
from wizard.core.settings import Settings
from wizard.testing.fake_graph import TOKENS, WABA_A
from wizard.testing.traffic import CountingFakeGraphServer


@pytest.mark.parametrize(
    ("codes", "worst"),
    [
        ([], 0),
        ([0, 0], 0),
        ([0, 4], 4),
        ([4, 3], 3),
        ([3, 5, 4], 5),
        ([5, 2], 2),
        ([2, 1, 5, 4, 3], 1),
    ],
)
def test_the_worst_exit_code_is_1_then_2_5_3_4(codes: list[int], worst: int) -> None:
    assert worst_exit_code(codes) == worst


class Watching(httpx.BaseTransport):
    """A real HTTP transport that notes the most requests in flight and threads alive."""

    def __init__(self) -> None:
        limits = httpx.Limits(max_connections=POOL_CONNECTIONS)
        self._inner = httpx.HTTPTransport(limits=limits)
        self._lock = threading.Lock()
        self.in_flight = self.most_in_flight = self.most_threads = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.most_threads = max(self.most_threads, threading.active_count())
        try:
            response = self._inner.handle_request(request)
            response.read()
            return response
        finally:
            with self._lock:
                self.in_flight -= 1

    def close(self) -> None:
        self._inner.close()


def test_a_hundred_profiles_use_a_few_workers_and_one_bounded_pool(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    environ = {f"WHATSAPP_CLOUD_API_TOKEN_P{i}": TOKENS["valid"] for i in range(100)}
    environ.update({f"WHATSAPP_BUSINESS_ACCOUNT_ID_P{i}": WABA_A for i in range(0, 100, 2)})
    watching = Watching()
    before = threading.active_count()
    with CountingFakeGraphServer() as server:
        settings = Settings(graph_url=server.url, env_file=tmp_path / ".env")
        fleet = check_profiles(settings, environ, transport=watching)
        traffic = server.traffic
    watching.close()
    assert len(fleet.checks) == 100 and fleet.exit_code == 0
    assert all(check.report and check.report.ok for check in fleet.checks)
    # each profile at most three requests at once (debug_token, /me, its account), ten at once
    assert watching.most_in_flight <= 3 * PROFILES_AT_ONCE
    assert traffic.connections <= POOL_CONNECTIONS  # reused from profile to profile
    # no thread storm: a thread per profile would make 300 (three requests each); here each
    # worker's check runs a few threads beside it (its storage look, /me, its account, a
    # keyring call), and the fake runs one per open connection
    assert watching.most_threads - before <= 6 * PROFILES_AT_ONCE + POOL_CONNECTIONS


def test_run_bounded_never_runs_more_than_its_limit_and_keeps_the_order() -> None:
    lock, running, most = threading.Lock(), [0], [0]
    release = threading.Barrier(3, timeout=5)

    def call(i: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        if i < 3:
            release.wait()  # the first three meet: three run at once
        with lock:
            running[0] -= 1
        if i == 7:
            raise ValueError(i)
        return i * i

    results = run_bounded([lambda i=i: call(i) for i in range(20)], 3)
    assert most[0] == 3
    assert [r if not isinstance(r, Exception) else "error" for r in results] == [
        *(i * i for i in range(7)),
        "error",
        *(i * i for i in range(8, 20)),
    ]


def test_a_profile_known_only_from_the_keyring_index_is_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keyring = MemoryKeyring(monkeypatch)
    keyring.values["wa-token-profiles"] = "vault"
    keyring.values["WHATSAPP_CLOUD_API_TOKEN_VAULT"] = TOKENS["valid"]
    with CountingFakeGraphServer() as server:
        settings = Settings(graph_url=server.url, env_file=tmp_path / ".env")
        fleet = check_profiles(settings, {})
    [entry] = fleet_json(fleet)["profiles"]
    assert entry["profile"] == "vault" and entry["exit_code"] == ExitCode.OK
    assert entry["token"]["source"] == "keyring"


def test_no_profile_anywhere_is_the_chosen_profile_without_a_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    fleet = check_profiles(Settings(env_file=tmp_path / ".env"), {})
    [entry] = fleet_json(fleet)["profiles"]
    assert entry["profile"] == "default" and entry["problems"][0]["code"] == "token_missing"
    assert fleet.exit_code == ExitCode.NO_TOKEN


def test_an_unreadable_env_file_is_reported_not_passed_over(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    env_file = tmp_path / ".env"
    env_file.mkdir()  # a directory: its profiles cannot be listed
    environ = {"WHATSAPP_CLOUD_API_TOKEN_ACME": TOKENS["valid"]}
    with CountingFakeGraphServer() as server:
        fleet = check_profiles(Settings(graph_url=server.url, env_file=env_file), environ)
    entries = {e["profile"]: e for e in fleet_json(fleet)["profiles"]}
    assert entries["acme"]["ok"] is True
    assert entries["default"]["problems"][0]["code"] == "store_unreadable"
    assert fleet.exit_code == ExitCode.STORE
