"""Every key binding, driven through Textual's pilot against the real seeded engine.

The link does not run the engine (``threaded=False``): it records what the app sends, and
``apply_sent`` lets the engine carry it out when a test wants to see the effect.
"""

from __future__ import annotations

from tui_session import apply_sent, play

from hft_tui.trading.commands import (
    Flatten,
    Kill,
    PauseStrategy,
    PlaceOrder,
    ResetHalt,
    ResumeStrategy,
    SetStrategyParams,
    StopEngine,
)
from hft_tui.tui.app import HftApp
from hft_tui.tui.engine_link import EngineLink
from hft_tui.tui.panes.header_bar import HeaderBar
from hft_tui.tui.panes.order_book import OrderBookPane
from hft_tui.tui.panes.signals_table import SignalsPane
from hft_tui.tui.panes.strategies_table import StrategiesPane
from hft_tui.tui.panes.wal_tail import WalTailPane
from hft_tui.tui.screens.confirm import ConfirmScreen
from hft_tui.tui.screens.help import HelpScreen
from hft_tui.tui.screens.kill_confirm import KillConfirmScreen
from hft_tui.tui.screens.signal_detail import SignalDetailScreen
from hft_tui.tui.screens.tuning import TuningScreen
from hft_tui.tui.screens.typed_confirm import TypedConfirmScreen

COMPACT = (80, 24)
NO_TIMED_REDRAW_HZ = 1e-6  # a redraw timer of ~11 days


async def test_kill_asks_first_and_y_sends_kill_exactly_once(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app)
        await pilot.press("ctrl+k")
        assert isinstance(frozen_app.screen, KillConfirmScreen)
        assert frozen_app.link.commands_sent == []
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(frozen_app.screen, KillConfirmScreen)
        assert frozen_app.link.commands_sent == [Kill("operator")]
        apply_sent(frozen_app)
        assert frozen_app.link.snapshot.trading_state == "HALTED"


async def test_ctrl_k_twice_does_not_kill(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app, steps=2)
        await pilot.press("ctrl+k", "ctrl+k", "ctrl+k")
        await pilot.pause()
        assert isinstance(frozen_app.screen, KillConfirmScreen)
        assert len(frozen_app.screen_stack) == 2  # one dialog, not one per press
        assert frozen_app.link.commands_sent == []
        await pilot.press("y")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [Kill("operator")]


async def test_enter_on_the_kill_button_kills(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        await pilot.press("ctrl+k", "tab")
        assert frozen_app.focused is not None and frozen_app.focused.id == "confirm"
        await pilot.press("enter")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [Kill("operator")]


async def test_kill_confirmation_defaults_to_cancel(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        await pilot.press("ctrl+k")
        await pilot.press("enter")  # Cancel has the focus
        await pilot.press("ctrl+k", "escape")
        await pilot.press("ctrl+k", "n")
        await pilot.pause()
        assert frozen_app.link.commands_sent == []
        await pilot.press("ctrl+k", "y")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [Kill("operator")]


async def test_kill_opens_while_the_tuning_form_has_an_input_focused_and_only_y_confirms(
        frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app, steps=2)
        await pilot.press("t")
        assert isinstance(frozen_app.screen, TuningScreen)
        assert frozen_app.focused is not None and frozen_app.focused.id.startswith("field-")
        await pilot.press("ctrl+a", "ctrl+k")  # readline: clear the field
        assert isinstance(frozen_app.screen, KillConfirmScreen)
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert frozen_app.link.commands_sent == []
        await pilot.press("escape")
        assert isinstance(frozen_app.screen, TuningScreen)
        await pilot.press("ctrl+k", "y")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [Kill("operator")]


async def test_readline_keys_in_a_text_field_edit_text_not_money(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app)
        frozen_app.link.engine.apply(Kill("operator"))  # HALTED: ctrl+r would offer a reset
        play(frozen_app, steps=1)
        await pilot.press("5", "down", "down", "down", "t", "tab")
        field = frozen_app.focused
        assert isinstance(frozen_app.screen, TuningScreen) and field.id.startswith("field-")
        await pilot.press("ctrl+f", "ctrl+r", "ctrl+b", "ctrl+e", "ctrl+u", "ctrl+w")
        await pilot.pause()
        assert isinstance(frozen_app.screen, TuningScreen)
        assert frozen_app.focused is field
        assert frozen_app.link.commands_sent == []
        await pilot.press("escape", "ctrl+f")  # off the field, ctrl+f is flatten-all again
        assert isinstance(frozen_app.screen, ConfirmScreen)


async def test_kill_confirmation_names_the_positions_it_will_close(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app)
        position = frozen_app.link.snapshot.positions[0]
        await pilot.press("ctrl+k")
        question = str(frozen_app.screen.query_one("#question").render())
        assert f"close {position.side}" in question and position.symbol in question


async def test_flatten_all_confirms_then_reaches_the_engine_exactly_once(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app)
        assert frozen_app.link.snapshot.positions
        await pilot.press("ctrl+f")
        assert isinstance(frozen_app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [Flatten(None)]
        results = apply_sent(frozen_app)
        assert results[0].ok, results[0].message


async def test_f_flattens_only_the_selected_symbol(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        await pilot.press("s", "f")
        assert isinstance(frozen_app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [Flatten("ETH/USDT")]


async def test_p_pauses_then_resumes_the_selected_strategy(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app, steps=2)
        await pilot.press("5", "down")
        selected = frozen_app.query_one(StrategiesPane).selected_strategy()
        assert selected is not None
        await pilot.press("p")
        assert frozen_app.link.commands_sent == [PauseStrategy(selected.name)]
        apply_sent(frozen_app)
        await pilot.pause()
        assert frozen_app.query_one(StrategiesPane).selected_strategy().status == "paused"
        await pilot.press("p")
        assert frozen_app.link.commands_sent == [ResumeStrategy(selected.name)]


async def test_f5_pauses_all_and_again_resumes_all(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app, steps=2)
        await pilot.press("f5")
        assert frozen_app.link.commands_sent == [PauseStrategy(None)]
        apply_sent(frozen_app)
        assert all(s.status == "paused" for s in frozen_app.link.snapshot.strategies)
        await pilot.press("f5")
        assert frozen_app.link.commands_sent == [ResumeStrategy(None)]


async def test_reset_needs_halted_and_the_typed_word(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app, steps=2)
        await pilot.press("ctrl+r")
        assert not isinstance(frozen_app.screen, TypedConfirmScreen)  # ACTIVE: nothing to reset
        frozen_app.link.engine.apply(Kill("operator"))
        play(frozen_app, steps=1)
        await pilot.press("ctrl+r")
        assert isinstance(frozen_app.screen, TypedConfirmScreen)
        await pilot.press("r", "e", "s", "e", "t", "enter")
        assert isinstance(frozen_app.screen, TypedConfirmScreen)
        assert "not RESET" in str(frozen_app.screen.query_one("#error").render())
        assert frozen_app.link.commands_sent == []
        await pilot.press(*["backspace"] * 5, "R", "E", "S", "E", "T", "enter")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [ResetHalt("RESET")]
        apply_sent(frozen_app)
        assert frozen_app.link.snapshot.trading_state != "HALTED"


async def test_tuning_refuses_a_bad_value_and_sends_a_good_one(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app, steps=2)
        await pilot.press("5", "down", "down", "down")
        assert frozen_app.query_one(StrategiesPane).selected_strategy().name == "spike_fader"
        await pilot.press("t", "tab", *["backspace"] * 6, "9", "9", "enter")
        screen = frozen_app.screen
        assert isinstance(screen, TuningScreen)
        assert "less than or equal to 50" in screen.field_errors["threshold_pct"]
        assert frozen_app.link.commands_sent == []
        await pilot.press("backspace", "backspace", "2", ".", "5", "enter")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [SetStrategyParams("spike_fader", {"threshold_pct": 2.5})]
        results = apply_sent(frozen_app)
        assert results[0].ok, results[0].message
        tuned = {s.name: s.tuned for s in frozen_app.link.snapshot.strategies}
        assert "threshold_pct" in tuned["spike_fader"]


async def test_tuning_shows_a_cross_field_rule_and_revert_sends_defaults(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app, steps=1)
        await pilot.press("5", "down", "down", "down", "t")
        screen = frozen_app.screen
        assert isinstance(screen, TuningScreen)
        base = screen.query_one("#field-base_confidence")
        base.value = "0.9"  # above max_confidence 0.85: only the model's validator knows
        await pilot.pause()
        assert "max_confidence" in screen.form_error
        await pilot.click("#revert")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [SetStrategyParams("spike_fader", {}, revert_to_defaults=True)]


async def test_s_switches_book_price_and_signals_to_the_next_symbol(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        assert frozen_app.selected_symbol == "BTC/USDT"
        await pilot.press("s")
        assert frozen_app.selected_symbol == "ETH/USDT"
        assert "ETH/USDT" in str(frozen_app.query_one(OrderBookPane).border_title)
        assert "ETH/USDT" in str(frozen_app.query_one(SignalsPane).border_title)
        assert "ETH/USDT" in str(frozen_app.query_one(HeaderBar).render())
        await pilot.press("s")
        assert frozen_app.selected_symbol == "BTC/USDT"


async def test_w_cycles_the_wal_filter(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app)
        wal = frozen_app.query_one(WalTailPane)
        assert wal.filter_label == "to act on"
        assert {line.type for line in wal.visible_lines(500)} & {"order", "fill"}
        assert not {line.type for line in wal.visible_lines(500)} & {"risk", "signal", "snapshot"}
        await pilot.press("w")
        assert wal.filter_label == "all"
        assert "risk" in {line.type for line in wal.visible_lines(500)}
        await pilot.press("w")
        assert wal.filter_label == "orders & fills"
        assert wal.visible_lines(50)
        assert all(line.type in {"order", "order_update", "order_rejected", "cancel", "fill",
                                 "trade_closed", "flatten", "flatten_incomplete"}
                   for line in wal.visible_lines(50))


async def test_f1_and_question_mark_open_help_listing_every_action(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        await pilot.press("f1")
        assert isinstance(frozen_app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(frozen_app.screen, HelpScreen)
        await pilot.press("f1")
        assert not isinstance(frozen_app.screen, HelpScreen)


async def test_number_keys_focus_panes_and_bring_hidden_ones_on_screen(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        strategies = frozen_app.query_one("#strategies")
        assert not strategies.display or strategies.styles.display == "none" or not strategies.region
        await pilot.press("5")
        await pilot.pause()
        assert strategies.region.area > 0
        assert frozen_app.focused is strategies
        await pilot.press("3")
        await pilot.pause()
        assert frozen_app.focused is frozen_app.query_one("#signals")
        assert strategies.region.area == 0
        for number, pane_id in enumerate(("book", "price", "signals", "positions", "strategies",
                                          "drb", "health", "symbols", "wal"), start=1):
            await pilot.press(str(number))
            await pilot.pause()
            pane = frozen_app.query_one(f"#{pane_id}")
            assert pane.region.area > 0, pane_id
            assert frozen_app.focused is pane or frozen_app.focused in pane.query("*"), pane_id


async def test_enter_on_a_signal_shows_its_full_explanation(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app)
        await pilot.press("3", "enter")
        assert isinstance(frozen_app.screen, SignalDetailScreen)
        signal = frozen_app.screen.signal
        text = str(frozen_app.screen.query_one("Static").render())
        assert signal.reasons[0] in text and signal.explanation.splitlines()[0] in text
        await pilot.press("escape")
        assert not isinstance(frozen_app.screen, SignalDetailScreen)


async def test_q_quits_at_once_when_nothing_is_open(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert frozen_app.return_value == "operator quit"
    assert frozen_app.link.commands_sent == [StopEngine("operator quit")]


async def test_d_does_nothing_in_the_embedded_workstation_and_is_not_in_its_footer(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert frozen_app.is_running
        footer_keys = {binding.action for _, binding, enabled, _ in frozen_app.active_bindings.values() if enabled}
        assert "detach" not in footer_keys and "quit" in footer_keys
    assert frozen_app.link.commands_sent == []


async def test_q_warns_about_open_positions_and_n_keeps_running(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app)
        await pilot.press("q")
        assert isinstance(frozen_app.screen, ConfirmScreen)
        question = str(frozen_app.screen.query_one("#question").render())
        assert "position(s)" in question and "closes nothing" in question
        assert "close " not in question
        await pilot.press("n")
        assert frozen_app.link.commands_sent == []
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
    assert frozen_app.link.commands_sent == [StopEngine("operator quit")]


async def test_letter_keys_belong_to_a_modal_while_it_is_open(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        await pilot.press("f1", "p", "s", "t")
        assert isinstance(frozen_app.screen, HelpScreen)
        assert frozen_app.link.commands_sent == []
        assert frozen_app.selected_symbol == "BTC/USDT"


async def test_keys_are_remappable_with_a_keymap(frozen_engine) -> None:  # type: ignore[no-untyped-def]
    app = HftApp(EngineLink(frozen_engine, threaded=False), keymap={"kill": "f12", "tune": "u"})
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.press("ctrl+k")
        assert not isinstance(app.screen, KillConfirmScreen)
        await pilot.press("f12")
        assert isinstance(app.screen, KillConfirmScreen)


async def test_every_action_is_in_the_command_palette(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT):
        titles = " ".join(command.title for command in frozen_app.get_system_commands(frozen_app.screen))
        for name in ("Kill", "Flatten all", "Flatten symbol", "Pause", "Tune", "Pause all", "Reset",
                     "Symbol", "WAL filter", "Trades", "PnL", "Balances", "Help", "Quit", "Pane 9"):
            assert name in titles, name


async def test_resizing_through_every_layout_never_crashes(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app, steps=3)
        for size in ((200, 60), (40, 12), (120, 35), (79, 23), (300, 90), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            play(frozen_app, steps=1)
            await pilot.pause()
        assert frozen_app.compact


async def test_switching_theme_redraws_without_losing_state(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app, steps=3)
        for theme in ("hft-light", "hft-contrast", "hft-dark"):
            frozen_app.theme = theme
            await pilot.pause()
        assert frozen_app.query_one(SignalsPane).row_count == len(
            [s for s in frozen_app.link.snapshot.signals if s.symbol == "BTC/USDT"])


def _question(app: HftApp) -> str:
    return str(app.screen.query_one("#question").render())


async def test_kill_dialog_counts_follow_the_engine_while_open(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app)
        before = frozen_app.link.snapshot.open_positions
        await pilot.press("ctrl+k")
        assert f"{before} position(s) to close" in _question(frozen_app)
        frozen_app.link.engine.apply(PlaceOrder("BTC/USDT", "buy", 0.01))
        play(frozen_app, steps=1)
        await pilot.pause()
        after = frozen_app.link.snapshot.open_positions
        assert after != before
        assert f"{after} position(s) to close" in _question(frozen_app)


async def test_quit_dialog_counts_follow_the_engine_and_a_change_asks_again(frozen_engine) -> None:  # type: ignore[no-untyped-def]
    # The app's own redraw timers never fire during the test (a redraw is play()'s): on a loaded
    # machine one could land between the fill and the y, and the answer would be to a fresh question.
    frozen_app = HftApp(EngineLink(frozen_engine, threaded=False), refresh_hz=NO_TIMED_REDRAW_HZ)
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app)
        engine = frozen_app.link.engine
        before = frozen_app.link.snapshot.open_positions
        await pilot.press("q")
        assert f"{before} position(s)" in _question(frozen_app)
        # A fill lands between the last redraw and the operator's y.
        engine.apply(PlaceOrder("BTC/USDT", "buy", 0.01))
        engine.wal.sync()
        engine.core.release_orders()
        engine.publish_snapshot()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(frozen_app.screen, ConfirmScreen)  # not quit: what was shown is stale
        after = frozen_app.link.snapshot.open_positions
        assert after == before + 1
        assert f"{after} position(s)" in _question(frozen_app)
        assert "Changed" in str(frozen_app.screen.query_one("#changed").render())
        assert frozen_app.link.commands_sent == []
        await pilot.press("y")
        await pilot.pause()
    assert frozen_app.link.commands_sent == [StopEngine("operator quit")]


async def test_flatten_and_quit_flattens_then_quits_once_flat(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        play(frozen_app)
        assert frozen_app.link.snapshot.positions
        await pilot.press("q", "f")
        await pilot.pause()
        assert frozen_app.link.commands_sent == [Flatten(None)]
        assert frozen_app.return_value is None  # still running until flat
        results = apply_sent(frozen_app)
        assert results[0].ok, results[0].message
        engine = frozen_app.link.engine
        engine.wal.sync()
        engine.core.release_orders()
        play(frozen_app, steps=1)
        await pilot.pause()
    assert not frozen_app.link.snapshot.positions
    assert frozen_app.return_value == "operator quit after flatten"


async def test_help_lists_each_actions_binding_id_and_current_key(frozen_engine) -> None:  # type: ignore[no-untyped-def]
    app = HftApp(EngineLink(frozen_engine, threaded=False), keymap={"tune": "u"})
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = {row.ids: row.keys for row in app.screen._keys}  # noqa: SLF001
        assert rows["tune"] == "u"
        assert rows["kill"] == "^k"
        assert rows["help/help_alt"] == "f1/?"


async def test_signals_pane_keeps_the_newest_signal_in_view(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=COMPACT) as pilot:
        pane = frozen_app.query_one(SignalsPane)
        for _ in range(12):
            play(frozen_app, steps=10)
            await pilot.pause()
            mine = [s for s in frozen_app.link.snapshot.signals if s.symbol == frozen_app.selected_symbol]
            if mine:
                assert pane.scroll_y == 0 and pane.cursor_row == 0
                assert pane.selected_signal() == mine[-1]
        assert pane.row_count > pane.size.height  # the list did outgrow the pane


async def test_signals_pane_leaves_the_cursor_on_an_older_signal_the_operator_picked(
        frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app)
        await pilot.press("3", "down")
        pane = frozen_app.query_one(SignalsPane)
        picked = pane.selected_signal()
        play(frozen_app, steps=30)
        await pilot.pause()
        assert pane.selected_signal() == picked
