"""The ``[strategies]`` section: which strategies run, and each one's parameters."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hft_tui.strategies.base import StrategyParams
from hft_tui.strategies.book_imbalance_params import BookImbalanceParams
from hft_tui.strategies.catalogue import BUILT_IN_CATALOGUE, StrategyCatalogue, installed
from hft_tui.strategies.cvd_params import CvdParams
from hft_tui.strategies.liquidation_hunter_params import LiquidationHunterParams
from hft_tui.strategies.spike_fader_params import SpikeFaderParams
from hft_tui.strategies.trend_params import TrendParams
from hft_tui.strategies.vpin_params import VpinParams

_CATALOGUE = "strategy_catalogue"  # the validation context's key (the installed catalogue when absent)


def catalogue_context(catalogue: StrategyCatalogue) -> dict[str, Any]:
    """The validation context under which ``[strategies]`` may name ``catalogue``'s strategies."""
    return {_CATALOGUE: catalogue}


class StrategiesSettings(BaseModel):
    """Strategy set and parameters; the live tuning form edits the same models.

    The built-ins' tables are fields; a user strategy's ``[strategies.<name>]`` table is
    validated by its own ``params_model`` from the catalogue the settings are validated with.
    """

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)

    enabled: list[str] = Field(
        default_factory=lambda: list(BUILT_IN_CATALOGUE.names),
        description="Strategies that run. A strategy that needs others (the liquidation hunter needs trend "
        "and cvd) is refused without them.",
    )
    trend: TrendParams = Field(default_factory=TrendParams, description="Trend filter: MA trend state and regime; a gate for the others.")
    cvd: CvdParams = Field(default_factory=CvdParams, description="Cumulative volume delta divergences and exhaustion.")
    liq_hunter: LiquidationHunterParams = Field(
        default_factory=LiquidationHunterParams, description="Fades liquidation cascades."
    )
    spike_fader: SpikeFaderParams = Field(default_factory=SpikeFaderParams, description="Fades volatility spikes.")
    book_imbalance: BookImbalanceParams = Field(
        default_factory=BookImbalanceParams, description="Top-of-book imbalance and whale orders."
    )
    vpin: VpinParams = Field(default_factory=VpinParams, description="Flow toxicity gate (VPIN); emits no signals.")
    max_hook_ms: float = Field(
        100.0, gt=0.0, le=60_000.0,
        description="A strategy hook that runs longer than this (wall time, ms) is reported. Backtests and "
        "replays run on the data's time, in which a hook takes none: only sessions on the wall clock judge.",
    )
    slow_hook_limit: int = Field(
        10, ge=1, le=1_000_000,
        description="Slow hooks after which the strategy is disabled (STRATEGY_SLOW, journaled so a replay "
        "disables it at the same event).",
    )
    reload: bool = Field(
        False,
        description="Watch the running user strategies' files (--reload): an edited file is reloaded between two "
        "events, keeps the parameters that still validate and warms up on the recent market events; one "
        "that fails to load leaves the old code running and says why in a notice.",
    )
    warmup_events: int = Field(
        5000, ge=0, le=1_000_000,
        description="With reload on: how many of the latest market events the engine keeps to warm a reloaded "
        "strategy up on (its hooks see them again; what it signals then is dropped).",
    )

    _catalogue: StrategyCatalogue = PrivateAttr(default=BUILT_IN_CATALOGUE)

    @field_validator("enabled")
    @classmethod
    def _known_with_their_needs(cls, enabled: list[str], info: ValidationInfo) -> list[str]:
        problems = _catalogue_of(info).problems(enabled)
        if problems:
            raise ValueError("; ".join(problems))
        return enabled

    @model_validator(mode="after")
    def _user_tables(self, info: ValidationInfo) -> StrategiesSettings:
        catalogue = self._catalogue = _catalogue_of(info)
        if self.__pydantic_extra__ is None:
            self.__pydantic_extra__ = {}
        extra = self.__pydantic_extra__
        for name, table in extra.items():
            strategy = catalogue.classes.get(name)
            if strategy is None:
                allowed = [*type(self).model_fields, *(n for n in catalogue.names if n not in type(self).model_fields)]
                raise ValueError(f"unknown key {name!r}; allowed keys here: {', '.join(allowed)}")
            extra[name] = _user_params(strategy.params_model, name, table)
        for name in self.enabled:  # an enabled user strategy without a table runs on its defaults
            if name not in type(self).model_fields and name not in extra:
                extra[name] = catalogue.classes[name].params_model()
        return self

    def code_record(self) -> dict[str, Any]:
        """For a ``session_start`` record: the source (path, sha256) of each enabled user
        strategy, so a replay knows which code decided; empty with built-ins only. With reload on
        the text too: the file will not hold it once edited, and a replay starts from it."""
        sources = self._catalogue.sources
        running = {name: sources[name].to_payload(with_text=self.reload) for name in self.enabled if name in sources}
        return {"strategy_code": running} if running else {}

    def code_changes(self, recorded: dict[str, Any]) -> list[str]:
        """How the user strategies' code differs from a ``session_start`` record's ``strategy_code``."""
        changes = []
        for name, was in sorted(recorded.get("strategy_code", {}).items()):
            now = self._catalogue.sources.get(name)
            if now is None or now.sha256 != was.get("sha256"):
                changes.append(f"strategy {name}'s code changed since the session "
                               f"(sha256 {str(was.get('sha256'))[:12]} then, {now.sha256[:12] if now else 'none'} now"
                               f"{': ' + now.path if now else ''}): a divergence may be the change")
        return changes

    @property
    def catalogue(self) -> StrategyCatalogue:
        """The strategies these settings were validated against (the built-ins unless told)."""
        return self._catalogue

    def params(self, name: str) -> StrategyParams:
        """The parameters of strategy ``name``."""
        params: StrategyParams = getattr(self, name)
        return params


def _catalogue_of(info: ValidationInfo) -> StrategyCatalogue:
    context = info.context or {}
    catalogue: StrategyCatalogue = context.get(_CATALOGUE) or installed()
    return catalogue


def _user_params(model: type[StrategyParams], name: str, table: Any) -> StrategyParams:
    """``table`` validated by a user strategy's model; its problems in one line, keys dotted."""
    if isinstance(table, model):
        return table
    try:
        return model.model_validate(table)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join((name, *map(str, e['loc'])))}: {e['msg']}" for e in exc.errors())
        raise ValueError(problems) from None
