"""`owncastctl`: manage a running owncastd over its HTTP API, from any shell.

The root app holds the global options (--url, --password-file, --debug) and the error policy:
expected failures are one red line on stderr with exit 1 (server refused), 2 (usage) or 3
(daemon unreachable); anything unexpected is one line too, with the traceback only under
--debug.
"""

from __future__ import annotations

import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from owncastctl.commands import (
    account,
    chat,
    chatwoot,
    chatwoot_escalate,
    config,
    favicon,
    federation,
    followers,
    integrations,
    misc,
    moderation,
    notifications,
    replays,
    schedule,
    status,
)
from owncastctl.errors import ClickException, CtlError
from owncastctl.state import State, get_state


class CtlGroup(TyperGroup):
    """The root command group: maps every failure to one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CtlError:
            if _debug(ctx):
                traceback.print_exc()
            raise
        except (ClickException, typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _debug(ctx):
                raise
            raise CtlError(
                f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)"
            ) from exc
        finally:
            if isinstance(ctx.obj, State):
                ctx.obj.close()


def _debug(ctx: Any) -> bool:
    return isinstance(ctx.obj, State) and ctx.obj.debug


app = typer.Typer(
    cls=CtlGroup,
    help="Manage a running owncastd from the terminal: status, config, chat moderation, TUI.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def root(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="The daemon's address (default: $OWNCAST_URL, the last "
            "login, the local daemon's config, http://127.0.0.1:8080).",
        ),
    ] = None,
    password_file: Annotated[
        str | None,
        typer.Option(
            "--password-file",
            help="Read the admin password from this file "
            "('-' for stdin) instead of $OWNCAST_ADMIN_PASSWORD or the login.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """Manage a running owncastd from the terminal: status, config, chat moderation, TUI."""
    state = get_state(ctx)
    state.url = url
    state.password_file = password_file
    state.debug = debug


app.command()(account.login)
app.command()(account.logout)
app.command()(status.status)
app.command()(status.stats)
app.command()(status.viewers)
app.command()(status.disconnect)
app.command()(misc.logs)
app.command()(misc.version)
app.add_typer(config.app, name="config")
app.add_typer(account.keys_app, name="streamkeys")
app.add_typer(account.password_app, name="password")
app.add_typer(chat.app, name="chat")
app.add_typer(moderation.users_app, name="users")
app.add_typer(moderation.ipbans_app, name="ipbans")
app.add_typer(integrations.tokens_app, name="tokens")
app.add_typer(integrations.webhooks_app, name="webhooks")
app.add_typer(misc.emoji_app, name="emoji")
app.add_typer(schedule.app, name="schedule")
app.add_typer(favicon.app, name="favicon")
app.add_typer(chatwoot.app, name="chatwoot")
chatwoot_escalate.register(app)  # after the `chatwoot` group's own add_typer, if any
app.add_typer(replays.app, name="replays")
app.add_typer(followers.app, name="followers")
app.add_typer(federation.app, name="federation")
app.add_typer(notifications.app, name="notifications")


@app.command()
def tui(ctx: typer.Context) -> None:
    """The live moderation dashboard (Textual): stream, hardware, chat, viewers, logs."""
    from owncastctl.tui.app import run_dashboard

    state = get_state(ctx)
    state.client().require_password()  # nothing answering is exit 3, before asking for one
    run_dashboard(state.connection(), state.store())


def main() -> None:
    """Console-script entry point."""
    app(prog_name="owncastctl")


if __name__ == "__main__":
    main()
