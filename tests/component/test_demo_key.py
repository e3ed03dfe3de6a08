"""Adding a setting is one table entry (plus the typed field the code reads): a demonstration key
added in a fresh interpreter loads from TOML and env, gets a working admin setter, and shows in
serverconfig and `/api/admin/config/keys`; the sample and openapi checks notice it is new."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_a_demonstration_key_is_one_table_entry(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tests.component.demo_key", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    facts = json.loads(run.stdout.strip().splitlines()[-1])
    # From the file and from the environment, checked by the table's check.
    assert facts["from_file"] == 2 and facts["file_line"]
    assert facts["from_env"] == 3
    assert facts["env_problem"] == "env OWNCAST_CHAT_DEMO_LEVEL: must be 1..3 (got 9)"
    # A working admin setter, its serverconfig place, and the live settings and file.
    assert facts["shown_before"] == 1
    assert facts["setter"] == [200, {"success": True, "message": "changed"}]
    assert facts["refused"][0] == 400
    assert facts["refused"][1]["message"] == "chat/demolevel must be 1..3 (got 9)"
    assert facts["shown_after"] == 3 and facts["live"] == 3 and facts["in_file"] == 3
    # Listed for owncastctl, with its type and bounds.
    row = facts["keys_row"]
    assert row["type"] == "integer" and row["default"] == 1
    assert (row["setter"], row["min"], row["max"]) == ("chat/demolevel", 1, 3)
    assert row["doc"] == "A demonstration key" and row["applies"] == "now"
    # The guards that keep docs in step notice the new key until it is documented.
    assert facts["missing_from_sample"] == ["chat.demo_level"]
    assert facts["openapi"] == ["chat/demolevel: in the table, not documented"]
