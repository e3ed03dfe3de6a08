"""Owncast's CMCD playback metrics routes (develop spec §5.3), as an Owncast player sees them.

`/api/metrics/cmcd`: no auth, CORS `*`, OPTIONS 204 with the exact allow headers; POST a JSON
object or array (64 KiB at most) merged with the `CMCD` query and `CMCD-*` headers, GET with
`?CMCD=`; 200 with an empty body, 400 `{"success":false,"message":…}` otherwise. The admin reads
each viewer's figures at `/api/admin/viewers/playback` (numbers or null).
"""

from __future__ import annotations

import re

import pytest

from owncastd.core.viewers import client_id_for
from tests.component.admin_fixtures import AdminHarness, admin_fixture  # noqa: F401

CMCD = "/api/metrics/cmcd"
ALLOW_HEADERS = "Content-Type, CMCD-Request, CMCD-Object, CMCD-Status, CMCD-Session"
PLAYER = {"User-Agent": "hls.js test player"}
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


async def post(admin: AdminHarness, data: bytes, **headers: str):
    return await admin.request("POST", CMCD, auth=False, data=data, headers={**PLAYER, **headers})


async def playback(admin: AdminHarness) -> list[dict]:
    response, rows = await admin.get("/api/admin/viewers/playback")
    assert response.status_code == 200
    assert (
        response.headers["Cache-Control"].startswith("no-cache")
        or "no-store" in (response.headers["Cache-Control"])
    )
    return rows


async def test_options_is_204_with_the_exact_cors_headers(admin: AdminHarness) -> None:
    response, body = await admin.request("OPTIONS", CMCD, auth=False)
    assert response.status_code == 204
    assert body == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == ALLOW_HEADERS


async def test_a_json_object_is_200_with_an_empty_body_and_no_auth(admin: AdminHarness) -> None:
    response, body = await post(admin, b'{"sid":"s1","mtp":25400,"br":3200,"sta":"p"}')
    assert response.status_code == 200
    assert body == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    [row] = await playback(admin)
    assert row["clientID"] == "s1"
    assert row["playback"]["bandwidthKbps"] == 25400
    assert row["playback"]["playerState"] == "p"


async def test_get_with_the_cmcd_query(admin: AdminHarness) -> None:
    response, body = await admin.request(
        "GET", CMCD + '?CMCD=bs,ltc=1500,sid%3D"q1",ttlb=250', auth=False, headers=PLAYER
    )
    assert (response.status_code, body) == (200, b"")
    [row] = await playback(admin)
    assert row["clientID"] == "q1"
    figures = row["playback"]
    assert (figures["latencySeconds"], figures["downloadSeconds"]) == (1.5, 0.25)
    assert figures["errorCount"] == 1
    assert admin.control.playback.clients.get("q1").self_reporting  # ttlb > 0


async def test_query_and_headers_merge_into_the_object(admin: AdminHarness) -> None:
    response, _ = await admin.request(
        "POST",
        CMCD + "?CMCD=br%3D800",
        auth=False,
        data=b'{"sid":"m1","br":3200}',
        headers={**PLAYER, "CMCD-Status": "bs", "CMCD-Session": 'sid="m1"', "CMCD-Object": "d=4"},
    )
    assert response.status_code == 200
    [row] = await playback(admin)
    assert row["playback"]["bitrateKbps"] == 800  # the query's br replaced the body's
    assert row["playback"]["errorCount"] == 1  # bs from the header


async def test_an_array_gets_the_query_as_one_more_report(admin: AdminHarness) -> None:
    response, _ = await admin.request(
        "POST",
        CMCD + '?CMCD=sid%3D"third",br%3D100',
        auth=False,
        data=b'[{"sid":"first","br":1},{"sid":"second","br":2},{}]',
        headers=PLAYER,
    )
    assert response.status_code == 200
    ids = {row["clientID"] for row in await playback(admin)}
    assert ids == {"first", "second", "third"}


@pytest.mark.parametrize(
    ("request_args", "message"),
    [
        ({"method": "POST", "data": b""}, "no CMCD report found in request"),
        ({"method": "POST", "data": b"{}"}, "no CMCD report found in request"),
        ({"method": "POST", "data": b"[{}, {}]"}, "no CMCD report found in request"),
        ({"method": "GET", "data": b""}, "no CMCD report found in request"),
        ({"method": "GET", "data": b"", "query": "?CMCD="}, "no CMCD report found in request"),
        ({"method": "POST", "data": b"{nope"}, "malformed JSON: Expecting property name"),
        ({"method": "POST", "data": b"3"}, "the body must be a JSON object or an array"),
        ({"method": "POST", "data": b'{"a":1}', "query": '?CMCD=sid%3D"x'}, "invalid CMCD data"),
        ({"method": "POST", "data": b" " * 65537}, "http: request body too large"),
    ],
)
async def test_refusals_are_400_with_owncasts_body(
    admin: AdminHarness, request_args: dict, message: str
) -> None:
    path = CMCD + request_args.get("query", "")
    response, body = await admin.request(
        request_args["method"], path, auth=False, data=request_args["data"], headers=PLAYER
    )
    assert response.status_code == 400
    assert body["success"] is False and body["message"].startswith(message)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert admin.control.playback.clients.clients() == []


async def test_a_64_kib_body_is_taken(admin: AdminHarness) -> None:
    data = b'{"sid":"big"}'
    response, _ = await post(admin, data + b" " * (64 * 1024 - len(data)))
    assert response.status_code == 200


async def test_the_admin_read_needs_the_admin(admin: AdminHarness) -> None:
    response, _ = await admin.get("/api/admin/viewers/playback", auth=False)
    assert response.status_code == 401


async def test_admin_read_shape_for_a_viewer_with_and_without_figures(
    admin: AdminHarness, mock_clock
) -> None:
    await admin.go_online()
    await admin.get("/api/ping", auth=False, headers={"User-Agent": "quiet viewer"})
    await admin.get("/api/ping", auth=False, headers=PLAYER)
    await post(admin, b'{"sid":"abc","br":3200,"bs":true}')
    await post(admin, b'{"sid":"abc","br":1600,"e":"e","sta":"w"}')
    rows = {row["userAgent"]: row for row in await playback(admin)}
    assert set(rows) == {"quiet viewer", PLAYER["User-Agent"]}
    quiet = rows["quiet viewer"]
    assert set(quiet) == {"clientID", "viewerID", "firstSeen", "geo", "userAgent", "ipAddress",
                          "playback"}  # fmt: skip
    assert quiet["playback"] is None and quiet["geo"] is None
    assert RFC3339.fullmatch(quiet["firstSeen"])
    player = rows[PLAYER["User-Agent"]]
    assert player["clientID"] == "abc"  # the sid joins the viewer with the same IP and UA
    assert player["viewerID"] == client_id_for(player["ipAddress"], PLAYER["User-Agent"])
    figures = player["playback"]
    assert RFC3339.fullmatch(figures.pop("lastUpdate"))
    assert figures == {
        "source": "client",
        "playerState": "w",
        "bandwidthKbps": None,
        "latencySeconds": None,
        "downloadSeconds": None,
        "bitrateKbps": 1600,
        "errorCount": 2,
        "qualityVariantChanges": 1,
    }


async def test_cmcd_feeds_the_video_metrics_and_the_old_route_still_works(
    admin: AdminHarness,
) -> None:
    await post(admin, b'{"sid":"a","mtp":1000,"ltc":4000,"bs":true}')
    response, answer = await admin.post(
        "/api/metrics/playback", {"bandwidth": 3000, "latency": 8, "errors": 2}, auth=False
    )
    assert response.status_code == 200 and answer["success"] is True
    admin.control.playback.aggregate()
    _, metrics = await admin.get("/api/admin/metrics/video")
    assert [s["value"] for s in metrics["errors"]] == [3.0]
    assert [s["value"] for s in metrics["lowestLatency"]] == [4.0]
    assert [s["value"] for s in metrics["maxPlayerBitrate"]] == [3000.0]


async def test_many_made_up_session_ids_cannot_grow_memory(admin: AdminHarness) -> None:
    clients = admin.control.playback.clients
    clients.max_clients = 50  # the production cap is 5000; the rule is the same
    for i in range(300):
        body = b'[{"sid":"flood-%d","br":1},{"sid":"flood-%d-b","br":2}]' % (i, i)
        response, _ = await post(admin, body)
        assert response.status_code == 200
    assert len(clients) == 50
    assert clients.evicted == 550
    ids = [c.client_id for c in clients.clients()]
    assert ids[0] == "flood-275" and ids[-1] == "flood-299-b"  # the oldest went first
    rows = await playback(admin)
    assert len(rows) == 50
    assert rows[0]["clientID"] == "flood-299-b"  # newest first


async def test_the_deprecated_report_shows_in_the_admin_read_per_report(
    admin: AdminHarness,
) -> None:
    old_player = {"User-Agent": "owncast web player 0.2"}
    for report in (
        {"bandwidth": 3000, "latency": 8, "downloadDuration": 0.5, "errors": 2},
        {"bandwidth": 2500, "errors": 1, "qualityVariantChanges": 1},
    ):
        response, _ = await admin.post(
            "/api/metrics/playback", report, auth=False, headers=old_player
        )
        assert response.status_code == 200
    [row] = await playback(admin)
    assert row["clientID"] == row["viewerID"]  # no sid: Owncast's MD5(IP + User-Agent)
    figures = row["playback"]
    assert (figures["bandwidthKbps"], figures["latencySeconds"]) == (2500, 8)
    assert (figures["downloadSeconds"], figures["bitrateKbps"]) == (0.5, None)
    assert (figures["errorCount"], figures["qualityVariantChanges"]) == (3, 1)  # added up
