"""The persistent outbox and its worker against the in-memory Chatwoot: outage → retried with
backoff, nothing lost, nothing doubled, restart mid-queue, rejection recorded."""

from __future__ import annotations

import trio

from owncastd.core.chatwoot.outbox import Backoff, OutboxWorker
from owncastd.core.chatwoot.records import FAILED, SENDING, SENT, VIEWER, OutboxRow
from tests.unit.chatwoot.fake_api import FakeChatwoot
from tests.unit.chatwoot.helpers import Clock, bridge_store


def row(n: int, user: str = "u1", at: float = 1_800_000_000.0) -> OutboxRow:
    return OutboxRow(f"r{n}", VIEWER, user, f"hello {n}", at, next_attempt=at, name="Viewer")


async def drain(worker: OutboxWorker, repo, clock: Clock) -> int:
    rows = await repo.due(clock(), 200)
    await worker.send_all(rows)
    return len(rows)


async def test_outage_retries_with_backoff_and_loses_nothing(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    async with bridge_store(tmp_path / "db") as repo:
        worker = OutboxWorker(repo, api, clock, backoff=Backoff(first=2, most=8))
        api.down = True
        for n in range(3):
            await repo.enqueue(row(n))
        await drain(worker, repo, clock)
        # Only the first is tried (the viewer's order is kept); it waits 2 s, then 4, 8, 8.
        delays = []
        for _ in range(4):
            due = await repo.next_due()
            assert due is not None
            delays.append(due - clock())
            assert await drain(worker, repo, clock) == 0  # nothing before its time
            clock.now = due
            await drain(worker, repo, clock)
        assert delays == [2, 4, 8, 8]
        status = await repo.queue_status()
        assert status.counts == {"queued": 3}  # it failed before any post started
        assert "connection refused" in status.last_error
        await worker.refresh_count()  # what `owncastctl chatwoot status` shows
        assert (worker.queued, worker.last_error) == (3, "connection refused")
        api.down = False
        clock.now += 8
        await drain(worker, repo, clock)
        assert api.incoming() == ["hello 0", "hello 1", "hello 2"]
        assert (await repo.queue_status()).counts == {SENT: 3}
        assert await repo.next_due() is None
        await worker.refresh_count()
        assert (worker.queued, worker.last_error) == (0, None)


async def test_lost_response_is_not_posted_twice(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    async with bridge_store(tmp_path / "db") as repo:
        worker = OutboxWorker(repo, api, clock, backoff=Backoff(first=1))
        await repo.enqueue(row(0))
        await drain(worker, repo, clock)  # contact + conversation + first message
        await repo.enqueue(row(1))
        api.lose_response = True  # Chatwoot stores it, we time out
        await drain(worker, repo, clock)
        [pending] = await repo.due(clock() + 1, 10)
        assert pending.status == SENDING
        clock.now += 1
        await drain(worker, repo, clock)
        assert api.incoming() == ["hello 0", "hello 1"]
        assert api.calls.count("post_incoming") == 2
        assert (await repo.queue_status()).counts == {SENT: 2}


async def test_restart_mid_queue_delivers_each_row_once(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    path = tmp_path / "db"
    async with bridge_store(path) as repo:
        for n in range(5):
            await repo.enqueue(row(n, user=f"u{n % 2}"))
        worker = OutboxWorker(repo, api, clock)
        await worker.send_all((await repo.due(clock(), 200))[:2])
        # The daemon dies while the third row's post is in flight (stored by Chatwoot).
        third = (await repo.due(clock(), 200))[0]
        conversation = await repo.conversation_of(third.user_id)
        assert conversation is not None
        await repo.mark_sending(third.id, conversation.conversation_id, conversation.cursor)
        await api.post_incoming(conversation.conversation_id, third.content, third.id)
    async with bridge_store(path) as repo:  # restart: a new worker over the same file
        worker = OutboxWorker(repo, api, clock)
        await drain(worker, repo, clock)
        assert sorted(api.incoming()) == [f"hello {n}" for n in range(5)]
        assert (await repo.queue_status()).counts == {SENT: 5}
        assert len(api.contacts) == 2 and len(api.conversations) == 2


async def test_rejected_row_is_failed_and_the_queue_moves_on(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    async with bridge_store(tmp_path / "db") as repo:
        worker = OutboxWorker(repo, api, clock)
        await repo.enqueue(row(0))
        await repo.enqueue(row(1))
        api.reject = True
        await drain(worker, repo, clock)
        status = await repo.queue_status()
        assert status.counts == {FAILED: 1, SENT: 1}
        assert "422" in status.last_error
        assert api.incoming() == ["hello 1"]


async def test_resolved_conversation_is_reopened_not_duplicated(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    async with bridge_store(tmp_path / "db") as repo:
        worker = OutboxWorker(repo, api, clock)
        await repo.enqueue(row(0))
        await drain(worker, repo, clock)
        [cid] = api.conversations
        api.conversations[cid].status = "resolved"
        await repo.set_status(cid, "resolved")
        await repo.enqueue(row(1))
        await drain(worker, repo, clock)
        assert list(api.conversations) == [cid]
        assert api.conversations[cid].status == "pending"
        assert api.incoming(cid) == ["hello 0", "hello 1"]
        assert api.calls.count("ensure_contact") == 1


async def test_worker_wakes_on_kick_and_sends_at_most_n_viewers_at_once(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    busy, most = 0, 0
    post = api.post_incoming
    all_sent = trio.Event()

    async def slow_post(cid: int, content: str, echo_id: str) -> int:
        nonlocal busy, most
        busy += 1
        most = max(most, busy)
        await trio.sleep(0.01)
        busy -= 1
        posted = await post(cid, content, echo_id)
        if len(api.incoming()) == 12:
            all_sent.set()
        return posted

    api.post_incoming = slow_post  # type: ignore[method-assign]
    async with bridge_store(tmp_path / "db") as repo:
        worker = OutboxWorker(repo, api, clock, concurrency=3)
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            for n in range(12):
                await repo.enqueue(row(n, user=f"u{n}"))
            worker.kick()
            with trio.fail_after(10):
                await all_sent.wait()
            nursery.cancel_scope.cancel()
        assert most == 3
        assert sorted(api.incoming()) == sorted(f"hello {n}" for n in range(12))


async def test_a_failing_database_does_not_stop_the_worker(tmp_path):
    api = FakeChatwoot()
    async with bridge_store(tmp_path / "db") as repo:
        failures = []
        due = repo.due

        async def failing_once(now: float, limit: int) -> list[OutboxRow]:
            if not failures:
                failures.append(now)
                raise OSError("disk full")
            return await due(now, limit)

        repo.due = failing_once  # type: ignore[method-assign]
        worker = OutboxWorker(repo, api, Clock(), store_retry=0.01)
        await repo.enqueue(row(0))
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            with trio.fail_after(10):  # (the worker waits `store_retry` after the failure)
                await api.wait_until(lambda: bool(api.incoming()))
            nursery.cancel_scope.cancel()
        assert failures and api.incoming() == ["hello 0"]


async def test_a_deleted_user_is_forgotten(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    async with bridge_store(tmp_path / "db") as repo:
        await repo.enqueue(row(0, user="gone"))
        await repo.enqueue(row(1, user="stays"))
        await drain(OutboxWorker(repo, api, clock), repo, clock)
        repo.forget_user("gone")
        await repo.enqueue(row(2, user="stays"))  # (committed after the queued deletes)
        assert await repo.thread("gone", 10) == []
        assert await repo.contact("gone") is None and await repo.conversation_of("gone") is None
        assert [e.content for e in await repo.thread("stays", 10)] == ["hello 1", "hello 2"]


async def test_a_slow_viewer_holds_up_only_their_own_messages(tmp_path):
    api, clock = FakeChatwoot(), Clock()
    post, hanging, release = api.post_incoming, trio.Event(), trio.Event()

    async def post_or_hang(cid: int, content: str, echo_id: str) -> int:
        if content == "hello 0":
            hanging.set()
            await release.wait()
        return await post(cid, content, echo_id)

    api.post_incoming = post_or_hang  # type: ignore[method-assign]
    async with bridge_store(tmp_path / "db") as repo:
        worker = OutboxWorker(repo, api, clock, concurrency=4)
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await repo.enqueue(row(0, user="slow"))
            worker.kick()
            with trio.fail_after(10):
                await hanging.wait()
            await repo.enqueue(row(1, user="quick"))
            await repo.enqueue(row(2, user="slow"))
            worker.kick()
            with trio.fail_after(10):  # while "slow" still waits for Chatwoot
                await api.wait_until(lambda: api.incoming() == ["hello 1"])
            release.set()
            with trio.fail_after(10):
                await api.wait_until(lambda: len(api.incoming()) == 3)
            nursery.cancel_scope.cancel()
        slow = (await repo.conversation_of("slow")).conversation_id
        assert api.incoming(slow) == ["hello 0", "hello 2"]  # each viewer's order kept
