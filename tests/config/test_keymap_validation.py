"""A keymap that names no binding, or puts two actions on one key, is a configuration error."""

from __future__ import annotations

import pytest

from hft_tui.config.errors import ConfigError
from hft_tui.config.key_bindings import BINDING_IDS, KEY_SPECS, keymap_problems
from hft_tui.config.loader import load_settings


def test_a_misspelt_binding_id_is_refused_with_the_closest_id() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"ui.keymap": {"Kill": "ctrl+x"}})
    assert "unknown binding id 'Kill'; did you mean 'kill'?" in str(caught.value)


def test_two_actions_on_one_key_are_refused_naming_both() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, {"ui.keymap": {"kill": "ctrl+f"}})
    assert "ctrl+f is bound to both kill and flatten_all" in str(caught.value)


def test_a_key_moved_off_another_action_is_not_a_collision() -> None:
    settings = load_settings(None, {"ui.keymap": {"kill": "ctrl+f", "flatten_all": "f12"}})
    assert settings.ui.keymap["kill"] == "ctrl+f"


def test_keys_of_one_action_share_nothing_with_another_by_default() -> None:
    assert keymap_problems({}) == []
    assert len(set(BINDING_IDS)) == len(KEY_SPECS)


def test_question_mark_is_the_same_key_as_its_long_name() -> None:
    assert keymap_problems({"tune": "?"}) == [
        "question_mark is bound to both tune and help_alt; give one of them another key"]


def test_the_history_views_keys_are_remappable_and_checked() -> None:
    assert keymap_problems({"pnl": "$", "trades": "f7"}) == []
    assert keymap_problems({"pnl": "h"}) == ["h is bound to both trades and pnl; give one of them another key"]
