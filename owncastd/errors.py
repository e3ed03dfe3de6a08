"""Every exception owncastd raises on purpose shares one root.

OwncastdError
├── CmcdParseError         a player's CMCD dictionary (query or header) cannot be read
├── ConfigError            a configuration was rejected; carries every problem found
├── FfmpegNotFoundError    no usable ffmpeg binary
├── StartupError           a listener could not be opened (port in use, bad address)
├── PublishRefusedError    an RTMP publish was refused (bad key, already live)
│   ├── BadStreamKeyError
│   └── AlreadyLiveError
├── RtmpProtocolError      a peer broke the RTMP protocol; only that connection closes
├── WebhookRejectedError   a webhook the admin asked for cannot be created
├── ChatwootSetupError     `owncastctl chatwoot setup` could not finish (nothing was written)
└── ScheduleError          a schedule change or query was refused (core/schedule/models.py)
"""

from __future__ import annotations


class OwncastdError(Exception):
    """Root of owncastd's own exceptions."""


class ConfigError(OwncastdError):
    """A configuration was rejected. `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class FfmpegNotFoundError(OwncastdError):
    """No ffmpeg binary could be found or run."""


class StartupError(OwncastdError):
    """A service could not start (for example its port is already in use)."""


class PublishRefusedError(OwncastdError):
    """An RTMP publish request was refused; the message is safe to log (no key in it)."""


class BadStreamKeyError(PublishRefusedError):
    """The stream key in the RTMP path matches no configured key."""


class AlreadyLiveError(PublishRefusedError):
    """Another publisher is already live."""


class RtmpProtocolError(OwncastdError):
    """A peer sent bytes that break the RTMP protocol."""


class WebhookRejectedError(OwncastdError):
    """A webhook the admin asked for cannot be created; the message says why."""


class CmcdParseError(OwncastdError):
    """A CMCD dictionary that cannot be read; the message says where and why."""


class ChatwootSetupError(OwncastdError):
    """Chatwoot setup stopped; the message is safe to show (never the token). `status` is the
    HTTP status the admin route answers: 400 (refused, bad input) or 502 (Chatwoot unreachable).
    """

    def __init__(self, message: str, status: int = 400) -> None:
        self.status = status
        super().__init__(message)
