from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candle:
    """An OHLCV bar. ``buy_volume`` is the aggressor-buy part of ``volume`` when known."""

    symbol: str
    timeframe: str
    open_ts_ns: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    buy_volume: float = 0.0

    @property
    def sell_volume(self) -> float:
        return self.volume - self.buy_volume
