"""Setting up the bridge in Chatwoot: check the token, create or reuse the API inbox and the
agent bot whose `outgoing_url` is our webhook, and attach the bot to the inbox.

Seed Swagger endpoints only: `GET /inboxes` (the credential check: a bad token or another
account answers 401), `POST /inboxes/` (`channel.type: "api"`), `GET|POST /agent_bots`,
`PATCH /agent_bots/{id}`, `POST /inboxes/{id}/set_agent_bot`. The seed's `GET /profile` is not
used: it is `/api/v1/profile` in Chatwoot, and the inbox list checks the token and the account
at once. Reusing is by name, so running setup again changes nothing but the bot's URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from owncastd.chatwoot.parse import object_id, payload_list
from owncastd.chatwoot.transport import ChatwootHttp
from owncastd.core.chatwoot.ports import ChatwootRejected, ChatwootUnavailable
from owncastd.errors import ChatwootSetupError

API_CHANNEL = "Channel::Api"
BOT_DESCRIPTION = "Relays viewers' private messages from owncastd (its webhook is owncastd's)."


@dataclass(frozen=True)
class SetupPlan:
    """What to set up; `webhook_url` holds the secret and is never shown."""

    account_id: int
    inbox_name: str
    webhook_url: str = ""

    @property
    def bot_name(self) -> str:
        return f"owncastd ({self.inbox_name})"


@dataclass(frozen=True)
class SetupDone:
    """What setup found or made in Chatwoot."""

    inbox_id: int
    inbox_created: bool
    agent_bot_id: int
    agent_bot_created: bool


async def check_credentials(http: ChatwootHttp, account_id: int) -> list[Any]:
    """The account's inboxes; raises ChatwootSetupError saying why the token is refused."""
    try:
        return payload_list(await http.call("GET", f"/api/v1/accounts/{account_id}/inboxes"))
    except ChatwootRejected as exc:
        raise ChatwootSetupError(
            f"Chatwoot refused the token for account {account_id} ({exc}); use an "
            "administrator's access token (Profile settings → Access Token)"
        ) from None
    except ChatwootUnavailable as exc:
        raise ChatwootSetupError(f"Chatwoot is not reachable: {exc}", status=502) from None


async def set_up(http: ChatwootHttp, plan: SetupPlan) -> SetupDone:
    """Make Chatwoot ready for the bridge (ChatwootSetupError when it cannot)."""
    inboxes = await check_credentials(http, plan.account_id)
    try:
        inbox_id, inbox_created = await _inbox(http, plan, inboxes)
        bot_id, bot_created = await _bot(http, plan)
        prefix = f"/api/v1/accounts/{plan.account_id}"
        await http.call(
            "POST", f"{prefix}/inboxes/{inbox_id}/set_agent_bot", body={"agent_bot": bot_id}
        )
    except ChatwootRejected as exc:
        raise ChatwootSetupError(f"Chatwoot refused a setup step: {exc}") from None
    except ChatwootUnavailable as exc:
        raise ChatwootSetupError(f"Chatwoot is not reachable: {exc}", status=502) from None
    return SetupDone(inbox_id, inbox_created, bot_id, bot_created)


async def _inbox(http: ChatwootHttp, plan: SetupPlan, inboxes: list[Any]) -> tuple[int, bool]:
    for inbox in inboxes:
        if isinstance(inbox, Mapping) and inbox.get("name") == plan.inbox_name:
            if inbox.get("channel_type") not in (None, API_CHANNEL):
                raise ChatwootSetupError(
                    f"Chatwoot inbox {plan.inbox_name!r} exists but is not an API inbox "
                    f"({inbox.get('channel_type')}); choose another --inbox-name"
                )
            return object_id(inbox, "list inboxes"), False
    body = {"name": plan.inbox_name, "channel": {"type": "api"}}
    created = await http.call("POST", f"/api/v1/accounts/{plan.account_id}/inboxes/", body=body)
    return object_id(created, "create inbox"), True


async def _bot(http: ChatwootHttp, plan: SetupPlan) -> tuple[int, bool]:
    path = f"/api/v1/accounts/{plan.account_id}/agent_bots"
    body = {
        "name": plan.bot_name,
        "description": BOT_DESCRIPTION,
        "outgoing_url": plan.webhook_url,
    }
    for bot in payload_list(await http.call("GET", path)):
        if isinstance(bot, Mapping) and bot.get("name") == plan.bot_name:
            bot_id = object_id(bot, "list agent bots")
            await http.call("PATCH", f"{path}/{bot_id}", body=body)
            return bot_id, False
    return object_id(await http.call("POST", path, body=body), "create agent bot"), True
