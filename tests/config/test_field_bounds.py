"""Bounds read from field metadata, worded for the default file and for error messages."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from hft_tui.config.field_bounds import FieldBounds


class Sample(BaseModel):
    closed: int = Field(20, ge=5, le=200)
    open_low: float = Field(1.0, gt=0, le=1e12)
    floor_only: int = Field(7, ge=0)
    tiny: float = Field(1e-6, ge=1e-9, le=0.5)
    items: list[str] = Field(default_factory=list, min_length=1, max_length=50)
    name: str = Field("x", min_length=1, max_length=64)
    mode: Literal["sim", "paper"] = "sim"
    free: str = "anything"


def bounds(name: str) -> FieldBounds:
    return FieldBounds.of(Sample.model_fields[name])


def test_closed_range_reads_as_between() -> None:
    assert bounds("closed").allowed() == "5 to 200"
    assert bounds("closed").requirement() == "must be between 5 and 200"


def test_half_open_and_one_sided_bounds_keep_their_operators() -> None:
    assert bounds("open_low").allowed() == "> 0 and <= 1e12"
    assert bounds("open_low").requirement() == "must be greater than 0 and at most 1e12"
    assert bounds("floor_only").allowed() == ">= 0"
    assert bounds("floor_only").requirement() == "must be at least 0"


def test_very_small_and_very_large_numbers_use_short_exponents() -> None:
    assert bounds("tiny").allowed() == "1e-9 to 0.5"


def test_lengths_count_items_for_lists_and_characters_for_strings() -> None:
    assert bounds("items").allowed() == "1 to 50 items"
    assert bounds("items").requirement() == "must have 1 to 50 items"
    assert bounds("name").allowed() == "1 to 64 characters"


def test_literal_choices_are_listed() -> None:
    assert bounds("mode").allowed() == "one of 'sim', 'paper'"
    assert bounds("mode").requirement() == "must be one of 'sim', 'paper'"


def test_unbounded_field_has_nothing_to_say() -> None:
    assert bounds("free").allowed() is None
    assert bounds("free").requirement() is None
