"""An OHLCV bar, with the aggressor-buy part of its volume when known."""

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

    def estimated_buy_volume(self) -> float:
        """For a bar that does not carry its aggressor-buy volume (exchange OHLCV): the usual
        close-location-value estimate, the share of the volume the close's place in the
        bar's range suggests buyers took."""
        spread = self.high - self.low
        share = 0.5 if spread <= 0.0 else (self.close - self.low) / spread
        return self.volume * share
