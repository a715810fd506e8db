"""Reductions: sum, mean, var, max, min, norm. (This module defines sum, max and min,
so it doesn't use Python's own.) Backward spreads the grad back over the
reduced dims (expand), which is why every reduction remembers the input's shape."""

from __future__ import annotations

import warnings

import numpy as np

from .._warn import warn
from ..autograd.function import Function
from ..autograd.zero_tensor import refuse_writing
from ..tensor import Tensor, _wrap_dim
from ._common import quiet, reduce_dims
from .arithmetic import pow_inplace
from .backward_ops import DivScalar, MaskedFill, MaskedFillTensor, MulScalar, Scatter, Sgn
from .cascade_sum import cascade_sum
from .shape import flip, where


def _unsqueeze_multiple(grad: Tensor, dims: tuple, ndim: int) -> Tensor:
    """Put the reduced dims back into grad, as size 1 (PyTorch's unsqueeze_multiple)."""
    if len(dims) == 1:
        return grad.unsqueeze(dims[0])
    for d in range(ndim):
        if d in dims:
            grad = grad.unsqueeze(d)
    return grad


def _spread(grad: Tensor, shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """The reduced dims put back and expanded to `shape` (PyTorch's sum_backward)."""
    if not keepdim and shape and dims:
        grad = _unsqueeze_multiple(grad, dims, len(shape))
    return grad.expand(shape)


def _sum(data: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """np.sum, but float sums add in PyTorch's order (see cascade_sum) wherever it can."""
    total = cascade_sum(data, dims)
    if total is None:
        return np.sum(data, axis=dims, keepdims=keepdim)
    return total if keepdim else total.reshape([n for d, n in enumerate(data.shape)
                                                if d not in dims])


def _mean(data: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """PyTorch's mean on the CPU: the sum, then one division (an empty mean is nan)."""
    count = int(np.prod([data.shape[d] for d in dims]))
    return quiet(np.true_divide, _sum(data, dims, keepdim), count).astype(data.dtype, copy=False)


def _row_major(array: np.ndarray) -> np.ndarray:
    """PyTorch's reductions give row-major results; NumPy's may keep a transposed layout."""
    return np.asarray(array, order="C")


class Sum(Function):
    """d(Σ x) = dx everywhere: the grad is copied to every element"""

    node_name = "SumBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x._data.shape
        return _sum(x._data, tuple(range(x._data.ndim)), False)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


class SumDim(Function):
    """The same, over chosen dims"""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x._data.shape, dims, keepdim
        return _row_major(_sum(x._data, dims, keepdim))

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None


def _check_float(name: str, x: Tensor) -> None:
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {x.dtype.tensor_type[:-6]}")


class Cumsum(Function):
    """y_i = x_0 + ... + x_i along dim, so x_i's grad is the sum of y_i's, y_i+1's, ...
    grads: the grad added up from the far end (flip, cumsum, flip back)"""

    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        data = x._data
        if data.dtype.kind in "biu":  # integers and bools add up in int64
            total = np.cumsum(data, axis=dim, dtype=np.int64) if data.ndim else data
            return np.asarray(total).astype(np.int64, order="C")
        # PyTorch adds float32 in float64, each running sum rounded as it is written
        wide = np.cumsum(data, axis=dim, dtype=np.float64) if data.ndim else data
        return np.asarray(wide).astype(data.dtype, order="C")  # row-major, as PyTorch's

    @staticmethod
    def backward(ctx, grad):
        if grad.numel() <= 1 or grad.shape[ctx.dim] == 1:
            return grad, None  # PyTorch's cumsum_backward: nothing to add up
        dims = (ctx.dim,)
        return flip(Cumsum.apply(flip(grad, dims), ctx.dim), dims), None


def cumsum(x: Tensor, dim: int) -> Tensor:
    return Cumsum.apply(x, _wrap_dim(dim, x.ndim))


class Mean(Function):
    """d(mean x) = dx / n"""

    node_name = "MeanBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x._data.shape
        return _mean(x._data, tuple(range(x._data.ndim)), False)

    @staticmethod
    def backward(ctx, grad):
        return DivScalar.apply(grad.expand(ctx.shape), int(np.prod(ctx.shape)))


class MeanDim(Function):
    """The same, over chosen dims"""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x._data.shape, dims, keepdim
        return _row_major(_mean(x._data, dims, keepdim))

    @staticmethod
    def backward(ctx, grad):
        count = int(np.prod([ctx.shape[d] for d in ctx.dims]))
        return DivScalar.apply(_spread(grad, ctx.shape, ctx.dims, ctx.keepdim), count), None, None


class Var(Function):
    """d var(x) = 2 (x - mean) / (n - correction) dx"""

    node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim, correction):
        ctx.save_for_backward(x)
        ctx.dim, ctx.keepdim, ctx.correction = dim, keepdim, correction
        variance = _variance("var", x._data, dim, keepdim, correction)
        return _row_major(variance.astype(x._data.dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _var_backward(grad, x, ctx.dim, ctx.keepdim, ctx.correction), None, None, None


class Std(Function):
    """d std(x) = d var(x) / (2 std(x)), and 0 where std(x) is 0 (a constant)"""

    node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim, correction):
        variance = _variance("std", x._data, dim, keepdim, correction)
        result = Tensor._make(_row_major(np.sqrt(variance).astype(x._data.dtype)))
        ctx.save_for_backward(x, result)
        ctx.dim, ctx.keepdim, ctx.correction = dim, keepdim, correction
        return result

    @staticmethod
    def backward(ctx, grad):
        x, result = ctx.saved_tensors
        refuse_writing(grad)  # PyTorch masks grad / (2 std) in place: not sgn's efficient zeros
        grad_var = MaskedFill.apply(grad / MulScalar.apply(result, 2), result._data == 0, 0)
        return _var_backward(grad_var, x, ctx.dim, ctx.keepdim, ctx.correction), None, None, None


def _variance(name: str, data: np.ndarray, dim, keepdim: bool, correction) -> np.ndarray:
    """PyTorch's two ways, so that the last bits come out as torch's: over all elements, the
    mean in the tensor's dtype, then the squared deviations summed in float64, one by one;
    along dims, Welford's running sums (in float64: a constant gives exactly 0)."""
    dims = reduce_dims(dim, data.ndim)
    count = int(np.prod([data.shape[d] for d in dims]))
    kept = int(np.prod([size for d, size in enumerate(data.shape) if d not in dims]))
    if (count if kept else 0) - correction <= 0:  # PyTorch: numel / output numel, or 0
        warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
             "than the reduction factor (input numel divided by output numel).")
    wide = data.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty or no degrees of freedom
        if data.size and count == data.size:  # one result from every element: std_var_all
            mean = np.float64(_mean(data, tuple(range(data.ndim)), False))
            dof = count - correction if count > correction else 0  # (max is smallgrad.max here)
            squares = np.ravel((wide - mean) ** 2, order="K")  # added one by one, in memory order
            variance = quiet(np.divide, np.add.accumulate(squares)[-1], dof)
            shape = [1 if d in dims else n for d, n in enumerate(data.shape)]
            variance = np.reshape(variance, shape if keepdim else
                                  [n for d, n in enumerate(data.shape) if d not in dims])
        else:
            variance = _welford(wide, dims, keepdim, correction)
    return np.asarray(variance)  # float64: std takes its root before rounding, as torch


def _welford(wide: np.ndarray, dims: tuple[int, ...], keepdim: bool, correction) -> np.ndarray:
    """Variance along dims as PyTorch's WelfordOps reduces, one element at a time in float64
    (so the last bits agree, and a constant has exactly 0 spread)."""
    kept = [d for d in range(wide.ndim) if d not in dims]
    count = int(np.prod([wide.shape[d] for d in dims]))
    rows = np.transpose(wide, kept + list(dims)).reshape([wide.shape[d] for d in kept] + [count])
    mean, m2 = np.zeros(rows.shape[:-1]), np.zeros(rows.shape[:-1])
    for n in range(rows.shape[-1]):
        x = rows[..., n]
        delta = x - mean
        mean = mean + delta / (n + 1)
        m2 = m2 + delta * (x - mean)
    variance = quiet(np.divide, m2, count - correction if count > correction else 0)
    if keepdim:
        variance = np.expand_dims(variance, dims)
    return variance


def _var_backward(grad: Tensor, x: Tensor, dim, keepdim: bool, correction: float) -> Tensor:
    """PyTorch's var_backward, step for step (so the numbers agree to the last bit).
    With n <= correction, 2 / (n - correction) is infinite: the grad is nan or inf."""
    if dim is None or x.ndim == 0:
        dof = x.numel() - correction
        if dof <= 0:
            return grad * where(x == x.mean(), float("nan"), float("inf"))
        centered = x - x.mean()  # C++ evaluates the right operand first
        return MulScalar.apply(grad, 2.0 / dof) * centered
    dims = reduce_dims(dim, x.ndim)
    if not keepdim and x.ndim > 1:
        for d in dims:
            grad = grad.unsqueeze(d)
    dof = int(np.prod([x.shape[d] for d in dims])) - correction
    centered = x - x.mean(dims, keepdim=True)  # C++ evaluates the right operand first
    return MulScalar.apply(grad, 2.0 / dof if dof else float("inf")) * centered


class MaxAll(Function):
    """d max(x): the grad goes to the largest element, shared evenly among ties"""

    node_name = "MaxBackward1"
    op, pick = "max", staticmethod(np.max)

    @staticmethod
    def forward(ctx, x):
        if x._data.size == 0:
            raise RuntimeError(
                f"{ctx._forward_cls.op}(): Expected reduction dim to be specified "
                "for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        result = Tensor._make(np.asarray(ctx._forward_cls.pick(x._data)))
        ctx.save_for_backward(x, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        x, result = ctx.saved_tensors
        # PyTorch's evenly_distribute_backward: zeros, with grad / count at the winners
        winners = np.isnan(x._data) if np.isnan(result._data) else x._data == result._data
        count = Tensor._make(np.asarray(winners.sum(), dtype=np.int64))
        zeros = Tensor._make(np.zeros(x._data.shape, grad._data.dtype))
        return MaskedFillTensor.apply(zeros, winners, grad / count)


class MinAll(MaxAll):
    node_name = "MinBackward1"
    op, pick = "min", staticmethod(np.min)


class MaxDim(Function):
    """max over one dim gives (values, indices); the grad goes to the element picked"""

    node_name = "MaxBackward0"
    arg = staticmethod(np.argmax)

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        data = x._data.reshape(1) if x._data.ndim == 0 else x._data  # 0-d: its one value
        indices = np.expand_dims(ctx._forward_cls.arg(data, axis=dim), dim)
        values = np.take_along_axis(data, indices, axis=dim)
        if not keepdim or x._data.ndim == 0:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        ctx.shape, ctx.dim, ctx.keepdim = x._data.shape, dim, keepdim
        indices = Tensor._make(_row_major(indices.astype(np.int64)))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return Tensor._make(_row_major(values)), indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        # PyTorch's value_selecting_reduction_backward: zeros, scatter_ the grad at indices
        index = indices._data
        if not ctx.keepdim and ctx.shape:
            grad_values = grad_values.unsqueeze(ctx.dim)
            index = np.expand_dims(index, ctx.dim)
        zeros = Tensor._make(np.zeros(ctx.shape, grad_values._data.dtype))
        return Scatter.apply(zeros, ctx.dim, index, grad_values), None, None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    arg = staticmethod(np.argmin)


class Norm(Function):
    """d ‖x‖₂ = x / ‖x‖₂ dx  (and for other p: sign(x) |x|ᵖ⁻¹ / ‖x‖ₚᵖ⁻¹ dx)"""

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        data = x._data
        if p == 2:
            result = np.sqrt(np.sum(data * data, axis=dims, keepdims=keepdim))
        elif p == float("inf"):
            result = np.max(np.abs(data), axis=dims, keepdims=keepdim)
        else:
            result = np.sum(np.abs(data) ** p, axis=dims, keepdims=keepdim) ** (1 / p)
        result = Tensor._make(_row_major(np.asarray(result, dtype=data.dtype)))
        ctx.save_for_backward(x, result)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return result

    @staticmethod
    def backward(ctx, grad):
        """PyTorch's norm_backward, op for op"""
        x, norm = ctx.saved_tensors
        p, dims = ctx.p, ctx.dims
        if p > 1 and p not in (2, float("inf")):  # (before grad is viewed: a view isn't known)
            refuse_writing(grad)  # PyTorch masks grad / norm^(p-1) in place, as std does
        if not ctx.keepdim and x.ndim and dims is not None:
            grad = _unsqueeze_multiple(grad, dims, x.ndim)
            norm = _unsqueeze_multiple(norm, dims, x.ndim)
        norm_is_zero = norm._data == 0
        if p == 0:
            return None, None, None, None
        if p == 1:
            return Sgn.apply(x) * grad, None, None, None
        if p == 2:
            return grad * MaskedFill.apply(x / norm, norm_is_zero, 0), None, None, None
        # (C++ evaluates the right operand of `a * b` first: so does this, for the same
        # order of nodes)
        if p == float("inf"):  # the largest |x| share the grad (nan counts as largest)
            size = x.abs()._data
            winners = Tensor._make((size == norm._data) | np.isnan(size))
            count = winners.sum(tuple(range(x.ndim)) if dims is None else dims, keepdim=True)
            shared = (grad / count) * winners
            return Sgn.apply(x) * shared, None, None, None
        if p < 1:
            kept = MaskedFill.apply(pow_inplace(x.abs(), p - 1), x._data == 0, 0)
            scaled = Sgn.apply(x) * kept
            power = norm ** (1 - p)
            return scaled * grad * power, None, None, None
        if p < 2:
            power = pow_inplace(x.abs(), p - 1)
            scaled = Sgn.apply(x) * power
        else:
            scaled = x * pow_inplace(x.abs(), p - 2)
        scale = MaskedFill.apply(grad / norm ** (p - 1), norm_is_zero, 0)
        return scaled * scale, None, None, None


class ReturnTypes(tuple):
    """(values, indices) with names, printed as torch.return_types.max is."""

    def __new__(cls, name: str, values: Tensor, indices: Tensor):
        self = super().__new__(cls, (values, indices))
        self.name = name
        return self

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return (f"smallgrad.return_types.{self.name}(\nvalues={self[0]!r},\n"
                f"indices={self[1]!r})")


def sum(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Sum.apply(x)
    return SumDim.apply(x, reduce_dims(dim, x._data.ndim), keepdim)


def mean(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    _check_float("mean", x)
    if dim is None:
        return Mean.apply(x)
    return MeanDim.apply(x, reduce_dims(dim, x._data.ndim), keepdim)


def _check_float_var(x: Tensor) -> None:
    if x._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")


def var(x: Tensor, dim=None, keepdim: bool = False, correction: int = 1) -> Tensor:
    _check_float_var(x)
    if dim is not None:
        reduce_dims(dim, x._data.ndim)  # a dim out of range raises here, before forward
    return Var.apply(x, dim, keepdim, correction)


def std(x: Tensor, dim=None, keepdim: bool = False, correction: int = 1) -> Tensor:
    _check_float_var(x)
    if dim is not None:
        reduce_dims(dim, x._data.ndim)
    return Std.apply(x, dim, keepdim, correction)


def _extreme(name: str, all_fn, dim_fn, x: Tensor, dim, keepdim: bool):
    if dim is None:
        return all_fn.apply(x)
    ndim = x._data.ndim
    d = reduce_dims(dim, ndim)[0] if ndim else _wrap_dim(dim, 0)
    if ndim and x._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    values, indices = dim_fn.apply(x, d, keepdim)
    return ReturnTypes(name, values, indices)


def max(x: Tensor, dim=None, keepdim: bool = False):
    return _extreme("max", MaxAll, MaxDim, x, dim, keepdim)


def min(x: Tensor, dim=None, keepdim: bool = False):
    return _extreme("min", MinAll, MinDim, x, dim, keepdim)


def argmax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    if dim is None:
        if x._data.size == 0:
            raise IndexError(
                "argmax(): Expected reduction dim to be specified for input.numel() == 0.")
        return Tensor._make(np.asarray(np.argmax(x._data), dtype=np.int64))
    if x._data.ndim == 0:
        _wrap_dim(dim, 0)  # PyTorch's IndexError for a dim other than 0 or -1
        return Tensor._make(np.zeros((), np.int64))
    d = reduce_dims(dim, x._data.ndim)[0]
    return Tensor._make(np.asarray(np.argmax(x._data, axis=d, keepdims=keepdim), np.int64))


def norm(x: Tensor, p=2, dim=None, keepdim: bool = False) -> Tensor:
    if x._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype.tensor_type[:-6]}")
    if p == "fro":  # the Frobenius norm is the 2-norm of all the elements
        p = 2
    dims = None if dim is None else reduce_dims(dim, x._data.ndim)  # None: PyTorch's dim=[]
    return Norm.apply(x, float(p), dims, keepdim)


def logical_reduce(fn, x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """all() / any(): a bool tensor, outside any graph."""
    axis = None if dim is None else reduce_dims(dim, x._data.ndim)
    return Tensor._make(np.asarray(fn(x._data, axis=axis, keepdims=keepdim)))

