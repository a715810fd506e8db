"""Matrix products and the softmax family: the ops a small neural network needs."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim, sum_to_shape
from ._common import promoted


class Mm(Function):
    """d(A @ B) = dA @ B + A @ dB, so grad_A = grad @ Bᵀ and grad_B = Aᵀ @ grad"""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(*promoted(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad.mm(b.t()) if ctx.needs_input_grad[0] else None
        grad_b = a.t().mm(grad) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Mv(Function):
    """matrix @ vector"""

    node_name = "MvBackward0"

    @staticmethod
    def forward(ctx, m, v):
        ctx.save_for_backward(m, v)
        return np.matmul(*promoted(m, v))

    @staticmethod
    def backward(ctx, grad):
        m, v = ctx.saved_tensors
        grad_m = grad.unsqueeze(1) * v.unsqueeze(0) if ctx.needs_input_grad[0] else None
        grad_v = m.t().matmul(grad) if ctx.needs_input_grad[1] else None
        return grad_m, grad_v


class Dot(Function):
    """vector · vector"""

    node_name = "DotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.dot(*promoted(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class Matmul(Function):
    """Batched and mixed-rank matmul in one node (PyTorch splits it into view/bmm nodes)."""

    node_name = "MatmulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(*promoted(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = g.unsqueeze(-2)
        if b.ndim == 1:
            g = g.unsqueeze(-1)
        grad_a = sum_to_shape(g.matmul(b2.transpose(-1, -2)), a2.shape).reshape(a.shape)
        grad_b = sum_to_shape(a2.transpose(-1, -2).matmul(g), b2.shape).reshape(b.shape)
        return grad_a, grad_b


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """a @ b, with PyTorch's error messages for shapes that don't fit."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.ndim == 1 and b.ndim == 1:
        if a.shape != b.shape:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                f"and {b.shape[0]} elements respectively")
        return Dot.apply(a, b)
    inner_a, inner_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        if a.ndim == 2 and b.ndim == 1:
            raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                               f"({a.shape[0]}x{a.shape[1]}), vec ({b.shape[0]})")
        rows = int(np.prod(a.shape[:-1]))
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{inner_a} and "
            f"{inner_b}x{b.shape[-1] if b.ndim > 1 else 1}) (matmul of shapes "
            f"{list(a.shape)} and {list(b.shape)})")
    if a.ndim == 2 and b.ndim == 2:
        return Mm.apply(a, b)
    if a.ndim == 2 and b.ndim == 1:
        return Mv.apply(a, b)
    return Matmul.apply(a, b)


class Softmax(Function):
    """s = softmax(x): grad_x = s * (grad - Σ grad·s)"""

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        z = x._data - np.max(x._data, axis=dim, keepdims=True)  # no overflow in exp
        e = np.exp(z)
        result = Tensor._make(e / np.sum(e, axis=dim, keepdims=True))
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return s * (grad - (grad * s).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """y = log_softmax(x): grad_x = grad - softmax(x) Σ grad"""

    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        z = x._data - np.max(x._data, axis=dim, keepdims=True)
        result = Tensor._make(z - np.log(np.sum(np.exp(z), axis=dim, keepdims=True)))
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(ctx.dim, keepdim=True), None


def softmax(x: Tensor, dim: int) -> Tensor:
    return Softmax.apply(x, _wrap_dim(dim, x.ndim))


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return LogSoftmax.apply(x, _wrap_dim(dim, x.ndim))
