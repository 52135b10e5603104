"""A session's beginning on a fresh core: recover from the WAL, journal ``session_start``, put
back what was recovered and journal that (a notice when it is news). The engine begins every
session here, and the replay begins the recorded one the same way."""

from __future__ import annotations

from hft_tui.risk.trading_state import TradingState
from hft_tui.session.recovery import recover_from_wal
from hft_tui.trading.core import TradingCore
from hft_tui.trading.state import restore_state
from hft_tui.wal.record_types import Recovered, SessionStarted


def begin_session(core: TradingCore, *, mode: str, exchange: str, source: str) -> None:
    """Number the session after the WAL's last one and start ``core`` in the state it recovered."""
    recovered = recover_from_wal(core.wal.directory)
    core.start_session(recovered.sessions + 1)
    core.wal.write(SessionStarted(mode=mode, exchange=exchange, symbols=list(core.symbols), source=source,
                                  session=recovered.sessions + 1, **core.settings.strategies.code_record()))
    core.strategies.report_start_failures()
    if recovered.last_seq:
        notes = restore_state(core, recovered)
        core.wal.write(Recovered(from_seq=recovered.last_seq, restored=notes))
        if len(notes) > 1 or core.state.state is not TradingState.ACTIVE:  # else routine: journaled only
            core.add_notice("recovery", "recovered: " + "; ".join(notes))
