"""`login`, `logout`, `password set` and `streamkeys …`: the credentials of the server."""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from owncastctl import api
from owncastctl.client import Connection
from owncastctl.commands import JsonOpt
from owncastctl.commands.status import weak
from owncastctl.config_values import stream_keys
from owncastctl.connection import read_password_file, resolve_url
from owncastctl.credentials import backend_name, normalise_url
from owncastctl.errors import AuthRefusedError, CtlUsageError
from owncastctl.state import State, get_state


def ask_password(prompt: str, *, confirm: bool = False) -> str:
    """Read a password from the terminal without echo (stdin's first line when piped)."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise CtlUsageError("no password given on standard input")
        return line
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def login(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Argument(help="The daemon's address, e.g. http://myhost:8080.")
    ] = None,
    store: Annotated[
        str, typer.Option(help="Where to keep the password: auto, keyring or file.")
    ] = "auto",
) -> None:
    """Check the admin password against the server and remember it.

    The password goes to the system keyring when a real one exists, otherwise to a 0600 file
    under $XDG_CONFIG_HOME/owncastctl/; the output says which. The URL becomes the default.
    """
    state = get_state(ctx)
    if store not in ("auto", "keyring", "file"):
        raise typer.BadParameter("must be auto, keyring or file", param_hint="--store")
    target, _ = resolve_url(url or state.url, state.environ, state.store(), state.cwd or Path.cwd())
    if state.password_file:
        password, source = read_password_file(state.password_file), "--password-file"
    elif state.environ.get("OWNCAST_ADMIN_PASSWORD"):
        password, source = state.environ["OWNCAST_ADMIN_PASSWORD"], "OWNCAST_ADMIN_PASSWORD"
    else:
        with state.client_for(Connection(target, None, "login")) as probe:
            probe.probe()  # a closed port is exit 3 before anyone types a password
        password, source = ask_password(f"Admin password for {target}"), ""
    checking = state.out.spinner(f"Checking the password at {target}…")
    with state.client_for(Connection(target, password, "login")) as client, checking:
        try:
            client.send(api.admin_status())
        except AuthRefusedError as exc:
            hint = f"it came from {source}" if source else "try again with the right one"
            raise AuthRefusedError(
                f"owncastd at {target} refused the admin password (401); nothing was stored:"
                f" {hint}",
                exc.status,
            ) from exc
    used = state.store().save(target, password, prefer=store)
    if used == "keyring":
        where = f"the system keyring ({backend_name(state.store().keyring)})"
    else:
        where = f"{state.store().path} (mode 0600)"
    state.out.done(f"logged in to {target}; password stored in {where}")
    if weak(password):
        state.out.warn("this admin password is weak: change it with `owncastctl password set`")


def logout(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Argument(help="The server to forget (default: current).")
    ] = None,
) -> None:
    """Forget the stored password (keyring or file) for a server."""
    state = get_state(ctx)
    target = normalise_url(url) if url else state.connection().url
    if state.store().forget(target):
        state.out.done(f"logged out of {target}")
    else:
        state.out.note(f"nothing was stored for {target}")


password_app = typer.Typer(help="Change the admin password.", no_args_is_help=True)


@password_app.command("set")
def password_set(
    ctx: typer.Context,
    new_password_file: Annotated[
        str | None,
        typer.Option(help="Read the new password from this file ('-' for standard input)."),
    ] = None,
    allow_weak: Annotated[
        bool, typer.Option(help="Accept a short or common password (not recommended).")
    ] = False,
) -> None:
    """Set a new admin password (asked twice, without echo) and update the stored login."""
    state = get_state(ctx)
    if new_password_file:
        new = read_password_file(new_password_file)
    else:
        new = ask_password("New admin password", confirm=True)
    if weak(new) and not allow_weak:
        raise CtlUsageError(
            "that password is too weak (under 8 characters or a common one); choose a longer "
            "one, or pass --allow-weak"
        )
    conn = state.connection()
    state.call(api.set_config("adminpass", new))
    saved = state.store().load(conn.url)
    if saved is not None:
        state.store().save(conn.url, new, prefer=saved.store)
        state.out.done(f"admin password changed; the stored login ({saved.store}) is updated")
    else:
        state.out.done("admin password changed")
    if state.environ.get("OWNCAST_ADMIN_PASSWORD"):
        state.out.warn("OWNCAST_ADMIN_PASSWORD still holds the old password: update it")


keys_app = typer.Typer(help="List, add and remove RTMP stream keys.", no_args_is_help=True)


def current_keys(state: State) -> list[dict[str, Any]]:
    """The configured stream keys (`[{key, comment}]`)."""
    config = state.call(api.server_config())
    found = config.get("streamKeys") if isinstance(config, dict) else None
    return [dict(k) for k in found if isinstance(k, dict)] if isinstance(found, list) else []


@keys_app.command("list")
def keys_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The stream keys publishers may use.

    --json prints [{"key", "comment"}].
    """
    state = get_state(ctx)
    keys = current_keys(state)
    if as_json:
        state.out.json(keys)
        return
    table = state.out.table("key", "comment")
    for entry in keys:
        table.add_row(escape(str(entry.get("key", ""))), escape(str(entry.get("comment", ""))))
    state.out.show(table)
    for entry in keys:
        if weak(str(entry.get("key", ""))):
            state.out.warn(f"stream key '{entry.get('comment') or entry.get('key')}' is weak")


@keys_app.command("add")
def keys_add(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(help="The key; omit it to generate one.")] = None,
    comment: Annotated[str, typer.Option(help="A note, e.g. who uses the key.")] = "",
    allow_weak: Annotated[bool, typer.Option(help="Accept a short or common key.")] = False,
) -> None:
    """Add a stream key (a strong random one when KEY is omitted)."""
    state = get_state(ctx)
    new = key if key is not None else secrets.token_urlsafe(24)
    if weak(new) and not allow_weak:
        raise CtlUsageError("that stream key is too weak (under 8 characters or a common one)")
    keys = current_keys(state)
    if any(entry.get("key") == new for entry in keys):
        raise CtlUsageError("that stream key already exists")
    keys.append(
        {"key": new, "comment": comment or ("generated by owncastctl" if key is None else "")}
    )
    state.call(api.set_config("streamkeys", stream_keys(json.dumps(keys))))
    if key is None:
        state.out.print(new, markup=False)
    state.out.done("stream key added")


@keys_app.command("remove")
def keys_remove(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The key, or its comment.")],
) -> None:
    """Remove a stream key (matched by the key or by its comment); one must remain."""
    state = get_state(ctx)
    keys = current_keys(state)
    remaining = [e for e in keys if key not in (e.get("key"), e.get("comment"))]
    if len(remaining) == len(keys):
        raise CtlUsageError("no stream key or comment matches that")
    if not remaining:
        raise CtlUsageError("cannot remove the last stream key: add another one first")
    state.act(
        api.set_config("streamkeys", remaining),
        f"{len(keys) - len(remaining)} stream key(s) removed",
    )
