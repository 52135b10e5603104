"""A snapshot on the wire: a dataclass whose fields are made anew on each read (as a class
mypyc compiles keeps a float unboxed) encodes without crashing the engine, and a snapshot's
dataclasses go on the wire as JSON objects of their fields, byte for byte as before."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson

from hft_tui.clock import FrozenClock
from hft_tui.serve.snapshot_codec import SNAPSHOT_FIELDS, encode_fields
from hft_tui.serve.snapshot_stream import TAIL_FIELDS, encode_items

sys.path.insert(0, str(Path(__file__).parents[1] / "tui"))
from tui_session import FROZEN_START_NS, drive, make_engine  # noqa: E402

# Run in a child: before the fix orjson read a freed float here and the process died (SIGSEGV,
# SIGILL) or hung.
_ENCODE_BOXED_ON_READ = textwrap.dedent("""
    import dataclasses

    from hft_tui.serve.snapshot_codec import encode_value

    @dataclasses.dataclass(frozen=True)
    class _Shape:
        rate: float
        lag_ms: float

    class BoxedOnRead:
        # As orjson sees a mypyc native class: a dataclass with no instance __dict__, whose
        # fields are read through descriptors that box a new float each time.
        __dataclass_fields__ = _Shape.__dataclass_fields__
        __slots__ = ("_values",)

        def __init__(self, rate, lag_ms):
            self._values = (rate, lag_ms)

        rate = property(lambda self: self._values[0] * 1.0)
        lag_ms = property(lambda self: self._values[1] * 1.0)

    value = BoxedOnRead(1.5, 0.25)
    assert value.rate is not value.rate
    for _ in range(200):
        encoded = encode_value({"metrics": value, "views": [value, None]})
    print(encoded.decode())
""")


def test_a_dataclass_that_boxes_its_fields_on_each_read_encodes_without_crashing() -> None:
    done = subprocess.run([sys.executable, "-c", _ENCODE_BOXED_ON_READ], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert orjson.loads(done.stdout) == {"metrics": {"rate": 1.5, "lag_ms": 0.25},
                                         "views": [{"rate": 1.5, "lag_ms": 0.25}, None]}


def _plain(value: object) -> object:
    """``value`` with every dataclass in it a dict of its public fields, in order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.name.startswith("_")}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _as_plain_json(value: object) -> bytes:
    def name_of_class(cls: object) -> str:
        assert isinstance(cls, type)
        return f"{cls.__module__}:{cls.__qualname__}"
    return orjson.dumps(_plain(value), default=name_of_class,
                        option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def test_a_snapshot_encodes_its_dataclasses_as_objects_of_their_fields_byte_for_byte(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, FrozenClock(FROZEN_START_NS))
    engine.begin_session()
    drive(engine, 3000)
    snapshot = engine.publish_snapshot()
    engine.wal.close_sync()
    assert snapshot.signals and snapshot.strategies and snapshot.wal_tail
    fields = encode_fields(snapshot)
    assert {name: _as_plain_json(getattr(snapshot, name)) for name in SNAPSHOT_FIELDS} == fields
    for name in TAIL_FIELDS:
        assert encode_items(snapshot, name) == [_as_plain_json(item) for item in getattr(snapshot, name)]
