"""Which exit levels a run's positions get, said before it runs and in its report.

Precedence, per position (docs/backtesting.md): a strategy that sets its own take profit and
stop loss (it declares the parameters in ``Strategy.exit_params``) wins over ``[exits]``;
``[exits] take_profit_bps`` / ``stop_loss_bps`` apply to the entries of strategies without
their own (and to manual orders in a running engine); ``trailing_stop_bps`` and
``max_hold_s`` apply to every position; no take profit is closer than
``take_profit_min_round_trips`` round trips of taker fees.

A backtest has no manual orders, so an ``[exits]`` level that no enabled strategy would take
is a configuration error naming the strategy settings that win, not a silent no-op.
"""

from __future__ import annotations

from collections.abc import Iterable

from hft_tui.config.settings import Settings

OWN_LEVEL_KEYS = ("exits.take_profit_bps", "exits.stop_loss_bps")


def _entry_strategies(settings: Settings) -> list[str]:
    classes = settings.strategies.catalogue.classes
    return [name for name in settings.strategies.enabled if classes[name].makes_entries]


def _own_levels(settings: Settings, name: str) -> str:
    params = settings.strategies.params(name)
    keys = settings.strategies.catalogue.classes[name].exit_params
    return ", ".join(f"strategies.{name}.{key}={getattr(params, key):g}" for key in keys)


def exits_problems(settings: Settings, keys_set: Iterable[str]) -> list[str]:
    """One line per ``[exits]`` level set (``keys_set``: the dotted keys the user gave, e.g.
    from --set and --sweep) that would have no effect because every enabled strategy that
    enters positions sets its own."""
    classes = settings.strategies.catalogue.classes
    entering = _entry_strategies(settings)
    if not entering or any(not classes[name].exit_params for name in entering):
        return []
    problems = []
    for key in OWN_LEVEL_KEYS:
        if key in keys_set:
            winners = "; ".join(_own_levels(settings, name) for name in entering)
            problems.append(f"{key} has no effect here: every enabled strategy sets its own take profit and "
                            f"stop loss, which win over [exits] ({winners}); tune those instead")
    return problems


def exits_assumption(settings: Settings) -> str:
    """The exit levels a run uses and where each comes from, for the report's assumptions."""
    exits = settings.exits
    classes = settings.strategies.catalogue.classes
    entering = _entry_strategies(settings)
    own = [name for name in entering if classes[name].exit_params]
    rest = [name for name in entering if not classes[name].exit_params]
    parts = []
    if own:
        parts.append("own TP/SL (win over [exits]): " + "; ".join(_own_levels(settings, n) for n in own))
    tp = f"{exits.take_profit_bps:g} bps" if exits.take_profit_bps else "none"
    sl = f"{exits.stop_loss_bps:g} bps" if exits.stop_loss_bps else "none"
    parts.append(f"[exits] TP {tp}, SL {sl}: " + (f"for {', '.join(rest)}" if rest else "taken by no enabled strategy"))
    trailing = f"{exits.trailing_stop_bps:g} bps" if exits.trailing_stop_bps else "off"
    hold = f"{exits.max_hold_s:g} s" if exits.max_hold_s else "none"
    parts.append(f"every position: trailing stop {trailing}, max hold {hold}")
    if exits.take_profit_min_round_trips:
        parts.append(f"no take profit closer than {exits.take_profit_min_round_trips:g} round trip(s) of taker fees")
    else:
        parts.append("take profits not floored at the round-trip cost")
    return "; ".join(parts)
