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
async def daemon_app_fixture(tmp_path, nursery):
    """The app of a real in-process daemon (ports 0, a fresh data directory)."""
    settings = load_config(
        config_path=None,
        data_dir=tmp_path / "data",
        environ={},
        flags=ConfigFlags(webserverport=0, rtmpport=0, webserverip="127.0.0.1"),
    ).settings
    daemon = daemon_module.Daemon(settings, ffmpeg=FFMPEG)
    with trio.fail_after(60):
        await nursery.start(daemon.run)
        assert daemon.web_app is not None
        app = await daemon.web_app.started_app()  # built after ready (issue 17)
    yield app
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


# ---- the setter paths against the settings table ------------------------------------------

PHRASE = {
    "now": "Applies at once.",
    "next stream": "Applies from the next stream.",
    "restart": "Applies after a restart.",
}


def value_schema(document: dict, operation: dict) -> dict:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    value = schema["properties"]["value"]
    if "$ref" in value:
        return document["components"]["schemas"][value["$ref"].rsplit("/", 1)[-1]]
    return value


def body_problems(body, schema: dict, *, whole: bool) -> list[str]:
    """How a documented JSON schema disagrees with a table body shape ([] when it agrees)."""
    from owncastd.config import bodies

    expected: dict = {
        bodies.Text: {"type": "string"},
        bodies.Flag: {"type": "boolean"},
        bodies.Url: {"type": "string", "format": "uri"},
        bodies.Ip: {"type": "string"},
        bodies.Int: {"type": "integer"},
        bodies.Strings: {"type": "array"},
    }.get(type(body), {})
    if whole and isinstance(body, bodies.Text):
        expected["maxLength"] = body.max_len
    if isinstance(body, bodies.Int):
        expected.update(minimum=body.low, maximum=body.high)
    if isinstance(body, bodies.Strings):
        expected.update(
            maxItems=body.max_items, items={"type": "string", "maxLength": body.max_len}
        )
    return [f"{k}: {schema.get(k)!r} != {v!r}" for k, v in expected.items() if schema.get(k) != v]


def setter_problems(document: dict, table) -> list[str]:
    """Every difference between the documented setter paths and the settings table."""
    from owncastd.config.table import SETTER_SUMMARIES, setters

    grouped = setters(table)
    documented = {
        path.removeprefix("/api/admin/config/")
        for path in document["paths"]
        if path.startswith("/api/admin/config/")
        and path != "/api/admin/config/reload"
        and path != "/api/admin/config/keys"
        and path != "/api/admin/config/favicon"  # a file upload, not a setting (develop §5.1)
    }
    problems = [f"{name}: documented, not in the table" for name in documented - set(grouped)]
    problems += [f"{name}: in the table, not documented" for name in set(grouped) - documented]
    for name in set(grouped) & documented:
        keys = grouped[name]
        operation = document["paths"][f"/api/admin/config/{name}"]["post"]
        summary = f"{SETTER_SUMMARIES.get(name, keys[0].doc)}. {PHRASE[keys[0].applies]}"
        if keys[0].feature:
            summary += f" Answers 400 while {keys[0].feature} is not supported yet."
        if operation["summary"] != summary:
            problems.append(f"{name}: summary {operation['summary']!r}, table says {summary!r}")
        schema = value_schema(document, operation)
        for key in keys:
            where = schema["properties"].get(key.field, {}) if key.field else schema
            label = f"{name}.{key.field}" if key.field else name
            problems += [
                f"{label}: {p}" for p in body_problems(key.body, where, whole=not key.field)
            ]
    return problems


def test_setter_paths_match_the_settings_table():
    from owncastd.config.table import TABLE

    assert setter_problems(load_document(), TABLE) == []


def test_the_setter_check_notices_a_difference():
    import dataclasses

    from owncastd.config import bodies
    from owncastd.config.table import TABLE

    changed = tuple(
        dataclasses.replace(s, body=bodies.Int(0, 5))
        if s.path == "video.latency_level"
        else dataclasses.replace(s, setter="chat/shout")
        if s.path == "chat.disabled"
        else s
        for s in TABLE
    )
    problems = setter_problems(load_document(), changed)
    assert "video/streamlatencylevel: maximum: 4 != 5" in problems
    assert "chat/disable: documented, not in the table" in problems
    assert "chat/shout: in the table, not documented" in problems
