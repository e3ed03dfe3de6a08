"""Value types shared by the AMF0 and AMF3 decoders."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from owncastd.errors import RtmpProtocolError


class AmfError(RtmpProtocolError):
    """An AMF value could not be decoded or encoded."""


class AmfLimitError(AmfError):
    """A message holds more AMF values than the decoder was allowed to decode."""


class ValueCounter:
    """Counts the values a decoder builds and stops it past `limit` (AMF0 and AMF3 share one):
    decode work is proportional to it, so a message of 64 KiB of empty objects is cheap to
    refuse."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: float = math.inf) -> None:
        self.limit = limit
        self.used = 0

    def spend(self) -> None:
        """Count one value; raise :class:`AmfLimitError` past the limit."""
        self.used += 1
        if self.used > self.limit:
            raise AmfLimitError(f"more than {self.limit:g} AMF values in one message")


class _Singleton(enum.Enum):
    UNDEFINED = "undefined"
    UNSUPPORTED = "unsupported"

    def __repr__(self) -> str:
        return self.value


UNDEFINED = _Singleton.UNDEFINED
"""The AMF0 `undefined` value (distinct from `null`, which is ``None``)."""
UNSUPPORTED = _Singleton.UNSUPPORTED
"""The AMF0 `unsupported` marker."""


class EcmaArray(dict[str, object]):
    """An AMF0 ECMA (associative) array; `onMetaData` usually comes as one."""


@dataclass(frozen=True, slots=True)
class AmfDate:
    """An AMF0 date: milliseconds since the Unix epoch and a timezone offset in minutes."""

    millis: float
    timezone: int = 0


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """An AMF0 XML document (kept as text)."""

    text: str


@dataclass(slots=True)
class TypedObject:
    """An AMF0 typed object: a class name and its properties."""

    class_name: str
    properties: dict[str, object] = field(default_factory=dict)
