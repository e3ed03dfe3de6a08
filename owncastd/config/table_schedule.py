"""Settings table: scheduled events (`[schedule]`, develop §5.2).

The setters take Owncast's bodies and answer Owncast's errors (`{"error": …}`), so their bodies
are `Custom` converters (:mod:`owncastd.http.admin.setter_schedule`).
"""

from __future__ import annotations

from owncastd.config import bodies as b
from owncastd.config.setting import Setting, entry

CHAT_OPEN_MINUTES = (0, 5, 10, 30, 60)


def _chat_open_minutes(value: int) -> str | None:
    if value in CHAT_OPEN_MINUTES:
        return None
    return f"must be one of {', '.join(map(str, CHAT_OPEN_MINUTES))} (got {value})"


SCHEDULE: tuple[Setting, ...] = (
    entry(
        "schedule.enabled",
        "Publish the schedule of upcoming streams",
        setter="schedule/enabled",
        body=b.Custom("bool"),
        shown="schedule.enabled",
    ),
    entry(
        "schedule.show_countdown",
        "Show a countdown to the next scheduled stream",
        setter="schedule/showcountdown",
        body=b.Custom("bool"),
        shown="schedule.showCountdown",
    ),
    entry(
        "schedule.chat_open_minutes",
        "Minutes before a scheduled stream that chat opens (0, 5, 10, 30 or 60)",
        check=_chat_open_minutes,
        setter="schedule/chatopenminutes",
        body=b.Custom("integer", choices=tuple(map(str, CHAT_OPEN_MINUTES))),
        shown="schedule.chatOpenMinutesBefore",
    ),
    entry(
        "schedule.reminder_message",
        "Fediverse reminder sent before a scheduled stream (empty: none)",
        setter="schedule/remindermessage",
        body=b.Custom("text"),
        shown="schedule.reminderMessage",
    ),
)
