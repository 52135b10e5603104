"""Pure data: books, trades, candles, orders (and as a restart reads them), fills, positions, closed
trades, signals, reason codes.

Nothing in this package performs I/O or keeps mutable state.
"""

from hft_tui.model.book import BookLevel, OrderBook
from hft_tui.model.book_changes import BookChanges, LevelChange, level_changes
from hft_tui.model.candle import Candle
from hft_tui.model.closed_trade import ClosedTrade
from hft_tui.model.feed import FeedState, FeedStatus
from hft_tui.model.liquidation import Liquidation
from hft_tui.model.market_rules import MarketRules
from hft_tui.model.notice import Notice
from hft_tui.model.order import Fill, Liquidity, Order, OrderStatus, OrderType
from hft_tui.model.position import Position
from hft_tui.model.reason_codes import ReasonCode
from hft_tui.model.recovered_order import RecoveredOrder
from hft_tui.model.rejection import MarketRejection
from hft_tui.model.side import Side
from hft_tui.model.signal import Priority, Signal
from hft_tui.model.trade import Trade

__all__ = [
    "BookChanges",
    "BookLevel",
    "Candle",
    "ClosedTrade",
    "FeedState",
    "FeedStatus",
    "LevelChange",
    "Liquidation",
    "MarketRejection",
    "MarketRules",
    "Notice",
    "Fill",
    "Liquidity",
    "Order",
    "OrderBook",
    "OrderStatus",
    "OrderType",
    "Position",
    "Priority",
    "ReasonCode",
    "RecoveredOrder",
    "Side",
    "Signal",
    "Trade",
    "level_changes",
]
