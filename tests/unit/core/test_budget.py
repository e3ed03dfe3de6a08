"""Token buckets and per-client failure budgets."""

from __future__ import annotations

import pytest

from owncastd.core.budget import ClientBudgets, TokenBucket, client_key


def test_token_bucket_refills_at_its_rate_up_to_the_burst() -> None:
    bucket = TokenBucket(10, 2, now=0.0)
    assert bucket.tokens(0.0) == 10
    bucket.spend(14, 0.0)
    assert bucket.tokens(0.0) == -4  # a debt
    assert bucket.seconds_until(1, 0.0) == pytest.approx(2.5)
    assert bucket.tokens(3.0) == 2
    assert bucket.tokens(100.0) == 10


def test_client_budget_locks_out_after_the_burst_and_refills() -> None:
    budgets = ClientBudgets(burst=3, per_minute=6)  # one failure back every 10 s
    for _ in range(3):
        assert budgets.allowed("1.2.3.4", 0.0)
        budgets.charge("1.2.3.4", 0.0)
    assert not budgets.allowed("1.2.3.4", 0.0)
    assert budgets.allowed("1.2.3.5", 0.0)
    assert budgets.retry_after("1.2.3.4", 0.0) == 10
    assert budgets.note_lockout("1.2.3.4", 1.0)
    assert not budgets.note_lockout("1.2.3.4", 2.0)  # once per lockout
    assert not budgets.allowed("1.2.3.4", 9.9)
    assert budgets.allowed("1.2.3.4", 10.0)
    budgets.charge("1.2.3.4", 10.0)
    assert not budgets.allowed("1.2.3.4", 10.0)
    assert not budgets.note_lockout("1.2.3.4", 10.0)  # the bucket was not full in between
    assert budgets.allowed("1.2.3.4", 40.0)


def test_client_budgets_stay_bounded() -> None:
    budgets = ClientBudgets(burst=1, per_minute=1, max_clients=2)
    for n in range(5):
        budgets.charge(f"10.0.0.{n}", float(n))
    assert len(budgets) == 2
    assert not budgets.allowed("10.0.0.4", 4.0)
    assert budgets.allowed("10.0.0.0", 4.0)  # the stalest was forgotten


def test_client_key() -> None:
    assert client_key("10.1.2.3") == "10.1.2.3"
    assert client_key("::ffff:10.1.2.3") == "10.1.2.3"
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff") == "2001:db8::/64"
    assert client_key("unknown") == "unknown"
