"""The admin guard's failed-login budget and its bcrypt threads, directly and through the app."""

from __future__ import annotations

import logging
import threading

import pytest
import trio
import trio.testing

from owncastd.config.settings import AdminSettings, Settings, SettingsRef
from owncastd.core.budget import ClientBudgets
from owncastd.http.admin import auth as admin_auth
from owncastd.http.admin.auth import AdminGuard, Verdict
from tests.component.app_fixtures import ADMIN_PASSWORD, basic, password_hash
from tests.component.http_fixtures import WebHarness, web_fixture  # noqa: F401

HASH = password_hash(ADMIN_PASSWORD)


def guard(**kwargs: object) -> AdminGuard:
    settings = SettingsRef(Settings(admin=AdminSettings(password_hash=HASH)))
    return AdminGuard(settings, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def bcrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password bcrypt checks (the real check still runs)."""
    calls: list[str] = []
    real = admin_auth._bcrypt_check

    def counting(password: str, password_hash: str) -> bool:
        calls.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(admin_auth, "_bcrypt_check", counting)
    return calls


async def test_after_the_budget_nothing_is_checked_not_even_the_right_password(
    mock_clock: trio.testing.MockClock, bcrypt_calls: list[str]
) -> None:
    admin = guard()
    assert await admin.authenticate("1.2.3.4", "admin", ADMIN_PASSWORD) is Verdict.OK
    verdicts = [await admin.authenticate("1.2.3.4", "admin", f"guess{n}") for n in range(30)]
    assert verdicts == [Verdict.DENIED] * 10 + [Verdict.THROTTLED] * 20
    assert await admin.authenticate("1.2.3.4", "admin", ADMIN_PASSWORD) is Verdict.THROTTLED
    assert bcrypt_calls == [ADMIN_PASSWORD]  # wrong guesses met the cache, then nothing
    assert await admin.authenticate("5.6.7.8", "admin", ADMIN_PASSWORD) is Verdict.OK
    mock_clock.jump(6)
    assert await admin.authenticate("1.2.3.4", "admin", ADMIN_PASSWORD) is Verdict.OK
    assert await admin.authenticate("1.2.3.4", "admin", "again") is Verdict.DENIED
    assert await admin.authenticate("1.2.3.4", "admin", "again") is Verdict.THROTTLED


async def test_good_logins_cost_nothing(bcrypt_calls: list[str]) -> None:
    admin = guard(throttle=ClientBudgets(burst=3, per_minute=10))
    for _ in range(50):
        assert await admin.authenticate("c", "admin", ADMIN_PASSWORD) is Verdict.OK
    assert [await admin.authenticate("c", "admin", "x") for _ in range(4)] == [
        Verdict.DENIED,
        Verdict.DENIED,
        Verdict.DENIED,
        Verdict.THROTTLED,
    ]


async def test_cold_cache_guesses_are_budgeted_too(bcrypt_calls: list[str]) -> None:
    admin = guard(throttle=ClientBudgets(burst=3, per_minute=10))
    verdicts = [await admin.authenticate("c", "admin", f"guess{n}") for n in range(5)]
    assert verdicts == [Verdict.DENIED] * 3 + [Verdict.THROTTLED] * 2
    assert bcrypt_calls == ["guess0", "guess1", "guess2"]
    # A wrong user with the right password is a failure (and is charged) as well.
    admin = guard(throttle=ClientBudgets(burst=1, per_minute=10))
    assert await admin.authenticate("c", "root", ADMIN_PASSWORD) is Verdict.DENIED
    assert await admin.authenticate("c", "admin", ADMIN_PASSWORD) is Verdict.THROTTLED


async def test_parallel_guesses_cannot_overdraw_the_budget(bcrypt_calls: list[str]) -> None:
    admin = guard(throttle=ClientBudgets(burst=5, per_minute=10))
    verdicts: list[Verdict] = []

    async def attempt(n: int) -> None:
        verdicts.append(await admin.authenticate("c", "admin", f"guess{n}"))

    async with trio.open_nursery() as nursery:
        for n in range(40):
            nursery.start_soon(attempt, n)
    assert sorted(v.value for v in verdicts) == ["denied"] * 5 + ["throttled"] * 35
    assert len(bcrypt_calls) == 5


async def test_bcrypt_has_its_own_two_threads_and_shares_a_run_for_the_same_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    running: list[str] = []
    two_running = trio.Event()

    def blocking(password: str, password_hash: str) -> bool:
        running.append(password)
        if len(running) == 2:
            trio.from_thread.run_sync(two_running.set)
        release.wait(10)
        return password == ADMIN_PASSWORD

    monkeypatch.setattr(admin_auth, "_bcrypt_check", blocking)
    admin = guard()
    verdicts: list[Verdict] = []

    async def attempt(client: str, password: str) -> None:
        verdicts.append(await admin.authenticate(client, "admin", password))

    default_limiter = trio.to_thread.current_default_thread_limiter()
    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            for n in range(5):  # five clients guessing, and an admin UI opening 20 requests
                nursery.start_soon(attempt, f"10.0.0.{n}", f"guess{n}")
            for _ in range(20):
                nursery.start_soon(attempt, "10.0.0.99", ADMIN_PASSWORD)
            await two_running.wait()
            await trio.testing.wait_all_tasks_blocked()
            assert len(running) == 2  # no more than two bcrypt threads at once...
            assert default_limiter.borrowed_tokens == 0  # ...and none of trio's shared ones
            release.set()
    assert verdicts.count(Verdict.OK) == 20
    assert verdicts.count(Verdict.DENIED) == 5
    assert running.count(ADMIN_PASSWORD) == 1  # 20 identical requests, one bcrypt


async def test_throttled_requests_get_401_with_retry_after_and_one_log_line(
    web: WebHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="owncastd.http.admin.auth")
    attacker = {"scope_base": {"client": ("198.51.100.7", 40000)}}
    for n in range(10):
        response = await web.client.get(
            "/api/admin/status", headers=basic("admin", f"guess{n}"), **attacker
        )
        assert response.status_code == 401 and "Retry-After" not in response.headers
    right = basic("admin", ADMIN_PASSWORD)
    for _ in range(3):
        response = await web.client.get("/api/admin/status", headers=right, **attacker)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == admin_auth.REALM
        assert 1 <= int(response.headers["Retry-After"]) <= 6
    # Another address, and requests without credentials, are not affected.
    other = {"scope_base": {"client": ("203.0.113.5", 40000)}}
    assert (await web.client.get("/api/admin/status", headers=right, **other)).status_code == 200
    [line] = [r.getMessage() for r in caplog.records]
    assert line == "admin logins throttled client=198.51.100.7 failures=10 per_minute=10"
    assert all(f"guess{n}" not in line for n in range(10)) and ADMIN_PASSWORD not in line


async def test_behind_a_proxy_each_client_has_its_own_budget(web: WebHarness) -> None:
    """Behind a reverse proxy (loopback, trusted by default) every request comes from the
    proxy's address: the budget follows the address the proxy appended, so an outsider's
    guesses cannot lock the admin out, and a forged first entry does not buy more guesses."""
    proxy = {"scope_base": {"client": ("127.0.0.1", 40000)}}
    for n in range(12):
        forged = f"198.51.100.{n}, 198.51.100.99"  # the proxy appended .99; .n is made up
        headers = {**basic("admin", f"guess{n}"), "X-Forwarded-For": forged}
        response = await web.client.get("/api/admin/status", headers=headers, **proxy)
        assert response.status_code == 401
    assert "Retry-After" in response.headers  # .99 spent its budget despite the forgeries
    admin = {**basic("admin", ADMIN_PASSWORD), "X-Forwarded-For": "203.0.113.5"}
    response = await web.client.get("/api/admin/status", headers=admin, **proxy)
    assert response.status_code == 200
