"""The failed-login budget (core.budget.ClientBudgets as admin logins use it): burst, refill,
refunds, bounded memory, client keys."""

from __future__ import annotations

import pytest

from owncastd.core.budget import ClientBudgets, client_key


def test_a_burst_of_failures_then_one_per_refill() -> None:
    throttle = ClientBudgets(burst=10, per_minute=10)
    assert all(throttle.charge("a", 0.0) for _ in range(10))
    assert not throttle.allowed("a", 0.0)
    assert not throttle.charge("a", 0.0)  # nothing left: nothing spent either
    assert throttle.retry_after("a", 0.0) == 6
    assert not throttle.allowed("a", 5.9)
    assert throttle.allowed("a", 6.0)
    assert throttle.charge("a", 6.0)
    assert not throttle.charge("a", 6.0)
    assert throttle.tokens("a", 6.0 + 600) == 10  # never more than the burst


def test_clients_have_their_own_budgets() -> None:
    throttle = ClientBudgets(burst=2, per_minute=10)
    assert throttle.charge("a", 0.0) and throttle.charge("a", 0.0)
    assert not throttle.allowed("a", 0.0)
    assert throttle.allowed("b", 0.0)
    assert throttle.retry_after("b", 0.0) == 0


def test_a_refund_gives_a_failure_back_and_a_full_bucket_is_forgotten() -> None:
    throttle = ClientBudgets(burst=3, per_minute=10)
    throttle.charge("a", 0.0)
    throttle.charge("a", 0.0)
    throttle.refund("a", 0.0)
    assert throttle.tokens("a", 0.0) == 2
    throttle.refund("a", 0.0)
    assert len(throttle) == 0
    throttle.refund("never-charged", 0.0)
    assert len(throttle) == 0


def test_memory_is_bounded_by_dropping_the_stalest_client() -> None:
    throttle = ClientBudgets(burst=1, per_minute=10, max_clients=100)
    for n in range(10_000):
        throttle.charge(f"10.0.{n // 256}.{n % 256}", float(n))
    assert len(throttle) == 100
    assert throttle.allowed("10.0.0.0", 10_000.0)  # dropped, so a full budget again
    assert not throttle.allowed("10.0.39.15", 9_999.0)  # the latest is still locked out
    # Charging a tracked client again does not drop anyone.
    throttle.charge("10.0.39.15", 100_000.0)
    assert len(throttle) == 100


def test_a_lockout_is_noted_once_until_the_bucket_is_full_again() -> None:
    throttle = ClientBudgets(burst=2, per_minute=60)
    throttle.charge("a", 0.0)
    assert not throttle.note_lockout("a", 0.0)
    throttle.charge("a", 0.0)
    assert throttle.note_lockout("a", 0.0)
    assert not throttle.note_lockout("a", 0.0)
    throttle.charge("a", 1.0)  # one refilled, spent again: the same lockout
    assert not throttle.note_lockout("a", 1.0)
    throttle.charge("a", 10.0)  # full again: a new episode
    throttle.charge("a", 10.0)
    assert throttle.note_lockout("a", 10.0)


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        ClientBudgets(burst=0, per_minute=10)
    smallest = ClientBudgets(
        burst=1, per_minute=10
    )  # the smallest positive limit is taken and works
    assert smallest.charge("a", 0.0) and not smallest.charge("a", 0.0)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", ""),
        ("not an address", "not an address"),
    ],
)
def test_client_key(address: str, key: str) -> None:
    assert client_key(address) == key
