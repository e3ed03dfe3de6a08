"""One entry of the settings table (:mod:`owncastd.config.table`) and helpers to write them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from owncastd.config import bodies as b
from owncastd.config import checks as c

Applies = Literal["now", "next stream", "restart"]


@dataclass(frozen=True)
class Setting:
    """One key of the file and everything known about it."""

    path: str  # dotted TOML path; items of arrays of tables: "<section>.<list>.<key>"
    doc: str
    check: c.Check | None = None  # beyond the type; applied to the file, env, flags and setters
    setter: str = ""  # Owncast's admin setter, "" when none
    field: str = ""  # the field of the setter's object body ("" when the value is the body)
    body: b.Body | None = None  # the JSON shape the setter takes for this key
    shown: str = ""  # dotted place in /api/admin/serverconfig, "" when not reported
    applies: Applies = "now"
    secret: bool = False  # never echoed in messages, redacted in output
    feature: str = ""  # set while the feature does not exist: its setter refuses


def entry(path: str, doc: str, **facts: object) -> Setting:
    """A :class:`Setting` (keyword facts as in the dataclass)."""
    return Setting(path, doc, **facts)  # type: ignore[arg-type]


NEXT: Applies = "next stream"
RESTART: Applies = "restart"
MARKDOWN = b.Text(b.MAX_MARKDOWN, multiline=True)
CODE = b.Text(b.MAX_CODE, multiline=True)
# Features that do not exist yet: their setters answer 400 "<feature> is not supported yet".
FEDERATION = "federation"
BROWSER_PUSH = "browser push notifications"
CHAT_LOGIN = "chat login (IndieAuth or Fediverse)"
S3 = "S3 storage"
