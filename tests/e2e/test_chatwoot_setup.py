"""End to end: `owncastctl chatwoot setup|status` against a real owncastd and the stand-in
Chatwoot behind Prism (every Chatwoot call checked against the seed Swagger).

A bad token: one clear line, exit 1, nothing written. The right token: the API inbox and agent
bot made and attached, the bot's webhook on our server with a 32-byte secret, `[chatwoot]`
written with the token as a secret (never printed, never logged); run again: both reused.
`status` (human and --json): configured, reachable now, the bridge's queue, and unreachable
during an outage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.chatwoot_standin.fixtures import (  # noqa: F401  (fixtures)
    ChatwootUnderTest,
    chatwoot_fixture,
    chatwoot_session_fixture,
)
from tests.e2e.harness import ADMIN_PASSWORD, DaemonProcess, write_config

pytestmark = pytest.mark.e2e
OWNCASTCTL = Path(sys.executable).parent / "owncastctl"
SERVER_URL = "https://live.example"


def ctl(daemon: DaemonProcess, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNCAST_")}
    env.update(XDG_CONFIG_HOME=str(home), NO_COLOR="1", COLUMNS="200",
               OWNCAST_URL=daemon.url, OWNCAST_ADMIN_PASSWORD=ADMIN_PASSWORD)  # fmt: skip
    return subprocess.run(
        [str(OWNCASTCTL), *args], capture_output=True, text=True, env=env, timeout=60, cwd=home
    )


def test_setup_and_status_from_the_terminal(tmp_path: Path, chatwoot: ChatwootUnderTest) -> None:
    config = write_config(tmp_path / "data")
    config.write_text(config.read_text() + f'\n[server]\nurl = "{SERVER_URL}"\n')
    good, bad = tmp_path / "token", tmp_path / "bad-token"
    good.write_text(chatwoot.token + "\n")
    bad.write_text("not-the-token\n")
    daemon = DaemonProcess(tmp_path / "data").wait_ready()
    try:
        setup = ("chatwoot", "setup", "--url", chatwoot.api_url, "--account", "1")
        before = config.read_text()
        refused = ctl(daemon, tmp_path, *setup, "--token-file", str(bad))
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "Chatwoot refused the token for account 1" in refused.stderr
        assert "401" in refused.stderr and "not-the-token" not in refused.stderr
        assert config.read_text() == before
        assert chatwoot.snapshot()["inboxes"] == []

        done = ctl(daemon, tmp_path, *setup, "--token-file", str(good))
        assert done.returncode == 0, done.stderr
        assert "inbox 1 (created), agent bot 1 (created)" in done.stdout
        again = ctl(daemon, tmp_path, *setup, "--token-file", str(good), "--json")
        assert again.returncode == 0, again.stderr
        answer = json.loads(again.stdout)
        assert answer["inboxCreated"] is False and answer["agentBotCreated"] is False
        assert answer["webhookUrl"] == f"{SERVER_URL}/api/chatwoot/webhook/…"

        state = chatwoot.snapshot()
        assert [(i["name"], i["channel_type"]) for i in state["inboxes"]] == [
            ("owncast", "Channel::Api")
        ]
        [bot] = state["agent_bots"]
        assert state["inbox_bot"] == {"1": bot["id"]}
        written = tomllib.loads(config.read_text())["chatwoot"]
        secret = written["webhook_secret"]
        assert bot["outgoing_url"] == f"{SERVER_URL}/api/chatwoot/webhook/{secret}"
        assert len(secret) >= 43  # 32 random bytes, URL-safe base64
        assert written | {"webhook_secret": "-"} == written | {
            "enabled": True, "url": chatwoot.api_url, "account_id": 1, "inbox_id": 1,
            "agent_bot_id": bot["id"], "api_token": chatwoot.token, "webhook_secret": "-",
        }  # fmt: skip
        assert chatwoot.violations() == []

        status = ctl(daemon, tmp_path, "chatwoot", "status", "--json")
        assert status.returncode == 0, status.stderr
        found = json.loads(status.stdout)
        assert found["configured"] is True and found["reachable"] is True
        assert (found["inboxId"], found["agentBotId"]) == (1, bot["id"])
        # The running bridge reports its queue (empty) and last error (none).
        assert (found["bridgeRunning"], found["queued"], found["lastError"]) == (True, 0, None)
        human = ctl(daemon, tmp_path, "chatwoot", "status")
        assert "reachable" in human.stdout and "yes" in human.stdout, human.stderr
        assert "queued" in human.stdout and "bridge not running" not in human.stdout
        chatwoot.control("outage", {"seconds": 60})
        down = json.loads(ctl(daemon, tmp_path, "chatwoot", "status", "--json").stdout)
        assert down["reachable"] is False and "503" in down["reachError"]
        chatwoot.control("reset")
    finally:
        code = daemon.stop()
    everything = "\n".join(daemon.lines) + (tmp_path / "data" / "logs" / "owncast.log").read_text()
    assert chatwoot.token not in everything and secret not in everything
    assert "chatwoot set up account=1 inbox=1" in everything
    assert code == 0, daemon.log()
