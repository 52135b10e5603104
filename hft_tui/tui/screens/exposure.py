"""What a kill, flatten or quit would touch, in words, from the snapshot the operator sees."""

from __future__ import annotations

from hft_tui.session.engine_snapshot import EngineSnapshot
from hft_tui.tui.formatting import signed

MAX_LISTED = 6


def position_lines(snapshot: EngineSnapshot, symbol: str | None = None, *,
                   verb: str = "close ") -> list[str]:
    """One line per open position (of ``symbol`` only, if given), each starting with ``verb``."""
    picked = [p for p in snapshot.positions if symbol is None or p.symbol == symbol]
    lines = [f"  {verb}{p.side} {p.qty:.6g} {p.symbol} @ mark {p.mark_price:,.6g}"
             f" (uPnL {signed(p.unrealized_pnl)})" for p in picked[:MAX_LISTED]]
    if len(picked) > MAX_LISTED:
        lines.append(f"  … and {len(picked) - MAX_LISTED} more position(s)")
    return lines


def order_lines(snapshot: EngineSnapshot, symbol: str | None = None, *,
                verb: str = "cancel ") -> list[str]:
    """One line per working order (of ``symbol`` only, if given), each starting with ``verb``."""
    picked = [o for o in snapshot.orders if symbol is None or o.symbol == symbol]
    lines = [f"  {verb}{o.side} {o.qty - o.filled_qty:.6g} {o.symbol} {o.type}"
             f"{'' if o.price is None else f' @ {o.price:,.6g}'} ({o.client_id})"
             for o in picked[:MAX_LISTED]]
    if len(picked) > MAX_LISTED:
        lines.append(f"  … and {len(picked) - MAX_LISTED} more order(s)")
    return lines


def kill_summary(snapshot: EngineSnapshot) -> str:
    """The kill switch's consequences: strategies paused, orders cancelled, positions closed, HALT."""
    lines = ["Pause every strategy, cancel every order, close every position,",
             "then HALT trading until an operator reset.", ""]
    orders, positions = order_lines(snapshot), position_lines(snapshot)
    lines.append(f"{len(snapshot.orders)} order(s) to cancel" + (":" if orders else "."))
    lines.extend(orders)
    lines.append(f"{len(snapshot.positions)} position(s) to close" + (":" if positions else "."))
    lines.extend(positions)
    if snapshot.mode.lower() == "live":
        lines += ["", "▲▲ LIVE: every open order on the traded symbols is cancelled ON THE EXCHANGE,",
                  "orders this engine did not place included; what the account held before is kept. ▲▲"]
    return "\n".join(lines)


def flatten_summary(snapshot: EngineSnapshot, symbol: str | None) -> str:
    """What flatten (all, or one symbol) will close; trading continues afterwards."""
    scope = "every symbol" if symbol is None else symbol
    positions = position_lines(snapshot, symbol)
    orders = order_lines(snapshot, symbol)
    lines = [f"Flatten {scope}: cancel orders and close positions (reduce-only).",
             "Trading stays on; strategies may open new positions.", ""]
    count = sum(1 for p in snapshot.positions if symbol is None or p.symbol == symbol)
    lines.append(f"{count} position(s) to close" + (":" if positions else "."))
    lines.extend(positions)
    if orders:
        lines.append("orders to cancel:")
        lines.extend(orders)
    return "\n".join(lines)


def cancel_order_summary(snapshot: EngineSnapshot, client_id: str) -> str:
    """What cancelling one working order takes off the book (what has filled stays)."""
    order = next((o for o in snapshot.orders if o.client_id == client_id), None)
    if order is None:
        return f"Order {client_id} is no longer working (filled or cancelled): nothing to cancel."
    return "\n".join([
        f"Cancel this {order.strategy or 'unknown'} order?", "",
        f"  {order.side} {order.qty - order.filled_qty:.6g} {order.symbol} {order.type}"
        f"{'' if order.price is None else f' @ {order.price:,.6g}'} ({order.client_id})",
        f"  filled so far {order.filled_qty:.6g} of {order.qty:.6g}: what has filled stays.",
    ])


def quit_summary(snapshot: EngineSnapshot) -> str:
    """'' when nothing is open; else what stays open if the operator quits (quitting closes nothing)."""
    if not snapshot.positions and not snapshot.orders:
        return ""
    lines = [f"{snapshot.open_positions} position(s) and {snapshot.open_orders} order(s) are open:"]
    lines.extend(position_lines(snapshot, verb=""))
    lines.extend(order_lines(snapshot, verb=""))
    if snapshot.mode.lower() == "live":
        lines += ["", "▲▲ LIVE: quitting closes nothing. They stay open ON THE EXCHANGE",
                  "with nobody watching them. ▲▲"]
    else:
        lines += ["", "Quitting closes nothing: the engine stops with them open, and a",
                  "restart recovers them from the WAL."]
    lines.append("Quit anyway, or flatten first and quit once flat?")
    return "\n".join(lines)
