"""`owncastd/http/openapi.yaml` lists exactly the routes the daemon's real app serves.

The app is the one `daemon.py` builds (chat, operations and the control plane included),
captured while an in-process daemon runs on free ports. Methods are compared without HEAD, and
without OPTIONS where Quart answers it automatically.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import trio
import yaml

import owncastd.daemon as daemon_module
from owncastd.config.load import ConfigFlags, load_config
from owncastd.http.app import create_app

OPENAPI = Path(daemon_module.__file__).parent / "http" / "openapi.yaml"
FFMPEG = "/usr/bin/ffmpeg"
METHODS = {"get", "post", "put", "delete", "patch", "options"}


def load_document() -> dict:
    return yaml.safe_load(OPENAPI.read_text())


def documented_routes(document: dict) -> dict[str, set[str]]:
    return {
        path: {method.upper() for method in item if method in METHODS}
        for path, item in document["paths"].items()
    }


def served_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([A-Za-z_]+)>", r"{\1}", rule.rule)
        methods = set(rule.methods) - {"HEAD"}
        if rule.provide_automatic_options:
            methods.discard("OPTIONS")
        routes.setdefault(path, set()).update(methods)
    return routes


@pytest.fixture(name="daemon_app")
async def daemon_app_fixture(tmp_path, monkeypatch, nursery):
    """The app of a real in-process daemon (ports 0, a fresh data directory)."""
    apps = []

    def capture(ctx):
        app = create_app(ctx)
        apps.append(app)
        return app

    monkeypatch.setattr(daemon_module, "create_app", capture)
    settings = load_config(
        config_path=None,
        data_dir=tmp_path / "data",
        environ={},
        flags=ConfigFlags(webserverport=0, rtmpport=0, webserverip="127.0.0.1"),
    ).settings
    daemon = daemon_module.Daemon(settings, ffmpeg=FFMPEG)
    with trio.fail_after(60):
        await nursery.start(daemon.run)
    yield apps[0]
    daemon.request_stop()


async def test_every_served_route_is_documented_and_nothing_else(daemon_app):
    served = served_routes(daemon_app)
    documented = documented_routes(load_document())
    # Both sides are really read: the well-known routes are on each, with their methods.
    for path, methods in {"/api/status": {"GET"}, "/api/admin/config/name": {"POST"}}.items():
        assert methods <= set(served[path]) and methods <= set(documented[path]), path
    missing = {p: sorted(m) for p, m in served.items() if p not in documented}
    extra = sorted(p for p in documented if p not in served)
    assert not missing, f"served but missing from {OPENAPI.name} (add them): {missing}"
    assert not extra, f"in {OPENAPI.name} but not served: {extra}"
    wrong = {
        path: {"served": sorted(served[path]), "documented": sorted(documented[path])}
        for path in served
        if served[path] != documented[path]
    }
    assert not wrong, f"methods differ between the app and {OPENAPI.name}: {wrong}"


def test_document_is_valid_openapi():
    import schemathesis

    schema = schemathesis.openapi.from_path(str(OPENAPI))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 150
    document = load_document()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert operation.get("responses"), f"{method.upper()} {path} has no responses"


def test_admin_routes_declare_admin_auth():
    for path, item in load_document()["paths"].items():
        if not path.startswith("/api/admin/"):
            continue
        for method, operation in item.items():
            if method == "options":
                continue
            assert operation.get("security") == [{"AdminBasicAuth": []}], f"{method} {path}"
            assert "401" in operation["responses"], f"{method} {path}"
