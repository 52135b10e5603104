"""An entry sized to the per-symbol limit fits that limit given what is already held: with a
speck of dust on the entry's side (a spot buy's commission in the base asset leaves less than
one lot after the flatten sells the whole lots), sizing leaves room for it, so the risk gate,
which counts the dust, accepts the entry instead of refusing every one RISK_MAX_POSITION."""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_driver import drive_seconds, make_engine

from hft_tui.model import Fill, Liquidity, Priority, ReasonCode, Side, Signal
from hft_tui.risk.risk_gate import RiskContext
from hft_tui.session.engine import Engine
from hft_tui.signals.decision import Decision

BTC = "BTC/USDT"


def _mid(engine: Engine) -> float:
    book = engine.core.books[BTC]
    assert book is not None and book.mid is not None
    return book.mid


def _hold(engine: Engine, signed_qty: float, base_fee_qty: float = 0.0) -> None:
    """Book a fill of ``signed_qty`` at the mid straight into the portfolio."""
    side = Side.BUY if signed_qty > 0 else Side.SELL
    engine.core.portfolio.on_fill(Fill("dust", BTC, side, abs(signed_qty), _mid(engine), 0.0,
                                       Liquidity.TAKER, engine.clock.now_ns(), base_fee_qty=base_fee_qty))


def _entry(engine: Engine, side: Side) -> tuple[float | None, ReasonCode, str]:
    """What the core makes of an accepted signal with a tight stop: sized far past the limits."""
    mid = _mid(engine)
    stop = mid * (0.999 if side is Side.BUY else 1.001)
    signal = Signal(BTC, side, 0.9, Priority.MEDIUM, (ReasonCode.CVD_BULL_DIV,), "cvd",
                    engine.clock.now_ns(), 10_000_000_000, stop_loss=stop)
    order, code, detail = engine.core._entry_order(  # noqa: SLF001 - the sizing step itself
        Decision(signal, True, (ReasonCode.SIGNAL_ACCEPTED,), 1.0, engine.clock.now_ns()))
    return (order.qty if order is not None else None), code, detail


def _dust_after_a_round_trip(engine: Engine) -> float:
    """Buy 0.01 BTC paying 8.8e-06 BTC commission, then sell the whole lots: dust is left."""
    _hold(engine, 0.01, base_fee_qty=8.8e-06)
    lot = engine.core.rules[BTC].lot_size
    _hold(engine, -engine.core.lots_held(BTC) * lot)
    dust = engine.core.portfolio.position(BTC).qty
    assert engine.core.lots_held(BTC) == 0 and 0 < dust < lot
    return dust


@pytest.mark.parametrize("overrides", [{}, {"risk": {"max_position_qty": {BTC: 0.05}}}],
                         ids=["notional-limit", "qty-limit"])
def test_an_entry_sized_to_the_limit_is_accepted_with_dust_held_and_fits_the_limit(
        tmp_path: Path, overrides: dict) -> None:
    engine = make_engine(tmp_path, overrides)
    engine.begin_session()
    try:
        drive_seconds(engine, 5)
        risk = engine.core.settings.risk
        mid = _mid(engine)
        flat_qty, code, _ = _entry(engine, Side.BUY)
        assert code is ReasonCode.SIGNAL_ACCEPTED and flat_qty is not None
        limit = min(risk.position_qty_limit(BTC), risk.max_position_notional / mid)
        lot = engine.core.rules[BTC].lot_size
        assert limit - lot < flat_qty <= limit, "the signal is sized to the limit"

        dust = _dust_after_a_round_trip(engine)
        qty, code, detail = _entry(engine, Side.BUY)
        assert code is ReasonCode.SIGNAL_ACCEPTED, (code, detail)
        assert qty is not None and qty + dust <= limit, "the entry plus the dust fits the limit"
        assert qty >= flat_qty - lot, "only the lot the dust reaches into is given up"

        # Dust on the other side takes no room from an entry: a short starts at the limit.
        if not engine.core.rules[BTC].spot:
            qty, code, _ = _entry(engine, Side.SELL)
            assert (code, qty) == (ReasonCode.SIGNAL_ACCEPTED, flat_qty)
    finally:
        engine.wal.close_sync()


def test_the_sized_entry_never_exceeds_what_the_gate_allows_whatever_the_dust(tmp_path: Path) -> None:
    """Float residues as small as an ulp past a lot boundary still cost the lot they cross."""
    engine = make_engine(tmp_path, {"risk": {"max_position_qty": {BTC: 0.05}}})
    engine.begin_session()
    try:
        drive_seconds(engine, 5)
        lot = engine.core.rules[BTC].lot_size
        held = 0.0
        for dust in (1e-16, 1e-13, 1e-9, 8.8e-06, lot * 0.5, lot * 0.999):
            _hold(engine, dust - held)
            held = engine.core.portfolio.position(BTC).qty
            assert engine.core.lots_held(BTC) == 0
            qty, code, detail = _entry(engine, Side.BUY)
            assert code is ReasonCode.SIGNAL_ACCEPTED, (dust, code, detail)
            assert qty is not None
            ctx: RiskContext = engine.core.risk_context()
            assert ctx.positions_qty[BTC] + qty <= 0.05, dust
    finally:
        engine.wal.close_sync()
