from __future__ import annotations

from pathlib import Path

from hft_tui.backtest.report import report_json
from hft_tui.backtest.runner import DataSpec, data_range, run_backtest, split_windows
from hft_tui.backtest.local_executor import LocalExecutor
from hft_tui.backtest.sweep import run_sweep
from hft_tui.config.loader import load_settings
from hft_tui.wal.reader import iter_records

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
SIM = DataSpec("sim", duration_s=60.0)


def _window(spec: DataSpec, split: float | None = None):
    return split_windows(*data_range(spec), split, None)


def _decisions(wal_dir: Path) -> list[tuple[str, str, dict]]:
    return [(r.ts, r.type, r.payload) for r in iter_records(wal_dir)]


def test_same_data_config_and_seed_give_identical_report_json_and_wal(tmp_path: Path) -> None:
    settings = load_settings(None, {})
    window = _window(SIM)[0]
    first = run_backtest(settings, SIM, window, wal_dir=tmp_path / "a")
    second = run_backtest(settings, SIM, window, wal_dir=tmp_path / "b")
    assert report_json(first.report) == report_json(second.report)
    assert first.report.events > 1_000 and first.report.trades.trades > 0
    assert _decisions(tmp_path / "a") == _decisions(tmp_path / "b")
    assert any(t == "signal" for _, t, _ in _decisions(tmp_path / "a"))


def test_a_different_seed_gives_a_different_run() -> None:
    window = _window(SIM)[0]
    a = run_backtest(load_settings(None, {}), SIM, window).report
    b = run_backtest(load_settings(None, {"engine.seed": 8}), SIM, window).report
    assert report_json(a) != report_json(b)


def test_recorded_session_backtest_equals_the_live_sim_backtest() -> None:
    """The shipped session is 60 s of seed 7: replaying it is the same run as simulating it."""
    settings = load_settings(None, {})
    recording = DataSpec("recording", path=SAMPLE / "session", exchange="sim")
    window = _window(SIM)[0]
    sim = run_backtest(settings, SIM, window).report
    replayed = run_backtest(settings, recording, window).report
    assert sim.events == replayed.events
    assert report_json(sim).replace(b"simulator, seed 7, 60 s of BTC/USDT, ETH/USDT", b"X") == \
        report_json(replayed).replace(f"recorded session {SAMPLE / 'session'}".encode(), b"X")


def test_a_sweep_worker_reports_exactly_what_a_direct_run_reports() -> None:
    in_sample, out_of_sample = _window(SIM, split=0.5)
    overrides = {"exits.stop_loss_bps": 10.0}
    settings = load_settings(None, overrides)
    direct = [run_backtest(settings, SIM, window).report for window in (in_sample, out_of_sample)]
    executor = LocalExecutor(workers=2)
    try:
        result = run_sweep(None, {}, {"exits.stop_loss_bps": [10.0, 40.0]}, SIM, in_sample, out_of_sample,
                           executor, metric="return")
    finally:
        executor.close()
    row = next(r for r in result.rows if r.params == {"exits.stop_loss_bps": 10.0})
    assert report_json(row.in_sample) == report_json(direct[0])
    assert report_json(row.out_of_sample) == report_json(direct[1])  # type: ignore[arg-type]
    returns = [r.in_sample.returns.total_return_pct for r in result.rows]
    assert returns == sorted(returns, reverse=True)
    assert result.warnings and "combinations were tried" in result.warnings[0]
