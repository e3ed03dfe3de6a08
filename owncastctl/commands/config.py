"""`config show|get|set|keys|reload`: read and change settings through the admin setters."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import api, server_url
from owncastctl import config_keys as keys
from owncastctl.commands import JsonOpt
from owncastctl.config_values import describe
from owncastctl.errors import ServerRefusedError
from owncastctl.state import State, get_state

app = typer.Typer(
    help="Show and change the server's settings (owncast.toml).", no_args_is_help=True
)
REDACTED = "(hidden; --show-secrets)"
# When a change takes effect, by the `applies` of `GET /api/admin/config/keys`.
WHEN = {
    "now": "applies now",
    "next stream": "applies from the next stream",
    "restart": "applies after a restart of owncastd",
}
ShowSecrets = Annotated[bool, typer.Option("--show-secrets", help="Print secret values too.")]


def server_keys(state: State) -> tuple[keys.Key, ...]:
    """The keys as the daemon lists them (`GET /api/admin/config/keys`)."""
    return keys.from_server(state.call(api.config_keys()))


def flat(config: Any, known: tuple[keys.Key, ...], show_secrets: bool) -> dict[str, Any]:
    """The keys and their current values (secrets redacted unless asked)."""
    values: dict[str, Any] = {}
    for key in known:
        found, value = keys.current(config, key)
        if not found:
            continue
        values[key.name] = REDACTED if key.secret and value and not show_secrets else value
    return values


@app.command()
def show(ctx: typer.Context, show_secrets: ShowSecrets = False, as_json: JsonOpt = False) -> None:
    """Every setting the server reports, by key.

    --json prints {"<key>": value} with the keys of `config keys` (secrets redacted unless
    --show-secrets).
    """
    state = get_state(ctx)
    values = flat(state.call(api.server_config()), server_keys(state), show_secrets)
    if as_json:
        state.out.json(values)
        return
    table = state.out.table("key", "value")
    for name, value in values.items():
        text = describe(value)
        table.add_row(name, escape(text if len(text) <= 200 else text[:197] + "…"))
    state.out.show(table)


@app.command()
def get(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A key such as server.name (see `config keys`).")],
    show_secrets: ShowSecrets = False,
    as_json: JsonOpt = False,
) -> None:
    """Print one setting (strings as they are, other values as JSON).

    --json prints {"key": "<key>", "value": value}.
    """
    state = get_state(ctx)
    spec = keys.lookup(key, server_keys(state))
    found, value = keys.current(state.call(api.server_config()), spec)
    if not found:
        raise ServerRefusedError(f"the server does not report {spec.name}")
    if spec.secret and value and not show_secrets:
        value = REDACTED
    if as_json:
        state.out.json({"key": spec.name, "value": value})
    else:
        state.out.print(describe(value), markup=False)


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A key such as video.latency_level.")],
    value: Annotated[str, typer.Argument(help="The new value (see `config keys` for types).")],
) -> None:
    """Change one setting; the value is checked here before it is sent.

    Examples: `config set server.stream_title "Friday jam"`, `config set video.latency_level 1`,
    `config set server.tags music,live`, `config set chat.disabled false`,
    `config set server.logo ./logo.png`.
    """
    state = get_state(ctx)
    spec = keys.lookup(key, server_keys(state))
    parsed = keys.parse_value(spec, value)
    body = parsed
    if spec.field:
        body = keys.object_value(state.call(api.server_config()), spec, parsed)
    state.call(api.set_config(spec.setter, body))
    state.out.done(f"{spec.name} set ({WHEN.get(spec.applies, f'applies: {spec.applies}')})")
    turned_on = spec.name == "federation.enabled" and parsed is True
    if turned_on and server_url.missing(state.call(api.server_config())):
        state.out.warn(server_url.NO_URL_FEDERATION)


@app.command("keys")
def list_keys(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The settable keys as the daemon lists them: type, Owncast's setter, when a change applies.

    --json prints [{"key", "type", "setter", "applies", "restart", "supported", "doc"}].
    Keys without a setter (paths, logging, trusted proxies) are edited in owncast.toml.
    """
    state = get_state(ctx)
    rows: list[dict[str, Any]] = [
        {
            "key": k.name,
            "type": k.type,
            "setter": k.setter,
            "applies": k.applies,
            "restart": k.restart,
            "supported": k.supported,
            "doc": k.doc,
        }
        for k in server_keys(state)
        if k.setter
    ]
    if as_json:
        state.out.json(rows)
        return
    table = state.out.table("key", "type", "admin setter", "doc")
    for row in rows:
        suffix = "" if row["applies"] == "now" else f" ({row['applies']})"
        if not row["supported"]:
            suffix += " (not supported yet)"
        table.add_row(
            str(row["key"]), escape(str(row["type"])), f"{row['setter']}{suffix}", str(row["doc"])
        )
    state.out.show(table)


@app.command()
def reload(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Make owncastd re-read owncast.toml (like SIGHUP); lists settings that need a restart.

    --json prints the daemon's answer as is.
    """
    state = get_state(ctx)
    answer = state.call(api.reload_config())
    if as_json:
        state.out.json(answer)
        return
    message = answer.get("message") if isinstance(answer, dict) else None
    state.out.done(str(message or "configuration reloaded"))
    if not isinstance(answer, dict):
        return
    for name, label in (("changed", "changed"), ("nextStream", "apply from the next stream")):
        if answer.get(name):
            state.out.print(escape(f"{label}: {', '.join(map(str, answer[name]))}"))
    pending = answer.get("restartRequired") or []
    if pending:
        state.out.warn(f"these settings apply after a restart: {', '.join(map(str, pending))}")
