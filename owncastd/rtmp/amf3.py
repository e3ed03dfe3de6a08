"""Enough AMF3 to read the value behind an AMF0 "AVM+ switch" marker (0x11).

Scalars, strings, dates, XML, byte arrays, arrays and (non-externalizable) objects decode;
vectors and dictionaries raise :class:`~owncastd.rtmp.amftypes.AmfError`, which rejects only
the message that carried them.
"""

from __future__ import annotations

import struct
from typing import TypeVar

from owncastd.rtmp.amftypes import (
    UNDEFINED,
    AmfDate,
    AmfError,
    EcmaArray,
    ValueCounter,
    XmlDocument,
)

_DOUBLE = struct.Struct(">d")
MAX_DEPTH = 64
_T = TypeVar("_T")


def decode(data: bytes, offset: int, counter: ValueCounter | None = None) -> tuple[object, int]:
    """Decode one AMF3 value at `offset`; return it and the offset just past it.

    `counter` counts the values (and trait member names) and may stop the decoder.
    """
    try:
        return _Amf3Decoder(data, counter or ValueCounter()).value(offset, 0)
    except (struct.error, IndexError) as exc:
        raise AmfError(f"truncated AMF3 value at offset {offset}") from exc


class _Traits:
    __slots__ = ("dynamic", "members")

    def __init__(self, members: list[str], dynamic: bool) -> None:
        self.members = members
        self.dynamic = dynamic


class _Amf3Decoder:
    def __init__(self, data: bytes, counter: ValueCounter) -> None:
        self.data = data
        self.counter = counter
        self.strings: list[str] = []
        self.objects: list[object] = []
        self.traits: list[_Traits] = []

    def u29(self, pos: int) -> tuple[int, int]:
        data = self.data
        result = 0
        for _ in range(3):
            byte = data[pos]
            pos += 1
            result = (result << 7) | (byte & 0x7F)
            if not byte & 0x80:
                return result, pos
        return (result << 8) | data[pos], pos + 1

    def string(self, pos: int) -> tuple[str, int]:
        header, pos = self.u29(pos)
        if not header & 1:
            return self._ref(self.strings, header >> 1, "string"), pos
        end = pos + (header >> 1)
        if end > len(self.data):
            raise AmfError("AMF3 string runs past the end of the message")
        text = self.data[pos:end].decode("utf-8", "replace")
        if text:
            self.strings.append(text)
        return text, end

    @staticmethod
    def _ref(table: list[_T], index: int, kind: str) -> _T:
        if index >= len(table):
            raise AmfError(f"AMF3 {kind} reference {index} out of range")
        return table[index]

    def value(self, pos: int, depth: int) -> tuple[object, int]:
        if depth > MAX_DEPTH:
            raise AmfError("AMF3 value nested too deeply")
        self.counter.spend()
        marker = self.data[pos]
        pos += 1
        if marker == 0x00:
            return UNDEFINED, pos
        if marker == 0x01:
            return None, pos
        if marker in (0x02, 0x03):
            return marker == 0x03, pos
        if marker == 0x04:
            number, pos = self.u29(pos)
            return float(number - (1 << 29) if number & (1 << 28) else number), pos
        if marker == 0x05:
            return _DOUBLE.unpack_from(self.data, pos)[0], pos + 8
        if marker == 0x06:
            return self.string(pos)
        if marker == 0x08:
            header, pos = self.u29(pos)
            if not header & 1:
                return self._ref(self.objects, header >> 1, "object"), pos
            date = AmfDate(_DOUBLE.unpack_from(self.data, pos)[0])
            self.objects.append(date)
            return date, pos + 8
        if marker in (0x07, 0x0B, 0x0C):
            return self._blob(marker, pos)
        if marker == 0x09:
            return self._array(pos, depth)
        if marker == 0x0A:
            return self._object(pos, depth)
        raise AmfError(f"unsupported AMF3 marker 0x{marker:02x}")

    def _blob(self, marker: int, pos: int) -> tuple[object, int]:
        header, pos = self.u29(pos)
        if not header & 1:
            return self._ref(self.objects, header >> 1, "object"), pos
        end = pos + (header >> 1)
        if end > len(self.data):
            raise AmfError("AMF3 value runs past the end of the message")
        raw = self.data[pos:end]
        value: object = raw if marker == 0x0C else XmlDocument(raw.decode("utf-8", "replace"))
        self.objects.append(value)
        return value, end

    def _array(self, pos: int, depth: int) -> tuple[object, int]:
        header, pos = self.u29(pos)
        if not header & 1:
            return self._ref(self.objects, header >> 1, "object"), pos
        count = header >> 1
        if count > len(self.data) - pos:
            raise AmfError("AMF3 array is longer than the message")
        assoc = EcmaArray()
        dense: list[object] = []
        self.objects.append(dense)
        while True:
            key, pos = self.string(pos)
            if not key:
                break
            assoc[key], pos = self.value(pos, depth + 1)
        for _ in range(count):
            item, pos = self.value(pos, depth + 1)
            dense.append(item)
        if not assoc:
            return dense, pos
        assoc.update((str(index), item) for index, item in enumerate(dense))
        return assoc, pos

    def _object(self, pos: int, depth: int) -> tuple[object, int]:
        header, pos = self.u29(pos)
        if not header & 1:
            return self._ref(self.objects, header >> 1, "object"), pos
        if not header & 2:
            traits = self._ref(self.traits, header >> 2, "traits")
        elif header & 4:
            raise AmfError("externalizable AMF3 objects are not supported")
        else:
            _class_name, pos = self.string(pos)
            members = []
            for _ in range(header >> 4):
                self.counter.spend()
                name, pos = self.string(pos)
                members.append(name)
            traits = _Traits(members, bool(header & 8))
            self.traits.append(traits)
        obj: dict[str, object] = {}
        self.objects.append(obj)
        for name in traits.members:
            obj[name], pos = self.value(pos, depth + 1)
        if traits.dynamic:
            while True:
                key, pos = self.string(pos)
                if not key:
                    break
                obj[key], pos = self.value(pos, depth + 1)
        return obj, pos
