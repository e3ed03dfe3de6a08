"""Agents' moderation commands in an escalation conversation: `/hide`, `/ban`, `/timeout 10m`
(the first line of their reply; anything else in the reply is ignored)."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TIMEOUT_SECONDS = 7 * 24 * 3600
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TIMEOUT = re.compile(r"(\d{1,6})\s*([smhd]?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AgentCommand:
    """A parsed command; `seconds` only for a timeout."""

    name: str  # "hide" | "ban" | "timeout"
    seconds: int = 0


class CommandError(ValueError):
    """A command word we know, used wrongly (the agent is told why)."""


def parse_command(text: str | None) -> AgentCommand | None:
    """The command at the start of an agent's reply, or None when it is not one."""
    if not text:
        return None
    words = text.strip().split("\n", 1)[0].split()
    if not words or not words[0].startswith("/"):
        return None
    name, args = words[0][1:].lower(), words[1:]
    if name in ("hide", "ban"):
        return AgentCommand(name)
    if name != "timeout":
        return None
    match = _TIMEOUT.fullmatch("".join(args[:2])) if args else None
    if match is None:
        raise CommandError("usage: /timeout DURATION, e.g. /timeout 10m (s, m, h or d)")
    seconds = int(match[1]) * _UNITS[(match[2] or "m").lower()]
    if not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise CommandError("a timeout must be between 1 second and 7 days")
    return AgentCommand("timeout", seconds)
