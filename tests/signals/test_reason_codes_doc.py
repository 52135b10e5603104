from pathlib import Path

from hft_tui.model.reason_codes import ReasonCode, registry_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "reason-codes.md"


def test_reason_codes_doc_matches_the_registry() -> None:
    assert DOC.read_text(encoding="utf-8") == registry_markdown(), (
        "docs/reason-codes.md is stale: regenerate it from hft_tui.model.reason_codes.registry_markdown()"
    )


def test_every_code_is_documented_once() -> None:
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [code.value for code in ReasonCode]
