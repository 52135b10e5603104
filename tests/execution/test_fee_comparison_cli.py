"""`hft-tui fees`: one trade priced on one book under each exchange's schedule."""

from __future__ import annotations

import json

import pytest

from hft_tui.cli.main import main


def _comparison(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_ranks_exchanges_cheapest_first_on_one_book(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _comparison(capsys, "fees", "1", "--exchanges", "binance,kraken,bybit", "--json")
    lines = doc["exchanges"]
    assert [line["exchange"] for line in lines] == ["bybit", "binance", "kraken"]
    totals = [line["total_quote"] for line in lines]
    assert totals == sorted(totals)
    # The book is shared, so spread and impact are equal and only the fee separates them.
    assert len({(line["spread_quote"], line["impact_quote"]) for line in lines}) == 1
    for line in lines:
        assert line["rates_from"] == "ccxt base tier"
        assert line["fee_quote"] == pytest.approx(line["avg_price"] * line["fillable_qty"] * line["taker_rate"])
        assert line["total_quote"] == pytest.approx(line["fee_quote"] + line["spread_quote"] + line["impact_quote"])
    assert lines[0]["vs_cheapest_quote"] == 0.0 and lines[-1]["vs_cheapest_quote"] > 0.0


def test_fee_override_replaces_the_published_rate(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _comparison(capsys, "--set", "execution.fee_overrides.kraken.maker=0.0",
                      "--set", "execution.fee_overrides.kraken.taker=0.0001",
                      "fees", "1", "--exchanges", "binance,kraken", "--json")
    first = doc["exchanges"][0]
    assert (first["exchange"], first["rates_from"], first["taker_rate"]) == ("kraken", "execution.fee_overrides", 0.0001)


def test_maker_earns_the_half_spread_without_impact(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _comparison(capsys, "fees", "0.5", "--maker", "--exchanges", "bybit", "--json")
    line = doc["exchanges"][0]
    assert doc["liquidity"] == "maker"
    assert line["spread_quote"] < 0.0 and line["impact_quote"] == 0.0
    assert line["fee_quote"] == pytest.approx(line["avg_price"] * 0.5 * line["maker_rate"])


def test_exchanges_without_a_comparable_rate_are_named_not_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _comparison(capsys, "fees", "1", "--exchanges", "binance,no-such-venue,sim", "--json")
    assert [line["exchange"] for line in doc["exchanges"]] == ["sim", "binance"]
    assert doc["not_compared"] == {"no-such-venue": "not a ccxt exchange id"}


def test_the_same_arguments_give_the_same_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    first = _comparison(capsys, "fees", "3", "--side", "sell", "--at", "120", "--json")
    assert first == _comparison(capsys, "fees", "3", "--side", "sell", "--at", "120", "--json")
    assert first["book"] == {"source": "simulator", "at_s": 120.0, "mid": first["book"]["mid"]}


def test_table_names_the_book_and_the_best_exchange(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fees", "100", "--exchanges", "binance,okx"]) == 0
    out = capsys.readouterr().out
    assert "best" in out and "Book: the simulator's BTC/USDT at 60 s" in out
    assert "is visible in the book" in out  # 100 BTC is deeper than the simulated book


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fees", "0"], "qty must be a positive number of BTC"),
        (["fees", "1", "--symbol", "DOGE/USDT"], "DOGE/USDT is not simulated"),
        (["fees", "1", "--at", "-5"], "--at must be between 0 and 86400 seconds"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err
