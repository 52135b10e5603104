"""Live tuning: a form generated from a strategy's pydantic parameter model.

Every field shows its current value, default, allowed range and description. Input is
validated by the model itself as it is typed; a refused value shows the model's reason next
to the field and Apply stays refused. Apply sends one ``SetStrategyParams`` with only the
changed values (the engine journals old and new, then applies them atomically between
events); "Revert to defaults" sends ``revert_to_defaults=True``.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from hft_tui.config.field_bounds import FieldBounds
from hft_tui.session.engine_snapshot import StrategyView
from hft_tui.trading.commands import SetStrategyParams
from hft_tui.tui.screens.form_screen import FormScreen


def format_value(value: Any) -> str:
    """A parameter value as the operator types it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    if hasattr(value, "value"):  # enums
        return str(value.value)
    return str(value)


def parse_raw(raw: str) -> Any:
    """What the model is given for ``raw``: JSON for lists/objects, the text itself otherwise
    (pydantic's lax mode turns '12', '0.5', 'true' into the field's type)."""
    stripped = raw.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except ValueError:
            return stripped
    return stripped


def validate_form(model: type[BaseModel], current: dict[str, Any], raw: dict[str, str]
                  ) -> tuple[BaseModel | None, dict[str, str], str]:
    """Validate ``current`` overlaid with the typed ``raw`` values.

    Returns (the model instance or None, {field: reason} for refused fields, a reason that
    belongs to no single field, e.g. a cross-field rule).
    """
    values = {**current, **{name: parse_raw(text) for name, text in raw.items()}}
    try:
        return model(**values), {}, ""
    except ValidationError as exc:
        field_errors: dict[str, str] = {}
        general: list[str] = []
        for error in exc.errors():
            loc = error.get("loc", ())
            message = str(error.get("msg", "invalid"))
            if loc and loc[0] in model.model_fields:
                field_errors.setdefault(str(loc[0]), message)
            else:
                general.append(message.removeprefix("Value error, "))
        return None, field_errors, "; ".join(general)


def field_help(model: type[BaseModel], name: str, default: Any) -> str:
    """'default 1.2 · > 0 and <= 50 · Move from the window's low …'."""
    info = model.model_fields[name]
    parts = [f"default {format_value(default)}"]
    allowed = FieldBounds.of(info).allowed()
    if allowed:
        parts.append(allowed)
    if info.description:
        parts.append(info.description)
    return " · ".join(parts)


class TuningScreen(FormScreen[SetStrategyParams | None]):
    """Dismisses with the command to send, or None when cancelled."""

    DEFAULT_CSS = """
    TuningScreen { align: center middle; }
    TuningScreen > Vertical {
        width: 100; max-width: 98%; height: 90%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    TuningScreen #fields { height: 1fr; }
    TuningScreen .field-row { height: 1; }
    TuningScreen .field-name.-tuned { color: $accent; text-style: bold; }
    TuningScreen Input { width: 1fr; max-width: 30; }
    TuningScreen Input.-invalid { background: $error 40%; }
    TuningScreen .field-help { color: $text-muted; height: auto; padding-left: 2; }
    TuningScreen .field-error { color: $error; text-style: bold; height: auto; padding-left: 2; }
    TuningScreen .field-error.-empty { display: none; }
    TuningScreen #form-error { color: $error; text-style: bold; height: auto; }
    TuningScreen #buttons { height: 1; align: right middle; }
    TuningScreen Button { margin-left: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    # The fields of the strategies with short names line up at one column; a longer name widens
    # its form's column (the "✎ " mark, the name, a gap).
    NAME_MIN_WIDTH = 26

    def __init__(self, strategy: StrategyView) -> None:
        super().__init__()
        self.strategy = strategy
        self.model: type[BaseModel] = strategy.params_model
        self._shown_values = {name: format_value(strategy.params.get(name, info.default))
                              for name, info in self.model.model_fields.items()}
        self.field_errors: dict[str, str] = {}
        self.form_error = ""

    def compose(self) -> ComposeResult:
        strategy = self.strategy
        with Vertical() as box:
            box.border_title = f"Tune {strategy.name}"
            box.border_subtitle = "enter: apply · esc: cancel"
            yield Static("Applied from the next event and journaled in the WAL. "
                         "✎ marks tuned values.", markup=False)
            name_width = max([self.NAME_MIN_WIDTH, *(len(name) + 3 for name in self.model.model_fields)])
            with VerticalScroll(id="fields"):
                for name in self.model.model_fields:
                    tuned = name in strategy.tuned
                    with Horizontal(classes="field-row"):
                        label = Label(("✎ " if tuned else "  ") + name,
                                      classes="field-name -tuned" if tuned else "field-name")
                        label.styles.width = name_width
                        yield label
                        yield Input(self._shown_values[name], id=f"field-{name}", select_on_focus=False,
                                    compact=True)
                    yield Static(field_help(self.model, name, strategy.defaults.get(
                        name, self.model.model_fields[name].default)), classes="field-help", markup=False)
                    yield Static("", id=f"error-{name}", classes="field-error -empty", markup=False)
            yield Static("", id="form-error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Apply", id="apply", variant="primary", compact=True)
                yield Button("Revert to defaults", id="revert", variant="warning", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        for field_input in self.query(Input):
            field_input.cursor_blink = False

    def typed_changes(self) -> dict[str, str]:
        """The fields whose text differs from the current value."""
        changes: dict[str, str] = {}
        for name in self.model.model_fields:
            text = self.query_one(f"#field-{name}", Input).value
            if text.strip() != self._shown_values[name]:
                changes[name] = text
        return changes

    def validate_inputs(self) -> BaseModel | None:
        """Validate the form; shows every refusal next to its field. None if anything is refused."""
        instance, self.field_errors, self.form_error = validate_form(
            self.model, dict(self.strategy.params), self.typed_changes())
        for name in self.model.model_fields:
            error = self.field_errors.get(name, "")
            label = self.query_one(f"#error-{name}", Static)
            label.update(f"✗ {error}" if error else "")
            label.set_class(not error, "-empty")
            self.query_one(f"#field-{name}", Input).set_class(bool(error), "-invalid")
        self.query_one("#form-error", Static).update(f"✗ {self.form_error}" if self.form_error else "")
        return instance

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.validate_inputs()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply":
            self.apply()
        elif event.button.id == "revert":
            self.dismiss(SetStrategyParams(self.strategy.name, {}, revert_to_defaults=True))
        else:
            self.dismiss(None)

    def apply(self) -> None:
        """Send the changed values if the model accepts them all; otherwise stay, errors shown."""
        instance = self.validate_inputs()
        if instance is None:
            self.app.bell()
            return
        changed = self.typed_changes()
        if not changed:
            self.query_one("#form-error", Static).update("nothing changed: edit a value, or esc to close")
            return
        values = {name: getattr(instance, name) for name in changed}
        self.dismiss(SetStrategyParams(self.strategy.name, values))

    def action_cancel(self) -> None:
        self.dismiss(None)
