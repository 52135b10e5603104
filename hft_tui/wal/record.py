"""One WAL record: its in-memory form, its line encoding, and the per-line integrity check.

A line is ``{"seq":..,"ts":..,"type":..,<payload fields>,"crc":"xxxxxxxx"}\\n`` where the
crc is ``zlib.crc32`` of the same object serialised without the crc field. Because orjson
output is deterministic, that is exactly the line minus its last 18 bytes plus ``}``, so a
reader checks the crc on raw bytes before (or without) parsing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple

import orjson

from hft_tui.redaction import redact_bytes

try:
    # The same CRC-32 as zlib.crc32 (same polynomial, same values), ~4x faster than the
    # system zlib on a WAL line (50 vs 190 ns, which was 7% of an append); zlib-ng comes
    # with ccxt. Every record is checksummed on append and again on verification.
    from zlib_ng.zlib_ng import crc32 as _crc32
except ImportError:  # pragma: no cover - depends on the environment
    from zlib import crc32 as _crc32

# Non-str keys (e.g. int level indices) and numpy values are allowed, but these options slow
# every dumps down, so they are only the fallback when the plain encoding refuses a payload.
FALLBACK_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
RESERVED_KEYS = frozenset({"seq", "ts", "type", "crc"})

_CRC_OPEN = b',"crc":"'
_CRC_CLOSE = b'"}'
CRC_SUFFIX_LEN = len(_CRC_OPEN) + 8 + len(_CRC_CLOSE)  # 18

_dumps = orjson.dumps
_loads = orjson.loads
_TYPE_JSON: dict[str, bytes] = {}
_TYPE_JSON_LIMIT = 1024


class CorruptionReason(StrEnum):
    """Why a WAL line is not a good record."""

    BAD_CHECKSUM = "bad checksum"
    BAD_JSON = "bad JSON"
    SEQ_GAP = "seq gap"
    TORN_TAIL = "torn tail"


class BadLineError(ValueError):
    """A single line failed its integrity check."""

    def __init__(self, reason: CorruptionReason, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


class WalRecord(NamedTuple):
    """A record as appended or read back. ``payload`` must not be mutated after append.

    A NamedTuple rather than a frozen dataclass: one is built per append on the hot path
    and a tuple is half the cost to create.
    """

    seq: int
    ts: str
    type: str
    payload: dict[str, Any]

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> WalRecord:
        """Build from a decoded line (consumes ``doc``: the envelope keys are popped)."""
        seq = doc.pop("seq")
        ts = doc.pop("ts")
        record_type = doc.pop("type")
        del doc["crc"]
        return cls(seq, ts, record_type, doc)


def encode_line(seq: int, ts: str, record_type: str, payload: dict[str, Any]) -> bytes:
    """The record's line, newline included; raises ValueError/TypeError for a bad payload.

    Byte for byte ``orjson.dumps({"seq":..,"ts":..,"type":..,**payload})`` with the crc
    spliced in before the closing brace. Compact JSON concatenates, so the envelope is
    formatted directly and only the payload goes through orjson: cheaper than building
    and serialising a merged dict on every append.
    """
    if not isinstance(payload, dict):
        raise TypeError(f"payload must be a dict, not {type(payload).__name__}")
    if "seq" in payload or "ts" in payload or "type" in payload or "crc" in payload:
        raise ValueError(f"payload uses reserved WAL keys: {sorted(RESERVED_KEYS.intersection(payload))}")
    type_json = _TYPE_JSON.get(record_type) or _type_json(record_type)
    try:
        body = _dumps(payload)
    except TypeError:
        body = _dumps(payload, option=FALLBACK_OPTIONS)
    # The guarantee that a configured key never lands on disk, whatever text carried it here.
    body = redact_bytes(body)
    if len(body) > 2:
        doc = b'{"seq":%d,"ts":"%b","type":%b,%b' % (seq, ts.encode(), type_json, body[1:])
    else:
        doc = b'{"seq":%d,"ts":"%b","type":%b}' % (seq, ts.encode(), type_json)
    return b'%b,"crc":"%08x"}\n' % (doc[:-1], _crc32(doc))


def _type_json(record_type: str) -> bytes:
    """JSON for a record type, remembered: there are a handful of types and millions of records."""
    if not isinstance(record_type, str) or not record_type:
        raise TypeError(f"record type must be a non-empty str, not {record_type!r}")
    encoded = _dumps(record_type)
    if len(_TYPE_JSON) < _TYPE_JSON_LIMIT:
        _TYPE_JSON[record_type] = encoded
    return encoded


def parse_line(line: bytes) -> dict[str, Any]:
    """Check one line's crc on its raw bytes, then decode it; raises BadLineError."""
    crc = _crc32(line[:-CRC_SUFFIX_LEN] + b"}")
    # One comparison checks the crc field's presence, position, digits and case.
    if line[-CRC_SUFFIX_LEN:] != b'%b%08x%b' % (_CRC_OPEN, crc, _CRC_CLOSE):
        if line[-CRC_SUFFIX_LEN:-10] != _CRC_OPEN or line[-2:] != _CRC_CLOSE:
            raise BadLineError(_classify(line), "no crc field at the end of the line")
        raise BadLineError(_classify(line), f"crc {line[-10:-2].decode(errors='replace')} != {crc:08x}")
    try:
        doc = _loads(line)
    except orjson.JSONDecodeError as exc:
        raise BadLineError(CorruptionReason.BAD_JSON, str(exc)) from None
    try:
        if type(doc["seq"]) is int and type(doc["ts"]) is str and type(doc["type"]) is str:
            return doc  # type: ignore[no-any-return]
    except (KeyError, TypeError):  # not an object, or a field missing
        pass
    raise BadLineError(CorruptionReason.BAD_JSON, "not a WAL record (seq/ts/type missing or mistyped)")


_SEQ_PREFIX = b'{"seq":'


def check_line(line: bytes) -> int:
    """Check one line's crc on its raw bytes and return its seq, without decoding the JSON.

    The crc covers every byte the writer wrote, so a line that passes it is the writer's own
    (valid) record; verification of a long journal then costs a crc pass, not a JSON parse.
    """
    crc = _crc32(line[:-CRC_SUFFIX_LEN] + b"}")
    if line[-CRC_SUFFIX_LEN:] != b'%b%08x%b' % (_CRC_OPEN, crc, _CRC_CLOSE):
        parse_line(line)  # raises the precise BadLineError
    if line.startswith(_SEQ_PREFIX):
        end = line.find(b",", len(_SEQ_PREFIX))
        digits = line[len(_SEQ_PREFIX):end]
        if end > 0 and digits.isdigit():
            return int(digits)
    return int(parse_line(line)["seq"])  # not our prefix: decode to say what is wrong


def _classify(line: bytes) -> CorruptionReason:
    """A line whose crc does not hold: unparseable bytes are bad JSON, else a bad checksum."""
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return CorruptionReason.BAD_JSON
    return CorruptionReason.BAD_CHECKSUM
