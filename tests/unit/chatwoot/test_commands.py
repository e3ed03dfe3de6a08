"""Agents' command vocabulary: `/hide`, `/ban`, `/timeout N[smhd]` on the reply's first line."""

from __future__ import annotations

import pytest

from owncastd.core.chatwoot.commands import AgentCommand, CommandError, parse_command
from owncastd.core.chatwoot.escalation import plain_text


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/hide", AgentCommand("hide")),
        ("  /BAN  spam bot\nthanks", AgentCommand("ban")),
        ("/timeout 10m", AgentCommand("timeout", 600)),
        ("/timeout 30", AgentCommand("timeout", 1800)),  # minutes by default
        ("/timeout 2 h", AgentCommand("timeout", 7200)),
        ("/timeout 45s", AgentCommand("timeout", 45)),
        ("hello /hide", None),
        ("/unknown", None),
        ("", None),
        (None, None),
        ("thanks!\n/hide", None),  # only the first line counts
    ],
)
def test_parse(text, command):
    assert parse_command(text) == command


@pytest.mark.parametrize("text", ["/timeout", "/timeout soon", "/timeout 0m", "/timeout 8d"])
def test_bad_timeouts_say_why(text):
    with pytest.raises(CommandError):
        parse_command(text)


def test_plain_text_of_a_stored_body():
    assert plain_text("<p>buy <strong>cheap</strong> &amp; fast</p>") == "buy cheap & fast"
