"""owncastd's Chatwoot bridge routes owncastctl uses (as :class:`owncastctl.api.Call`)."""

from __future__ import annotations

from owncastctl.api import Call


def escalate_call(message_id: str, user_id: str, note: str) -> Call:
    """`POST /api/admin/chatwoot/escalate`: a message (or a user) to the team."""
    body = {"note": note}
    if message_id:
        body["messageId"] = message_id
    if user_id:
        body["userId"] = user_id
    return Call("POST", "/api/admin/chatwoot/escalate", json=body, what="escalating to the team")
