"""`POST /api/notifications/register?accessToken=<chat token>` (develop §3): a viewer's browser
subscribes to the go-live push.

Owncast's answers: GET (any method but POST, in Owncast; here the others get 405) → 400
`"<METHOD> not supported"`; a channel other than
`BROWSER_PUSH_NOTIFICATION` → 400 `"invalid notification channel: <x>"`; success → 200 with an
empty body. Beyond Owncast: the subscription is checked before it is kept (core/push.py), so a
bad one gets 400 with the reason, and browser push switched off gets 400 too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quart import Blueprint, Response, request

from owncastd.core.push import BROWSER_PUSH_CHANNEL, BadSubscriptionError, parse_subscription
from owncastd.http.chat.common import field, json_object, token_user
from owncastd.http.chat.context import ChatServices
from owncastd.http.context import WebContext
from owncastd.http.responses import error

if TYPE_CHECKING:
    from owncastd.webhooks.web_push import BrowserPush

ANSWERED_METHODS = ["GET", "POST"]  # GET gets Owncast's 400; others 405


def create_push_routes(ctx: WebContext, chat: ChatServices, push: BrowserPush) -> Blueprint:
    """The browser-push registration route."""
    bp = Blueprint("push", __name__)

    @bp.route("/api/notifications/register", methods=ANSWERED_METHODS)
    async def register() -> Response:
        if request.method != "POST":
            return error(400, f"{request.method} not supported")
        if await token_user(chat, check_ban=True) is None:
            return error(401, "invalid access token")
        data = await json_object()
        channel = field(data, "channel", str)
        if channel != BROWSER_PUSH_CHANNEL:
            return error(400, f"invalid notification channel: {channel}")
        destination = field(data, "destination", str)
        browser = ctx.settings.current.notifications.browser
        if not browser.enabled:
            return error(400, "browser push notifications are switched off")
        try:
            parse_subscription(destination, allow_private=browser.allow_private_endpoints)
        except BadSubscriptionError as exc:
            return error(400, f"invalid push subscription: {exc}")
        await push.subscribe(destination, ctx.clock())
        return Response("", status=200)

    return bp
