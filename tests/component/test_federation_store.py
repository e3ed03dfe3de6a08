"""Federation rows over a real SQLite store: follow states, de-duplicated activities, outbox."""

from __future__ import annotations

import trio

from owncastd.core.federation.models import LIKE, RemoteProfile
from owncastd.store.database import Store
from owncastd.store.federation import FederationStore


def _profile(n: int, shared: str = "") -> RemoteProfile:
    return RemoteProfile(
        f"https://m{n}.example/users/a", f"https://m{n}.example/users/a/inbox", shared, "A", "a@m"
    )


async def test_followers_pending_blocked_activities_and_outbox(tmp_path):
    store = Store(tmp_path / "owncast.db")
    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)
        fed = FederationStore(store)
        await fed.add_follower(
            _profile(1, "https://m1.example/inbox"), "{}", "f1", approved=True, now=1
        )
        await fed.add_follower(
            _profile(2, "https://m1.example/inbox"), "{}", "f2", approved=True, now=2
        )
        pending = await fed.add_follower(_profile(3), "{}", "f3", approved=False, now=3)
        assert pending.approved_at is None
        total, page = await fed.followers(0, 50)
        assert total == 2 and page[0].profile.iri == _profile(2).iri
        assert await fed.delivery_inboxes() == ["https://m1.example/inbox"]
        assert [f.profile.iri for f in await fed.pending()] == [_profile(3).iri]
        # a re-follow keeps the approval of a known follower
        again = await fed.add_follower(_profile(1), "{}", "f1b", approved=False, now=9)
        assert again.approved_at == 1 and again.request_iri == "f1b"
        before = await fed.approve(_profile(3).iri, now=4)
        assert before is not None and before.approved_at is None
        assert await fed.follower_count() == 3
        assert await fed.disable(_profile(2).iri, now=5)
        assert await fed.is_blocked(_profile(2).iri)
        assert [f.profile.iri for f in await fed.blocked()] == [_profile(2).iri]
        assert (await fed.blocked())[0].to_json()["disabledAt"] == "1970-01-01T00:00:05Z"
        assert await fed.remove_follower(_profile(1).iri)
        assert not await fed.remove_follower(_profile(1).iri)
        assert await fed.follower_count() == 1

        assert await fed.add_activity_if_new("https://s/n1", "https://m1/a", LIKE, 10)
        assert not await fed.add_activity_if_new("https://s/n1", "https://m1/a", LIKE, 11)
        total, acts = await fed.activities(0, 10)
        assert total == 1 and acts[0].to_json()["actorIRI"] == "https://m1/a"

        await fed.add_outbox(
            "https://s/federation/a", {"type": "Note", "n": 1}, "Note", 1, live=True
        )
        await fed.add_outbox("https://s/federation/b", {"type": "Note", "n": 2}, "Note", 2)
        assert await fed.outbox_count() == 2
        assert [o["n"] for o in await fed.outbox_page(0, 50)] == [2, 1]
        assert await fed.outbox_object("https://s/federation/a") == (
            {"type": "Note", "n": 1},
            True,
            1.0,
        )
        assert await fed.outbox_object("https://s/federation/zz") is None
        nursery.cancel_scope.cancel()
