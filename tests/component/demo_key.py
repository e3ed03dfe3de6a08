"""A new setting is one table entry plus the code that uses it: this script shows it.

Run in a fresh interpreter by `test_demo_key.py` (`python -m tests.component.demo_key DIR`): it
adds one entry to the settings table, and the typed field the daemon code would read, *before*
the rest of owncastd is imported, exactly as a real new key would be written; then it loads a
config file and env with the key, drives the admin API and prints what it saw as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

DEMO_KEY = "chat.demo_level"


def add_demo_key() -> None:
    """The whole change a new key needs: a typed field, and one entry in the settings table."""
    from owncastd.config import bodies, checks, settings, table_media
    from owncastd.config.setting import entry

    settings.ChatSettings = dataclasses.make_dataclass(  # type: ignore[misc]
        "ChatSettings",
        [("demo_level", int, dataclasses.field(default=1))],
        bases=(settings.ChatSettings,),
        frozen=True,
    )
    table_media.CHAT = (
        *table_media.CHAT,
        entry(
            DEMO_KEY,
            "A demonstration key",
            check=checks.int_range(1, 3),
            setter="chat/demolevel",
            body=bodies.Int(1, 3),
            shown="chatDemoLevel",
        ),
    )


def file_and_env(root: Path) -> dict[str, Any]:
    """Load the key from the file, from env, and refuse a bad env value."""
    from owncastd.config.load import ConfigFlags, load_config, sample_config_text, update_config
    from owncastd.config.schema import FIELDS, section_of
    from owncastd.errors import ConfigError

    data_dir = root / "file"
    data_dir.mkdir(parents=True)
    path = data_dir / "owncast.toml"
    path.write_text(sample_config_text())
    update_config(path, {DEMO_KEY: 2})

    def load(environ: dict[str, str]) -> Any:
        return load_config(
            config_path=path, data_dir=data_dir, environ=environ, flags=ConfigFlags()
        )

    try:
        load({"OWNCAST_CHAT_DEMO_LEVEL": "9"})
        env_problem = ""
    except ConfigError as exc:
        env_problem = "; ".join(exc.problems)
    sample = tomllib.loads(sample_config_text())
    return {
        "from_file": load({}).settings.chat.demo_level,
        "file_line": "demo_level = 2" in path.read_text(),
        "from_env": load({"OWNCAST_CHAT_DEMO_LEVEL": "3"}).settings.chat.demo_level,
        "env_problem": env_problem,
        "missing_from_sample": [
            key for key, spec in FIELDS.items() if spec.name not in section_of(sample, spec.section)
        ],
    }


async def admin_api(root: Path) -> dict[str, Any]:
    """The generated setter, serverconfig place and config/keys row."""
    import trio

    from owncastd.config.table import TABLE
    from tests.component.admin_fixtures import build_admin
    from tests.component.test_openapi import load_document, setter_problems

    async with trio.open_nursery() as nursery:
        admin = await build_admin(root / "admin", nursery)
        _, before = await admin.get("/api/admin/serverconfig")
        response, body = await admin.set_config("chat/demolevel", 3)
        refused, refusal = await admin.set_config("chat/demolevel", 9)
        _, after = await admin.get("/api/admin/serverconfig")
        _, keys = await admin.get("/api/admin/config/keys")
        facts = {
            "shown_before": before.get("chatDemoLevel"),
            "setter": [response.status_code, body],
            "refused": [refused.status_code, refusal],
            "shown_after": after.get("chatDemoLevel"),
            "live": admin.settings.current.chat.demo_level,
            "in_file": tomllib.loads(admin.config_text())["chat"].get("demo_level"),
            "keys_row": next((row for row in keys if row["key"] == DEMO_KEY), None),
            "openapi": setter_problems(load_document(), TABLE),
        }
        nursery.cancel_scope.cancel()
    return facts


def main() -> None:
    import trio

    root = Path(sys.argv[1])
    add_demo_key()
    facts = file_and_env(root)
    facts.update(trio.run(admin_api, root))
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
