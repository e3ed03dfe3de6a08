"""The federation delivery queue over real SQLite: backoff and breaker steps (autojump clock,
a scripted poster), give-up, drops; then real loopback servers: a hanging instance never holds
back a healthy one, a 503 is retried, and every POST is signed at send time."""

from __future__ import annotations

import time
from collections import defaultdict

import trio
import trio.testing

from owncastd.federation.delivery import DeliveryPolicy, DeliveryQueue
from owncastd.federation.httpsig import parse_signature, verify_request
from owncastd.federation.keys import ServerKey
from owncastd.federation.signed_http import SignedHttp
from owncastd.store.database import Store
from owncastd.store.federation_deliveries import DeliveryStore
from tests.component.webhook_receiver import WebhookReceiver

NOTE = {"type": "Create", "id": "https://example.test/federation/abc", "object": {"type": "Note"}}


class ScriptedPoster:
    """Answers each inbox with its scripted statuses in turn (the last repeats); records when."""

    def __init__(self, scripts: dict[str, list[int]]) -> None:
        self.scripts = scripts
        self.attempts: dict[str, list[float]] = defaultdict(list)
        self._posted = trio.Event()

    async def post_activity(self, inbox: str, body: bytes) -> int:
        self.attempts[inbox].append(trio.current_time())
        self._posted.set()
        self._posted = trio.Event()
        script = self.scripts[inbox]
        return script.pop(0) if len(script) > 1 else script[0]

    async def wait_attempts(self, count: int) -> None:
        """Wait (no polling: the autojump clock must not move for it) for `count` attempts."""
        while sum(map(len, self.attempts.values())) < count:
            await self._posted.wait()


async def _wait_for(condition, timeout: float = 10.0, every: float = 0.01) -> None:  # noqa: ASYNC109
    with trio.fail_after(timeout):
        while not condition():  # noqa: ASYNC110 (several receivers and counters)
            await trio.sleep(every)


class WatchedRows(DeliveryStore):
    """The store, telling when a delivery was settled (so tests under the autojump clock wait
    without polling: a polling loop would move the virtual clock while SQLite works)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._changed = trio.Event()

    def _note(self) -> None:
        self._changed.set()
        self._changed = trio.Event()

    async def finish(self, delivery_id: int) -> None:
        await super().finish(delivery_id)
        self._note()

    async def hold_host(self, host: str, until: float) -> None:
        await super().hold_host(host, until)
        self._note()

    async def settled(self, condition) -> None:
        """Wait until `condition()` holds, checking after each settled delivery."""
        while not condition():
            await self._changed.wait()


def _gaps(times: list[float]) -> list[float]:
    """Seconds from the first attempt (whole: the autojump clock may move a little while
    SQLite works on its thread)."""
    return [round(t - times[0]) for t in times]


async def test_backoff_steps_breaker_and_drops(tmp_path, autojump_clock: trio.testing.MockClock):
    store = Store(tmp_path / "owncast.db")
    poster = ScriptedPoster(
        {
            "https://flaky.test/inbox": [503, 502, 200],
            "https://flaky.test/users/b/inbox": [200],
            "https://refusing.test/inbox": [404],
            "https://busy.test/inbox": [429, 202],
            "https://good.test/inbox": [200],
        }
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)
        rows = WatchedRows(store)
        queue = DeliveryQueue(rows, poster, clock=trio.current_time)
        await nursery.start(queue.run)
        await queue.send(NOTE, [*poster.scripts, "https://good.test/inbox", "http://plain.test/x"])
        await poster.wait_attempts(8)
        await rows.settled(lambda: queue.counts.delivered == 4)
        assert queue.counts.dropped == 1  # the 404: dropped, not retried
        assert await rows.pending() == 0
        nursery.cancel_scope.cancel()
    first = poster.attempts["https://good.test/inbox"]
    assert len(first) == 1  # promptly, once (de-duplicated)
    assert poster.attempts["https://refusing.test/inbox"] == first
    # flaky.test/inbox: fails at 0 (1 min), at +1 min (5 min more), then delivered.
    assert _gaps(poster.attempts["https://flaky.test/inbox"]) == [0, 60, 360]
    assert _gaps(poster.attempts["https://busy.test/inbox"]) == [0, 60]  # 429 is retried
    assert "http://plain.test/x" not in poster.attempts  # not https: never queued


async def test_gives_up_after_the_limit_and_survives_a_restart(
    tmp_path, autojump_clock: trio.testing.MockClock
):
    store = Store(tmp_path / "owncast.db")
    poster = ScriptedPoster({"https://dead.test/inbox": [503]})
    policy = DeliveryPolicy(give_up_after=7200.0)
    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)
        rows = WatchedRows(store)
        first = DeliveryQueue(rows, poster, policy=policy, clock=trio.current_time)
        async with trio.open_nursery() as run_first:
            await run_first.start(first.run)
            await first.send(NOTE, ["https://dead.test/inbox"])
            await poster.wait_attempts(2)
            await rows.settled(lambda: first.counts.retried == 2)
            run_first.cancel_scope.cancel()
        # A new queue over the same rows (a restart) keeps the stored next attempt (+15 min).
        second = DeliveryQueue(rows, poster, policy=policy, clock=trio.current_time)
        await nursery.start(second.run)
        await poster.wait_attempts(7)
        await rows.settled(lambda: second.counts.gave_up == 1)
        assert await rows.pending() == 0
        nursery.cancel_scope.cancel()
    # 0, +1 min, +5, +15, +30, +60 (6660 s < 2 h: retried), +60 → past 2 h: given up.
    assert _gaps(poster.attempts["https://dead.test/inbox"]) == [
        0, 60, 360, 1260, 3060, 6660, 10260
    ]  # fmt: skip


class CountedReads(WatchedRows):
    """The store, counting the due-rows queries."""

    reads = 0

    async def due(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.reads += 1
        return await super().due(*args, **kwargs)


async def test_a_fan_out_reads_due_rows_in_blocks(tmp_path, autojump_clock: trio.testing.MockClock):
    """1,000 deliveries to 4 hosts cost a handful of due-row queries, not one per delivery,
    and every inbox gets the post once."""
    inboxes = [f"https://h{i % 4}.test/users/u{i}/inbox" for i in range(1000)]
    poster = ScriptedPoster({inbox: [202] for inbox in inboxes})
    store = Store(tmp_path / "owncast.db")
    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)
        rows = CountedReads(store)
        queue = DeliveryQueue(rows, poster, clock=trio.current_time)
        await nursery.start(queue.run)
        await queue.send(NOTE, inboxes)
        await rows.settled(lambda: queue.counts.delivered == 1000)
        assert await rows.pending() == 0
        nursery.cancel_scope.cancel()
    assert sorted(poster.attempts) == sorted(inboxes)
    assert all(len(times) == 1 for times in poster.attempts.values())
    assert rows.reads <= 25, rows.reads


async def test_hanging_instance_never_delays_healthy_ones(tmp_path):
    key = await trio.to_thread.run_sync(ServerKey.generate)
    actor = "http://127.0.0.1:1/federation/user/streamer"
    http = SignedHttp(key, f"{actor}#main-key", user_agent="test", allow_private=True, timeout=30)
    store = Store(tmp_path / "owncast.db")
    hanging = WebhookReceiver(blackhole=True)
    healthy = WebhookReceiver()
    flaky = WebhookReceiver(statuses=[503, 200])
    policy = DeliveryPolicy(workers=6, per_host=2, backoff=(0.2,))
    async with trio.open_nursery() as nursery:
        for receiver in (hanging, healthy, flaky):
            await receiver.start(nursery)
        await nursery.start(store.run)
        rows = DeliveryStore(store)
        queue = DeliveryQueue(rows, http, policy=policy, allow_private=lambda: True)
        await nursery.start(queue.run)
        base = trio.current_time()
        await queue.send(NOTE, [f"http://127.0.0.1:{hanging.port}/u/{i}/inbox" for i in range(8)])
        await queue.send(NOTE, [f"http://127.0.0.1:{healthy.port}/u/{i}/inbox" for i in range(8)])
        await queue.send(NOTE, [f"http://127.0.0.1:{flaky.port}/inbox"])
        with trio.fail_after(10):  # far less than the 30 s request deadline
            await _wait_for(lambda: len(healthy.received) == 8 and queue.counts.delivered == 9)
        await _wait_for(lambda: len(hanging.received) == 2)
        assert hanging.connections == 2  # only its per-host share of the workers
        assert [r.path for r in flaky.received] == ["/inbox", "/inbox"]  # 503, then retried
        assert flaky.received[1].at - base >= 0.2
        for got in healthy.received + flaky.received:
            params = parse_signature(got.headers["signature"])
            verify_request(
                params,
                key.private.public_key(),
                "POST",
                got.path,
                got.headers,
                got.body,
                time.time(),
            )
            assert params.key_id == f"{actor}#main-key"
            assert got.headers["content-type"] == "application/activity+json"
            assert got.json() == NOTE
        nursery.cancel_scope.cancel()
    with trio.move_on_after(1, shield=True):
        await http.aclose()
