"""Elementwise functions of one tensor: exp, log, sqrt, sin, cos, tanh, sigmoid, relu,
abs, clamp. Where the derivative is easiest in terms of the result, forward saves it."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._common import float_data, like_input, precise, quiet
from .backward_ops import MulScalar, Sgn, SigmoidBackward, TanhBackward, ThresholdBackward
from .shape import where


class Exp(Function):
    """d(eˣ) = eˣ dx"""

    node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, x):
        # np.asarray: a ufunc of a 0-d array gives a NumPy scalar, which in-place ops can't fill
        result = Tensor._make(np.asarray(precise(np.exp, float_data(x))))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


class Log(Function):
    """d(ln x) = dx / x"""

    node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return precise(np.log, float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    """d(√x) = dx / (2√x)"""

    node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        result = Tensor._make(like_input(quiet(np.sqrt, float_data(x)), x._data))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad / MulScalar.apply(result, 2)  # PyTorch: grad / (2 * result)


class Sin(Function):
    """d(sin x) = cos x dx"""

    node_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return precise(np.sin, float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Function):
    """d(cos x) = -sin x dx"""

    node_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return precise(np.cos, float_data(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -x.sin()


class Tanh(Function):
    """d(tanh x) = (1 - tanh² x) dx"""

    node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, x):
        result = Tensor._make(np.asarray(precise(np.tanh, float_data(x))))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return TanhBackward.apply(grad, result)


class Sigmoid(Function):
    """d(σ(x)) = σ(x) (1 - σ(x)) dx"""

    node_name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        z = float_data(x)
        # PyTorch's kernel: 1 / (1 + e⁻ˣ), each step rounded in x's dtype (e⁻ˣ = inf gives 0)
        one = z.dtype.type(1)
        result = Tensor._make(like_input(quiet(np.divide, one, one + precise(np.exp, -z)), z))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return SigmoidBackward.apply(grad, result)


class Relu(Function):
    """d(max(x, 0)) = dx where x > 0, else 0"""

    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        # "x < 0 ? 0 : x", as PyTorch computes it: relu(-0.) is -0. and relu(nan) is nan
        result = Tensor._make(like_input(
            np.where(x._data < 0, x._data.dtype.type(0), x._data), x._data))
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return ThresholdBackward.apply(grad, result, 0)


class Abs(Function):
    """d|x| = sign(x) dx  (0 at x = 0)"""

    node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return like_input(np.abs(x._data), x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Sgn.apply(x)


class Clamp(Function):
    """d clamp(x, lo, hi) = dx where lo <= x <= hi, else 0"""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, low, high):
        if low is None and high is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        # "x < low ? low : x", then the same for high, as PyTorch: clamp(-0., min=0) is -0.
        out = x._data
        if low is not None:
            out = np.where(out < low, low, out)
        if high is not None:
            out = np.where(out > high, high, out)
        return like_input(out.astype(x._data.dtype, copy=False), x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = np.ones(x.shape, dtype=bool)
        if ctx.low is not None:
            inside &= x._data >= ctx.low
        if ctx.high is not None:
            inside &= x._data <= ctx.high
        return where(Tensor._make(inside), grad, 0.0), None, None


def exp(x: Tensor) -> Tensor:
    return Exp.apply(x)


def log(x: Tensor) -> Tensor:
    return Log.apply(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x)


def sin(x: Tensor) -> Tensor:
    return Sin.apply(x)


def cos(x: Tensor) -> Tensor:
    return Cos.apply(x)


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(x)


def relu(x: Tensor) -> Tensor:
    return Relu.apply(x)


def abs(x: Tensor) -> Tensor:
    return Abs.apply(x)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    return Clamp.apply(x, min, max)
