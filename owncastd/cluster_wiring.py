"""Building the cluster origin (issue 18) for the composition root, only when `[cluster] role
= "origin"` (Redis is loaded then and only then). Kept apart from `wiring.py` (composition root,
like it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import trio

from owncastd.config.settings import SettingsRef
from owncastd.core.chat.room import ChatRoom
from owncastd.core.viewers import ViewerTracker
from owncastd.http.admin.control_plane import ControlPlane
from owncastd.store.cluster import ClusterLedger
from owncastd.store.database import Store

if TYPE_CHECKING:
    from owncastd.cluster.origin import ClusterOrigin


def build_cluster(
    settings: SettingsRef,
    store: Store,
    room: ChatRoom,
    viewers: ViewerTracker,
    control: ControlPlane,
) -> ClusterOrigin | None:
    """The cluster origin (issue 18) if `[cluster] role = "origin"`; only then is Redis loaded."""
    if settings.current.cluster.role != "origin":
        return None
    from owncastd.cluster.origin import ClusterOrigin

    ledger = ClusterLedger(store)
    cluster = ClusterOrigin(
        settings.current.cluster, room, stored=ledger.stored_messages, flush=ledger.flush
    )
    viewers.remote_count = cluster.viewers
    control.metrics.add_collector(cluster.collector())
    control.user_deleted.append(cluster.user_deleted)
    room.subscribe(cluster.on_chat_event)
    control.editor.subscribe(cluster.on_settings_changed)
    return cluster


async def run_cluster(
    cluster: ClusterOrigin | None, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run the cluster origin, if any, until cancelled."""
    if cluster is None:
        task_status.started()
        return
    await cluster.run(task_status=task_status)
