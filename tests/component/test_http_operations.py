"""The appliance routes in the real app: /api/healthz, /api/admin/daemon and
/api/admin/config/reload (admin only; a bad config answers 400 with every problem)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from owncastd.config.settings import RtmpSettings, ServerSettings, StreamKey
from owncastd.errors import ConfigError
from owncastd.http.app import create_app
from owncastd.http.context import WebContext
from owncastd.ops.daemon_status import Operations
from owncastd.ops.health import Health
from owncastd.ops.reload import ConfigReloader
from tests.component.app_fixtures import ADMIN_PASSWORD, basic
from tests.component.http_fixtures import build_web


@pytest.fixture(name="ops_app")
def ops_app_fixture(tmp_path):
    harness = build_web(tmp_path)
    start = dataclasses.replace(
        harness.settings.current, rtmp=RtmpSettings(stream_keys=(StreamKey("key-123456"),))
    )
    harness.settings.replace(start)
    source = {"settings": start, "error": None}

    def load():
        if source["error"] is not None:
            raise source["error"]
        return source["settings"]

    health = Health(notify=lambda _: None)
    reloader = ConfigReloader(harness.settings, load, notify=lambda _: None)
    ctx = WebContext(
        settings=harness.settings,
        stream=harness.stream,
        viewers=harness.viewers,
        paths=harness.paths,
        version="test",
        clock=harness.wall,
        operations=Operations(health, reloader),
    )
    return create_app(ctx), health, source, harness


async def get_json(app, path, **kwargs):
    response = await app.test_client().get(path, **kwargs)
    return response, json.loads(await response.get_data())


async def test_healthz_needs_no_login_and_names_the_failing_part(ops_app):
    app, health, _, _ = ops_app
    response, body = await get_json(app, "/api/healthz")
    assert response.status_code == 503
    assert body["status"] == "failing"
    assert body["problems"] == ["http: down", "rtmp: down", "store: down"]
    for part in ("http", "rtmp", "store"):
        health.set_up(part, True)
    response, body = await get_json(app, "/api/healthz")
    assert response.status_code == 200
    assert body == {
        "status": "ok",
        "parts": {"http": "up", "rtmp": "up", "store": "up"},
        "problems": [],
    }
    assert response.headers["Cache-Control"].startswith("no-cache")


async def test_degraded_is_200_unless_strict(ops_app):
    app, health, _, _ = ops_app
    for part in ("http", "rtmp", "store"):
        health.set_up(part, True)
    health.degrade("disk", "disk nearly full: video (/srv) 97% used, 80 MB free")
    response, body = await get_json(app, "/api/healthz")
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["problems"] == ["disk nearly full: video (/srv) 97% used, 80 MB free"]
    response, _ = await get_json(app, "/api/healthz?strict=1")
    assert response.status_code == 503


async def test_reload_route_needs_the_admin(ops_app):
    app, _, _, _ = ops_app
    client = app.test_client()
    assert (await client.post("/api/admin/config/reload")).status_code == 401
    wrong = basic("admin", "nope")
    assert (await client.post("/api/admin/config/reload", headers=wrong)).status_code == 401
    assert (await client.get("/api/admin/daemon")).status_code == 401
    right = basic("admin", ADMIN_PASSWORD)  # the admin's password gets both answered
    assert (await client.post("/api/admin/config/reload", headers=right)).status_code == 200
    assert (await client.get("/api/admin/daemon", headers=right)).status_code == 200


async def test_reload_applies_and_reports(ops_app):
    app, _, source, harness = ops_app
    current = harness.settings.current
    source["settings"] = dataclasses.replace(current, server=ServerSettings(name="Reloaded"))
    response = await app.test_client().post(
        "/api/admin/config/reload", headers=basic("admin", ADMIN_PASSWORD)
    )
    body = json.loads(await response.get_data())
    assert response.status_code == 200
    assert body["success"] is True and body["changed"] == ["server.name"]
    assert harness.settings.current.server.name == "Reloaded"
    _, public = await get_json(app, "/api/config")
    assert public["name"] == "Reloaded"


async def test_a_rejected_reload_is_400_with_every_problem_and_listed_in_daemon(ops_app):
    app, _, source, harness = ops_app
    before = harness.settings.current
    source["error"] = ConfigError(["owncast.toml: [web] port: must be 0..65535 (got -1)", "b"])
    admin = basic("admin", ADMIN_PASSWORD)
    response = await app.test_client().post("/api/admin/config/reload", headers=admin)
    body = json.loads(await response.get_data())
    assert response.status_code == 400 and body["success"] is False
    assert body["problems"] == ["owncast.toml: [web] port: must be 0..65535 (got -1)", "b"]
    assert harness.settings.current is before
    response, daemon = await get_json(app, "/api/admin/daemon", headers=admin)
    assert response.status_code == 200
    assert daemon["lastReload"]["ok"] is False and daemon["lastReload"]["origin"] == "api"
    assert daemon["restartRequired"] == [] and daemon["status"] == "failing"


async def test_restart_required_keys_are_listed(ops_app):
    app, _, source, harness = ops_app
    current = harness.settings.current
    source["settings"] = dataclasses.replace(
        current, web=dataclasses.replace(current.web, port=9999)
    )
    admin = basic("admin", ADMIN_PASSWORD)
    response = await app.test_client().post("/api/admin/config/reload", headers=admin)
    body = json.loads(await response.get_data())
    assert body["restartRequired"] == ["web.port"]
    _, daemon = await get_json(app, "/api/admin/daemon", headers=admin)
    assert daemon["restartRequired"] == ["web.port"]
    assert harness.settings.current.web.port == current.web.port


async def test_without_operations_the_routes_say_so(tmp_path):
    harness = build_web(tmp_path)
    response, body = await get_json(harness.app, "/api/healthz")
    assert response.status_code == 200 and body["status"] == "ok"
    response = await harness.app.test_client().post(
        "/api/admin/config/reload", headers=basic("admin", ADMIN_PASSWORD)
    )
    assert response.status_code == 404
