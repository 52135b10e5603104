"""The tuning form of every built-in strategy: each parameter's name stands clear of its field."""

from __future__ import annotations

from rich.cells import cell_len
from textual.containers import Horizontal
from textual.widgets import Input, Label
from tui_session import play

from hft_tui.tui.app import HftApp
from hft_tui.tui.screens.tuning import TuningScreen


async def test_every_parameter_name_has_a_gap_before_its_field(frozen_app: HftApp) -> None:
    async with frozen_app.run_test(size=(120, 35)) as pilot:
        play(frozen_app, steps=2)
        crowded = []
        for strategy in frozen_app.link.snapshot.strategies:
            await frozen_app.push_screen(TuningScreen(strategy))
            await pilot.pause()
            for row in frozen_app.screen.query(".field-row").results(Horizontal):
                label, field = row.query_one(Label), row.query_one(Input)
                text = str(label.render())
                if label.region.x + cell_len(text) >= field.region.x:
                    crowded.append(f"{strategy.name}: {text.strip()!r} runs into its field")
            frozen_app.pop_screen()
        assert {s.name for s in frozen_app.link.snapshot.strategies} >= {"trend", "spike_fader"}
        assert not crowded, "\n".join(crowded)
