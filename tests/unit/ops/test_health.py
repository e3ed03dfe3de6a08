"""Health: ok, degraded (still 200) and failing (503) — and a probe that stays cheap."""

from __future__ import annotations

import trio

from owncastd.ops.health import Health


def all_up(health: Health) -> Health:
    for part in ("http", "rtmp", "store"):
        health.set_up(part, True)
    return health


async def test_ok_when_every_part_is_up():
    report = await all_up(Health()).report()
    assert report.to_json() == {
        "status": "ok",
        "parts": {"http": "up", "rtmp": "up", "store": "up"},
        "problems": [],
    }


async def test_a_down_part_is_failing_and_named():
    health = all_up(Health())
    health.set_up("rtmp", False)
    report = await health.report()
    assert report.status == "failing" and report.parts["rtmp"] == "down"
    assert report.problems == ("rtmp: down",)


async def test_degraded_reasons_come_and_go_and_tell_systemd():
    notes: list[str] = []
    health = all_up(Health(notify=notes.append))
    health.degrade("disk:space", "disk nearly full: video 97% used")
    health.degrade("disk:space", "disk nearly full: video 97% used")  # no repeat
    report = await health.report()
    assert report.status == "degraded"
    assert report.problems == ("disk nearly full: video 97% used",)
    health.recover("disk:space")
    assert (await health.report()).status == "ok"
    assert notes == ["STATUS=degraded: disk nearly full: video 97% used", "STATUS=serving"]


async def test_checks_are_asked_on_every_report_and_may_not_break_it():
    state = {"failure": None}
    health = all_up(Health())
    health.add_check("store", lambda: state["failure"])
    health.add_check("broken", lambda: 1 / 0)
    state["failure"] = "store: database writes are failing (database or disk is full)"
    report = await health.report()
    assert report.status == "degraded"
    assert report.problems == (state["failure"], "broken: health check failed")


async def test_store_probe_failures_and_hangs_mark_the_store_down(autojump_clock):
    calls = {"n": 0}
    behaviour = {"mode": "ok"}

    async def probe() -> None:
        calls["n"] += 1
        if behaviour["mode"] == "raise":
            raise RuntimeError("database is locked")
        if behaviour["mode"] == "hang":
            await trio.sleep_forever()

    health = all_up(Health(probe))
    assert (await health.report()).status == "ok"
    assert (await health.report()).status == "ok"
    assert calls["n"] == 1  # cached for a second: polling stays cheap
    await trio.sleep(1.5)
    behaviour["mode"] = "raise"
    assert (await health.report()).parts["store"] == "down"
    await trio.sleep(1.5)
    behaviour["mode"] = "hang"
    started = trio.current_time()
    report = await health.report()
    assert report.status == "failing" and report.problems == ("store: down",)
    assert trio.current_time() - started == 2.0  # bounded by the probe timeout
