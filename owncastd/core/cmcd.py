"""CMCD (CTA-5004) playback reports, sans-IO: the dictionary syntax and what a report says.

Players send CMCD as a JSON object, or in the `CMCD` query parameter and the `CMCD-Request`,
`CMCD-Object`, `CMCD-Status` and `CMCD-Session` headers as a dictionary: comma-separated
`key[=value]` members. A double-quoted value is a string (`\\"` and `\\\\` escapes), a numeric
token a number, any other bare token a string, and a bare key means true (develop spec §5.3).
:func:`parse_dictionary` raises only :class:`CmcdParseError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from owncastd.errors import CmcdParseError

CmcdValue = str | int | float | bool
HEADERS = ("CMCD-Request", "CMCD-Object", "CMCD-Status", "CMCD-Session")
PLAYER_STATES = frozenset("pawke")  # the `sta` values the admin read shows
MAX_SID_LENGTH = 64
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_KEY = re.compile(r"[A-Za-z0-9_.\-]+")


def _number(token: str) -> int | float | None:
    if not _NUMBER.fullmatch(token):
        return None
    return float(token) if "." in token else int(token)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The string opened by the quote at `start`, and the position after its closing quote."""
    out: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char == "\\":
            following = text[pos + 1 : pos + 2]
            if following not in ('"', "\\"):
                raise CmcdParseError(f'invalid escape at position {pos}: only \\" and \\\\')
            out.append(following)
            pos += 2
            continue
        out.append(char)
        pos += 1
    raise CmcdParseError(f"unterminated string starting at position {start}")


def _member(text: str, pos: int) -> tuple[str, CmcdValue, int]:
    """(key, value, position of the ',' ending it or the end) of the member at `pos`."""
    end = len(text)
    equals, comma = text.find("=", pos), text.find(",", pos)
    key_end = comma if comma != -1 else end
    if equals != -1 and equals < key_end:
        key_end = equals
    key = text[pos:key_end].strip()
    if not _KEY.fullmatch(key):
        raise CmcdParseError(f"invalid key {key[:32]!r} at position {pos}")
    if key_end == end or text[key_end] == ",":
        return key, True, key_end
    value_start = key_end + 1
    while value_start < end and text[value_start] == " ":
        value_start += 1
    if text.startswith('"', value_start):
        value, after = _quoted(text, value_start)
        rest_end = text.find(",", after)
        rest_end = end if rest_end == -1 else rest_end
        if text[after:rest_end].strip():
            raise CmcdParseError(f"unexpected text after the string at position {after}")
        return key, value, rest_end
    value_end = text.find(",", value_start)
    value_end = end if value_end == -1 else value_end
    token = text[value_start:value_end].strip()
    if not token:
        raise CmcdParseError(f"missing value for {key!r} at position {value_start}")
    if '"' in token:
        raise CmcdParseError(f"stray quote in the value of {key!r} at position {value_start}")
    number = _number(token)
    return key, token if number is None else number, value_end


def parse_dictionary(text: str) -> dict[str, CmcdValue]:
    """The members of a CMCD dictionary (a later duplicate key wins; empty members are
    skipped). Raises CmcdParseError."""
    found: dict[str, CmcdValue] = {}
    pos = 0
    while pos <= len(text):
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos == len(text):
            break
        if text[pos] == ",":
            pos += 1
            continue
        key, value, pos = _member(text, pos)
        found[key] = value
        pos += 1
    return found


@dataclass(frozen=True)
class Reporter:
    """Who sent a report: its client id (the `sid`, or the viewer id), Owncast's MD5(IP +
    User-Agent) viewer id, its address and User-Agent."""

    client_id: str
    viewer_id: str
    ip_address: str
    user_agent: str


@dataclass(frozen=True)
class CmcdReading:
    """What one report says, in the admin read's units (None: not reported)."""

    player_state: str | None = None
    bandwidth_kbps: float | None = None
    latency_seconds: float | None = None
    download_seconds: float | None = None
    bitrate_kbps: float | None = None
    errors: int = 0
    self_reporting: bool = False
    variant_changes: int = 0  # only the deprecated playback report counts them itself


def _measure(report: dict[str, object], key: str, scale: float = 1.0) -> float | None:
    value = report.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value < 1e12:  # also drops NaN
        return None
    return value * scale


def reading(report: dict[str, object]) -> CmcdReading:
    """The consumed keys: sta, mtp (kbps), ltc (ms), bs and e (+1 error each), ttlb (ms), br
    (kbps). A positive ttlb means the player measures its own downloads."""
    state = report.get("sta")
    download = _measure(report, "ttlb", 0.001)
    return CmcdReading(
        player_state=state if isinstance(state, str) and state in PLAYER_STATES else None,
        bandwidth_kbps=_measure(report, "mtp"),
        latency_seconds=_measure(report, "ltc", 0.001),
        download_seconds=download,
        bitrate_kbps=_measure(report, "br"),
        errors=(report.get("bs") is True) + (report.get("e") == "e"),
        self_reporting=bool(download),
    )


def session_id(report: dict[str, object]) -> str | None:
    """The report's `sid` when it is a usable client id (a string of 1..64 characters)."""
    sid = report.get("sid")
    if isinstance(sid, str) and 0 < len(sid) <= MAX_SID_LENGTH:
        return sid
    return None
