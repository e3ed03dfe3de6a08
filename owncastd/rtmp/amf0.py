"""AMF0 values: decode and encode every type RTMP peers send (commands and metadata).

Python mapping (decode → encode):

=====================  =========================================
AMF0                   Python
=====================  =========================================
number                 float (int and float encode as number)
boolean                bool
string / long string   str (encoded long when over 65535 bytes)
object                 dict[str, object]
null                   None
undefined              :data:`UNDEFINED`
reference              the referenced dict/list (decode only)
ECMA array             :class:`EcmaArray` (a dict)
strict array           list (tuple encodes too)
date                   :class:`AmfDate` (milliseconds, timezone)
XML document           :class:`XmlDocument`
typed object           :class:`TypedObject`
unsupported            :data:`UNSUPPORTED`
AVM+ switch            the AMF3 value (see :mod:`owncastd.rtmp.amf3`)
=====================  =========================================

Malformed input raises :class:`AmfError`, a :class:`~owncastd.errors.RtmpProtocolError`.
"""

from __future__ import annotations

import enum
import struct

from owncastd.rtmp.amf3 import decode as decode_amf3
from owncastd.rtmp.amftypes import (
    UNDEFINED,
    UNSUPPORTED,
    AmfDate,
    AmfError,
    AmfLimitError,
    EcmaArray,
    TypedObject,
    ValueCounter,
    XmlDocument,
)

__all__ = [
    "UNDEFINED",
    "UNSUPPORTED",
    "AmfDate",
    "AmfError",
    "AmfLimitError",
    "EcmaArray",
    "Marker",
    "TypedObject",
    "XmlDocument",
    "decode",
    "decode_all",
    "decode_limited",
    "decode_prefix",
    "encode",
    "encode_all",
]

MAX_DEPTH = 64

_DOUBLE = struct.Struct(">d")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_DATE = struct.Struct(">dh")


class Marker(enum.IntEnum):
    """AMF0 type markers."""

    NUMBER = 0x00
    BOOLEAN = 0x01
    STRING = 0x02
    OBJECT = 0x03
    MOVIECLIP = 0x04
    NULL = 0x05
    UNDEFINED = 0x06
    REFERENCE = 0x07
    ECMA_ARRAY = 0x08
    OBJECT_END = 0x09
    STRICT_ARRAY = 0x0A
    DATE = 0x0B
    LONG_STRING = 0x0C
    UNSUPPORTED = 0x0D
    RECORDSET = 0x0E
    XML_DOCUMENT = 0x0F
    TYPED_OBJECT = 0x10
    AVMPLUS = 0x11


def decode(data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[object, int]:
    """Decode one value at `offset`; return it and the offset just past it."""
    return _Decoder(data).value(offset, 0)


def decode_all(data: bytes | bytearray | memoryview) -> list[object]:
    """Decode consecutive values until the end of `data` (one reference table for all)."""
    decoder = _Decoder(data)
    values: list[object] = []
    offset = 0
    while offset < len(data):
        value, offset = decoder.value(offset, 0)
        values.append(value)
    return values


def decode_prefix(data: bytes | bytearray | memoryview) -> tuple[list[object], AmfError | None]:
    """Decode as many leading values as possible; return them and the error that stopped us."""
    return _prefix(_Decoder(data), data)


def decode_limited(
    data: bytes | bytearray | memoryview, max_values: int
) -> tuple[list[object], AmfError | None, int]:
    """:func:`decode_prefix` that stops with :class:`AmfLimitError` after `max_values` values
    (nested ones included); also returns how many values were decoded."""
    counter = ValueCounter(max_values)
    values, error = _prefix(_Decoder(data, counter), data)
    return values, error, min(counter.used, max_values)


def _prefix(
    decoder: _Decoder, data: bytes | bytearray | memoryview
) -> tuple[list[object], AmfError | None]:
    values: list[object] = []
    offset = 0
    while offset < len(data):
        try:
            value, offset = decoder.value(offset, 0)
        except AmfError as exc:
            return values, exc
        values.append(value)
    return values, None


class _Decoder:
    def __init__(
        self, data: bytes | bytearray | memoryview, counter: ValueCounter | None = None
    ) -> None:
        self.data = bytes(data)
        self.refs: list[object] = []
        self.counter = counter or ValueCounter()

    def value(self, offset: int, depth: int) -> tuple[object, int]:
        try:
            return self._value(offset, depth)
        except (struct.error, IndexError) as exc:
            raise AmfError(f"truncated AMF0 value at offset {offset}") from exc

    def _value(self, offset: int, depth: int) -> tuple[object, int]:
        if depth > MAX_DEPTH:
            raise AmfError("AMF0 value nested too deeply")
        self.counter.spend()
        data = self.data
        marker = data[offset]
        pos = offset + 1
        if marker == Marker.NUMBER:
            return _DOUBLE.unpack_from(data, pos)[0], pos + 8
        if marker == Marker.BOOLEAN:
            return data[pos] != 0, pos + 1
        if marker == Marker.STRING:
            return self._string(pos, 2)
        if marker == Marker.OBJECT:
            obj: dict[str, object] = {}
            self.refs.append(obj)
            return obj, self._properties(obj, pos, depth)
        if marker == Marker.NULL:
            return None, pos
        if marker == Marker.UNDEFINED:
            return UNDEFINED, pos
        if marker == Marker.REFERENCE:
            index = _U16.unpack_from(data, pos)[0]
            if index >= len(self.refs):
                raise AmfError(f"AMF0 reference {index} to an unknown object")
            return self.refs[index], pos + 2
        if marker == Marker.ECMA_ARRAY:
            array = EcmaArray()
            self.refs.append(array)
            return array, self._properties(array, pos + 4, depth)
        if marker == Marker.STRICT_ARRAY:
            count = _U32.unpack_from(data, pos)[0]
            if count > len(data) - pos - 4:
                raise AmfError(f"AMF0 strict array of {count} items is longer than the message")
            items: list[object] = []
            self.refs.append(items)
            pos += 4
            for _ in range(count):
                item, pos = self._value(pos, depth + 1)
                items.append(item)
            return items, pos
        if marker == Marker.DATE:
            millis, timezone = _DATE.unpack_from(data, pos)
            return AmfDate(millis, timezone), pos + 10
        if marker == Marker.LONG_STRING:
            return self._string(pos, 4)
        if marker == Marker.UNSUPPORTED:
            return UNSUPPORTED, pos
        if marker == Marker.XML_DOCUMENT:
            text, pos = self._string(pos, 4)
            return XmlDocument(text), pos
        if marker == Marker.TYPED_OBJECT:
            class_name, pos = self._string(pos, 2)
            typed = TypedObject(class_name)
            self.refs.append(typed)
            return typed, self._properties(typed.properties, pos, depth)
        if marker == Marker.AVMPLUS:
            return decode_amf3(data, pos, self.counter)
        raise AmfError(f"unsupported AMF0 marker 0x{marker:02x}")

    def _string(self, pos: int, width: int) -> tuple[str, int]:
        data = self.data
        length = _U16.unpack_from(data, pos)[0] if width == 2 else _U32.unpack_from(data, pos)[0]
        start = pos + width
        end = start + length
        if end > len(data):
            raise AmfError("AMF0 string runs past the end of the message")
        return data[start:end].decode("utf-8", "replace"), end

    def _properties(self, target: dict[str, object], pos: int, depth: int) -> int:
        data = self.data
        while True:
            key, pos = self._string(pos, 2)
            if not key and data[pos] == Marker.OBJECT_END:
                return pos + 1
            target[key], pos = self._value(pos, depth + 1)


def encode(value: object) -> bytes:
    """Encode one value as AMF0."""
    out = bytearray()
    _encode(value, out, 0)
    return bytes(out)


def encode_all(*values: object) -> bytes:
    """Encode several values back to back (a command or data message body)."""
    out = bytearray()
    for value in values:
        _encode(value, out, 0)
    return bytes(out)


def _encode(value: object, out: bytearray, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise AmfError("AMF0 value nested too deeply to encode")
    if value is None:
        out.append(Marker.NULL)
    elif isinstance(value, bool):
        out += bytes((Marker.BOOLEAN, 1 if value else 0))
    elif isinstance(value, int | float):
        out.append(Marker.NUMBER)
        out += _DOUBLE.pack(value)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        if len(raw) > 0xFFFF:
            out.append(Marker.LONG_STRING)
            out += _U32.pack(len(raw))
        else:
            out.append(Marker.STRING)
            out += _U16.pack(len(raw))
        out += raw
    elif isinstance(value, EcmaArray):
        out.append(Marker.ECMA_ARRAY)
        out += _U32.pack(len(value))
        _encode_properties(value, out, depth)
    elif isinstance(value, dict):
        out.append(Marker.OBJECT)
        _encode_properties(value, out, depth)
    elif isinstance(value, list | tuple):
        out.append(Marker.STRICT_ARRAY)
        out += _U32.pack(len(value))
        for item in value:
            _encode(item, out, depth + 1)
    elif value is UNDEFINED:
        out.append(Marker.UNDEFINED)
    elif value is UNSUPPORTED:
        out.append(Marker.UNSUPPORTED)
    elif isinstance(value, AmfDate):
        out.append(Marker.DATE)
        out += _DATE.pack(value.millis, value.timezone)
    elif isinstance(value, XmlDocument):
        raw = value.text.encode("utf-8")
        out.append(Marker.XML_DOCUMENT)
        out += _U32.pack(len(raw))
        out += raw
    elif isinstance(value, TypedObject):
        out.append(Marker.TYPED_OBJECT)
        _encode_key(value.class_name, out)
        _encode_properties(value.properties, out, depth)
    else:
        raise AmfError(f"cannot encode {type(value).__name__} as AMF0")


def _encode_key(key: str, out: bytearray) -> None:
    raw = key.encode("utf-8")
    if len(raw) > 0xFFFF:
        raise AmfError("AMF0 property name longer than 65535 bytes")
    out += _U16.pack(len(raw))
    out += raw


def _encode_properties(properties: dict[str, object], out: bytearray, depth: int) -> None:
    for key, item in properties.items():
        if not isinstance(key, str):
            raise AmfError("AMF0 property names must be strings")
        _encode_key(key, out)
        _encode(item, out, depth + 1)
    out += b"\x00\x00\x09"
