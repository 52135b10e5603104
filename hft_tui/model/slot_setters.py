"""The ``__init__`` of a frozen model type made per update, fast in both builds.

Such a type (``OrderBook``, ``BookChanges``) writes its ``__init__`` as one
``object.__setattr__(self, "<field>", <field>)`` per field, in field order. Compiled (mypyc,
compiled_modules.txt), that is a native class and each of those lines is a direct store into
the instance (~460 instructions to make an ``OrderBook`` under cachegrind). Run as Python,
the same lines go through the generic attribute machinery (~10.2k), so ``set_through_slots``
gives the class an equivalent ``__init__`` that sets each slot through its member descriptor's
own setter (~6.0k): it skips the attribute lookup and the class's ``__setattr__``, which keeps
the instance frozen to everyone else.
"""

from __future__ import annotations

import dataclasses
import inspect
from types import FunctionType
from typing import Any


def set_through_slots(cls: type) -> None:
    """Run as Python, replace ``cls.__init__`` (one ``object.__setattr__`` per field, in field
    order) with the same signature setting the slots directly; compiled, leave it: its native
    ``__init__`` already stores directly."""
    init = cls.__dict__["__init__"]
    if not isinstance(init, FunctionType):
        return
    names = [field.name for field in dataclasses.fields(cls)]
    parameters = list(inspect.signature(init).parameters)[1:]
    if parameters != names:
        raise TypeError(f"{cls.__name__}.__init__ must take its fields in order: {names}, not {parameters}")
    setters: dict[str, Any] = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    exec(f"def __init__(self, {', '.join(names)}):\n{body}", setters)  # noqa: S102 - our own field names
    fast = setters["__init__"]
    fast.__defaults__ = init.__defaults__
    fast.__doc__ = init.__doc__
    fast.__qualname__ = init.__qualname__
    fast.__module__ = init.__module__
    cls.__init__ = fast  # type: ignore[misc]
