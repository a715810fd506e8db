"""Widgets without a browser, part 2: BackwardStepper, driven from Python and by .click()."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
from pagekit import click

import smallgrad as t
from smallgrad.autograd import (
    AccumulateStep,
    EdgeStep,
    FreeStep,
    Function,
    HookStep,
    backward_steps,
)
from widgets import BackwardStepper, front, render

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed")
ACTIVE = re.compile(r'<g id="([^"]+)" class="[^"]*\bactive\b[^"]*"')


def seed_graph():
    w = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = t.tensor([4.0, 5.0, 6.0], requires_grad=True)
    b = t.tensor([0.5, 0.5, 0.5], requires_grad=True)
    y = w * x
    z = (y + b).sum()
    return w, x, b, y, z


def graphs():
    """Several graphs, each built twice from the same code: (name, make)."""
    def seed():
        w, x, b, _, z = seed_graph()
        return z, [w, x, b], None

    def fan_out():  # the seed's y = x² eˣ: x is used by POW and by EXP
        x = t.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), requires_grad=True)
        y = x ** 2 * t.exp(x)
        return y, [x], t.ones(2, 3)

    def broadcast():
        w = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = t.tensor([0.5], requires_grad=True)
        c = t.tensor([1.0, -1.0])  # needs no grad
        return ((w * c + b) / 2).mean(), [w, b], None

    def shared():  # a result used twice, and a leaf used three times
        a = t.tensor([1.0, 2.0], requires_grad=True)
        h = a * a
        return (h * a + h.exp()).sum(), [a], None

    return {"seed": seed, "fan_out": fan_out, "broadcast": broadcast, "shared": shared}


def count_edges(root, gradient) -> int:
    """An independent count: run the engine once on a copy and count its EdgeSteps."""
    return sum(isinstance(step, EdgeStep) for step in backward_steps(root, gradient))


# --- steps = edges, one active edge each ----------------------------------------------------

@pytest.mark.parametrize("name", list(graphs()))
def test_step_count_equals_the_number_of_edges(name):
    root, _, gradient = graphs()[name]()
    stepper = BackwardStepper(root, gradient, names={})
    other_root, _, other_gradient = graphs()[name]()
    assert stepper.n_steps == count_edges(other_root, other_gradient)
    stepper.run_to_end()
    assert stepper.position == stepper.n_steps
    assert sum(1 for step in stepper._steps if step.edge is not None) == stepper.n_steps


@needs_dot
@pytest.mark.parametrize("name", list(graphs()))
def test_each_step_has_exactly_one_active_edge(name):
    root, _, gradient = graphs()[name]()
    stepper = BackwardStepper(root, gradient, names={})
    assert ACTIVE.findall(stepper.svg) == []
    seen = []
    for k in range(1, stepper.n_steps + 1):
        stepper.step()
        active = ACTIVE.findall(stepper.svg)
        assert len(active) == 1, (k, active)
        edge = stepper.current
        expected = stepper._graphs["forward"].edge_id(edge.src, edge.index)
        assert active[0] == stepper._prefix + expected
        assert stepper.widget.state["marks"]["active"] == [expected]  # what the page marks
        seen.append(active[0])
    assert len(set(seen)) == stepper.n_steps  # every edge once: x*x's two edges are distinct


@pytest.mark.parametrize("name", list(graphs()))
def test_run_to_end_gives_the_grads_of_backward(name):
    root, leaves, gradient = graphs()[name]()
    BackwardStepper(root, gradient, names={}).run_to_end()
    other_root, other_leaves, other_gradient = graphs()[name]()
    other_root.backward(other_gradient)
    for mine, theirs in zip(leaves, other_leaves):
        np.testing.assert_array_equal(mine.grad.numpy(), theirs.grad.numpy())


def test_stepping_back_and_forth_does_not_change_the_result():
    w, _, b, _, z = seed_graph()
    stepper = BackwardStepper(z, names={})
    stepper.go(3)
    stepper.back()
    stepper.reset()
    stepper.run_to_end()
    stepper.back()
    stepper.step()
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0, 1.0])


# --- hooks fire live, once ------------------------------------------------------------------

def test_a_hook_fires_exactly_at_its_step_and_never_again():
    w, x, b, y, z = seed_graph()
    calls = []

    def double(grad):
        calls.append(grad.numpy().copy())
        print("y's grad is", grad)
        return grad * 2

    y.register_hook(double)
    stepper = BackwardStepper(z, names={"w": w, "x": x, "b": b, "y": y, "z": z})
    fired_at = None
    for k in range(1, stepper.n_steps + 1):
        stepper.step()
        if calls and fired_at is None:
            fired_at = k
            # the hook ran in this step (its HookStep is one of this step's records) ...
            assert any(isinstance(r, HookStep) for r in stepper.records)
            # ... just before MUL's first edge, and what it printed is in the log now
            assert stepper.current.src is y.grad_fn
            assert "printed: y's grad is tensor([1., 1., 1.])" in "\n".join(stepper.log)
            assert "returned [2., 2., 2.] (used instead)" in stepper.card
        elif fired_at is None:
            assert "y's grad" not in "\n".join(stepper.log)
    assert fired_at == 4 and len(calls) == 1  # SUM→t, ADD→y, ADD→b, then MUL→w
    for move in ("back", "back", "back", "step", "step", "reset", "run_to_end", "back"):
        getattr(stepper, move)()
        assert len(calls) == 1, move  # replayed from the records, never run again
    stepper.go(fired_at - 1)
    assert "y's grad" not in "\n".join(stepper.log)
    stepper.step()
    assert "printed: y's grad is" in "\n".join(stepper.log) and len(calls) == 1
    np.testing.assert_array_equal(w.grad.numpy(), [8.0, 10.0, 12.0])  # the hook's 2x used


def test_a_leaf_hook_fires_with_its_accumulate_grad():
    _, _, b, _, z = seed_graph()
    calls = []
    b.register_hook(lambda g: calls.append(1))
    stepper = BackwardStepper(z, names={"b": b})
    while not calls:
        stepper.step()
    assert stepper.current.dst is b._edge()[0]  # the edge into b, then b's AccumulateGrad
    assert [type(r) for r in stepper.records][-2:] == [HookStep, AccumulateStep]
    assert "<lambda>: ran, saw [1., 1., 1.], returned None" in stepper.details


def test_retain_grad_fills_in_when_reached():
    _, _, _, y, z = seed_graph()
    y.retain_grad()
    stepper = BackwardStepper(z, names={"y": y})
    stepper.go(3)
    stepper.selected = stepper._graphs["forward"].var_id(y.grad_fn, 0)
    assert "(not kept: y is not a leaf" in stepper.details
    stepper.step()
    assert ".grad          tensor([1., 1., 1.])" in stepper.details
    stepper.back()
    assert "(not kept: y is not a leaf" in stepper.details


def test_a_raising_hook_is_shown_and_raised():
    _, _, _, y, z = seed_graph()

    def broken(grad):
        raise ValueError("this hook is broken")

    y.register_hook(broken)
    stepper = BackwardStepper(z, names={})
    stepper.go(3)
    with pytest.raises(ValueError, match="broken"):
        stepper.step()
    assert "ValueError: this hook is broken" in stepper.card
    assert stepper.n_steps == stepper.position == 4
    click(stepper, "back")  # back still works, and a click never raises
    assert stepper.position == 3
    click(stepper, "next")
    assert stepper.position == 4 and "this hook is broken" in stepper.widget.state["card"]


# --- the card and the details ---------------------------------------------------------------

def test_the_card_shows_the_chain_rule_with_numbers_and_shapes():
    w, x, b, y, z = seed_graph()
    stepper = BackwardStepper(z, names={"w": w, "x": x, "b": b, "y": y, "z": z})
    while stepper.current is None or stepper.current.dst is not w._edge()[0]:
        stepper.step()
    card = stepper.card
    assert "∂z/∂w = ∂z/∂y · ∂y/∂w" in card
    assert "= [1., 1., 1.] ⊙ x" in card  # ⊙: elementwise, the grad is a tensor
    assert "= [4., 5., 6.]" in card
    assert "shapes: ∂z/∂y [3] → ∂z/∂w [3]" in card


def test_the_card_names_a_broadcast_reduction():
    w = t.ones(2, 3, requires_grad=True)
    b = t.tensor([0.5], requires_grad=True)
    z = (w + b).sum()
    stepper = BackwardStepper(z, names={"w": w, "b": b, "z": z})
    cards = []
    for _ in range(stepper.n_steps):
        stepper.step()
        cards.append(stepper.card)
    into_b = next(c for c in cards if "∂z/∂b =" in c)
    assert ("broadcast: b has shape [1] but AddBackward0 used it as [2, 3], so its grad is "
            "summed over dim 0 (size 2), dim 1 (size 3): [2, 3] → [1]") in into_b
    assert not any("broadcast" in c for c in cards if "∂z/∂w =" in c)


def test_fan_out_shows_both_parts_and_their_sum():
    x = t.tensor([2.0, 3.0], requires_grad=True)
    z = (x * x).sum()
    stepper = BackwardStepper(z, names={"x": x, "z": z})
    stepper.go(2)
    assert "∂z/∂x (part 1)" in stepper.card and "sum of the parts" not in stepper.card
    assert "grad so far    [2., 3.]" in stepper.details
    assert "None   (not computed" in stepper.details
    stepper.step()
    assert "∂z/∂x (part 2)" in stepper.card
    assert ("∂z/∂x so far = [2., 3.]   (part 1, from MulBackward0)\n"
            "             + [2., 3.]   (part 2, from MulBackward0)\n"
            "             = [4., 6.]") in stepper.card  # one part per line, then the sum
    assert "(sum so far: [4., 6.])" in stepper.log[-2]
    assert ".grad          tensor([4., 6.])" in stepper.details


def test_none_and_zero_grads_look_different_while_stepping():
    a = t.ones(2, requires_grad=True)
    c = t.ones(2, requires_grad=True)
    c.grad = t.zeros(2)
    z = (a * c).sum()
    stepper = BackwardStepper(z, names={"a": a, "c": c})
    ids = {n.name: n.id for n in stepper._graphs["forward"].nodes.values() if n.name}
    stepper.selected = ids["a"]
    assert ".grad          None   (not computed yet)" in stepper.details
    stepper.widget.request({"type": "pick", "id": ids["c"]})  # the page's "details of"
    assert ".grad          tensor([0., 0.])" in stepper.details
    stepper.run_to_end()
    assert ".grad          tensor([1., 1.])" in stepper.details


def test_saved_tensors_show_as_freed_once_their_node_ran():
    _, _, _, y, z = seed_graph()
    stepper = BackwardStepper(z, names={})
    stepper.view = "autograd"
    mul = f"n{stepper._graphs['forward'].rank[y.grad_fn]}"
    stepper.go(3)
    marks = stepper.widget.state["marks"]
    assert marks["freed"] == [] and marks["gone"] == []
    stepper.go(4)  # MulBackward0 runs and frees what it saved
    assert "MulBackward0 freed its saved tensors" in stepper.card
    marks = stepper.widget.state["marks"]
    assert mul in marks["freed"]  # its box is dashed
    assert marks["gone"] and all(re.fullmatch(r"s\d+_\d+", i) for i in marks["gone"])
    assert f'<g id="{stepper._prefix}{mul}" class="freed ' in stepper.svg
    stepper.back()
    assert stepper.widget.state["marks"]["gone"] == []


# --- retain_graph, the end state -------------------------------------------------------------

def test_without_retain_graph_the_buffers_are_freed_as_after_backward():
    _, _, _, y, z = seed_graph()
    BackwardStepper(z, names={}).run_to_end()
    assert y.grad_fn._saved == () and y.grad_fn._freed
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()


def test_retain_graph_keeps_the_buffers():
    w, _, _, y, z = seed_graph()
    stepper = BackwardStepper(z, names={}, retain_graph=True)
    stepper.run_to_end()
    assert len(y.grad_fn._saved) == 2 and not y.grad_fn._freed
    records = [p.record for s in stepper._steps for p in s.records]
    assert records and not any(isinstance(r, FreeStep) for r in records)
    z.backward()  # a second backward works and accumulates
    np.testing.assert_array_equal(w.grad.numpy(), [8.0, 10.0, 12.0])


def test_n_steps_is_exact_when_a_function_returns_no_grad():
    class Half(Function):  # returns None for its second input, although it requires grad
        @staticmethod
        def forward(ctx, a, b):
            return a * 0.5 + b * 0

        @staticmethod
        def backward(ctx, grad):
            return grad * 0.5, None

    a = t.ones(2, requires_grad=True)
    b = t.ones(2, requires_grad=True)
    z = Half.apply(a, b).sum()
    stepper = BackwardStepper(z, names={})
    stepper.run_to_end()
    assert stepper.n_steps == stepper.position == 2  # SUM → Half, Half → a
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 0.5])
    assert b.grad is None


def test_a_leaf_root_has_a_single_step_without_an_edge():
    w = t.ones(2, requires_grad=True)
    stepper = BackwardStepper(w, gradient=t.ones(2), names={"w": w})
    assert stepper.n_steps == 1
    stepper.step()
    assert stepper.current is None and ACTIVE.findall(stepper.svg) == []
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0])


def test_bad_arguments_raise_at_once():
    z = seed_graph()[-1]
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        BackwardStepper(z, gradient=t.ones(3))


# --- the widget -------------------------------------------------------------------------------

def test_buttons_by_click():
    w, _, _, _, z = seed_graph()
    stepper = BackwardStepper(z, names={})
    tips = stepper.widget.setup["tooltips"]
    assert all(tips[b] for b in ("start", "back", "next", "end", "play", "slider", "zoom"))
    assert [b.description for b in stepper.buttons] == ["⏮ start", "◀ back", "next ▶", "end ⏭"]
    assert [b.tooltip for b in stepper.buttons] == [tips[b.name] for b in stepper.buttons]
    click(stepper, "next")
    click(stepper, "next")
    assert stepper.position == 2 and stepper.widget.state["position"] == 2
    click(stepper, "back")
    assert stepper.position == 1
    click(stepper, "end")
    assert stepper.position == stepper.n_steps == stepper.widget.state["position"]
    click(stepper, "start")
    assert stepper.position == 0
    stepper.widget.request({"type": "go", "position": 3})  # the slider and play send the same
    assert stepper.position == 3
    np.testing.assert_array_equal(w.grad.numpy(), [4.0, 5.0, 6.0])
    stepper.widget.request({"type": "go", "position": "nonsense"})  # never raises
    assert stepper.position == 3


def test_each_answer_carries_the_requests_seq_so_the_page_shows_the_newest():
    z = seed_graph()[-1]
    stepper = BackwardStepper(z, names={})
    stepper.widget.request({"type": "go", "position": 2, "seq": 7})
    assert stepper.widget.state["seq"] == 7 and stepper.widget.state["position"] == 2
    stepper.step()  # from Python: the page shows it too (seq no older than its last request)
    assert stepper.widget.state["seq"] == 7 and stepper.widget.state["position"] == 3


def test_repr_is_a_stable_summary():
    z = seed_graph()[-1]
    stepper = BackwardStepper(z, names={"z": z})
    assert repr(stepper) == "BackwardStepper(z): step 0/5"
    stepper.step()
    assert repr(stepper) == "BackwardStepper(z): step 1/5"
    bundle = stepper._repr_mimebundle_()
    assert bundle["text/plain"] == "BackwardStepper(z): step 1/5"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert repr(stepper.widget) == repr(stepper)  # anywidget's default holds an address


@needs_dot
def test_each_step_sends_only_a_small_state_and_lays_out_once(monkeypatch):
    z = seed_graph()[-1]
    layouts = []
    real = render.render_svg.__wrapped__
    monkeypatch.setattr(render, "render_svg", lambda dot: layouts.append(dot) or real(dot))
    stepper = BackwardStepper(z, names={})
    sent = []
    stepper.widget.observe(lambda change: sent.append(change["name"]), ["picture", "state"])
    picture = stepper.widget.picture
    for _ in range(stepper.n_steps):
        stepper.step()
        assert stepper.widget.picture is picture  # the big SVG is never sent again
        assert len(json.dumps(stepper.widget.state)) < 4000  # marks, card, details, log tail
    assert sent == ["state"] * stepper.n_steps
    assert len(layouts) == 1
    stepper.view = "autograd"  # the other view: laid out once, when first shown
    stepper.back()
    stepper.view = "forward"
    stepper.view = "autograd"
    assert len(layouts) == 2


def test_two_steppers_have_their_own_id_prefix():
    z = seed_graph()[-1]
    one, two = BackwardStepper(z, names={}, retain_graph=True), BackwardStepper(z, names={})
    assert one._prefix != two._prefix
    assert one.widget.setup["prefix"] == one._prefix
    if shutil.which("dot"):
        assert f'id="{one._prefix}' in one.widget.picture["svg"]
        assert two._prefix not in one.widget.picture["svg"]


def test_large_mode_uses_bigger_fonts_and_a_compact_layout():
    z = seed_graph()[-1]
    normal = BackwardStepper(z, names={}, retain_graph=True)
    big = BackwardStepper(z, names={}, large=True)
    assert big.widget.setup["large"] and not normal.widget.setup["large"]  # front.css: 20px
    assert "--sg-size: 20px" in front.CSS
    assert ".sg-large .sg-logpanel { display: none; }" in front.CSS  # the log stays in Python
    if shutil.which("dot"):
        sizes = lambda s: set(re.findall(r'font-size="([\d.]+)"', s.svg))  # noqa: E731
        assert max(map(float, sizes(big))) > max(map(float, sizes(normal)))


def test_the_stepper_keeps_its_own_copies_of_grad():
    """A second backward adds into .grad in place; the stepper's before/after are copies,
    so stepping back still shows what .grad held then."""
    w = t.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    z = (w * w).sum()
    stepper = BackwardStepper(z, names={"w": w, "z": z})
    stepper.run_to_end()
    assert w.grad.tolist() == [5.0, 7.0]  # 3 + 2w, added in place
    (pulled,) = [p for s in stepper._steps for p in s.records
                 if isinstance(p.record, AccumulateStep)]
    assert pulled.before.tolist() == [3.0, 3.0] and pulled.after.tolist() == [5.0, 7.0]
    assert pulled.after is not w.grad
    assert any("[3., 3.]" in line and "[5., 7.]" in line for line in stepper.log)
    stepper.selected = "n1"  # w
    assert "[5., 7.]" in stepper.details
    stepper.reset()
    assert "[3., 3.]" in stepper.details and "[5., 7.]" not in stepper.details
