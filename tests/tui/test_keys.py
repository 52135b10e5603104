"""Every key binding of the main screen, driven through Textual's pilot."""

from hft_tui.commands import StopEngine
from hft_tui.tui.app import HftApp
from hft_tui.tui.panes.header_bar import HeaderBar
from hft_tui.tui.panes.order_book import OrderBookPane


async def test_q_quits_and_stops_the_engine(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert frozen_app.return_value == "operator quit"
    assert frozen_app.link.commands_sent == [StopEngine("operator quit")]


async def test_s_switches_the_book_to_the_next_symbol(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(80, 24)) as pilot:
        assert frozen_app.selected_symbol == "BTC/USDT"
        await pilot.press("s")
        assert frozen_app.selected_symbol == "ETH/USDT"
        assert "ETH/USDT" in str(frozen_app.query_one(OrderBookPane).border_title)
        assert "ETH/USDT" in str(frozen_app.query_one(HeaderBar).render())
        await pilot.press("s")
        assert frozen_app.selected_symbol == "BTC/USDT"
