"""``wal verify`` exits 0/1 naming the bad file and line; ``wal tail -n`` prints the newest."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from hft_tui import exit_codes
from hft_tui.cli.main import main
from hft_tui.clock import FrozenClock
from hft_tui.wal.cli import add_wal_parser, run_wal_command
from hft_tui.wal.writer import WalWriter


def _run(state_dir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hft-tui")
    add_wal_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    args.state_dir = state_dir
    return run_wal_command(args)


def test_verify_exits_0_and_summarises_an_intact_wal(wal_dir: Path, write_wal, capsys: pytest.CaptureFixture[str]) -> None:
    records = write_wal(120, rotate_bytes=4_000)

    assert _run(wal_dir.parent, "wal", "verify") == 0
    out = capsys.readouterr().out
    assert "status:   OK" in out
    assert "records:  120 (seq 1 .. 120)" in out
    assert "wal-000001.jsonl .. wal-" in out
    assert f"time:     {records[0].ts} .. {records[-1].ts}" in out


def test_verify_exits_1_naming_file_and_line(wal_dir: Path, write_wal, capsys: pytest.CaptureFixture[str]) -> None:
    write_wal(120, rotate_bytes=4_000)
    segment = wal_dir / "wal-000002.jsonl"
    lines = segment.read_bytes().splitlines(keepends=True)
    lines[6] = lines[6].replace(b'"liquidity":"maker"', b'"liquidity":"taker"')
    segment.write_bytes(b"".join(lines))

    assert _run(wal_dir.parent, "wal", "verify") == 1
    out = capsys.readouterr().out
    assert "CORRUPT at wal-000002.jsonl line 7: bad checksum" in out
    assert str(segment) in out


def test_verify_reports_a_torn_tail_as_recoverable_but_not_ok(
    wal_dir: Path, write_wal, capsys: pytest.CaptureFixture[str]
) -> None:
    write_wal(4)
    segment = wal_dir / "wal-000001.jsonl"
    segment.write_bytes(segment.read_bytes() + b'{"seq":5,"ts"')

    assert _run(wal_dir.parent, "wal", "verify") == 1
    out = capsys.readouterr().out
    assert "TORN TAIL at wal-000001.jsonl line 5: torn tail" in out
    assert "recoverable" in out


@pytest.mark.parametrize("command", ["verify", "tail"])
def test_a_state_dir_that_does_not_exist_is_an_error_not_an_empty_wal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    missing = tmp_path / "typo"
    assert _run(missing, "wal", command) == exit_codes.NO_STATE_DIR
    err = capsys.readouterr().err
    assert f"no state dir {missing}" in err and "--state-dir" in err
    assert _run(tmp_path, "wal", command) == exit_codes.NO_STATE_DIR  # a dir, but no WAL in it
    assert f"no WAL in {tmp_path}" in capsys.readouterr().err


def test_global_options_are_taken_after_the_command(wal_dir: Path, write_wal,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_wal(60)
    assert main(["wal", "verify", "--state-dir", str(wal_dir.parent)]) == 0
    assert "status:   OK" in capsys.readouterr().out
    assert main(["wal", "tail", "-n", "50", "--state-dir", str(wal_dir.parent)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 50
    assert main(["--state-dir", str(wal_dir.parent), "wal", "tail", "-n", "5"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 5


def test_tail_prints_prices_at_full_precision(wal_dir: Path, clock: FrozenClock,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with WalWriter(wal_dir, clock) as wal:
        wal.append("fill", {"symbol": "BTC/USDT", "price": 63999.98, "qty": 0.1234567891})
    assert _run(wal_dir.parent, "wal", "tail") == 0
    out = capsys.readouterr().out
    assert "price=63999.98 " in out and "qty=0.1234567891" in out


def test_tail_prints_the_last_n_records_oldest_first(wal_dir: Path, write_wal, capsys: pytest.CaptureFixture[str]) -> None:
    records = write_wal(50, rotate_bytes=3_000)

    assert _run(wal_dir.parent, "wal", "tail", "-n", "25") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 25
    assert [int(line.split()[0]) for line in lines] == list(range(26, 51))
    last = records[-1]
    assert lines[-1].split()[1:3] == [last.ts, "fill"]
    assert f"order_id={last.payload['order_id']}" in lines[-1]


def test_tail_of_more_than_exist_prints_all(wal_dir: Path, write_wal, capsys: pytest.CaptureFixture[str]) -> None:
    write_wal(3)
    assert _run(wal_dir.parent, "wal", "tail", "-n", "10") == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_tail_rejects_a_negative_count(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _run(tmp_path, "wal", "tail", "-n", "-1")


def test_verify_exit_codes_in_a_real_process(wal_dir: Path, write_wal) -> None:
    write_wal(10)
    script = (
        "import argparse, sys; from pathlib import Path; from hft_tui.wal.cli import add_wal_parser, run_wal_command\n"
        "p = argparse.ArgumentParser(); add_wal_parser(p.add_subparsers(dest='command'))\n"
        "a = p.parse_args(['wal', 'verify']); a.state_dir = Path(sys.argv[1]); sys.exit(run_wal_command(a))\n"
    )

    def verify_exit_code() -> int:
        return subprocess.run([sys.executable, "-c", script, str(wal_dir.parent)], capture_output=True).returncode

    assert verify_exit_code() == 0
    segment = wal_dir / "wal-000001.jsonl"
    segment.write_bytes(segment.read_bytes().replace(b"sim-000003", b"sim-000333"))
    assert verify_exit_code() == 1


def test_tail_follow_prints_new_records_and_exits_0_on_ctrl_c(
    wal_dir: Path, write_wal, clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hft_tui.wal import cli
    from hft_tui.wal.follow import follow_records
    from hft_tui.wal.writer import WalWriter

    write_wal(5)
    polls = 0

    def operator_then_ctrl_c(_: float) -> None:
        nonlocal polls
        polls += 1
        if polls > 1:
            raise KeyboardInterrupt
        with WalWriter(wal_dir, clock) as wal:
            wal.append("kill", {"reason": "operator"})

    monkeypatch.setattr(cli, "follow_records", lambda d, p: follow_records(d, p, sleep=operator_then_ctrl_c))

    assert _run(wal_dir.parent, "wal", "tail", "-f", "-n", "2") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["4", "5", "6"]
    assert lines[-1].split()[2:] == ["kill", "reason=operator"]
