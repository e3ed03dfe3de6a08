"""`owncastctl chatwoot setup|status` against a fake daemon: the token comes from a file (or
stdin) and goes only into the request body; bad token files are usage errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

SETUP = "/api/admin/chatwoot/setup"
STATUS = "/api/admin/chatwoot/status"
TOKEN = "cw-TOKEN-abc123"
DONE = {"inboxId": 4, "inboxCreated": False, "agentBotId": 2, "agentBotCreated": True,
        "webhookUrl": "https://live.example/api/chatwoot/webhook/…"}  # fmt: skip


def test_setup_sends_the_token_from_the_file_and_never_prints_it(fake, ctl, tmp_path) -> None:
    fake.route("POST", SETUP, DONE)
    token_file = tmp_path / "token"
    token_file.write_text(f"  {TOKEN}\n")
    result = ctl("chatwoot", "setup", "--url", "https://cw.example", "--account", "3",
                 "--token-file", str(token_file),
                 "--server-url", "https://live.example")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert fake.sent("POST", SETUP) == [
        {"url": "https://cw.example", "accountId": 3, "token": TOKEN, "inboxName": "owncast",
         "serverUrl": "https://live.example"}
    ]  # fmt: skip
    assert "inbox 4 (reused), agent bot 2 (created)" in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    from_stdin = ctl("chatwoot", "setup", "--url", "https://cw.example", "--account", "3",
                     "--token-file", "-", "--json", input=TOKEN + "\n")  # fmt: skip
    assert from_stdin.json() == DONE and fake.sent("POST", SETUP)[1]["token"] == TOKEN


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "cannot read --token-file"), ("", "must hold one Chatwoot access token"),
     ("two words", "must hold one Chatwoot access token")],
)  # fmt: skip
def test_a_bad_token_file_is_a_usage_error(fake, ctl, tmp_path, content, problem) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content)
    result = ctl("chatwoot", "setup", "--url", "https://cw.example", "--account", "1",
                 "--token-file", str(path))  # fmt: skip
    assert result.exit_code == 2 and problem in result.stderr
    assert fake.sent("POST", SETUP) == []


def test_the_daemons_refusal_is_one_line(fake, ctl, tmp_path: Path) -> None:
    fake.fail("POST", SETUP, 400, "Chatwoot refused the token for account 1 (…401…)")
    (tmp_path / "token").write_text(TOKEN)
    result = ctl("chatwoot", "setup", "--url", "https://cw.example", "--account", "1",
                 "--token-file", str(tmp_path / "token"))  # fmt: skip
    assert result.exit_code == 1
    assert "Chatwoot refused the token for account 1" in result.stderr


def test_status_shows_reachability_queue_and_last_error(fake, ctl) -> None:
    fake.route("GET", STATUS, {
        "configured": True, "enabled": True, "url": "https://cw.example", "accountId": 1,
        "inboxId": 4, "agentBotId": 2, "reachable": False, "reachError": "Chatwoot is down",
        "bridgeRunning": True, "queued": 7, "lastError": "Chatwoot answered 503",
    })  # fmt: skip
    result = ctl("chatwoot", "status")
    assert result.exit_code == 0, result.stderr
    for text in ("configured", "no (Chatwoot is down)", "7", "Chatwoot answered 503", "1 / 4 / 2"):
        assert text in result.stdout, text
    assert ctl("chatwoot", "status", "--json").json()["queued"] == 7
