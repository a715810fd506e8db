"""Widgets without a browser, classroom polish: every control is labelled and explained,
projector mode, and the legend's own line spacing. (That Space and Enter repeat a clicked
button in JupyterLab is checked in the browser: tests/browser/test_projector_keys.py.)"""

from __future__ import annotations

import ipywidgets as ipw
import pytest

import smallgrad as t
from widgets import BackwardStepper, GraphView, render


def small_graph():
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    b = t.tensor(1.0, requires_grad=True)
    return w * x + b


def walk(widget):
    """Every widget in the tree under `widget` (children of boxes), itself first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def make(kind: str, large: bool):
    z = small_graph()
    return (BackwardStepper(z, names={}, large=large) if kind == "stepper"
            else GraphView(z, names={}, large=large))


@pytest.mark.parametrize("large", [False, True], ids=["normal", "projector"])
@pytest.mark.parametrize("kind", ["stepper", "graphview"])
def test_every_control_has_a_label_and_a_tooltip(kind, large):
    widget = make(kind, large).widget
    controls = list(walk(widget))
    buttons = [w for w in controls if isinstance(w, ipw.Button)]
    if kind == "stepper":
        assert len(buttons) == 4
    for button in buttons:
        assert button.description.strip(), f"a button without a label: {button}"
        assert button.tooltip and button.tooltip.strip(), \
            f"the button {button.description!r} has no tooltip"
    for toggle in (w for w in controls if isinstance(w, ipw.ToggleButtons)):
        # each option is a button labelled by its own text (a description would take a row)
        assert all(str(option).strip() for option in toggle.options)
        assert len(toggle.tooltips) == len(toggle.options)
        assert all(tip.strip() for tip in toggle.tooltips)
    labelled = (ipw.IntSlider, ipw.Play, ipw.Dropdown)
    for control in (w for w in controls if isinstance(w, labelled)):
        assert control.description.strip(), f"{type(control).__name__} has no description"
    for control in (w for w in controls if isinstance(w, (ipw.IntSlider, ipw.Play))):
        assert control.tooltip and control.tooltip.strip()


def test_the_stepping_buttons_name_their_keys():
    stepper = make("stepper", large=True)
    tips = {b.description: b.tooltip for b in stepper.buttons}
    assert list(tips) == ["⏮ start", "◀ back", "next ▶", "end ⏭"]
    assert "Space or Enter" in tips["next ▶"] and "Space or Enter" in tips["◀ back"]
    assert "runs nothing again" in tips["◀ back"] and "runs nothing again" in tips["⏮ start"]


@pytest.mark.parametrize("kind", ["stepper", "graphview"])
def test_the_legend_has_its_own_tight_line_spacing(kind):
    legends = [w for w in walk(make(kind, large=False).widget)
               if isinstance(w, ipw.HTML) and "sg-legend" in w.value]
    assert len(legends) == 1
    value = legends[0].value
    # the widget's content box sets line-height to one control's height (28px): override it
    assert "line-height:1.35" in value and "<small>" not in value
    assert "bold blue ellipse: a leaf" in value
    big = [w for w in walk(make(kind, large=True).widget)
           if isinstance(w, ipw.HTML) and "sg-legend" in w.value]
    assert "font-size:15px" in big[0].value and "font-size:11px" in value


def test_projector_mode_stacks_the_card_and_the_details():
    normal, big = make("stepper", large=False), make("stepper", large=True)
    assert isinstance(normal.widget.children[-2], ipw.HBox)  # side by side
    panels = big.widget.children[-1]
    assert isinstance(panels, ipw.VBox) and panels.children[0] is big._card
    for stepper in (normal, big):  # long lines wrap between words, never inside one
        assert "word-break:normal" in stepper._card.value
        assert "word-break:normal" in stepper._details.value


def test_the_legend_is_escaped():
    assert "&lt;b&gt;" in render.legend_html("<b>") and "<b>" not in render.legend_html("<b>")
