"""Checkers for lessons 04-05: stepping through backward, and intermediate gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import (
    answer_of,
    checker,
    expect_dict,
    fmt,
    is_tensor,
    library_of_function,
    right,
    rng,
    same,
    stop_unless_answered,
    student_code,
    tensor,
    wrong,
)


# --- lesson 04 -------------------------------------------------------------------------
@checker
def check_edge_predictions(predictions: dict) -> None:
    """04.1: the grad on each edge for z = w·x + b with w = 2, x = 3, b = 1."""
    expect_dict(predictions, "predictions should be a dict, as in the cell.")
    want = {"y": 1.0, "b": 1.0, "w": 3.0, "x": 2.0}
    wrong_keys = [k for k, v in want.items() if k not in predictions
                  or not same(predictions[k], v)]
    if not wrong_keys:
        return right("The add box passes its grad on unchanged; the mul box multiplies it by "
                     "the *other* input.")
    hints = {
        "y": "z = y + b: how much does z change when y grows by 1?",
        "b": "z = y + b: how much does z change when b grows by 1?",
        "w": "y = w·x: dy/dw is the other input. Which one, and what is its value?",
        "x": "y = w·x: dy/dx is the other input. Which one, and what is its value?",
    }
    wrong(f"the edge into {wrong_keys[0]}.", hints[wrong_keys[0]])


@checker
def check_fanout(predictions: dict) -> None:
    """04.2: u = w·x, z = u + x at w = 2, x = 3: the two grads reaching x, and x.grad."""
    expect_dict(predictions, "predictions should be a dict, as in the cell.")
    want = {"x from ADD": 1.0, "x from MUL": 2.0, "x.grad": 3.0, "w.grad": 3.0}
    for key, value in want.items():
        if key not in predictions:
            return wrong(f"give an answer for {key!r}.")
        if not same(predictions[key], value):
            hint = {
                "x from ADD": "z = u + x: the add box passes the incoming grad (1) on unchanged.",
                "x from MUL": "u = w·x, and dz/du = 1: the mul box multiplies 1 by w.",
                "x.grad": "x is used twice, so its grad is the sum of what arrives on both edges.",
                "w.grad": "u = w·x: the mul box multiplies dz/du = 1 by x.",
            }[key]
            return wrong(f"{key}.", hint)
    right("When a tensor is used twice, the grads from both uses are added up: 1 + 2 = 3.")


# --- lesson 05 -------------------------------------------------------------------------
@checker
def check_intermediate_grad(dz_dy: Any) -> None:
    """05.1: dz_dy(x) builds y = 3x, z = (y²).sum() and returns dz/dy."""
    lib = library_of_function(dz_dy, "check_intermediate_grad(dz_dy)")
    for seed in range(3):
        x_values = rng(50 + seed).normal(size=3 + seed)
        x = tensor(lib, x_values, requires_grad=True, dtype="float32")
        got = answer_of("dz_dy(x)", dz_dy, x)
        want = 2 * 3 * x_values
        if got is None:
            return wrong("dz_dy(x) returned None.",
                         "y is not a leaf, so y.grad stays None unless you call "
                         "y.retain_grad() before z.backward(); or use t.autograd.grad(z, y).")
        if isinstance(got, tuple) and len(got) == 1:
            return wrong("autograd.grad returns a tuple, one grad per input.",
                         "take the element out: t.autograd.grad(z, y)[0].")
        if not is_tensor(got) and not isinstance(got, (list, float, int)):
            return wrong(f"dz_dy(x) returned a {type(got).__name__}; return a tensor.")
        if same(got, want):
            continue
        if same(got, 3 * want):
            return wrong("that is dz/dx, the grad of the leaf.",
                         "ask for the grad with respect to y: t.autograd.grad(z, y).")
        return wrong(f"for x = {fmt(x_values)}, dz/dy = {fmt(want)}; yours gives {fmt(got)}.",
                     "z = Σ y², so dz/dy = 2y. Did you build y and z from the x you were given?")
    right("dz/dy = 2y, for every x the checker tried.")


@checker
def check_clip_hook(hook: Any) -> None:
    """05.2: a hook that returns the grad with each element clipped into [-1, 1]."""
    lib = library_of_function(hook, "check_clip_hook(clip)")
    for seed in range(3):
        k_values = rng(52 + seed).uniform(-4, 4, size=6)
        x = tensor(lib, np.ones(6), requires_grad=True, dtype="float32")
        seen: list = []
        x.register_hook(lambda grad, seen=seen: seen.append((grad, grad.detach().clone())))
        x.register_hook(hook)
        with student_code("backward"):
            (x * tensor(lib, k_values, dtype="float32")).sum().backward()
        if x.grad is not None:
            stop_unless_answered(x.grad)
        grad_given, copy = seen[0]
        if not same(grad_given, copy):
            return wrong("your hook changed the grad it was given, in place.",
                         "a hook must not modify its argument (PyTorch's docs forbid it): "
                         "return a new tensor, e.g. with grad.clamp(...) rather than "
                         "grad.clamp_(...).")
        want = np.clip(k_values, -1, 1)
        if same(x.grad, want):
            continue
        if same(x.grad, k_values):
            return wrong("the grad went through unchanged.",
                         "a hook changes the grad by *returning* the new one.")
        return wrong(f"the grad {fmt(k_values)} came out as {fmt(x.grad)}; clipped, it is "
                     f"{fmt(want)}.",
                     "clip means: below -1 becomes -1, above 1 becomes 1, the rest stays.")
    right("Your hook returned a clipped copy: every x.grad came out between -1 and 1, and the "
          "grad it was given was left as it was.")


