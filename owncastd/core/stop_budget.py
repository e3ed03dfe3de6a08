"""How long each part of the daemon may take to stop: one home for the figures the parts use
and the systemd unit adds up (its TimeoutStopSec must be longer than the sum)."""

from __future__ import annotations

STDIN_CLOSE_GRACE = 8.0  # ffmpeg finishing its segments after its stdin closes
SIGINT_GRACE = 4.0  # then ffmpeg after SIGINT, before it is killed
FINAL_CLEANUP = 5.0  # the transcoder's bounded clean-up (ENDLIST, thumbnails)
HTTP_GRACEFUL_TIMEOUT = 3.0  # open HTTP requests finishing
STORE_DRAIN = 10.0  # the store writer's last commits
SHUTDOWN_GRACE = (
    STDIN_CLOSE_GRACE + SIGINT_GRACE + FINAL_CLEANUP + HTTP_GRACEFUL_TIMEOUT + STORE_DRAIN
)
