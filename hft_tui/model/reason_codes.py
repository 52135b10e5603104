"""The one registry of reason codes: short, stable identifiers with a one-line meaning.

Signals, rejections, exits, the sanitizer, the risk gate, the WAL and the reports all
speak in these codes. ``docs/reason-codes.md`` is generated from this table.
"""

from __future__ import annotations

import re
from enum import StrEnum


class ReasonCode(StrEnum):
    """A reason code; ``.description`` is its one-line meaning and ``.category`` its family."""

    description: str
    category: str

    # The defaults are for type checkers only: ``ReasonCode(value)`` is the enum's lookup by
    # value, which never calls this (it builds the members from their tuples).
    def __new__(cls, value: str, category: str = "", description: str = "") -> ReasonCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.category = category
        member.description = description
        return member

    @classmethod
    def _missing_(cls, value: object) -> ReasonCode | None:
        return _USER_CODES.get(value) if isinstance(value, str) else None

    # --- market data sanitizer (L0) ---------------------------------------------------
    FEED_LATENCY = ("FEED_LATENCY", "sanitizer", "Exchange timestamp lags the local clock beyond the limit.")
    SPREAD_TOO_WIDE = ("SPREAD_TOO_WIDE", "sanitizer", "Best bid/ask spread exceeds the configured maximum.")
    OFF_TICK = ("OFF_TICK", "sanitizer", "A price is not a multiple of the market's tick size.")
    OFF_LOT = ("OFF_LOT", "sanitizer", "A quantity is not a multiple of the market's lot size.")
    CROSSED_BOOK = ("CROSSED_BOOK", "sanitizer", "Best bid is above best ask.")
    LOCKED_BOOK = ("LOCKED_BOOK", "sanitizer", "Best bid equals best ask.")
    NON_FINITE = ("NON_FINITE", "sanitizer", "A price or quantity is NaN or infinite.")
    NON_POSITIVE = ("NON_POSITIVE", "sanitizer", "A price or quantity is zero or negative.")
    UNSORTED_LEVELS = ("UNSORTED_LEVELS", "sanitizer", "Book levels are not strictly ordered best first.")
    EMPTY_BOOK = ("EMPTY_BOOK", "sanitizer", "A book side has no levels.")
    SEQ_OUT_OF_ORDER = ("SEQ_OUT_OF_ORDER", "sanitizer", "Sequence number goes backwards.")
    SEQ_DUPLICATE = ("SEQ_DUPLICATE", "sanitizer", "Sequence number repeats the previous message.")
    STALE_DATA = ("STALE_DATA", "sanitizer", "Message is older than the last accepted one.")
    PRICE_JUMP = ("PRICE_JUMP", "sanitizer", "Price jumps absurdly far from the last good mid.")
    MALFORMED = ("MALFORMED", "sanitizer", "Message is missing fields or has the wrong types.")
    UNKNOWN_SYMBOL = ("UNKNOWN_SYMBOL", "sanitizer", "Message is for a symbol the engine does not trade.")
    CLOCK_SKEW = ("CLOCK_SKEW", "sanitizer", "Message is stamped ahead of the local clock beyond the tolerance.")
    BELOW_ONE_STEP = ("BELOW_ONE_STEP", "sanitizer", "A price below one tick or a quantity below one lot: zero on the market's grid.")
    ABSURD_NOTIONAL = ("ABSURD_NOTIONAL", "sanitizer", "A book level or print worth more than the sane maximum notional.")
    EVENT_FAILED = ("EVENT_FAILED", "sanitizer", "The core raised on this event: it was rejected and the session carried on.")

    # --- feed state ---------------------------------------------------------------------
    FEED_STALE = ("FEED_STALE", "feed", "No update within the staleness timeout: new entries frozen.")
    FEED_RESYNC = ("FEED_RESYNC", "feed", "Feed is resubscribing after a gap or drop: new entries frozen.")
    FEED_GAP = ("FEED_GAP", "feed", "A sequence gap was detected in the feed.")
    FEED_DISCONNECT = ("FEED_DISCONNECT", "feed", "The feed's connection dropped.")
    FEED_REJECTING = ("FEED_REJECTING", "feed", "Books arrive but every one is rejected: new entries frozen.")

    # --- strategies ---------------------------------------------------------------------
    TREND_STRONG_UP = ("TREND_STRONG_UP", "strategy", "Fast average well above slow average and rising.")
    TREND_STRONG_DOWN = ("TREND_STRONG_DOWN", "strategy", "Fast average well below slow average and falling.")
    TREND_BLOCK_SHORT = ("TREND_BLOCK_SHORT", "strategy", "Short blocked: strong uptrend.")
    TREND_BLOCK_LONG = ("TREND_BLOCK_LONG", "strategy", "Long blocked: strong downtrend.")
    CVD_BEAR_DIV = ("CVD_BEAR_DIV", "strategy", "Price made a higher high while CVD made a lower high.")
    CVD_BULL_DIV = ("CVD_BULL_DIV", "strategy", "Price made a lower low while CVD made a higher low.")
    CVD_BUY_EXHAUSTION = ("CVD_BUY_EXHAUSTION", "strategy", "Buying volume spike at a high: buyers exhausted.")
    CVD_SELL_EXHAUSTION = ("CVD_SELL_EXHAUSTION", "strategy", "Selling volume spike at a low: sellers exhausted.")
    CVD_CONFIRM = ("CVD_CONFIRM", "strategy", "Cumulative volume delta confirms the move.")
    LIQ_CLUSTER_LONG = ("LIQ_CLUSTER_LONG", "strategy", "Cluster of long liquidations: fade the flush with a long.")
    LIQ_CLUSTER_SHORT = ("LIQ_CLUSTER_SHORT", "strategy", "Cluster of short liquidations: fade the squeeze with a short.")
    LIQ_CASCADE_PROXY = ("LIQ_CASCADE_PROXY", "strategy", "Fast one-sided move with a volume burst (liquidation proxy).")
    SPIKE_FADE_UP = ("SPIKE_FADE_UP", "strategy", "Price spiked up beyond the threshold: fade it short.")
    SPIKE_FADE_DOWN = ("SPIKE_FADE_DOWN", "strategy", "Price spiked down beyond the threshold: fade it long.")
    BOOK_IMBALANCE_BID = ("BOOK_IMBALANCE_BID", "strategy", "Top-of-book depth heavily on the bid side.")
    BOOK_IMBALANCE_ASK = ("BOOK_IMBALANCE_ASK", "strategy", "Top-of-book depth heavily on the ask side.")
    WHALE_BID = ("WHALE_BID", "strategy", "Large resting bid above the whale notional threshold.")
    WHALE_ASK = ("WHALE_ASK", "strategy", "Large resting ask above the whale notional threshold.")
    VPIN_TOXIC = ("VPIN_TOXIC", "strategy", "Order flow toxicity (VPIN) above the limit: entries blocked.")
    VPIN_ELEVATED = ("VPIN_ELEVATED", "strategy", "Order flow toxicity elevated: entries shrunk.")

    # --- signal manager -----------------------------------------------------------------
    SIGNAL_ACCEPTED = ("SIGNAL_ACCEPTED", "signal", "Signal passed the signal manager.")
    SIGNAL_EXPIRED = ("SIGNAL_EXPIRED", "signal", "Signal expired before it could be acted on.")
    LOW_CONFIDENCE = ("LOW_CONFIDENCE", "signal", "Confidence below the global threshold.")
    CONFLICT_LOST = ("CONFLICT_LOST", "signal", "An opposite signal with higher priority or confidence won.")
    CONFLICT_STAND_ASIDE = ("CONFLICT_STAND_ASIDE", "signal", "Opposite signals tied: standing aside.")
    SIGNAL_SUPERSEDED = ("SIGNAL_SUPERSEDED", "signal", "A stronger same-side signal on the symbol was chosen instead.")
    KELLY_NO_EDGE = ("KELLY_NO_EDGE", "signal", "Kelly sizing: the strategy's record shows no edge, so size is zero.")
    STRATEGY_PAUSED = ("STRATEGY_PAUSED", "signal", "Strategy is paused by the operator.")
    STRATEGY_DISABLED = ("STRATEGY_DISABLED", "signal", "Strategy auto-disabled by its score.")
    STRATEGY_ERROR = ("STRATEGY_ERROR", "signal", "Strategy raised an error: disabled until the operator enables it.")
    STRATEGY_SLOW = ("STRATEGY_SLOW", "signal",
                     "A strategy hook ran longer than strategies.max_hook_ms too often: disabled until the operator "
                     "enables it.")
    ALREADY_POSITIONED = ("ALREADY_POSITIONED", "signal", "A position on that side is already open.")
    MANUAL_ENTRY = ("MANUAL_ENTRY", "signal", "The operator placed the order by hand (a manual trade).")

    # --- risk gate and DRB guard ----------------------------------------------------------
    RISK_MAX_POSITION = ("RISK_MAX_POSITION", "risk", "Order would exceed the per-symbol position limit.")
    RISK_MAX_GROSS = ("RISK_MAX_GROSS", "risk", "Order would exceed the gross exposure limit.")
    RISK_MAX_NET = ("RISK_MAX_NET", "risk", "Order would exceed the net exposure limit.")
    RISK_CONCENTRATION = ("RISK_CONCENTRATION", "risk", "Order would concentrate too much equity in one symbol.")
    RISK_MAX_OPEN_ORDERS = ("RISK_MAX_OPEN_ORDERS", "risk", "Too many open orders.")
    RISK_MIN_NOTIONAL = ("RISK_MIN_NOTIONAL", "risk", "Order notional below the market minimum.")
    RISK_PRICE_BAND = ("RISK_PRICE_BAND", "risk", "Order price too far from mid (fat finger).")
    RISK_RATE_LIMIT = ("RISK_RATE_LIMIT", "risk", "Order rate limit reached.")
    RISK_REDUCE_ONLY = ("RISK_REDUCE_ONLY", "risk", "Trading state allows only orders that reduce exposure.")
    RISK_NO_PRICE = ("RISK_NO_PRICE", "risk", "No valid market price to check the order against.")
    RISK_INVALID_ORDER = ("RISK_INVALID_ORDER", "risk", "Order quantity or limit price is not a positive finite number.")
    DRB_DAILY_LOSS = ("DRB_DAILY_LOSS", "risk", "Daily loss budget consumed.")
    DRB_DRAWDOWN = ("DRB_DRAWDOWN", "risk", "Drawdown from the high-water mark beyond its limit.")
    DRB_RAPID_DRAWDOWN = ("DRB_RAPID_DRAWDOWN", "risk", "Rapid drawdown within the short window.")
    DRB_POSITION_LOSS = ("DRB_POSITION_LOSS", "risk", "A single position's loss beyond its limit.")
    DRB_CONSECUTIVE_LOSSES = ("DRB_CONSECUTIVE_LOSSES", "risk", "Too many losing trades in a row.")
    DRB_VOLATILITY_SPIKE = ("DRB_VOLATILITY_SPIKE", "risk", "Price moved beyond N sigma.")
    DRB_ERROR_RATE = ("DRB_ERROR_RATE", "risk", "Too many order or exchange errors within the window.")
    DRB_DAILY_RESET = ("DRB_DAILY_RESET", "risk", "Daily budgets reset at the configured time.")
    DRB_WITHIN_BUDGET = ("DRB_WITHIN_BUDGET", "risk", "Every risk budget is below its soft limit: full trading allowed.")
    OPERATOR_RESET = ("OPERATOR_RESET", "risk", "Operator reset the trading state.")
    OPERATOR_HALT = ("OPERATOR_HALT", "risk", "Operator halted trading.")
    JOURNAL_FAILED = ("JOURNAL_FAILED", "risk", "The WAL could not make a record durable: no new orders, kill and flatten only.")
    LIVE_RECONCILING = ("LIVE_RECONCILING", "risk", "Live: lining the journal up with the exchange; reduce-only until done.")
    LIVE_RECONCILED = ("LIVE_RECONCILED", "risk", "Live: the journal and the exchange agree again.")
    ACCOUNT_MISMATCH = ("ACCOUNT_MISMATCH", "risk", "Live: the exchange's balances disagree with the engine's positions.")
    EXCHANGE_BANNED = ("EXCHANGE_BANNED", "risk", "Live: the exchange banned this IP (418) for a while.")
    DEAD_MAN_AT_RISK = ("DEAD_MAN_AT_RISK", "risk",
                        "Live: the dead-man's switch is not being refreshed; the exchange may cancel resting orders.")

    # --- exits and operator actions -------------------------------------------------------
    TAKE_PROFIT = ("TAKE_PROFIT", "exit", "Take-profit level reached.")
    STOP_LOSS = ("STOP_LOSS", "exit", "Stop-loss level reached.")
    TRAILING_STOP = ("TRAILING_STOP", "exit", "Trailing stop hit.")
    TIME_STOP = ("TIME_STOP", "exit", "Position held past its time limit.")
    SIGNAL_REVERSAL = ("SIGNAL_REVERSAL", "exit", "An opposite signal closed the position.")
    FLATTEN = ("FLATTEN", "exit", "Operator flattened the position.")
    KILL = ("KILL", "exit", "Kill switch closed the position.")

    # --- orders and brokers ---------------------------------------------------------------
    INSUFFICIENT_FUNDS = ("INSUFFICIENT_FUNDS", "order", "Exchange rejected: insufficient funds.")
    INVALID_ORDER = ("INVALID_ORDER", "order", "Exchange rejected the order as invalid.")
    EXCHANGE_RATE_LIMIT = ("EXCHANGE_RATE_LIMIT", "order", "Exchange rate limit exceeded: backing off.")
    EXCHANGE_UNAVAILABLE = ("EXCHANGE_UNAVAILABLE", "order", "Exchange not reachable or not available.")
    NO_LIQUIDITY = ("NO_LIQUIDITY", "order", "Not enough visible liquidity to fill.")
    REDUCE_ONLY_WOULD_INCREASE = ("REDUCE_ONLY_WOULD_INCREASE", "order", "Reduce-only order would increase the position.")
    SPOT_NO_SHORT = ("SPOT_NO_SHORT", "order", "Spot markets are long-only.")
    CANCELLED_BY_OPERATOR = ("CANCELLED_BY_OPERATOR", "order", "Order cancelled by the operator or the kill switch.")
    RECONCILED_NOT_FOUND = ("RECONCILED_NOT_FOUND", "order", "After a restart the exchange had no such order: it never arrived.")


_USER_CODES: dict[str, ReasonCode] = {}
_USER_CODE = re.compile(r"[a-z][a-z0-9_]*\.[A-Z][A-Z0-9_]*")


def register_user_code(strategy: str, code: str, description: str) -> ReasonCode:
    """Register a user strategy's reason code as ``<strategy>.<CODE>`` (namespaced, so it can
    never collide with a built-in one) and return it; ``ReasonCode(value)`` finds it from then on."""
    value = f"{strategy}.{code}"
    if not strategy.isidentifier() or strategy != strategy.lower():
        raise ValueError(f"{strategy!r} is not a strategy name: use a lower-case identifier")
    if not _USER_CODE.fullmatch(value):
        raise ValueError(f"reason code {code!r} of {strategy}: use UPPER_CASE letters, digits and _")
    known = _USER_CODES.get(value)
    if known is not None:
        known.description = description
        return known
    member = _USER_CODES[value] = _user_member(value, description)
    return member


def journaled_code(value: str) -> ReasonCode:
    """The code a journal names: the registered one, or, when nothing registers it any more (a user
    strategy no longer installed), an unregistered code of the same value, so a restart never fails on
    a reason it cannot describe."""
    try:
        return ReasonCode(value)
    except ValueError:
        return _user_member(value, "A reason code no installed strategy registers (read from the journal).")


def _user_member(value: str, description: str) -> ReasonCode:
    member = str.__new__(ReasonCode, value)
    member._value_ = value
    member._name_ = value
    member.category = "user"
    member.description = description
    return member


def user_codes() -> tuple[ReasonCode, ...]:
    """The user strategies' registered reason codes."""
    return tuple(_USER_CODES.values())


def registry_markdown() -> str:
    """The registry as the Markdown table in ``docs/reason-codes.md``."""
    lines = [
        "# Reason codes",
        "",
        "Generated from `hft_tui/model/reason_codes.py` by `hft-tui reason-codes`; do not edit by hand.",
        "",
        "| code | family | meaning |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{code.value}` | {code.category} | {code.description} |" for code in ReasonCode]
    return "\n".join(lines) + "\n"
