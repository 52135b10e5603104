"""The base of every strategy's parameters: a pydantic model, bounded, described, immutable.

Kept apart from the strategies (which mypyc compiles) since a pydantic model cannot be a
compiled class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError


class StrategyParams(BaseModel):
    """Base of every strategy's parameters: bounded, described, immutable, no unknown keys.

    The config file's ``[strategies.<name>]`` table, the live tuning form and the docs are
    all generated from a subclass's fields.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def keeping(cls, values: Mapping[str, Any]) -> tuple[Self, tuple[str, ...]]:
        """These parameters taking each of ``values`` that validates (in order, each with the ones
        kept before it; the others stay at their defaults), and the names of those that do not.
        For values from other code: a reloaded strategy's old parameters, a journal's tuning."""
        kept: dict[str, Any] = {}
        dropped: list[str] = []
        for key, value in values.items():
            try:
                cls.model_validate({**kept, key: value})
            except ValidationError:
                dropped.append(key)
            else:
                kept[key] = value
        return cls.model_validate(kept), tuple(dropped)
