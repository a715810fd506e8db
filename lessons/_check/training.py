"""Checkers for lessons 08-12: in-place ops, higher-order grads, debugging, descent, training."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._core import (
    answer_of,
    checker,
    expect_dict,
    fmt,
    is_tensor,
    library_of_function,
    raised,
    right,
    rng,
    same,
    stop_unless_answered,
    student_code,
    tensor,
    wrong,
)

# --- lesson 08 -------------------------------------------------------------------------
INPLACE_ANSWER = {"A": "error", "B": "ok", "C": "error", "D": "ok"}
_INPLACE_HINTS = {
    "A": "w is a leaf that requires grad, and grad mode is on.",
    "B": "under t.no_grad() autograd records nothing, so nothing can go stale.",
    "C": "exp's backward uses exp's own output. What did add_ do to it?",
    "D": "the grad of y = w + 1 is 1 whatever the values are: add saves nothing.",
}


@checker
def check_inplace_quiz(answers: dict) -> None:
    """08.1: "ok" or "error" for snippets A-D."""
    expect_dict(answers, "answers should be a dict, as in the cell.")
    for key, want in INPLACE_ANSWER.items():
        given = str(answers.get(key, "")).strip().lower()
        if given not in ("ok", "error"):
            return wrong(f"answer {key!r} with \"ok\" or \"error\".")
        if given != want:
            return wrong(f"snippet {key}.", _INPLACE_HINTS[key])
    right("In-place changes fail only where they would corrupt a grad: on a leaf that "
          "requires grad, or on a tensor some node saved for backward.")


def _sgd_problem(lib, seed: int):
    """Random parameters with random grads already in .grad, and what one step gives."""
    r = rng(seed)
    shapes = [(2, 3), (3,), ()][: 2 + seed % 2]
    start = [r.normal(size=shape) for shape in shapes]
    slopes = [r.normal(size=shape) for shape in shapes]
    params = [tensor(lib, v, requires_grad=True) for v in start]
    loss = sum((p * tensor(lib, s)).sum() for p, s in zip(params, slopes))
    loss.backward()  # p.grad = slope
    return params, start, slopes


@checker
def check_sgd_step(sgd_step: Any) -> None:
    """08.2: sgd_step(params, lr) updates each parameter in place and clears its grad."""
    lib = library_of_function(sgd_step, "check_sgd_step(sgd_step)")
    for seed, lr in enumerate([0.1, 0.5, 0.03]):
        params, start, slopes = _sgd_problem(lib, 120 + seed)
        originals = list(params)
        try:
            result = sgd_step(params, lr)
        except Exception as error:  # a student's function may fail in any way
            if "leaf Variable" in str(error):
                return wrong(f"it raised: {str(error).splitlines()[0]}",
                             "change parameters inside `with t.no_grad():`, where autograd "
                             "records nothing.")
            return raised("sgd_step", error)
        stop_unless_answered(result)
        if any(p is not q for p, q in zip(params, originals)):
            return wrong("the list now holds other tensors.",
                         "update each tensor in place; the rest of the program holds them.")
        unchanged = all(same(p, v) for p, v in zip(params, start))
        grads_zero = all(p.grad is None or same(p.grad, np.zeros(np.shape(v)))
                         for p, v in zip(params, start))
        if unchanged and grads_zero:
            return wrong("the parameters did not move, and the grads are cleared.",
                         "clear each grad *after* using it: once zeroed, p.grad says "
                         "nothing about the slope.")
        if unchanged:
            return wrong("the parameters did not change.",
                         "change each tensor in place: p -= lr * p.grad (or p.sub_(...)). "
                         "p = p - lr * p.grad makes a new tensor and only rebinds the name p.")
        want = [v - lr * s for v, s in zip(start, slopes)]
        if not all(same(p, v) for p, v in zip(params, want)):
            uphill = all(same(p, v + lr * s) for p, v, s in zip(params, start, slopes))
            return wrong(f"with lr = {lr}, a parameter went from {fmt(start[0])} to "
                         f"{fmt(params[0])}; expected {fmt(want[0])}.",
                         "that is uphill: step *against* the gradient." if uphill else
                         "a step is p ← p − lr · p.grad, with the lr you were given.")
        if not all(p.is_leaf and p.requires_grad for p in params):
            return wrong("the parameters should stay leaves that require grad.")
        if not grads_zero:
            return wrong("the grads are still there: the next backward would add to them.",
                         "p.grad.zero_() after the update (or p.grad = None).")
    right("An in-place update under no_grad, then cleared grads: the loop of lesson 12.")


# --- lesson 09 -------------------------------------------------------------------------
_SECOND_DERIVATIVES = [  # (name, f, f'' as NumPy)
    ("x³", lambda x: x**3, lambda x: 6 * x),
    ("sin(x)", lambda x: x.sin(), lambda x: -np.sin(x)),
    ("x·eˣ", lambda x: x * x.exp(), lambda x: (x + 2) * np.exp(x)),
    ("x⁴ − 2x", lambda x: x**4 - 2 * x, lambda x: 12 * x**2),
]


@checker
def check_second_derivative(second_derivative: Any) -> None:
    """09.1: second_derivative(f, x) gives d²f/dx² at a scalar x, with autograd."""
    lib = library_of_function(second_derivative, "check_second_derivative(second_derivative)")
    points = rng(130).uniform(-2, 2, size=len(_SECOND_DERIVATIVES))
    for (name, f, want_fn), point in zip(_SECOND_DERIVATIVES, points):
        x = tensor(lib, point, requires_grad=True)
        try:
            got = second_derivative(f, x)
        except Exception as error:  # a student's function may fail in any way
            hint = ("the first grad must itself be part of a graph: "
                    "t.autograd.grad(y, x, create_graph=True)."
                    if "does not require grad" in str(error) or "second time" in str(error)
                    else None)
            return raised(f"second_derivative for f(x) = {name}", error, hint)
        stop_unless_answered(got)
        if isinstance(got, tuple) and len(got) == 1:
            return wrong("autograd.grad returns a tuple: take its element [0].")
        want = want_fn(point)
        if not same(got, want):
            return wrong(f"for f(x) = {name} at x = {point:.3f}, d²f/dx² = {want:.4f}; "
                         f"yours gives {fmt(got)}.",
                         "take the first grad with create_graph=True, then the grad of that.")
    right("Your second_derivative works for x³, sin, x·eˣ and x⁴ − 2x at random points.")


@checker
def check_detached_target(f: Any) -> None:
    """09.2: f(x) returns z = y·x with y = x² treated as a constant: dz/dx = y = x²."""
    lib = library_of_function(f, "check_detached_target(f)")
    x_values = rng(131).uniform(-2, 2, size=4)
    x = tensor(lib, x_values, requires_grad=True)
    with student_code("f(x), then backward"):
        z = f(x)
        stop_unless_answered(z)
        z.sum().backward()
    if not same(z, x_values**3):
        return wrong("z should still be y·x = x³ in value.",
                     "detach() changes nothing about the value, only the graph.")
    if same(x.grad, 3 * x_values**2):
        return wrong("the grad flowed through y too: dz/dx = 3x².",
                     "use y.detach() in the product: the graph then sees y as a constant.")
    if not same(x.grad, x_values**2):
        return wrong(f"x.grad = {fmt(x.grad)}; with y constant, dz/dx = y = x².")
    right("z = y·x with y detached: the grad sees only the x factor, dz/dx = y.")


# --- lesson 10 -------------------------------------------------------------------------
DIAGNOSIS_ANSWER = {"A": "non-scalar", "B": "freed", "C": "saved-changed", "D": "numpy",
                    "E": "unused"}
_DIAGNOSIS_HINTS = {
    "A": "backward() without a gradient needs one number to start from.",
    "B": "the second pass needs tensors that the first pass already freed.",
    "C": "the message names a version: something was changed in place after it was saved.",
    "D": "NumPy cannot follow the graph, so PyTorch refuses to hand over a tracked tensor.",
    "E": "b never took part in computing the loss.",
}


@checker
def check_diagnosis(answers: dict) -> None:
    """10.1: match each error or symptom A-E with its cause."""
    expect_dict(answers, "answers should be a dict, as in the cell.")
    for key, want in DIAGNOSIS_ANSWER.items():
        given = str(answers.get(key, "")).strip().lower()
        if given not in DIAGNOSIS_ANSWER.values():
            return wrong(f"answer {key!r} with one of: {', '.join(DIAGNOSIS_ANSWER.values())}.")
        if given != want:
            return wrong(f"symptom {key}.", _DIAGNOSIS_HINTS[key])
    right("Each message names its cause, once you know where to look.")


@checker
def check_fixed_loss(loss_fn: Any) -> None:
    """10.2: loss_fn(x, w) = (exp(x·w) + 1).sum() without an in-place change to a saved tensor."""
    lib = library_of_function(loss_fn, "check_fixed_loss(loss_fn)")
    for seed in range(3):
        r = rng(140 + seed)
        x_values, w_values = r.normal(size=4), r.normal(size=4)
        x, w = tensor(lib, x_values), tensor(lib, w_values, requires_grad=True)
        try:
            loss = loss_fn(x, w)
            stop_unless_answered(loss)
            loss.backward()
        except RuntimeError as error:
            if "inplace" in str(error) or "in-place" in str(error):
                return wrong("backward still finds a saved tensor changed in place.",
                             "exp saves its output; write y = y + 1 instead of y += 1.")
            return raised("backward", error)
        except Exception as error:  # a student's function may fail in any way
            return raised("loss_fn(x, w)", error)
        want_loss = (np.exp(x_values * w_values) + 1).sum()
        if not same(loss, want_loss):
            return wrong(f"the loss is {fmt(loss)}; it should be {want_loss:.4f}.",
                         "keep what the loss computes; change only how.")
        if not same(w.grad, x_values * np.exp(x_values * w_values)):
            return wrong("the grad of w is not x·exp(x·w).")
    right("Same loss, no in-place change to exp's saved output: backward runs.")


# --- lesson 11 -------------------------------------------------------------------------
@checker
def check_descend(descend: Any) -> None:
    """11.1: descend(f, w, lr, steps) -> the loss before each step, as Python floats."""
    lib = library_of_function(descend, "check_descend(descend)")
    for seed, (lr, steps) in enumerate([(0.1, 5), (0.3, 8), (0.05, 3)]):
        r = rng(150 + seed)
        target, scale, start = r.normal(size=3), r.uniform(0.5, 2), r.normal(size=3)

        def f(w, target=target, scale=scale):
            return scale * ((w - tensor(lib, target)) ** 2).sum()

        w = tensor(lib, start, requires_grad=True)
        losses = answer_of("descend", descend, f, w, lr, steps)
        if not isinstance(losses, list) or len(losses) != steps:
            return wrong(f"return a list with one loss per step ({steps} here), "
                         f"not {type(losses).__name__}"
                         f"{f' of length {len(losses)}' if hasattr(losses, '__len__') else ''}.")
        if any(is_tensor(loss) for loss in losses):
            return wrong("the list holds tensors. Each one keeps its whole graph alive.",
                         "store loss.item(), a plain Python float.")
        if not all(isinstance(loss, float) for loss in losses):
            return wrong("every loss should be a Python float: loss.item().")
        want, current = [], start.copy()
        for _ in range(steps):
            want.append(float(scale * ((current - target) ** 2).sum()))
            current = current - lr * 2 * scale * (current - target)
        if not np.allclose(losses, want, rtol=1e-4, atol=1e-6):
            return wrong(f"with lr = {lr}, the losses should go {fmt(want[:3])}…; "
                         f"yours go {fmt(losses[:3])}….",
                         "each step: loss = f(w), backward, w -= lr * w.grad under no_grad, "
                         "then clear w.grad.")
        if not same(w, current):
            return wrong("the losses are right but w did not end where the steps lead.",
                         "update w itself, in place.")
    right("Your loop descends, and logs plain floats that hold no graph.")


@checker
def check_one_step_lr(lr: Any) -> None:
    """11.2: the learning rate that takes f(w) = (w − 3)² to its minimum in one step."""
    stop_unless_answered(lr)
    if not isinstance(lr, (int, float)) or isinstance(lr, bool):
        return wrong("give one number.")
    if math.isclose(lr, 0.5):
        return right("w − 0.5 · 2(w − 3) = 3, from any start: one step lands on the minimum.")
    if math.isclose(lr, 1.0):
        return wrong("with lr = 1 the step is w − 2(w − 3) = 6 − w: it jumps to the mirror "
                     "image and back, forever.", "write one step, w − lr · 2(w − 3), and ask "
                     "when it equals 3 whatever w is.")
    wrong(f"with lr = {lr}, one step from w = 0 lands on {0 - lr * 2 * (0 - 3):g}, not 3.",
          "write one step, w − lr · 2(w − 3), and ask when it equals 3 whatever w is.")


# --- lesson 12 -------------------------------------------------------------------------
@checker
def check_accuracy(accuracy: Any) -> None:
    """12.1: accuracy(logits, labels) -> a Python float, the fraction classified right."""
    lib = library_of_function(accuracy, "check_accuracy(accuracy)")
    for seed, (rows, classes) in enumerate([(5, 2), (12, 3), (9, 4), (20, 2)]):
        r = rng(160 + seed)
        logits_values = r.normal(size=(rows, classes))
        labels_values = r.integers(0, classes, size=rows)
        logits = tensor(lib, logits_values, dtype="float32")
        labels = lib.tensor(labels_values.tolist())
        result = answer_of("accuracy", accuracy, logits, labels,
                           hint="logits.argmax(dim=1) gives the predicted class of each row.")
        if not isinstance(result, float):
            return wrong(f"return a Python float, not {type(result).__name__}.",
                         "a one-element tensor becomes a float with .item().")
        right_rows = int((logits_values.argmax(axis=1) == labels_values).sum())
        want = right_rows / rows
        if abs(result - want) < 1e-6:
            continue
        if abs(result - right_rows) < 1e-6:
            return wrong("that is the number of right answers, not the fraction.",
                         "take the mean, not the sum.")
        return wrong(f"on {rows} random rows with {classes} classes, {right_rows} are right, "
                     f"so expect {want:.4f}; yours gives {result:.4f}.",
                     "compare each row's predicted class with its label: "
                     "(logits.argmax(dim=1) == labels), then the mean of that as floats.")
    right("Your accuracy is right on four random batches, with 2 to 4 classes.")


@checker
def check_forgot_zero(choice: Any) -> None:
    """12.2: what happens when the loop forgets .grad.zero_()?"""
    stop_unless_answered(choice)
    if str(choice).strip().lower() == "b":
        return right("Each .grad becomes the sum of all the grads so far: every step follows "
                     "that running sum, not the gradient at the current point.")
    wrong(f"{choice!r}.", "backward *adds* into .grad. What is in .grad after ten steps?")


