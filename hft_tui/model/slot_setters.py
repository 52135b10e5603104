"""The slots' own setters of a frozen dataclass, for the ``__init__`` of a hot model type.

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``:
10.7k instructions to make an ``OrderBook`` under cachegrind, against 6.6k through the slots'
setters (the member descriptors' ``__set__``), which skip the attribute lookup and the class's
``__setattr__`` and so keep the instance frozen to everyone else. Books are made on every
update of every source (the simulator, ccxt, a recording read back), so the types made per
update write their ``__init__`` with these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The setter of each of ``cls``'s slots, in ``__slots__`` order (its fields' order)."""
    return tuple(getattr(cls, name).__set__ for name in cls.__slots__)
