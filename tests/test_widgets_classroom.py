"""Widgets without a browser, classroom polish: every control is explained, projector mode,
hovering, the log's heading. What the page does with these (titles on every control, the
card beside the graph, the log keeping its place) is checked in the browser:
tests/browser/test_frontends.py."""

from __future__ import annotations

import re

import pytest

import smallgrad as t
from widgets import BackwardStepper, GraphView, front


def small_graph():
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    b = t.tensor(1.0, requires_grad=True)
    return w * x + b


def make(kind: str, large: bool):
    z = small_graph()
    return (BackwardStepper(z, names={}, large=large) if kind == "stepper"
            else GraphView(z, names={}, large=large))


# Every `tip.<name>` front.js gives a control as its title, and which widget has that control.
TIPS_USED = set(re.findall(r"\btip\.(\w+)", front.ESM))
GRAPHVIEW_CONTROLS = {"zoom", "pick", "details"}


@pytest.mark.parametrize("large", [False, True], ids=["normal", "projector"])
@pytest.mark.parametrize("kind", ["stepper", "graphview"])
def test_every_control_has_a_tooltip(kind, large):
    setup = make(kind, large).widget.setup
    tips = setup["tooltips"]
    needed = TIPS_USED if kind == "stepper" else GRAPHVIEW_CONTROLS
    assert {"start", "back", "next", "end", "play", "slider", "zoom", "pick"} <= TIPS_USED
    for name in needed:
        assert tips.get(name, "").strip(), f"the {name!r} control has no tooltip"
    for view, tip in setup["views"]:  # the view toggle: each button its own text and tip
        assert view.strip() and tip.strip()


def test_the_stepping_tooltips_name_their_keys():
    tips = make("stepper", large=True).widget.setup["tooltips"]
    assert "Space or Enter" in tips["next"] and "Space or Enter" in tips["back"]
    assert "→" in tips["next"] and "←" in tips["back"]
    assert "Home" in tips["start"] and "End" in tips["end"]
    assert "runs nothing again" in tips["back"] and "runs nothing again" in tips["start"]


@pytest.mark.parametrize("kind", ["stepper", "graphview"])
def test_the_legend_goes_as_text(kind):
    setup = make(kind, large=False).widget.setup
    assert "bold blue ellipse: a leaf" in setup["legend"]  # front.js sets it as textContent
    assert ".sg-root .sg-legend" in front.CSS


def test_projector_mode_enlarges_everything_and_puts_the_card_beside_the_graph():
    big = make("stepper", large=True)
    assert big.widget.setup["large"]
    # one size for every part (counter, buttons, slider, dropdown, card, details) ...
    assert ".sg-root.sg-large { --sg-size: 20px; }" in front.CSS
    for part in (".sg-button", ".sg-pick", "pre.sg-card"):
        rule = re.search(re.escape(part) + r"[^{]*\{([^}]*)\}", front.CSS).group(1)
        assert "font-size: var(--sg-size)" in rule, part
    # ... and on a wide cell, the card beside the picture
    assert re.search(r"@container \(min-width: \d+px\) \{\s*\.sg-root\.sg-large \.sg-main "
                     r"\{ grid-template-columns:", front.CSS)


def test_hovering_a_node_says_its_name_shape_and_grad_never_an_internal_id():
    w = t.tensor([1.0, 2.0], requires_grad=True)
    z = (w * 3).sum()
    stepper = BackwardStepper(z, names={"w": w, "z": z})
    tips = stepper.widget.picture["tips"]
    assert tips, "no tips"
    for nid, tip in tips.items():
        assert not re.search(r"\b[ncvs]\d+(_\d+)?\b", tip), (nid, tip)
    w_id = next(nid for nid, tip in tips.items() if tip.startswith("w "))
    assert "shape [2]" in tips[w_id]
    assert stepper.widget.state["grads"][w_id] == "None"
    stepper.run_to_end()
    assert stepper.widget.state["grads"][w_id] == "[3., 3.]"
    if stepper.widget.picture["svg"]:  # Graphviz's own titles (n0, v0_0) are gone
        titles = re.findall(r"<title>([^<]*)</title>", stepper.widget.picture["svg"])
        assert not any(re.fullmatch(r"[ncvseo]\d+(_\d+)?(&#45;&gt;.*)?", x) for x in titles)


def test_picking_a_node_marks_it_on_the_graph():
    stepper = make("stepper", large=False)
    leaf = next(i for _, i in stepper.widget.picture["picks"] if i)
    stepper.widget.request({"type": "pick", "id": leaf})
    assert stepper.selected == leaf and stepper.widget.state["marks"]["selected"] == [leaf]
    stepper.widget.request({"type": "pick", "id": ""})
    assert stepper.widget.state["marks"]["selected"] == []


def test_the_log_has_a_heading_and_its_tail_goes_with_each_step():
    stepper = make("stepper", large=False)
    assert stepper.widget.setup["log_heading"].startswith("log")
    stepper.run_to_end()
    assert stepper.widget.state["log"] == stepper.log[-len(stepper.widget.state["log"]):]
