"""Checkers for lessons 06-07: your own Function, and backward on tensors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._core import (
    answer_of,
    checker,
    library_of_function,
    library_of_function_class,
    numbers,
    right,
    rng,
    same,
    student_code,
    tensor,
    wrong,
)


def _gradcheck(lib, fn, inputs) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(lib.autograd.gradcheck(fn, inputs, raise_exception=False))


# --- lesson 06 -------------------------------------------------------------------------
@checker
def check_cube(cube: Any) -> None:
    """06.1: a Function Cube with forward x³ and backward 3x²·grad_output."""
    lib = library_of_function_class(cube, "Cube should be a class that subclasses "
                                          "t.autograd.Function.")
    for seed, shape in enumerate([(4,), (2, 3), ()]):
        x_values = rng(60 + seed).uniform(-2, 2, size=shape)
        x = tensor(lib, x_values, requires_grad=True)
        y = answer_of("Cube.apply(x)", cube.apply, x)
        if not same(y, x_values**3):
            return wrong("forward does not give x³.", "return x ** 3 (or x * x * x).")
        with student_code("backward", hint="forward must ctx.save_for_backward(x); backward "
                                           "reads ctx.saved_tensors."):
            lib.autograd.grad(y, x, lib.ones_like(y))
        with student_code("gradcheck"):
            passed = _gradcheck(lib, cube.apply, (x,))
        if not passed:
            return wrong("gradcheck disagrees with your backward.",
                         "d(x³)/dx = 3x², and the chain rule multiplies it by grad_output.")
    right("forward gives x³ and gradcheck agrees with your backward, on three inputs.")


@checker
def check_sigmoid_fix(sigmoid: Any) -> None:
    """06.2: the repaired Sigmoid passes gradcheck."""
    lib = library_of_function_class(sigmoid, "pass the class: check_sigmoid_fix(Sigmoid).")
    for seed in range(2):
        x = tensor(lib, rng(62 + seed).uniform(-4, 4, size=5), requires_grad=True)
        with student_code("running it"):
            passed = _gradcheck(lib, sigmoid.apply, (x,))
        if not passed:
            return wrong("gradcheck still disagrees.",
                         "differentiate 1 / (1 + e⁻ˣ), then write the result with σ(x) itself: "
                         "it becomes σ(x) times something simple. Backward has σ(x) already: "
                         "the saved output.")
    right("σ'(x) = σ(x)·(1 − σ(x)), and backward can use the saved output for it.")


# --- lesson 07 -------------------------------------------------------------------------
UNBROADCAST_CASES = [  # (shape of the grad, shape of the input it must be summed back to)
    ((3, 4), (3, 4)), ((3, 4), (3, 1)), ((3, 4), (1, 4)), ((3, 4), (4,)), ((3, 4), ()),
    ((2, 3, 4), (4,)), ((2, 3, 4), (3, 1)), ((2, 5, 3), (2, 1, 3)), ((5,), (1,)),
]


def _unbroadcast_reference(grad: np.ndarray, shape: tuple) -> np.ndarray:
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


@checker
def check_unbroadcast(unbroadcast: Any) -> None:
    """07.1: unbroadcast(grad, shape) sums grad over the broadcast dims, back to `shape`."""
    lib = library_of_function(unbroadcast, "check_unbroadcast(unbroadcast)")
    for seed, (grad_shape, shape) in enumerate(UNBROADCAST_CASES):
        grad_values = rng(70 + seed).normal(size=grad_shape)
        grad = tensor(lib, grad_values)
        got = answer_of(f"unbroadcast(grad of shape {list(grad_shape)}, {list(shape)})",
                        unbroadcast, grad, lib.Size(shape) if hasattr(lib, "Size") else shape)
        want = _unbroadcast_reference(grad_values, shape)
        if same(got, want):
            continue
        got_numbers = numbers(got)
        if got_numbers is None:
            return wrong(f"unbroadcast should give a tensor of numbers; yours gives "
                         f"{type(got).__name__}.",
                         "start from grad and sum it: the result is a tensor of the input's shape.")
        if list(got_numbers.shape) != list(shape):
            return wrong(f"from a grad of shape {list(grad_shape)} to an input of shape "
                         f"{list(shape)}, yours has shape {list(got_numbers.shape)}.",
                         "sum away the leading dims the input lacks, then sum (keepdim=True) "
                         "each dim where the input has size 1.")
        return wrong(f"from shape {list(grad_shape)} to {list(shape)} the shape is right but "
                     "the numbers are not.",
                     "a broadcast input was used once per copy: its grad is the *sum* over the "
                     "copies, not the mean or one copy.")
    right("unbroadcast sums each broadcast dim away, for all nine shape pairs.")


@checker
def check_unbroadcast_gradcheck(broadcast_mul: Any) -> None:
    """07.1b: BroadcastMul, a Function for a * b that uses unbroadcast, passes gradcheck."""
    lib = library_of_function_class(broadcast_mul,
                                    "pass the class: check_unbroadcast_gradcheck(BroadcastMul).")
    for seed, (a_shape, b_shape) in enumerate([((3, 1), (1, 4)), ((2, 3), (3,)), ((4,), ())]):
        a = tensor(lib, rng(80 + seed).normal(size=a_shape), requires_grad=True)
        b = tensor(lib, rng(90 + seed).normal(size=b_shape), requires_grad=True)
        what = f"BroadcastMul on shapes {list(a_shape)} and {list(b_shape)}"
        hint = "each grad must have the shape of its own input: unbroadcast it."
        answer_of(what, broadcast_mul.apply, a, b, hint=hint)
        with student_code(what, hint):
            passed = _gradcheck(lib, broadcast_mul.apply, (a, b))
        if not passed:
            return wrong(f"gradcheck fails for shapes {list(a_shape)} · {list(b_shape)}.",
                         "grad_a = unbroadcast(grad · b, a.shape), and the same for b with a.")
    right("Your broadcasting multiply passes gradcheck for three pairs of shapes.")


@checker
def check_matmul(matmul: Any) -> None:
    """07.2: MatMul, a Function for a @ b with backward G @ bᵀ and aᵀ @ G, passes gradcheck."""
    lib = library_of_function_class(matmul, "MatMul should be a class that subclasses "
                                            "t.autograd.Function.")
    for seed, (n, k, m) in enumerate([(2, 3, 4), (4, 4, 4), (1, 5, 2), (3, 2, 1)]):
        a_values = rng(100 + seed).normal(size=(n, k))
        b_values = rng(110 + seed).normal(size=(k, m))
        a = tensor(lib, a_values, requires_grad=True)
        b = tensor(lib, b_values, requires_grad=True)
        out = answer_of("MatMul.apply(a, b)", matmul.apply, a, b)
        if not same(out, a_values @ b_values):
            return wrong(f"forward of a [{n}, {k}] times a [{k}, {m}] is not a @ b.")
        with student_code(f"backward for a [{n}, {k}] @ [{k}, {m}]",
                          f"G has the output's shape [{n}, {m}]; G @ bᵀ is [{n}, {k}], like a."):
            grads = lib.autograd.grad(out, (a, b), lib.ones_like(out))
        for name, grad, want in (("a", grads[0], (n, k)), ("b", grads[1], (k, m))):
            if grad is None or tuple(grad.shape) != want:
                got = None if grad is None else list(grad.shape)
                return wrong(f"the grad for {name} has shape {got}; it must be {list(want)}, "
                             f"{name}'s own shape.",
                             "grad_a = G @ bᵀ and grad_b = aᵀ @ G: check with the shapes.")
        if not _gradcheck(lib, matmul.apply, (a, b)):
            return wrong(f"gradcheck fails for [{n}, {k}] @ [{k}, {m}], though the shapes fit.",
                         "grad_a = G @ bᵀ and grad_b = aᵀ @ G: which factor goes on which side?")
    right("MatMul's backward is G @ bᵀ for a and aᵀ @ G for b: gradcheck agrees on four "
          "shapes.")


