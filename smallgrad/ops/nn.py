"""Matrix products and the softmax family: the ops a small neural network needs."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ._common import promoted
from .backward_ops import LogSoftmaxBackwardData, SoftmaxBackwardData
from .shape import Contiguous, Squeeze, UnsafeView, expand


def _needed(ctx, a: Tensor, b: Tensor) -> tuple:
    """What a product's backward needs: b for a's grad, a for b's grad (in that order, as
    PyTorch saves them). What is not needed is not saved, so it may change in place."""
    need_a, need_b = ctx.needs_input_grad
    return b if need_a else None, a if need_b else None


class Mm(Function):
    """d(A @ B) = dA @ B + A @ dB, so grad_A = grad @ Bᵀ and grad_B = Aᵀ @ grad"""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        # as PyTorch, save only what backward uses: b for a's grad, a for b's
        ctx.save_for_backward(*_needed(ctx, a, b))
        ctx.column_major = _column_major(a._data), _column_major(b._data)
        return np.matmul(*promoted(a, b))

    @staticmethod
    def backward(ctx, grad):
        """PyTorch's mm_mat1_backward / mm_mat2_backward: a column-major input gets its
        grad computed transposed, so that it comes out column-major too"""
        b, a = ctx.saved_tensors
        a_column_major, b_column_major = ctx.column_major
        grad_a = grad_b = None
        if ctx.needs_input_grad[1]:  # the last input's grad first, as PyTorch
            grad_b = grad.t().mm(a).t() if b_column_major else a.t().mm(grad)
        if ctx.needs_input_grad[0]:
            grad_a = b.mm(grad.t()).t() if a_column_major else grad.mm(b.t())
        return grad_a, grad_b


def _column_major(m: np.ndarray) -> bool:
    """Laid out as the transpose of a row-major matrix (PyTorch: strides (1, rows))."""
    item = m.itemsize
    return m.strides[0] == item and m.strides[1] == item * m.shape[0]


class Mv(Function):
    """matrix @ vector"""

    node_name = "MvBackward0"

    @staticmethod
    def forward(ctx, m, v):
        ctx.save_for_backward(*_needed(ctx, m, v)[::-1])  # PyTorch checks m first
        return np.matmul(*promoted(m, v))

    @staticmethod
    def backward(ctx, grad):
        m, v = ctx.saved_tensors
        # PyTorch: grad.ger(vec), and ger is grad.reshape(n, 1) * vec
        grad_m = grad.reshape((grad.shape[0], 1)) * v if ctx.needs_input_grad[0] else None
        grad_v = m.t().matmul(grad) if ctx.needs_input_grad[1] else None
        return grad_m, grad_v


class Dot(Function):
    """vector · vector"""

    node_name = "DotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*_needed(ctx, a, b)[::-1])  # PyTorch checks a first
        return np.dot(*promoted(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return grad * b if need_a else None, grad * a if need_b else None


class Bmm(Function):
    """A batch of matrix products: out[i] = A[i] @ B[i]"""

    node_name = "BmmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*_needed(ctx, a, b))
        return np.matmul(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        b, a = ctx.saved_tensors
        grad_b = bmm(a.transpose(1, 2), grad) if ctx.needs_input_grad[1] else None  # last first
        grad_a = bmm(grad, b.transpose(1, 2)) if ctx.needs_input_grad[0] else None
        return grad_a, grad_b


class SqueezeInPlace(Squeeze):
    """squeeze_(0), which PyTorch's matmul runs on the result of mm for vector @ matrix"""

    node_name = "SqueezeBackward4"


def _type_name(t: Tensor) -> str:
    return t.dtype.tensor_type[:-len("Tensor")]  # "Float", "Double", "Long", ...


# the C++ names PyTorch's dtype errors print
_CPP_NAME = {"float16": "c10::Half", "float32": "float", "float64": "double",
             "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
             "int32": "int", "int64": "long int", "bool": "bool"}


def mm(a: Tensor, b: Tensor) -> Tensor:
    """matrix @ matrix"""
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} "
                          f"and {b.shape[0]}x{b.shape[1]})")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CPP_NAME[a.dtype.name]} != {_CPP_NAME[b.dtype.name]}")
    return Mm.apply(a, b)


def mv(m: Tensor, v: Tensor) -> Tensor:
    """matrix @ vector"""
    if m.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if m.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({m.shape[0]}), mat "
                          f"({m.shape[0]}x{m.shape[1]}), vec ({v.shape[0]})")
    if m.dtype is not v.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_type_name(v)}, {_type_name(m)}, and {_type_name(v)}")
    return Mv.apply(m, v)


def dot(a: Tensor, b: Tensor) -> Tensor:
    """vector · vector"""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype is not b.dtype:  # PyTorch checks the dtypes first, for dot
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_type_name(a)} and {_type_name(b)}")
    if a.shape != b.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
            "elements respectively")
    return Dot.apply(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """a batch of matrices @ a batch of matrices"""
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                          f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(a)} but found {_type_name(b)}")
    return Bmm.apply(a, b)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """a @ b, built from dot, mv, mm and bmm exactly as PyTorch builds it, so that the
    graph has the same nodes (e.g. vector @ matrix is unsqueeze, mm, squeeze_).
    A shape mismatch gives PyTorch's message."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    return _matmul(a, b)


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    from .shape import reshape, squeeze, transpose, unsqueeze

    dim_a, dim_b = a.ndim, b.ndim
    if dim_a == 1 and dim_b == 1:
        return dot(a, b)
    if dim_a == 2 and dim_b == 1:
        return mv(a, b)
    if dim_a == 1 and dim_b == 2:
        out = SqueezeInPlace.apply(mm(unsqueeze(a, 0), b), 0)
        out._version_box[0] += 1  # PyTorch squeezes in place: the version says so
        return out
    if dim_a == 2 and dim_b == 2:
        return mm(a, b)
    if _should_fold(a, b):
        # fold the batch dims of the bigger one into its rows: one mm (or mv) does it all
        swap = dim_b > dim_a
        big = transpose(b, -1, -2) if swap else a
        small = (a.t() if dim_a == 2 else a) if swap else b
        rows = big.shape[:-1]
        folded = reshape(big, (int(np.prod(rows)), big.shape[-1]))
        if small.ndim == 1:
            return UnsafeView.apply(mv(folded, small), tuple(rows))
        out = UnsafeView.apply(mm(folded, small), (*rows, small.shape[1]))
        return _contiguous(transpose(out, -1, -2)) if swap else out

    # batched: broadcast the batch dims, flatten them into one, and use bmm
    n, m1, batch_a = (a.shape[-2] if dim_a > 1 else 1), a.shape[-1], a.shape[:max(dim_a - 2, 0)]
    m2 = b.shape[-2] if dim_b > 1 else b.shape[0]
    p, batch_b = (b.shape[-1] if dim_b > 1 else 1), b.shape[:max(dim_b - 2, 0)]
    if dim_a == 3 and dim_b == 3 and batch_a[0] != batch_b[0]:
        if batch_a[0] == 1 and a.requires_grad:
            return _matmul(squeeze(a, 0), b)
        if batch_b[0] == 1 and b.requires_grad:
            return _matmul(a, squeeze(b, 0))
    batch = _broadcast_batch(batch_a, batch_b)
    count = int(np.prod(batch))
    a3 = reshape(expand(a, (*batch, n, m1)), (count, n, m1))
    if dim_b == 1:
        b3 = unsqueeze(reshape(expand(b, (*batch, m2)), (count, m2)), 2)
    else:
        b3 = reshape(expand(b, (*batch, m2, p)), (count, m2, p))
    out = bmm(a3, b3)
    if dim_b == 1:
        out = squeeze(out, -1)
    shape = (*batch, *([n] if dim_a > 1 else []), *([p] if dim_b > 1 else []))
    return UnsafeView.apply(out, shape)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """PyTorch's rule for using one mm instead of bmm (ATen's should_fold)."""
    a_bigger = a.ndim >= b.ndim
    big = a._data if a_bigger else np.swapaxes(b._data, -1, -2)
    small_ndim = b.ndim if a_bigger else a.ndim
    if not (big.ndim >= 3 and small_ndim <= 2):
        return False
    if (b if a_bigger else a).requires_grad:
        return True  # folding spares backward a big expanded grad
    if a.ndim == 2:
        return False
    if big.size == 0:
        return True
    shape, strides = big.shape, big.strides
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def _broadcast_batch(batch_a: tuple, batch_b: tuple) -> tuple:
    ndim = max(len(batch_a), len(batch_b))
    a = (1,) * (ndim - len(batch_a)) + tuple(batch_a)
    b = (1,) * (ndim - len(batch_b)) + tuple(batch_b)
    for i, (size_a, size_b) in enumerate(zip(a, b)):
        if size_a != size_b and 1 not in (size_a, size_b):
            raise RuntimeError(f"The size of tensor a ({size_a}) must match the size of tensor b "
                              f"({size_b}) at non-singleton dimension {i}")
    return tuple(max(size_a, size_b) for size_a, size_b in zip(a, b))


def _contiguous(x: Tensor) -> Tensor:
    """x.contiguous(): x itself if its elements are in row-major order, else a copy."""
    return x if x._data.flags.c_contiguous else Contiguous.apply(x)


class Softmax(Function):
    """s = softmax(x): grad_x = s * (grad - Σ grad·s)"""

    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        # minus the max, so exp cannot overflow (initial: an empty x has no max)
        z = x._data - np.max(x._data, axis=dim, keepdims=True, initial=-np.inf)
        e = np.exp(z)
        result = Tensor._make(np.asarray(e / np.sum(e, axis=dim, keepdims=True), order="C"))
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return SoftmaxBackwardData.apply(grad, s, ctx.dim), None


class LogSoftmax(Function):
    """y = log_softmax(x): grad_x = grad - softmax(x) Σ grad"""

    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        z = x._data - np.max(x._data, axis=dim, keepdims=True, initial=-np.inf)
        result = Tensor._make(
            np.asarray(z - np.log(np.sum(np.exp(z), axis=dim, keepdims=True)), order="C"))
        ctx.save_for_backward(result)
        ctx.dim = dim
        return result

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return LogSoftmaxBackwardData.apply(grad, y, ctx.dim), None


def softmax(x: Tensor, dim: int) -> Tensor:
    return Softmax.apply(x, _wrap_dim(dim, x.ndim))


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return LogSoftmax.apply(x, _wrap_dim(dim, x.ndim))
