"""New `[s3]` settings are tried before they are accepted: a probe object is put, read back and
deleted with them (owncastd.storage.probe). A failing round trip rejects the change with the
reason (the admin API answers 400 and nothing is saved)."""

from __future__ import annotations

from owncastd.config.settings import Settings
from owncastd.core.storage import Storage
from owncastd.storage.probe import round_trip
from owncastd.storage.s3 import S3Storage
from owncastd.storage.s3_config import S3Config


def s3_storage(settings: Settings, *, attempts: int = 3) -> Storage | None:
    """The bucket the settings name, or None while S3 is off."""
    if not settings.s3.enabled:
        return None
    config = S3Config.from_settings(settings.s3, settings.web.video_serving_endpoint)
    return S3Storage(config, attempts=attempts)


async def s3_change_problems(old: Settings, new: Settings) -> list[str]:
    """Problems with enabling or changing S3 (none when it is off or unchanged)."""
    if not new.s3.enabled or (old.s3 == new.s3 and old.s3.enabled):
        return []
    storage = s3_storage(new, attempts=1)
    assert storage is not None
    problem = await round_trip(storage)
    if problem is None:
        return []
    return [f"[s3] round trip: the put, get and delete of a probe object failed: {problem}"]
