"""config/default.toml is generated from the models, current, and loads back to the defaults."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hft_tui.config.field_bounds import FieldBounds
from hft_tui.config.loader import load_settings
from hft_tui.config.settings import ExchangeSettings, Settings
from hft_tui.config.toml_render import render_default_toml, render_toml
from hft_tui.strategies.settings import StrategiesSettings

DEFAULT_TOML = Path(__file__).resolve().parents[2] / "config" / "default.toml"
REGENERATE = "regenerate with: hft-tui config default > config/default.toml"


def leaf_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.extend(leaf_fields(annotation, f"{prefix}{name}."))
        else:
            out.append((f"{prefix}{name}", field))
    return out


def test_default_toml_in_the_repo_is_fresh() -> None:
    assert DEFAULT_TOML.read_text(encoding="utf-8") == render_default_toml(), REGENERATE


def test_default_toml_loads_back_to_exactly_the_defaults() -> None:
    assert load_settings(DEFAULT_TOML) == Settings()


def test_every_setting_is_documented_with_description_default_and_bounds() -> None:
    text = render_default_toml()
    # Comments wrap: compare with the comment markers and line breaks folded away.
    prose = " ".join(text.replace("# ", " ").split())
    for dotted, field in leaf_fields(Settings):
        assert field.description, f"{dotted} has no description"
        first_words = " ".join(field.description.split()[:4])
        assert first_words in prose, dotted
        allowed = FieldBounds.of(field).allowed()
        if allowed:
            assert f"Allowed: {' '.join(allowed.split())}." in prose, dotted
    assert text.count("# Default: ") == len(leaf_fields(Settings))


def test_every_section_forbids_unknown_keys_and_is_frozen() -> None:
    def sections(model: type[BaseModel]) -> list[type[BaseModel]]:
        found = [model]
        for field in model.model_fields.values():
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                found.extend(sections(field.annotation))
        return found

    for section in sections(Settings):
        if section is StrategiesSettings:
            # Open to the user strategies' tables, each validated by its own model; unknown ones refused.
            with pytest.raises(ValidationError, match="unknown key 'no_such_strategy'"):
                StrategiesSettings.model_validate({"no_such_strategy": {}})
        else:
            assert section.model_config.get("extra") == "forbid", section.__name__
        assert section.model_config.get("frozen") is True, section.__name__


def test_effective_settings_render_to_toml_that_loads_back_equal(tmp_path: Path) -> None:
    settings = load_settings(
        None,
        {
            "engine.mode": "paper",
            "engine.symbols": ["BTC/USDT:USDT", "SOL/USDT"],
            "paths.state_dir": "/srv/hft/state",
            "exchange.ccxt": {"timeout": 3000, "options": {"defaultType": "swap", "warn": ["a", "b"]}},
        },
    )
    path = tmp_path / "shown.toml"
    path.write_text(render_toml(settings), encoding="utf-8")
    assert load_settings(path) == settings


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(st.text(max_size=20), st.integers(-(2**63), 2**63 - 1), st.booleans(),
                  st.floats(allow_nan=False)),
        max_size=5,
    )
)
@example({"0\n": 1})  # a trailing newline once passed for a bare key
def test_any_ccxt_table_survives_rendering(ccxt: dict[str, Any]) -> None:
    settings = Settings(exchange=ExchangeSettings(ccxt=ccxt))
    assert tomllib.loads(render_toml(settings))["exchange"]["ccxt"] == ccxt


def test_renderer_is_generic_over_new_sections() -> None:
    class Limits(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        max_notional_usd: float = Field(1000.0, gt=0, description="Largest order, in USD.")

    class Risk(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        enabled: bool = Field(True, description="Whether the guard runs.")
        limits: Limits = Field(default_factory=Limits, description="Per-order limits.")

    class WithRisk(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        risk: Risk = Field(default_factory=Risk, description="The risk guard.")

    text = render_default_toml(WithRisk)
    assert "# Largest order, in USD.\n# Default: 1000.0. Allowed: > 0.\nmax_notional_usd = 1000.0" in text
    assert WithRisk.model_validate(tomllib.loads(text)) == WithRisk()
