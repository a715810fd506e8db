"""In-place operations: x.add_(y), x *= 2, x.zero_(), ...

They change the tensor's values where they are, and bump its version counter so that
a node which saved the old values can tell (the "modified by an inplace operation"
error). When the change itself must be recorded, the tensor becomes the output of a
new node, the way PyTorch rebases its history."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import _GradState
from ..tensor import Tensor
from ._common import as_tensor, broadcast_message, result_dtype
from .shape import rebase_views

# when nothing is recorded (e.g. an SGD step under no_grad), NumPy does the work in place
_UFUNCS = {"add_": np.add, "sub_": np.subtract, "mul_": np.multiply, "div_": np.true_divide}


def inplace(x: Tensor, name: str, op: Callable, *args) -> Tensor:
    if x.grad_fn is None and x._requires_grad and _GradState.enabled:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation.")
    records = _GradState.enabled and (
        x.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args))
    if records and x._base is not None and x._base.requires_grad:
        raise RuntimeError(
            f"{name}: smallgrad does not record in-place changes to a view of a tensor that "
            "requires grad (PyTorch rewrites the base's history for this). Use the "
            "out-of-place form instead, e.g. y = y * 2 rather than y[0].mul_(2).")
    if not records and name in _UFUNCS:
        return _in_place_ufunc(x, name, as_tensor(args[0], x))
    if not records and name == "zero_":
        x._data.fill(0)
        x._version_box[0] += 1
        return x
    # the old value, as its own tensor in the same place of the graph: a node may save it
    old = x
    if records:
        old = Tensor._make(x._data.copy())
        old.grad_fn, old._output_nr, old._requires_grad = x.grad_fn, x._output_nr, x._requires_grad
        old._accumulator = x._accumulator
    result = op(old, *args)
    _check_cast(result._data.dtype, x)
    if result.shape != x.shape:
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                           f"shape {list(result.shape)}")
    np.copyto(x._data, result._data, casting="unsafe")
    x._version_box[0] += 1
    if result.grad_fn is not None:
        x.grad_fn, x._output_nr = result.grad_fn, result._output_nr
        _replace_saved(result.grad_fn, result, x)
        if getattr(x, "_views", None):
            rebase_views(x)  # its views now get their grad through x's new history
    return x


def _check_cast(dtype: np.dtype, x: Tensor) -> None:
    from ..dtypes import from_numpy

    if dtype.kind != x._data.dtype.kind and (dtype.kind == "f" or x._data.dtype.kind == "b"):
        raise RuntimeError(f"result type {from_numpy(dtype).tensor_type[:-6]} can't be cast to "
                           f"the desired output type {x.dtype.tensor_type[:-6]}")


def _in_place_ufunc(x: Tensor, name: str, other: Tensor) -> Tensor:
    dtype = result_dtype(x, other)
    if name == "div_" and dtype.kind != "f":
        dtype = np.dtype(np.float32)
    _check_cast(dtype, x)
    try:
        _UFUNCS[name](x._data, other._data, out=x._data, casting="unsafe")
    except ValueError:
        if not x._data.flags.writeable:
            raise RuntimeError(
                f"{name}: this tensor shares one memory location among several elements "
                "(it came from expand or broadcasting); clone() it before writing") from None
        try:
            shape = np.broadcast_shapes(x.shape, other.shape)
        except ValueError:
            raise RuntimeError(broadcast_message(name, x.shape, other.shape)) from None
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}") from None
    x._version_box[0] += 1
    return x


def _replace_saved(node, result: Tensor, x: Tensor) -> None:
    """A node that saved its output should now see x, which holds those values."""
    saved = getattr(node, "_saved", ())
    if any(s is result for s in saved):
        node._saved = tuple(x if s is result else s for s in saved)
        node._saved_versions = tuple(
            x._version if s is x else v for s, v in zip(node._saved, node._saved_versions))


class Zero(Function):
    """x.zero_(): the old values are gone, so their grad is 0"""

    node_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.zeros_like(x._data)

    @staticmethod
    def backward(ctx, grad):
        return Tensor._make(np.zeros_like(grad._data))


class Fill(Function):
    """x.fill_(number)"""

    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        return np.full_like(x._data, value)

    @staticmethod
    def backward(ctx, grad):
        return Tensor._make(np.zeros_like(grad._data)), None


class FillWithTensor(Function):
    """x.fill_(a 0-d tensor): every element gets the value, so its grad is the sum"""

    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        return np.full_like(x._data, value._data)

    @staticmethod
    def backward(ctx, grad):
        grad_value = grad.sum() if ctx.needs_input_grad[1] else None
        return Tensor._make(np.zeros_like(grad._data)), grad_value


class Copy(Function):
    """x.copy_(src): x takes src's values (broadcast, in x's dtype); the grad goes to src"""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        try:
            values = np.broadcast_to(src._data, x._data.shape)
        except ValueError:
            raise RuntimeError(broadcast_message("copy_", x.shape, src.shape)) from None
        ctx.src_shape = src._data.shape
        return values.astype(x._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        from ..tensor import sum_to_shape

        grad_x = Tensor._make(np.zeros_like(grad._data)) if ctx.needs_input_grad[0] else None
        grad_src = sum_to_shape(grad, ctx.src_shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_src


def zeros_like_op(x: Tensor) -> Tensor:
    return Zero.apply(x)


def fill_like_op(x: Tensor, value: object) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        return FillWithTensor.apply(x, value)
    return Fill.apply(x, value)


def copy_op(x: Tensor, src: Tensor) -> Tensor:
    return Copy.apply(x, src)
