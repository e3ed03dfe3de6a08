"""Facts about chat users that the admin API and the store share."""

from __future__ import annotations

from typing import Literal

# `?status=` of admin users: Owncast develop's all|active|bots (openapi.yaml@86011b77; "active"
# taken as "not disabled") and v0.2's moderators|banned|bots.
UserStatus = Literal["all", "active", "moderators", "banned", "bots"]
STATUSES: tuple[UserStatus, ...] = ("all", "active", "moderators", "banned", "bots")
SortOrder = Literal["asc", "desc"]
SORT_ORDERS: tuple[SortOrder, ...] = ("asc", "desc")  # `?sort=` (by creation; default desc)
