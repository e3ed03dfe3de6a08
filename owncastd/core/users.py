"""Facts about chat users that the admin API and the store share."""

from __future__ import annotations

from typing import Literal

UserStatus = Literal["moderators", "banned", "bots"]
STATUSES: tuple[UserStatus, ...] = ("moderators", "banned", "bots")  # `?status=` of admin users
