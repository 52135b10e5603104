"""Any JSON payload round-trips, and every line is the orjson encoding of its dict plus crc."""

from __future__ import annotations

import tempfile
import zlib
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from hft_tui.clock import FrozenClock
from hft_tui.wal.reader import iter_records
from hft_tui.wal.record import RESERVED_KEYS, encode_line, parse_line
from hft_tui.wal.writer import WalWriter

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_payloads = st.dictionaries(st.text(max_size=12).filter(lambda k: k not in RESERVED_KEYS), _json_values, max_size=6)
_types = st.sampled_from(["signal", "decision", "order", "fill", "risk", "param", "pause", "kill", "snapshot"])


@given(seq=st.integers(min_value=1, max_value=2**53), record_type=_types, payload=_payloads)
def test_line_is_the_orjson_encoding_of_the_whole_dict_with_crc_appended(
    seq: int, record_type: str, payload: dict
) -> None:
    ts = "2026-01-01T00:00:00.000000Z"
    line = encode_line(seq, ts, record_type, payload)

    reference = orjson.dumps({"seq": seq, "ts": ts, "type": record_type, **payload})
    assert line == reference[:-1] + b',"crc":"%08x"}\n' % zlib.crc32(reference)
    doc = parse_line(line.rstrip(b"\n"))
    assert doc.pop("crc") == f"{zlib.crc32(reference):08x}"
    assert doc == {"seq": seq, "ts": ts, "type": record_type, **payload}


@settings(max_examples=30)
@given(batch=st.lists(st.tuples(_types, _payloads), min_size=1, max_size=15))
def test_appended_payloads_read_back_equal(batch: list[tuple[str, dict]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "wal"
        with WalWriter(directory, FrozenClock(10**18), rotate_bytes=512) as wal:
            for record_type, payload in batch:
                wal.append(record_type, payload)
        read = [(r.type, r.payload) for r in iter_records(directory)]
    assert read == batch
