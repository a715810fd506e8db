"""+ - * / ** and their friends. Each Function: forward on NumPy arrays, backward in
tensor operations (so that backward itself can be differentiated, for create_graph)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd.checks import sum_to_shape
from ..autograd.function import Function
from ..tensor import Tensor
from ._common import (
    as_tensor,
    elementwise,
    float_data,
    fused_multiply_add,
    like_input,
    promoted,
    quiet,
)
from .backward_ops import MulScalar, SubScalar


def _true_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind != "f":  # 7 / 2 is 3.5 for integer tensors too, in float32
        x, y = x.astype(np.float32), y.astype(np.float32)
    return quiet(np.true_divide, x, y)


def _power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "iu" and y.dtype.kind in "iu" and (y < 0).any():
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if x.dtype == np.float32:  # rounded once, as PyTorch's powf (NumPy's can be an ulp off)
        return quiet(np.power, x.astype(np.float64), y.astype(np.float64)).astype(np.float32)
    return quiet(np.power, x, y)


def _plus_times(alpha: float) -> Callable:
    """x + alpha * y, as PyTorch's add kernel computes it: one fused multiply-add."""
    return lambda x, y: fused_multiply_add(y, np.asarray(alpha, dtype=y.dtype), x)


class Add(Function):
    """d(a + αb) = da + α db   (α is add's `alpha`, usually 1)"""

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.shapes, ctx.alpha = (a._data.shape, b._data.shape), alpha
        if alpha != 1:
            return elementwise("add", _plus_times(alpha), a, b)
        return elementwise("add", np.add, a, b)

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad[:2]
        grad_b = grad if ctx.alpha == 1 else MulScalar.apply(grad, ctx.alpha)
        return (sum_to_shape(grad, shape_a) if need_a else None,
                sum_to_shape(grad_b, shape_b) if need_b else None, None)


class Sub(Function):
    """d(a - αb) = da - α db"""

    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.shapes, ctx.alpha = (a._data.shape, b._data.shape), alpha
        if alpha != 1:
            return elementwise("sub", _plus_times(-alpha), a, b)
        return elementwise("sub", np.subtract, a, b)

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        need_a, need_b = ctx.needs_input_grad[:2]
        grad_b = -grad if ctx.alpha == 1 else MulScalar.apply(-grad, ctx.alpha)
        return (sum_to_shape(grad, shape_a) if need_a else None,
                # negate, then sum (as PyTorch does): a sum of -0.s is 0., so the order shows
                sum_to_shape(grad_b, shape_b) if need_b else None, None)


class Rsub(Function):
    """d(c - x) = -dx, for a Python number c"""

    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, x, c):
        return elementwise("rsub", np.subtract, as_tensor(c, x), x)

    @staticmethod
    def backward(ctx, grad):
        return -grad, None


class Mul(Function):
    """d(a * b) = b da + a db"""

    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        # As PyTorch, save only what backward will use (b for a's grad, a for b's), so
        # that changing the other one in place later is no error.
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(b if need_a else None, a if need_b else None)
        ctx.shapes = a._data.shape, b._data.shape
        return elementwise("mul", np.multiply, a, b)

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_tensors
        shape_a, shape_b = ctx.shapes
        # the last input's grad first, as PyTorch's generated code (it decides the order
        # in which a second backward meets these nodes)
        grad_b = sum_to_shape(grad * a, shape_b) if ctx.needs_input_grad[1] else None
        grad_a = sum_to_shape(grad * b, shape_a) if ctx.needs_input_grad[0] else None
        return grad_a, grad_b


class Div(Function):
    """d(a / b) = da / b - a db / b²"""

    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(b, a if ctx.needs_input_grad[1] else None)  # what backward uses
        ctx.shapes = a._data.shape, b._data.shape
        return elementwise("div", _true_divide, a, b)

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_tensors
        shape_a, shape_b = ctx.shapes
        # the last input's grad first, as PyTorch's generated code (it decides the order
        # in which a second backward meets these nodes)
        grad_b = None
        if ctx.needs_input_grad[1]:  # -grad * ((a / b) / b), right operand first as in C++
            quotient = (a / b) / b
            grad_b = sum_to_shape(-grad * quotient, shape_b)
        grad_a = sum_to_shape(grad / b, shape_a) if ctx.needs_input_grad[0] else None
        return grad_a, grad_b


class Neg(Function):
    """d(-x) = -dx"""

    node_name = "NegBackward0"

    @staticmethod
    def forward(ctx, x):
        return like_input(np.negative(x._data), x._data)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Reciprocal(Function):
    """d(1/x) = -dx / x²  (PyTorch computes 2 / x as reciprocal(x) * 2)"""

    node_name = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx, x):
        result = Tensor._make(np.asarray(quiet(np.reciprocal, float_data(x))))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        square = result * result  # PyTorch: -grad * (result * result), right operand first
        return -grad * square


# PyTorch computes these powers another way (its pow_tensor_scalar_optimized_kernel), and
# it shows: (-0.) ** -0.5 is -inf through 1/sqrt, and x ** 3 rounds like x * x * x.
_POW_SPECIAL = {
    0.5: np.sqrt,
    2: lambda x: x * x,
    3: lambda x: x * x * x,
    -0.5: lambda x: 1 / np.sqrt(x),
    -1: lambda x: 1 / x,
    -2: lambda x: 1 / (x * x),
}


class Pow(Function):
    """d(xⁿ) = n xⁿ⁻¹ dx, for a number n"""

    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        exponent = as_tensor(n, x)
        special = _POW_SPECIAL.get(n) if x._data.dtype.kind == "f" else None
        if special is not None and exponent._data.dtype == x._data.dtype:
            return special(x._data)
        return elementwise("pow", _power, x, exponent)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        n = ctx.n
        if n == 0:  # zeros, as in PyTorch (grad * 0 would give -0. where grad < 0)
            return Tensor._make(np.zeros_like(grad._data)), None
        return grad * MulScalar.apply(x ** (n - 1), n), None


def pow_inplace(x: Tensor, n: float) -> Tensor:
    """x.pow_(n) inside a backward formula (norm's), as PyTorch records it: the node first,
    then a clone of the old values (CloneBackward0), which the node keeps for its backward"""
    out = Pow.apply(x, n)
    node = out.grad_fn
    if node is not None:
        old = x.clone()
        node._saved, node._saved_versions = (old,), (old._version,)
    return out


class PowTensor(Function):
    """d(aᵇ) = b aᵇ⁻¹ da + aᵇ ln(a) db"""

    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        result = Tensor._make(np.asarray(elementwise("pow", _power, a, b)))
        # PyTorch saves all three, whatever is needed (and checks them in this order)
        ctx.save_for_backward(b, a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        from .shape import where

        b, a, result = ctx.saved_tensors
        grad_a = grad_b = None
        # the last input's grad first, as PyTorch's generated code (it decides the order
        # in which a second backward meets these nodes)
        if ctx.needs_input_grad[1]:  # where a == 0 and b >= 0 the grad for b is 0, not nan
            base = a if a.dtype is result.dtype else a.to(result.dtype)
            grad_b = sum_to_shape(grad * where((a == 0) & (b >= 0), 0.0, result * base.log()),
                                 b.shape)
        if ctx.needs_input_grad[0]:  # and where b == 0 the grad for a is 0
            grad_a = where(b == 0, 0.0, grad * (b * a ** SubScalar.apply(b, 1)))
            grad_a = sum_to_shape(grad_a, a.shape)
        return grad_a, grad_b


class Rpow(Function):
    """d(cˣ) = cˣ ln(c) dx, for a number c"""

    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, x, c):
        # row-major, as PyTorch's number ** tensor, whatever x's layout
        result = Tensor._make(np.asarray(elementwise("pow", _power, as_tensor(c, x), x), order="C"))
        ctx.save_for_backward(x, result)  # x too, as PyTorch: it is checked for changes
        ctx.c = c
        ctx.log_c = float(np.log(c)) if c > 0 else float("nan") if c < 0 else float("-inf")
        return result

    @staticmethod
    def backward(ctx, grad):
        x, result = ctx.saved_tensors
        scale = MulScalar.apply(result, ctx.log_c)
        if ctx.c == 0:  # PyTorch's convention for 0 ** x: the grad is 0 where x >= 0
            from .shape import where

            scale = where(x >= 0, 0.0, scale)
        return grad * scale, None


# --- the functions that Tensor's dunders and smallgrad.* call ------------------------
def add(a: Tensor, b: object, alpha: float = 1) -> Tensor:
    b = as_tensor(b, a)
    return Add.apply(a, b) if alpha == 1 else Add.apply(a, b, alpha)


def sub(a: Tensor, b: object, alpha: float = 1) -> Tensor:
    b = as_tensor(b, a)
    _no_bool_subtraction(a, b)
    return Sub.apply(a, b) if alpha == 1 else Sub.apply(a, b, alpha)


def rsub(x: Tensor, c: object) -> Tensor:
    if not isinstance(c, Tensor):
        _no_bool_subtraction(x, as_tensor(c, x))
        return Rsub.apply(x, c)
    return sub(c, x)


def _no_bool_subtraction(a: Tensor, b: Tensor) -> None:
    bools = (a._data.dtype.kind == "b") + (b._data.dtype.kind == "b")
    if bools == 2:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if bools == 1:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def mul(a: Tensor, b: object) -> Tensor:
    return Mul.apply(a, as_tensor(b, a))


def div(a: Tensor, b: object) -> Tensor:
    return Div.apply(a, as_tensor(b, a))


def rdiv(x: Tensor, c: object) -> Tensor:
    return Reciprocal.apply(x) * c


def neg(x: Tensor) -> Tensor:
    if x._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return Neg.apply(x)


def reciprocal(x: Tensor) -> Tensor:
    return Reciprocal.apply(x)


def pow(x: Tensor, exponent: object) -> Tensor:
    if isinstance(exponent, Tensor):
        return PowTensor.apply(x, exponent)
    return Pow.apply(x, exponent)


def rpow(x: Tensor, base: object) -> Tensor:
    return Rpow.apply(x, base)


def compare(fn, a: Tensor, b: object) -> Tensor:
    """<, ==, ... give a bool tensor that is not part of any graph."""
    if b is None:
        return NotImplemented  # so `x == None` is False, as in PyTorch
    b = as_tensor(b, a)
    return Tensor._make(np.asarray(elementwise(fn.__name__, fn, a, b)))


def isclose(a: Tensor, b: object, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|a - b| <= atol + rtol |b|, elementwise, as a bool tensor."""
    if isinstance(b, Tensor) and b._data.dtype != a._data.dtype:
        raise RuntimeError(f"{a.dtype.tensor_type[:-6]} did not match "
                           f"{b.dtype.tensor_type[:-6]}")
    x, y = promoted(a, as_tensor(b, a))
    return Tensor._make(np.asarray(np.isclose(x, y, rtol, atol, equal_nan)))


def allclose(a: Tensor, b: object, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(isclose(a, b, rtol, atol, equal_nan)._data.all())


def equal(a: Tensor, b: Tensor) -> bool:
    """Same shape and the same values."""
    return a.shape == b.shape and bool((a._data == b._data).all())

