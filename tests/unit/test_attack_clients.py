"""The abuse-while-live attackers build what they claim to (tests/attack_clients.py)."""

from __future__ import annotations

import pytest

from owncastd.rtmp import amf0
from tests.attack_clients import BOMB_SIZE, Plan, bomb_payloads, host_port


def count_values(value: object) -> int:
    if isinstance(value, dict):
        return 1 + sum(count_values(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(count_values(v) for v in value)
    return 1


def test_bombs_are_whole_64_kib_commands_that_decode_to_thousands_of_values():
    # Malformed bytes would be refused at the first error and cost the server nothing.
    for payload in bomb_payloads():
        assert BOMB_SIZE - 64 < len(payload) <= BOMB_SIZE
        name, txn, null, items = amf0.decode_all(payload)
        assert (name, txn, null) == ("bomb", 1.0, None)
        assert isinstance(items, list)
        assert count_values(items) >= 9000


def test_attacks_only_go_to_loopback():
    assert Plan(("127.0.0.1", 8080), host_port("rtmp://127.0.0.1:1935/live")).rtmp == (
        "127.0.0.1",
        1935,
    )
    with pytest.raises(ValueError, match="loopback"):
        Plan(host_port("http://192.0.2.1:8080"), ("127.0.0.1", 1935))
