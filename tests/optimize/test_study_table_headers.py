"""``optimize show`` names every searched parameter in full: its column is headed p1, p2... and
the line under the table names each, so at 120-130 columns no header or figure is cut (a header
of the parameter's own name was cut to ``trend.stro…``)."""

from __future__ import annotations

from rich.console import Console

from hft_tui.optimize.cli import _study_table
from hft_tui.optimize.trial_ranking import RankedTrial, Ranking

PARAMS = ["strategies.trend.slow_period", "strategies.trend.strong_spread_bps", "strategies.cvd.take_profit_ranges"]


def shown(width: int) -> str:
    trials = [RankedTrial(n, "COMPLETE", dict(zip(PARAMS, (40 + n, 3.5, 2.0))),
                          {"sharpe": 1.234, "return": 0.571, "trades": 13.0},
                          {"sharpe": -0.532, "return": -0.12, "trades": 7.0}, False,
                          "in-sample best; out-of-sample worse")
              for n in range(3)]
    ranking = Ranking(["sharpe"], [True], trials, [])
    console = Console(width=width, record=True)
    _study_table("month", ranking, {"params": [f"{p}=1..9" for p in PARAMS]}, top=10).render(console)
    return console.export_text()


def test_every_parameter_is_named_in_full_and_no_header_or_figure_is_cut() -> None:
    for width in (120, 130):
        text = shown(width)
        assert all(len(line) <= width for line in text.splitlines())
        assert "  ".join(f"p{i} {param}" for i, param in enumerate(PARAMS, 1)) in text
        header, body = text.split("┡")
        assert "…" not in header, (width, header)
        assert "-0.532" in body and "0.571" in body and "3.5" in body
