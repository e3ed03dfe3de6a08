"""AMF0 (and the AMF3 behind an AVM+ switch): byte fixtures, round trips, bad input."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from owncastd.errors import RtmpProtocolError
from owncastd.rtmp import amf0
from owncastd.rtmp.amf0 import (
    UNDEFINED,
    UNSUPPORTED,
    AmfDate,
    AmfError,
    EcmaArray,
    TypedObject,
    XmlDocument,
)

# (bytes, value): byte fixtures written from the AMF0 specification.
FIXTURES = [
    (b"\x00\x40\x09\x21\xfb\x54\x44\x2d\x18", 3.141592653589793),
    (b"\x00\x00\x00\x00\x00\x00\x00\x00\x00", 0.0),
    (b"\x01\x01", True),
    (b"\x01\x00", False),
    (b"\x02\x00\x04live", "live"),
    (b"\x02\x00\x00", ""),
    (b"\x02\x00\x06caf\xc3\xa9!", "café!"),
    (b"\x03\x00\x03app\x02\x00\x04live\x00\x00\x09", {"app": "live"}),
    (b"\x03\x00\x00\x09", {}),
    (b"\x05", None),
    (b"\x06", UNDEFINED),
    (
        b"\x08\x00\x00\x00\x02\x00\x05width\x00\x40\x94\x00\x00\x00\x00\x00\x00"
        b"\x00\x06stereo\x01\x01\x00\x00\x09",
        EcmaArray(width=1280.0, stereo=True),
    ),
    (b"\x0a\x00\x00\x00\x02\x02\x00\x04avc1\x02\x00\x04hvc1", ["avc1", "hvc1"]),
    (b"\x0a\x00\x00\x00\x00", []),
    (b"\x0b" + struct.pack(">dh", 1.5e12, -60), AmfDate(1.5e12, -60)),
    (b"\x0c\x00\x00\x00\x03abc", "abc"),
    (b"\x0d", UNSUPPORTED),
    (b"\x0f\x00\x00\x00\x08<a>b</a>", XmlDocument("<a>b</a>")),
    (
        b"\x10\x00\x05Point\x00\x01x\x00\x3f\xf0\x00\x00\x00\x00\x00\x00\x00\x00\x09",
        TypedObject("Point", {"x": 1.0}),
    ),
]


@pytest.mark.parametrize(("raw", "value"), FIXTURES)
def test_decode_fixture(raw: bytes, value: object) -> None:
    decoded, end = amf0.decode(raw)
    assert decoded == value
    assert type(decoded) is type(value)
    assert end == len(raw)


@pytest.mark.parametrize(("raw", "value"), [f for f in FIXTURES if f[0][0] != 0x0C])
def test_encode_fixture(raw: bytes, value: object) -> None:
    assert amf0.encode(value) == raw


def test_long_strings_encode_as_long_string_and_back() -> None:
    text = "é" * 40_000  # 80,000 bytes of UTF-8
    raw = amf0.encode(text)
    assert raw[:5] == b"\x0c" + struct.pack(">I", 80_000)
    assert amf0.decode(raw) == (text, len(raw))


def test_ints_encode_as_numbers() -> None:
    assert amf0.encode(7) == amf0.encode(7.0)
    assert amf0.encode((1, 2)) == amf0.encode([1.0, 2.0])


def test_reference_points_at_an_earlier_object() -> None:
    inner = b"\x03\x00\x01a\x00\x3f\xf0\x00\x00\x00\x00\x00\x00\x00\x00\x09"
    raw = b"\x0a\x00\x00\x00\x02" + inner + b"\x07\x00\x01"  # [obj, ref 1 (obj; 0 is the array)]
    value, _ = amf0.decode(raw)
    assert isinstance(value, list)
    assert value[0] == {"a": 1.0}
    assert value[1] is value[0]


def test_reference_table_spans_the_values_of_one_message() -> None:
    raw = amf0.encode_all("onMetaData", {"k": "v"}) + b"\x07\x00\x00"
    assert amf0.decode_all(raw) == ["onMetaData", {"k": "v"}, {"k": "v"}]


def test_object_may_have_an_empty_key() -> None:
    raw = b"\x03\x00\x00\x05\x00\x00\x09"
    assert amf0.decode(raw) == ({"": None}, len(raw))


def test_ecma_array_count_is_only_a_hint() -> None:
    raw = b"\x08\x00\x00\x00\x09\x00\x01a\x05\x00\x00\x09"  # says 9 entries, has 1
    assert amf0.decode(raw) == (EcmaArray(a=None), len(raw))


def test_enhanced_rtmp_connect_object_with_fourcc_list() -> None:
    connect = {
        "app": "live",
        "type": "nonprivate",
        "flashVer": "FMLE/3.0 (compatible; FMSc/1.0)",
        "tcUrl": "rtmp://localhost/live",
        "fourCcList": ["av01", "vp09", "hvc1"],
        "videoFourCcInfoMap": EcmaArray({"hvc1": 3.0}),
        "capsEx": 7.0,
    }
    raw = amf0.encode_all("connect", 1.0, connect)
    assert amf0.decode_all(raw) == ["connect", 1.0, connect]


# AVM+ switch (0x11): the next value is AMF3.
AMF3_FIXTURES = [
    (b"\x11\x00", UNDEFINED),
    (b"\x11\x01", None),
    (b"\x11\x02", False),
    (b"\x11\x03", True),
    (b"\x11\x04\x05", 5.0),
    (b"\x11\x04\xff\xff\xff\xff", -1.0),
    (b"\x11\x04\x81\x00", 128.0),
    (b"\x11\x05\x3f\xf8\x00\x00\x00\x00\x00\x00", 1.5),
    (b"\x11\x06\x09live", "live"),
    (b"\x11\x09\x05\x01\x04\x01\x06\x03x", [1.0, "x"]),
    (b"\x11\x09\x03\x03k\x04\x02\x01\x04\x07", {"k": 2.0, "0": 7.0}),
    (b"\x11\x0a\x0b\x01\x03a\x06\x03b\x01", {"a": "b"}),  # anonymous dynamic object
    (b"\x11\x0a\x13\x01\x03w\x04\x10", {"w": 16.0}),  # sealed trait with member "w"
    (b"\x11\x0c\x07abc", b"abc"),
    (b"\x11\x07\x09<x/>", XmlDocument("<x/>")),
    (b"\x11\x08\x01\x00\x00\x00\x00\x00\x00\x00\x00", AmfDate(0.0)),
]


@pytest.mark.parametrize(("raw", "value"), AMF3_FIXTURES)
def test_avmplus_values_decode(raw: bytes, value: object) -> None:
    assert amf0.decode(raw) == (value, len(raw))


def test_amf3_string_references() -> None:
    raw = b"\x11\x09\x05\x01\x06\x09live\x06\x00"  # ["live", ref 0]
    assert amf0.decode(raw) == (["live", "live"], len(raw))


def test_unsupported_amf3_type_rejects_only_that_value() -> None:
    raw = amf0.encode_all("connect", 1.0) + b"\x11\x0d\x03\x00"  # AMF3 vector-int
    values, error = amf0.decode_prefix(raw)
    assert values == ["connect", 1.0]
    assert isinstance(error, AmfError)
    assert "AMF3" in str(error)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x40\x09",  # truncated number
        b"\x02\x00\x09abc",  # string longer than the data
        b"\x03\x00\x01a\x05",  # object without its end marker
        b"\x04",  # movieclip: reserved
        b"\x09",  # object end outside an object
        b"\x0e",  # recordset: reserved
        b"\x12",  # not a marker at all
        b"\x07\x00\x05",  # reference to nothing
        b"\x0a\xff\xff\xff\xff\x05",  # strict array longer than the message
        b"\x0c\x00\x00\x10\x00ab",  # long string longer than the data
        b"\x11\x06\x00",  # AMF3 string reference to nothing
        b"\x11\x0a\x07\x01",  # externalizable AMF3 object
        b"",
    ],
)
def test_malformed_input_raises_protocol_error(raw: bytes) -> None:
    with pytest.raises(RtmpProtocolError):
        amf0.decode(raw)


def test_nesting_is_bounded() -> None:
    raw = b"\x0a\x00\x00\x00\x01" * 200 + b"\x05"
    with pytest.raises(AmfError, match="nested"):
        amf0.decode(raw)


def test_cannot_encode_foreign_types() -> None:
    with pytest.raises(AmfError):
        amf0.encode(object())
    with pytest.raises(AmfError):
        amf0.encode({"k": b"bytes"})


# Hypothesis: every value we can encode decodes to an equal value of the same shape.
_scalars = (
    st.floats(allow_nan=False)
    | st.booleans()
    | st.text(max_size=40)
    | st.none()
    | st.just(UNDEFINED)
    | st.builds(XmlDocument, st.text(max_size=40))
    | st.builds(
        AmfDate,
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(2**15), 2**15 - 1),
    )
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=12), inner, max_size=5)
        | st.dictionaries(st.text(max_size=12), inner, max_size=5).map(EcmaArray)
        | st.builds(TypedObject, st.text(max_size=12), st.dictionaries(st.text(max_size=8), inner))
    ),
    max_leaves=20,
)


def _shape(value: object) -> object:
    """The value with container types made explicit (dict == EcmaArray otherwise)."""
    if isinstance(value, EcmaArray):
        return ("ecma", {k: _shape(v) for k, v in value.items()})
    if isinstance(value, dict):
        return ("object", {k: _shape(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_shape(v) for v in value]
    if isinstance(value, TypedObject):
        return ("typed", value.class_name, _shape(value.properties))
    if isinstance(value, float) and value == 0.0:
        return ("zero", math.copysign(1.0, value))
    return value


@given(_values)
def test_round_trip(value: object) -> None:
    raw = amf0.encode(value)
    decoded, end = amf0.decode(raw)
    assert end == len(raw)
    assert _shape(decoded) == _shape(value)
    assert amf0.encode(decoded) == raw


@given(st.lists(_values, max_size=4))
def test_round_trip_of_a_command_body(values: list[object]) -> None:
    assert [_shape(v) for v in amf0.decode_all(amf0.encode_all(*values))] == [
        _shape(v) for v in values
    ]


@given(st.binary(max_size=64))
@example(b"\x02\x00\x04live\x05")  # decodes
@example(b"\x02\x00\x09live")  # truncated
@example(b"\x03\x00\x01a\x07\x00\x00\x00\x00\x09")  # an object that contains itself
def test_arbitrary_bytes_decode_or_raise_protocol_error(raw: bytes) -> None:
    """Garbage either decodes to values that re-encode to a stable form, or is refused with an
    AmfError (an RtmpProtocolError) saying what was wrong; decode_prefix agrees either way."""
    prefix, stopped = amf0.decode_prefix(raw)
    try:
        values = amf0.decode_all(raw)
    except RtmpProtocolError as exc:
        assert isinstance(exc, AmfError)
        assert "AMF" in str(exc)
        assert stopped is not None and str(stopped) == str(exc)
        return
    assert stopped is None
    try:
        canonical = amf0.encode_all(*values)
    except AmfError as exc:  # references can tie a value to itself; a cycle cannot be sent back
        assert "nested too deeply" in str(exc)
        return
    assert amf0.encode_all(*prefix) == canonical
    assert amf0.encode_all(*amf0.decode_all(canonical)) == canonical
