"""What an exchange allows on one symbol: tick, lot, minimums, fees, spot or contract."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MarketRules:
    """What an exchange allows on one symbol (from ccxt ``load_markets`` or the simulator).

    ``spot`` markets are long-only; otherwise linear (USDT-margined) contract semantics.
    Fees are fractions (0.001 = 10 bps), positive = paid.
    """

    symbol: str
    tick_size: float
    lot_size: float
    min_qty: float = 0.0
    min_notional: float = 0.0
    maker_fee: float = 0.0002
    taker_fee: float = 0.0005
    spot: bool = False
    base: str = ""
    quote: str = "USDT"
