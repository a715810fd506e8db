"""The backward engine as a generator of steps: smallgrad.autograd.backward_steps.

backward() runs the generator to its end; the widgets take its steps one at a time.
These tests walk it by hand: which steps come, in which order, what each one carries,
when hooks fire, and what is freed.
"""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest

import smallgrad as t
from smallgrad.autograd import (
    AccumulateGrad,
    AccumulateStep,
    CallStep,
    EdgeStep,
    FreeStep,
    HookStep,
    RootStep,
    backward_steps,
)


def name(node) -> str:
    return node.name().replace("smallgrad::autograd::", "")


def summary(step) -> tuple:
    """A step in a few words, e.g. ("edge", "MulBackward0", "AccumulateGrad", [3.0])."""
    if isinstance(step, RootStep):
        return ("root", name(step.node), step.grad.tolist())
    if isinstance(step, CallStep):
        return ("call", name(step.node))
    if isinstance(step, FreeStep):
        return ("free", name(step.node))
    if isinstance(step, EdgeStep):
        return ("edge", name(step.src), name(step.dst), step.grad.tolist())
    if isinstance(step, HookStep):
        return ("hook", name(step.node), step.grad_in.tolist(), step.grad_out.tolist())
    if isinstance(step, AccumulateStep):
        # the leaf's value, the grad added, and .grad right after (read when the step comes)
        return ("accumulate", step.variable.tolist(), step.grad.tolist(),
                step.variable.grad.tolist())
    raise AssertionError(f"unknown step {step!r}")


def wxb():
    """The seed's graph: z = w x + b."""
    w = t.tensor([2.0], requires_grad=True)
    x = t.tensor([3.0], requires_grad=True)
    b = t.tensor([1.0], requires_grad=True)
    return w, x, b, w * x + b


# --- the steps of z = w x + b ----------------------------------------------------------------
def test_steps_of_wx_plus_b():
    w, x, b, z = wxb()
    assert [summary(s) for s in backward_steps(z)] == [
        ("root", "AddBackward0", [1.0]),
        ("call", "AddBackward0"),
        ("edge", "AddBackward0", "MulBackward0", [1.0]),  # y = w x
        ("edge", "AddBackward0", "AccumulateGrad", [1.0]),  # b
        ("accumulate", [1.0], [1.0], [1.0]),  # b.grad: a leaf's grad is stored at once
        ("call", "MulBackward0"),
        ("free", "MulBackward0"),  # it saved w and x; it no longer needs them
        ("edge", "MulBackward0", "AccumulateGrad", [3.0]),  # dz/dw = x
        ("edge", "MulBackward0", "AccumulateGrad", [2.0]),  # dz/dx = w
        ("accumulate", [2.0], [3.0], [3.0]),  # w.grad
        ("accumulate", [3.0], [2.0], [2.0]),  # x.grad
    ]
    assert (w.grad.item(), x.grad.item(), b.grad.item()) == (3.0, 2.0, 1.0)


def test_steps_carry_the_nodes_of_the_graph():
    w, x, b, z = wxb()
    steps = list(backward_steps(z))
    add, mul = z.grad_fn, z.grad_fn.next_functions[0][0]
    assert steps[0].node is add and steps[0].slot == 0
    assert steps[1].node is add and [g.item() for g in steps[1].grad_inputs] == [1.0, 1.0]
    edge = steps[2]
    assert (edge.src, edge.index, edge.dst, edge.dst_slot) == (add, 0, mul, 0)
    to_w = steps[7]
    assert to_w.src is mul and isinstance(to_w.dst, AccumulateGrad)
    assert to_w.dst.variable is w and to_w.dst is mul.next_functions[0][0]
    assert [s.variable for s in steps if isinstance(s, AccumulateStep)] == [b, w, x]


def test_a_second_backward_adds_into_the_same_grad_tensor():
    w, _, _, z = wxb()
    z.backward(retain_graph=True)
    first_grad_of_w = w.grad
    seen = [(s.grad.item(), s.variable.grad.item()) for s in backward_steps(z)
            if isinstance(s, AccumulateStep)]
    assert seen == [(1, 2), (3, 6), (2, 4)]  # (grad added, .grad after) for b, w, x
    assert w.grad is first_grad_of_w  # in place, as PyTorch: `g = w.grad` sees the sum


# --- dependency counting ------------------------------------------------------------------
def test_fan_out_sends_two_edges_into_one_accumulate_grad():
    x = t.tensor([3.0], requires_grad=True)
    y = x * x  # x used twice: two edges into x's AccumulateGrad
    steps = [summary(s) for s in backward_steps(y)]
    assert steps == [
        ("root", "MulBackward0", [1.0]),
        ("call", "MulBackward0"),
        ("free", "MulBackward0"),
        ("edge", "MulBackward0", "AccumulateGrad", [3.0]),
        ("edge", "MulBackward0", "AccumulateGrad", [3.0]),
        ("accumulate", [3.0], [6.0], [6.0]),  # once, with the sum
    ]


def test_edge_total_is_the_sum_so_far():
    x = t.tensor([3.0], requires_grad=True)
    edges = [s for s in backward_steps(x * x) if isinstance(s, EdgeStep)]
    first, second = edges
    assert first.dst is second.dst and first.dst_slot == second.dst_slot == 0
    assert first.total.item() == 3.0 and second.total.item() == 6.0
    assert not first.ready and second.ready  # the second one was the last awaited


def test_a_node_runs_after_all_its_grads_arrived():
    x = t.tensor([0.5], requires_grad=True)
    y = x * 2  # used by two later nodes
    z = y * 3 + y.exp()
    steps = list(backward_steps(z))
    y_node = y.grad_fn
    into_y = [i for i, s in enumerate(steps) if isinstance(s, EdgeStep) and s.dst is y_node]
    call_y = [i for i, s in enumerate(steps) if isinstance(s, CallStep) and s.node is y_node]
    assert len(into_y) == 2 and len(call_y) == 1
    assert call_y[0] > max(into_y)
    (grad_out,) = steps[call_y[0]].grad_outputs
    assert grad_out.item() == pytest.approx(3 + np.exp(1.0))  # both grads, summed


def test_order_is_deterministic():
    def kinds():
        a = t.tensor([1.0, 2.0], requires_grad=True)
        c = t.tensor([3.0, 4.0], requires_grad=True)
        out = ((a * c).exp() + (a + c).sin() * a).sum()
        return [summary(s) for s in backward_steps(out)]

    assert kinds() == kinds()


# --- hooks fire when their step is taken ----------------------------------------------------
def test_hooks_fire_when_their_step_is_taken_not_before():
    log = []
    w, x, b, _ = wxb()
    y = w * x
    y.register_hook(lambda grad: log.append(("y", grad.item())))
    w.register_hook(lambda grad: log.append(("w", grad.item())))
    z = y + b
    steps = backward_steps(z)
    assert log == []  # making the generator runs nothing
    seen = []
    for step in steps:
        if isinstance(step, HookStep):
            assert len(log) == len(seen) + 1  # it ran just now, as this step
            seen.append(log[-1])
            assert step.grad_in.item() == log[-1][1]
        else:
            assert len(log) == len(seen)
    assert seen == [("y", 1.0), ("w", 3.0)]


def test_hook_step_shows_the_replaced_grad():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.register_hook(lambda grad: grad * 10)
    hooks = [s for s in backward_steps(y.sum()) if isinstance(s, HookStep)]
    assert len(hooks) == 1
    assert hooks[0].grad_in.tolist() == [1.0, 1.0] and hooks[0].grad_out.tolist() == [10, 10]
    assert x.grad.tolist() == [20.0, 40.0]


def test_retain_grad_is_a_step_too():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    steps = list(backward_steps(y.sum()))
    retained = [s for s in steps if isinstance(s, HookStep) and s.hook == "retain_grad"]
    assert len(retained) == 1 and retained[0].node is y.grad_fn
    assert y.grad.tolist() == [1.0, 1.0]


def test_a_leaf_hook_runs_before_its_grad_is_accumulated():
    x = t.tensor([1.0], requires_grad=True)
    x.register_hook(lambda grad: None)
    kinds = [type(s).__name__ for s in backward_steps(x * 2)][-2:]
    assert kinds == ["HookStep", "AccumulateStep"]


# --- backward() is the generator run to its end ---------------------------------------------
def build(seed: int):
    rng = np.random.default_rng(seed)
    a = t.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    c = t.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    out = ((a * c).tanh() @ c + a[:, [0, 0]].sum() * c.norm()).sum()
    return a, c, out


def test_backward_equals_running_the_generator():
    a1, c1, out1 = build(0)
    out1.backward()
    a2, c2, out2 = build(0)
    for _ in backward_steps(out2):
        pass
    assert np.array_equal(a1.grad.numpy(), a2.grad.numpy())
    assert np.array_equal(c1.grad.numpy(), c2.grad.numpy())


def test_autograd_grad_uses_the_generator_return_value():
    a, c, out = build(1)
    expected = t.autograd.grad(out, [a, c], retain_graph=True)
    steps = backward_steps(out, inputs=[a, c])
    with pytest.raises(StopIteration) as stop:
        while True:
            next(steps)
    got = stop.value.value
    assert all(np.array_equal(g.numpy(), e.numpy()) for g, e in zip(got, expected))
    assert a.grad is None and c.grad is None  # autograd.grad accumulates nothing


def test_argument_errors_come_before_the_first_step():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        backward_steps(x * 2)


# --- no recursion ---------------------------------------------------------------------------
@pytest.fixture
def low_recursion_limit():
    """Python's stack may not grow past a few hundred frames during the test."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(400)
    yield
    assert sys.getrecursionlimit() == 400, "something raised the recursion limit"
    sys.setrecursionlimit(old)


def test_a_100000_op_chain(low_recursion_limit):
    x = t.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001 + 0
    y.backward()
    expected = float(np.float32(1.0001)) ** 100_000
    assert x.grad.item() == pytest.approx(expected, rel=1e-2)
    del y
    gc.collect()  # tearing the long graph down must not recurse either


# --- saved tensors are freed -----------------------------------------------------------------
def test_saved_tensors_are_freed_after_backward():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = (y * y).sum()
    freed = [s.node for s in backward_steps(z) if isinstance(s, FreeStep)]
    assert [name(n) for n in freed] == ["MulBackward0", "ExpBackward0"]
    for node in freed:
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            node.saved_tensors  # noqa: B018 - the access itself raises


def test_retain_graph_keeps_saved_tensors():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    steps = list(backward_steps(y.sum(), retain_graph=True))
    assert not any(isinstance(s, FreeStep) for s in steps)
    (saved,) = y.grad_fn.saved_tensors
    assert saved.tolist() == y.tolist()
    y.sum().backward()  # a second pass works, and then frees
    with pytest.raises(RuntimeError, match="second time"):
        y.grad_fn.saved_tensors  # noqa: B018


def test_a_node_without_saved_tensors_has_no_free_step():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    steps = list(backward_steps((x + 1).sum()))
    assert not any(isinstance(s, FreeStep) for s in steps)


def saved_arrays_of(out) -> list:
    """Weak references to the arrays every node below `out` saved for backward."""
    refs, seen, todo = [], set(), [out.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, "saved_tensors"):
            refs += [weakref.ref(s.detach().numpy()) for s in node.saved_tensors
                     if s is not None]
        todo += [n for n, _ in node.next_functions]
    return refs


def intermediate_graph():
    x = t.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 4, requires_grad=True)
    out = ((x.exp().sin() * x.tanh()) @ x.t()).softmax(1).log().sum()
    return x, out


def test_backward_releases_every_saved_array():
    x, out = intermediate_graph()
    refs = saved_arrays_of(out)
    x_array = weakref.ref(x.detach().numpy())
    assert len(refs) >= 8
    gc.collect()
    assert sum(r() is not None for r in refs) == len(refs)  # all alive before backward
    out.backward()
    gc.collect()
    # only x's own array lives on (x holds it); every intermediate one is gone
    alive = [r for r in refs if r() is not None]
    assert all(r() is x_array() for r in alive)


def test_retain_graph_keeps_every_saved_array():
    x, out = intermediate_graph()
    refs = saved_arrays_of(out)
    out.backward(retain_graph=True)
    gc.collect()
    assert all(r() is not None for r in refs)
    out.backward()
    gc.collect()
    assert all(r() is None or r() is x.detach().numpy() for r in refs)
