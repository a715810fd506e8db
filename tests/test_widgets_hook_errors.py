"""A hook that raises, in the BackwardStepper (no browser).

- The stepper shows the error in its card and its log, and stays usable: back and forward
  over the recorded steps, the slider, play and every button, without an exception from a
  click and without running the hook again.
- `go()`/`step()` raise the hook's own exception, as `backward()` does.
- Afterwards the graph is as PyTorch leaves it when `backward()` raises from the same hook
  at the same point: the same leaf grads (those accumulated before the error, and None for
  the rest), the same retained grads, and the same outcome of a second backward once the
  hook is removed (buffers freed by the nodes that ran, kept by those that did not).

Each program is written once, for a module `t` that is smallgrad or torch.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from pagekit import click, disabled

import smallgrad
from widgets import BackwardStepper

MESSAGE = "this hook is broken"


def broken_hook(calls: list):
    def broken(grad):
        calls.append(grad)
        print("the broken hook runs")
        raise ValueError(MESSAGE)
    return broken


# name -> program(t, hook) -> (root, leaves, retained, the tensor the hook is on)
def on_a_result(t, hook):  # the seed's z = sum(w*x + b), the hook on y = w*x
    w = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = t.tensor([4.0, 5.0, 6.0], requires_grad=True)
    b = t.tensor([0.5, 0.5, 0.5], requires_grad=True)
    y = w * x
    return (y + b).sum(), {"w": w, "x": x, "b": b}, {}, y.register_hook(hook)


def on_a_leaf_after_another(t, hook):  # c's branch runs first and accumulates; then a's hook
    a = t.tensor([1.0, 2.0], requires_grad=True)
    c = t.tensor([3.0, 4.0], requires_grad=True)
    e = (a * 2).sum() + (c * 3).sum()
    return e, {"a": a, "c": c}, {}, a.register_hook(hook)


def on_a_leaf_used_twice(t, hook):  # fan-out: x's hook runs once both parts have arrived
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    u = w * x
    u.retain_grad()
    return u + x, {"w": w, "x": x}, {"u": u}, x.register_hook(hook)


def deep_in_a_chain(t, hook):  # retained grads before the error are kept
    p = t.tensor(0.5, requires_grad=True)
    q = t.tensor(2.0, requires_grad=True)
    r = p * q
    r.retain_grad()
    s = r.exp()
    out = s * q + p
    out.retain_grad()
    return out, {"p": p, "q": q}, {"r": r, "out": out}, s.register_hook(hook)


def on_the_root(t, hook):  # nothing has flowed yet: one step, the error
    p = t.tensor(2.0, requires_grad=True)
    q = p * 3
    return q, {"p": p}, {}, q.register_hook(hook)


PROGRAMS = {f.__name__: f for f in (on_a_result, on_a_leaf_after_another,
                                    on_a_leaf_used_twice, deep_in_a_chain, on_the_root)}


def grads(tensors: dict) -> dict:
    return {k: None if v.grad is None else np.array(v.grad.tolist(), dtype=np.float32)
            for k, v in tensors.items()}


def assert_same_grads(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for k in ours:
        if theirs[k] is None:
            assert ours[k] is None, f"{k}.grad is {ours[k]}, torch has None"
        else:
            assert ours[k] is not None, f"{k}.grad is None, torch has {theirs[k]}"
            np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6, err_msg=f"{k}.grad")


def run_again(root, leaves) -> object:
    """A second backward (the hook removed): the grads, or the error's type and first line."""
    try:
        root.backward()
    except Exception as error:  # the outcome (which error) is what is compared
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return grads(leaves)


def assert_second_backward_as_torch(root, leaves, expected) -> None:
    """A second backward (hook removed) ends as torch's did: the same grads or error."""
    again = run_again(root, leaves)
    assert type(again) is type(expected)
    if isinstance(again, dict):
        assert_same_grads(again, expected)
    else:
        assert again == expected


def stepper_until_error(program):
    """A stepper on the program's graph, clicked (never called) until backward stops."""
    calls: list = []
    root, leaves, retained, handle = program(smallgrad, broken_hook(calls))
    stepper = BackwardStepper(root, names={**leaves, **retained})
    for _ in range(50):
        if disabled(stepper, "next"):
            break
        click(stepper, "next")  # a click never raises: the card and the log show the error
    return stepper, calls, root, leaves, retained, handle


# --- the stepper stays usable --------------------------------------------------------------

@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_stepper_shows_the_error_and_stays_usable(name):
    stepper, calls, _, leaves, retained, _ = stepper_until_error(PROGRAMS[name])
    assert len(calls) == 1
    error_at = stepper.position
    assert error_at == stepper.n_steps >= 1
    assert disabled(stepper, "next") and disabled(stepper, "end")
    assert f"Backward stopped with an error:\nValueError: {MESSAGE}" in stepper.card
    assert "(it printed: the broken hook runs)" in stepper.card
    assert stepper.log[-1] == (f"[{error_at}] error: ValueError: {MESSAGE}\n"
                               "(it printed: the broken hook runs)")
    shown = stepper.widget.state  # what the page shows
    assert MESSAGE in shown["card"] and MESSAGE in "\n".join(shown["log"])
    after = grads(leaves), grads(retained)

    # back over every recorded step, then forward again: the records, nothing runs again
    cards = {error_at: stepper.card}
    while not disabled(stepper, "back"):
        click(stepper, "back")
        cards[stepper.position] = stepper.card
        assert MESSAGE not in stepper.card
    assert stepper.position == 0 and disabled(stepper, "start")
    for position in range(1, error_at + 1):
        click(stepper, "next")
        assert stepper.position == position and stepper.card == cards[position]
    assert disabled(stepper, "next") and MESSAGE in stepper.card
    click(stepper, "start")
    click(stepper, "end")
    assert stepper.position == error_at
    stepper.widget.request({"type": "go", "position": 0})  # the slider sends the same
    assert stepper.position == 0
    stepper.widget.request({"type": "go", "position": error_at})
    assert stepper.position == error_at
    stepper.step()  # from Python, past the end: nothing left to run, nothing raised
    stepper.run_to_end()
    assert stepper.position == error_at and len(calls) == 1
    assert_same_grads(grads(leaves), after[0])
    assert_same_grads(grads(retained), after[1])


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_stepper_raises_the_hooks_error_like_backward(name):
    calls: list = []
    root, *_ = PROGRAMS[name](smallgrad, broken_hook(calls))
    stepper = BackwardStepper(root, names={})
    with pytest.raises(ValueError, match=MESSAGE):
        stepper.run_to_end()
    assert len(calls) == 1 and stepper.position == stepper.n_steps
    stepper.back()
    stepper.run_to_end()  # over recorded steps: no error raised again, the hook not run again
    assert len(calls) == 1


def test_projector_mode_shows_the_error_in_its_card():
    calls: list = []
    root, *_ = on_a_result(smallgrad, broken_hook(calls))
    stepper = BackwardStepper(root, names={}, large=True)  # no log panel in projector mode
    click(stepper, "end")
    assert MESSAGE in stepper.widget.state["card"] and MESSAGE in "\n".join(stepper.log)


# --- the same state as PyTorch -------------------------------------------------------------

@pytest.mark.parametrize("name", list(PROGRAMS))
def test_after_the_error_the_graph_is_as_torch_leaves_it(name, torch):
    program = PROGRAMS[name]

    torch_calls: list = []
    root, leaves, retained, handle = program(torch, broken_hook(torch_calls))
    with pytest.raises(ValueError, match=MESSAGE):
        root.backward()
    expected = grads(leaves), grads(retained)
    handle.remove()
    expected_again = run_again(root, leaves)
    assert len(torch_calls) == 1

    # backward() itself
    calls: list = []
    root, leaves, retained, handle = program(smallgrad, broken_hook(calls))
    with pytest.raises(ValueError, match=MESSAGE):
        root.backward()
    assert_same_grads(grads(leaves), expected[0])
    assert_same_grads(grads(retained), expected[1])
    handle.remove()
    assert_second_backward_as_torch(root, leaves, expected_again)

    # the stepper, clicked to the error, then around
    stepper, calls, root, leaves, retained, handle = stepper_until_error(program)
    click(stepper, "start")
    click(stepper, "end")
    assert len(calls) == 1
    assert_same_grads(grads(leaves), expected[0])
    assert_same_grads(grads(retained), expected[1])
    # what the stepper shows for each leaf's .grad is the tensor's .grad
    for label, nid in stepper.widget.picture["picks"][1:]:
        leaf = leaves.get(label.split(" (")[0])
        if leaf is not None:
            stepper.widget.request({"type": "pick", "id": nid})
            shown = re.search(r"^\.grad +(.*)$", stepper.details, re.M).group(1)
            assert shown == ("None   (not computed yet)" if leaf.grad is None
                             else repr(leaf.grad)), label
    handle.remove()
    assert_second_backward_as_torch(root, leaves, expected_again)
