"""What `/api/config` and `/api/status` say about the schedule (develop §5.2).

`schedule_config` is always present; `status_fields` names the current or next event only while
the schedule is enabled and there is one.
"""

from __future__ import annotations

import logging

from owncastd.config.settings import Settings
from owncastd.core.schedule.models import utc_text
from owncastd.http.context import WebContext

log = logging.getLogger(__name__)


def schedule_config(settings: Settings) -> dict[str, object]:
    """`/api/config.schedule`: `{enabled, showCountdown, chatOpenMinutesBefore}`."""
    schedule = settings.schedule
    return {
        "enabled": schedule.enabled,
        "showCountdown": schedule.show_countdown,
        "chatOpenMinutesBefore": schedule.chat_open_minutes,
    }


async def status_fields(ctx: WebContext) -> dict[str, object]:
    """`{"scheduledEvent": {…}}` while enabled and an event is current or upcoming, else `{}`."""
    service = ctx.control.schedule if ctx.control is not None else None
    if service is None or not ctx.settings.current.schedule.enabled:
        return {}
    try:
        event = await service.current_event()
    except Exception as exc:  # the status must not fail because the schedule cannot be read
        log.warning("scheduled event lookup failed error=%s: %s", type(exc).__name__, exc)
        return {}
    if event is None:
        return {}
    return {
        "scheduledEvent": {
            "id": event.id,
            "name": event.name,
            "description": event.description,
            "startTime": utc_text(event.start),
            "durationMinutes": event.duration_minutes,
            "chatOpen": service.chat_open(event, ctx.clock()),
        }
    }
