"""owncastctl's errors: each one is a single red line on stderr and a documented exit code.

CtlError (click's ClickException)
├── ServerRefusedError   exit 1: the daemon answered with an error (4xx/5xx, bad JSON)
│   └── AuthRefusedError   exit 1: the admin password was refused (401)
├── CtlUsageError        exit 2: bad arguments, bad values, missing credentials
└── UnreachableError     exit 3: no answer from the daemon (refused, timeout, DNS)
"""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console
from rich.markup import escape

try:  # typer ≥ 0.20 ships its own copy of click; older ones use click itself
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover
    from click import ClickException  # type: ignore[assignment]

__all__ = [
    "AuthRefusedError",
    "ClickException",
    "CtlError",
    "CtlUsageError",
    "ServerRefusedError",
    "UnreachableError",
]

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


class CtlError(ClickException):
    """An expected failure: printed as one red line on stderr, never with a traceback."""

    exit_code = EXIT_REFUSED

    def show(self, file: IO[Any] | None = None) -> None:
        """Print `Error: <message>` in red (plain when NO_COLOR is set or stderr is no TTY)."""
        console = Console(file=file, stderr=file is None, highlight=False, soft_wrap=True)
        console.print(f"[bold red]Error:[/] [red]{escape(self.format_message())}[/]")


class ServerRefusedError(CtlError):
    """The daemon answered, but with an error."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthRefusedError(ServerRefusedError):
    """HTTP 401: the admin password (or token) was not accepted."""


class CtlUsageError(CtlError):
    """The command line, a value or the local setup is wrong."""

    exit_code = EXIT_USAGE


class UnreachableError(CtlError):
    """Nothing answered at the daemon's URL."""

    exit_code = EXIT_UNREACHABLE
