"""The `schedule/*` config setters (develop §5.2), with Owncast's messages and error shape.

Owncast's schedule handlers answer 400 `{"error": "…"}` rather than the usual
`{"success": false, …}`: :class:`ScheduleInputError` carries that shape (the app maps it).
"""

from __future__ import annotations

import math
from typing import Any

from owncastd.config.table_schedule import CHAT_OPEN_MINUTES
from owncastd.http.admin.setter_values import Changes, Converter, SetterEnv, text
from owncastd.http.json_body import BadRequestError


class ScheduleInputError(BadRequestError):
    """A schedule request Owncast refuses with 400 `{"error": message}`."""


def _flag(path: str) -> Converter:
    async def convert(value: Any, _env: SetterEnv) -> Changes:
        if not isinstance(value, bool):
            raise ScheduleInputError("value must be a boolean")
        return {path: value}

    return convert


async def _chat_open_minutes(value: Any, _env: SetterEnv) -> Changes:
    whole = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and float(value).is_integer()
    )
    if not whole or int(value) not in CHAT_OPEN_MINUTES:
        allowed = ", ".join(map(str, CHAT_OPEN_MINUTES))
        raise ScheduleInputError(f"chatOpenMinutesBefore must be one of {allowed}")
    return {"schedule.chat_open_minutes": int(value)}


async def _reminder_message(value: Any, _env: SetterEnv) -> Changes:
    if not isinstance(value, str):
        raise ScheduleInputError("value must be a string")
    return {"schedule.reminder_message": text(value, "schedule/remindermessage", max_len=500)}


SCHEDULE_SETTERS: dict[str, Converter] = {
    "schedule/enabled": _flag("schedule.enabled"),
    "schedule/showcountdown": _flag("schedule.show_countdown"),
    "schedule/chatopenminutes": _chat_open_minutes,
    "schedule/remindermessage": _reminder_message,
}
