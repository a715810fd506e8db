"""Checkers for lessons 01-03: requires_grad and leaves, backward and .grad, the graph."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ._core import (
    answer_of,
    checker,
    expect_dict,
    fmt,
    is_tensor,
    library,
    library_of_function,
    numbers,
    raised,
    right,
    rng,
    same,
    short_name,
    stop_unless_answered,
    tensor,
    values,
    wrong,
)

# --- lesson 01 -------------------------------------------------------------------------
LEAVES_ANSWER = {
    "a": (True, True),    # made by you, asks for grads
    "b": (False, True),   # made by you
    "c": (True, False),   # made by an op from a, so it has a grad_fn
    "d": (False, True),   # an op, but nothing in it needs grads: no graph, so a leaf
    "e": (True, False),   # made from c
}


@checker
def check_leaves(answers: dict) -> None:
    """01.1: (requires_grad, is_leaf) for a, b, c, d, e."""
    expect_dict(answers, "answers should be a dict, as in the cell: {\"a\": (True, True), ...}.")
    missing = sorted(set(LEAVES_ANSWER) - set(answers))
    if missing:
        return wrong(f"give an answer for {', '.join(missing)} too.")
    for name, (wants_grad, leaf) in LEAVES_ANSWER.items():
        given = answers[name]
        if not (isinstance(given, (tuple, list)) and len(given) == 2
                and all(isinstance(v, bool) for v in given)):
            return wrong(f"the answer for {name} is {given!r}; give two bools, "
                         "(requires_grad, is_leaf), e.g. (True, False).")
        if tuple(given) == (wants_grad, leaf):
            continue
        if given[0] != wants_grad:
            hint = ("requires_grad spreads: a result needs grads if any input needs them."
                    if wants_grad else "nothing that went into it asked for gradients.")
            return wrong(f"requires_grad of {name}.", hint)
        hint = ("a tensor with no grad_fn is a leaf: that includes every tensor autograd "
                "does not track." if leaf else
                "it was made by an operation that autograd recorded, so it has a grad_fn.")
        return wrong(f"is_leaf of {name}.", hint)
    right("Leaves are the tensors with no grad_fn: the ones you made, and results that "
          "autograd did not record (d).")


@checker
def check_watched_weights(w: Any) -> None:
    """01.2: a 2x3 float tensor of zeros that autograd watches (a leaf)."""
    stop_unless_answered(w)
    if not is_tensor(w):
        return wrong(f"w should be a tensor, but it is a {type(w).__name__}.",
                     "t.zeros(2, 3) makes a tensor.")
    if tuple(w.shape) != (2, 3):
        return wrong(f"w has shape {list(w.shape)}; the exercise asks for 2 rows and 3 columns.")
    if not same(w, np.zeros((2, 3))):
        return wrong("w should be all zeros.")
    if not w.requires_grad:
        return wrong("autograd does not watch w yet.",
                     "requires_grad=True when you create it, .requires_grad_() afterwards, "
                     "or set the attribute: any of the three works.")
    if not w.is_leaf:
        return wrong("w is not a leaf: it came out of an operation.",
                     "create it directly, e.g. with t.zeros(...), and switch requires_grad on "
                     "that very tensor.")
    right("w is a leaf that requires grad: backward will fill w.grad.")


# --- lesson 02 -------------------------------------------------------------------------
@checker
def check_derivative(grad_g: Any) -> None:
    """02.1: dg/dx for g(x) = x³·sin(x), written by hand, against autograd."""
    lib = library_of_function(grad_g, "check_derivative(grad_g)")
    points = np.concatenate([[-2.0, 0.0, 1.5], rng(21).uniform(-4, 4, size=9)])
    x = tensor(lib, points)
    mine = answer_of("grad_g(x)", grad_g, x)
    xg = x.clone().requires_grad_()
    (xg**3 * lib.sin(xg)).sum().backward()
    want = values(xg.grad)
    if same(mine, want):
        return right("Your hand-written derivative matches autograd at 12 points.")
    if same(mine, 3 * points**2 * np.sin(points)) or same(mine, points**3 * np.cos(points)):
        return wrong("you have one of the two terms.",
                     "product rule: (u·v)' = u'·v + u·v', with u = x³ and v = sin(x).")
    if same(mine, 3 * points**2 * np.cos(points)):
        return wrong("that differentiates both factors and multiplies: (u·v)' is not u'·v'.",
                     "product rule: (u·v)' = u'·v + u·v'.")
    shown = ", ".join(f"{p:g}" for p in points[:3])
    got = numbers(mine)
    wrong(f"at x = {shown} autograd says {fmt(want[:3])}, yours gives {fmt(got[:3])}."
          if got is not None and got.shape == points.shape else
          f"grad_g(x) should give one number per element of x, shape {list(points.shape)}.",
          "product rule: (u·v)' = u'·v + u·v'. What are u' and v' for u = x³, v = sin(x)?")


@checker
def check_accumulated(grad: Any) -> None:
    """02.2: x.grad after three backward passes of (5*x).sum() with no zero_()."""
    stop_unless_answered(grad)
    if same(grad, [15.0, 15.0]):
        return right("Each backward adds 5 to every element: 5 + 5 + 5 = 15.")
    if same(grad, 15.0):
        return wrong("the number is right, but x.grad has the shape of x.",
                     "give one value per element of x.")
    if same(grad, [5.0, 5.0]):
        return wrong("that is the grad of one backward pass.",
                     "backward adds into .grad; it does not overwrite it.")
    wrong(f"{fmt(grad)} is not what x.grad holds.",
          "d(5x)/dx = 5 per element. What happens to .grad each time you call backward?")


@checker
def check_gradient_argument(gradient: Any) -> None:
    """02.3: pick `gradient` so that y = 2x, y.backward(gradient) leaves x.grad = [1, 10, 100]."""
    stop_unless_answered(gradient)
    lib = library(gradient)
    x = tensor(lib, [1.0, 2.0, 3.0], requires_grad=True, dtype="float32")
    y = x * 2
    try:
        g = gradient if is_tensor(gradient) else lib.tensor(values(gradient).tolist())
        y.backward(g)
    except (RuntimeError, TypeError, ValueError) as error:
        return wrong(f"y.backward raised: {str(error).splitlines()[0]}",
                     "the gradient must have the same shape as y: three numbers.")
    if same(x.grad, [1.0, 10.0, 100.0]):
        return right("x.grad = 2 · gradient, so the gradient is x.grad / 2.")
    if same(g, [1.0, 10.0, 100.0]):
        return wrong("with that gradient, x.grad becomes [2, 20, 200].",
                     "the chain rule multiplies your gradient by dy/dx = 2.")
    wrong(f"with that gradient, x.grad becomes {fmt(x.grad)}.",
          "x.grad[i] = gradient[i] · dy[i]/dx[i], and dy/dx = 2 here.")


# --- lesson 03 -------------------------------------------------------------------------
@checker
def check_chain_rule(answers: dict) -> None:
    """03.1: dz/dw, dz/dx, dz/db for z = w·x + b at w = 2, x = -1.5, b = 4."""
    expect_dict(answers, "answers should be a dict, as in the cell.")
    want = {"dz/dw": -1.5, "dz/dx": 2.0, "dz/db": 1.0}
    for key, value in want.items():
        if key not in answers:
            return wrong(f"give an answer for {key!r}.")
        if not same(answers[key], value):
            if key == "dz/dw" and same(answers[key], 2.0):
                hint = "dz/dw = dz/dy · dy/dw, and dy/dw for y = w·x is x, not w."
            elif key == "dz/dx" and same(answers[key], -1.5):
                hint = "dz/dx = dz/dy · dy/dx, and dy/dx for y = w·x is w."
            else:
                hint = "dz/dy = 1 (z = y + b), then multiply by the local derivative."
            return wrong(f"{key}.", hint)
    right("Each one is dz/dy = 1 times the local derivative of its own box.")


def _graphs(lib):
    """Graphs to search, each with the leaf to find: (root tensor, leaf, its name)."""
    r = rng(31)
    w, x, b = (tensor(lib, r.normal(), requires_grad=True) for _ in range(3))
    z = w * x + b
    u = (w * x).exp() * b + x.tanh()
    deep = (x * 2 + b).sin() * w + b * b
    return [(z, w, "w in z = w·x + b"), (z, x, "x in z = w·x + b"), (z, b, "b in z"),
            (u, b, "b in exp(w·x)·b + tanh(x)"), (u, x, "x in exp(w·x)·b + tanh(x)"),
            (deep, w, "w in sin(2x + b)·w + b·b")]


@checker
def check_path_to(path_to: Any) -> None:
    """03.2: path_to(node, leaf): the nodes from `node` down to `leaf`'s AccumulateGrad."""
    lib = library_of_function(path_to, "check_path_to(path_to)")
    for root, leaf, where in _graphs(lib):
        try:
            path = path_to(root.grad_fn, leaf)
        except RecursionError:
            return wrong(f"for {where}, path_to recursed forever.",
                         "stop at an AccumulateGrad node; its next_functions is empty.")
        except Exception as error:  # a student's function may fail in any way
            return raised(f"path_to(…) for {where}", error,
                          "next_functions holds (node, input_number) pairs; node may be None.")
        stop_unless_answered(path)
        if not isinstance(path, (list, tuple)) or not path:
            return wrong(f"for {where}, path_to returned {path!r}; return a list of nodes.")
        if isinstance(path[0], str):
            return wrong("return the nodes themselves, not their names.",
                         "build the list from node objects; print [n.name() for n in path] "
                         "to read it.")
        if path[0] is not root.grad_fn:
            return wrong(f"for {where}, the path should start at the node you were given.")
        for above, below in itertools.pairwise(path):
            if not any(child is below for child, _ in above.next_functions):
                return wrong(f"for {where}, {short_name(below.name())} is not in the "
                             f"next_functions of {short_name(above.name())}.",
                             "each step of the path follows one edge of next_functions.")
        if getattr(path[-1], "variable", None) is not leaf:
            return wrong(f"for {where}, the path ends at {short_name(path[-1].name())}, not at "
                         "the leaf's AccumulateGrad.",
                         "an AccumulateGrad node knows its leaf as .variable: compare with `is`.")
    right("Your path_to finds the leaf in six graphs: a search along next_functions.")
