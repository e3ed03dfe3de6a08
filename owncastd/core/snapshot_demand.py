"""Which of `thumbnail.jpg` / `preview.gif` someone fetched since they were last made.

The web paths mark a fetch; the thumbnail maker (:mod:`owncastd.hls.thumbnails`) runs ffmpeg
only for what was fetched since its last run (issue 17: thumbnails ≤ 1% of a core; a stream
nobody looks at the images of costs one run right after going live). O(1), no locking: both
sides run on the trio thread.
"""

from __future__ import annotations


class SnapshotDemand:
    """Two flags: the thumbnail / the preview was fetched since the maker last took them."""

    __slots__ = ("preview", "thumbnail")

    def __init__(self) -> None:
        self.thumbnail = False
        self.preview = False

    def want_thumbnail(self) -> None:
        """Someone fetched `/thumbnail.jpg`: refresh it on the next run."""
        self.thumbnail = True

    def want_preview(self) -> None:
        """Someone fetched `/preview.gif`: refresh it when it is next due."""
        self.preview = True
