"""Helpers the ops share: turning Python numbers into tensors, PyTorch's type promotion,
broadcasting errors that name the op, and summing a broadcast grad back down."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Number

import numpy as np

from ..tensor import Tensor, _wrap_dim

_DEFAULT_FOR_KIND = {"b": np.dtype(np.bool_), "i": np.dtype(np.int64), "u": np.dtype(np.int64),
                     "f": np.dtype(np.float32)}
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def as_tensor(value: object, like: Tensor) -> Tensor:
    """The other operand of `like + value` as a tensor. A Python number becomes a
    'wrapped number' in `like`'s dtype when it fits there, as PyTorch does."""
    if isinstance(value, Tensor):
        return value
    own = like._data.dtype
    if (value.__class__ is float or value.__class__ is int) and own.kind == "f":
        dtype = own  # x * 0.5: the usual case, ~1 µs sooner than the checks below
    elif isinstance(value, np.ndarray):
        from ..creation import tensor

        return tensor(value)
    else:
        dtype = _wrapped_number_dtype(value, own)
    wrapped = Tensor._make(np.asarray(value, dtype=dtype))
    wrapped._is_scalar = True
    return wrapped


def _wrapped_number_dtype(value: object, own: np.dtype) -> np.dtype:
    if isinstance(value, (bool, np.bool_)):
        kind = "b"
    elif isinstance(value, (int, np.integer)):
        kind = "i"
    elif isinstance(value, (float, np.floating)):
        kind = "f"
    elif isinstance(value, Number):
        raise TypeError(f"smallgrad has no complex tensors (got {value!r})")
    else:  # lists too: PyTorch doesn't turn them into tensors here
        raise NotATensorError(f"argument 'other' must be Tensor, not {type(value).__name__}")
    return own if _CATEGORY[kind] <= _CATEGORY[own.kind] else _DEFAULT_FOR_KIND[kind]


class NotATensorError(TypeError):
    """An operand that is neither a tensor nor a number. Tensor's operators turn it into
    NotImplemented, so Python says "unsupported operand type(s) for +: 'Tensor' and 'list'"."""


def result_dtype(*tensors: Tensor) -> np.dtype:
    """PyTorch's promotion: tensors with dimensions decide first, then 0-d tensors, then
    Python numbers; a later group only counts if it brings a higher category
    (bool < integer < floating), e.g. int64 tensor + 2.5 -> float32, not float64."""
    groups: dict[int, np.dtype] = {}
    for t in tensors:
        group = 0 if t._is_scalar else (1 if t._data.ndim == 0 else 2)
        old = groups.get(group)
        groups[group] = t._data.dtype if old is None else _promote(old, t._data.dtype)
    result = None
    for group in (2, 1, 0):
        dtype = groups.get(group)
        if dtype is None:
            continue
        if result is None:
            result = dtype
        elif _CATEGORY[dtype.kind] > _CATEGORY[result.kind]:
            result = dtype if group else _DEFAULT_FOR_KIND[dtype.kind]
    return result


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """Two dtypes of one group: the higher category wins outright (int64 and float32 give
    float32, not NumPy's float64); within a category, the larger type."""
    category_a, category_b = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if category_a != category_b:
        return a if category_a > category_b else b
    return np.promote_types(a, b)


def promoted(a: Tensor, b: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of a and b, both in the dtype PyTorch would compute in."""
    x, y = a._data, b._data
    if x.dtype == y.dtype:
        return x, y
    dtype = result_dtype(a, b)
    return x.astype(dtype, copy=False), y.astype(dtype, copy=False)


def elementwise(name: str, fn: Callable, a: Tensor, b: Tensor) -> np.ndarray:
    """fn(a, b) on arrays with broadcasting; a shape mismatch names the op and both shapes."""
    x, y = promoted(a, b)
    try:
        result = fn(x, y)
    except ValueError:
        raise RuntimeError(broadcast_message(name, x.shape, y.shape)) from None
    # x.t() + y is "transposed" too. (The operands' own strides: a cast copies.)
    if not (a._data.flags.c_contiguous and b._data.flags.c_contiguous) and np.ndim(result) > 1:
        return torch_layout(np.asarray(result), a._data, b._data)
    return result


def copy_like_torch(a: np.ndarray, dtype: np.dtype | None = None) -> np.ndarray:
    """A copy laid out as PyTorch's clone() and to() lay it out: its dims in the order
    of a's strides (so the copy of a transposed tensor is transposed too)."""
    copy = np.array(a, dtype=dtype, copy=True)
    return torch_layout(copy, a) if a.ndim > 1 and not a.flags.c_contiguous else copy


def torch_layout(result: np.ndarray, *operands: np.ndarray) -> np.ndarray:
    """`result`, laid out in memory as PyTorch lays out an elementwise op's output.

    PyTorch (TensorIterator's reorder_dimensions) sorts the dims by the operands'
    strides: the first operand decides, a broadcast dim (stride 0) leaves it to the
    next one. NumPy's choice differs when operands disagree, and the layout shows:
    it decides whether view() works and which node reshape() makes.
    """
    shape, ndim = result.shape, result.ndim
    strides = []
    for a in operands:  # each operand's strides, broadcast to `shape`
        lead = ndim - a.ndim
        strides.append([0] * lead + [0 if size == 1 and shape[lead + i] != 1 else stride
                                     for i, (size, stride) in enumerate(zip(a.shape, a.strides))])

    def should_swap(dim0: int, dim1: int) -> int:
        for s in strides:
            if s[dim0] == 0 or s[dim1] == 0:
                continue
            if s[dim0] != s[dim1]:
                return 1 if s[dim0] > s[dim1] else -1
            if shape[dim0] > shape[dim1]:
                return 1
        return 0

    perm = list(range(ndim))[::-1]  # perm[0] moves fastest
    for i in range(1, ndim):  # PyTorch's insertion sort, ambiguous pairs and all
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            comparison = should_swap(perm[dim0], perm[dim1])
            if comparison > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif comparison < 0:
                break
    order = perm[::-1]  # slowest first
    if order == list(range(ndim)):
        return np.asarray(result, order="C")
    laid_out = np.empty([shape[d] for d in order], result.dtype).transpose(np.argsort(order))
    laid_out[...] = result
    return laid_out


def broadcast_message(name: str, shape_a: tuple, shape_b: tuple) -> str:
    """PyTorch's words for two shapes that don't broadcast (`name` is the op, for the rare
    case no dim is at fault)."""
    ndim = max(len(shape_a), len(shape_b))
    for k in range(1, ndim + 1):
        size_a = shape_a[-k] if k <= len(shape_a) else 1
        size_b = shape_b[-k] if k <= len(shape_b) else 1
        if size_a != size_b and 1 not in (size_a, size_b):
            return (f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) "
                    f"at non-singleton dimension {ndim - k}")
    return f"{name}: shapes {list(shape_a)} and {list(shape_b)} cannot be broadcast"


def float_data(t: Tensor) -> np.ndarray:
    """Functions like exp turn integer input into float32, as PyTorch does."""
    x = t._data
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def precise(fn: Callable, x: np.ndarray) -> np.ndarray:
    """fn(x), rounded once: NumPy's float32 sin/cos/exp/... can be 1 ulp off the correctly
    rounded value that PyTorch gives, so float32 goes through float64."""
    if x.dtype == np.float32:
        # (computed in float64 chunk by chunk, into a float32 array: no float64 copy of x)
        return like_input(quiet(_in_float64, fn, x), x)
    return like_input(quiet(fn, x), x)


def _in_float64(fn: Callable, x: np.ndarray) -> np.ndarray:
    return fn(x, out=np.empty_like(x), dtype=np.float64)


def fused_multiply_add(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """x * y + z, rounded once, as PyTorch's kernels compute it (one FMA instruction)."""
    dtype = np.result_type(x, y, z)
    if dtype == np.float32:  # float64 holds the product exactly
        return np.asarray(np.multiply(x, y, dtype=np.float64) + z).astype(np.float32)
    if dtype != np.float64:
        return x * y + z
    return quiet(_fused_float64, x, y, z)


def _fused_float64(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    product = x * y
    lost = product_error(x, y, product)
    total = product + z
    back = total - z  # Knuth's two-sum: what the sum lost, exactly
    sum_error = (product - back) + (z - (total - back))
    fused = total + (sum_error + lost)
    return np.where(np.isfinite(fused), fused, total)  # inf and nan as the plain sum has them


def product_error(x: np.ndarray, y: np.ndarray, product: np.ndarray) -> np.ndarray:
    """x * y - product, exactly (Dekker: each factor split into halves of 26 bits)."""
    x_high, x_low = _split(x)
    y_high, y_low = _split(y)
    return ((x_high * y_high - product) + x_high * y_low + x_low * y_high) + x_low * y_low


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scaled = 134217729.0 * x  # 2**27 + 1
    high = scaled - (scaled - x)
    return high, x - high


def like_input(result: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A one-input elementwise result, laid out in memory as PyTorch lays it out: like x
    when x is transposed, row-major when x is expanded (NumPy may choose otherwise)."""
    if x.ndim > 1 and not x.flags.c_contiguous:
        return torch_layout(np.asarray(result), x)
    return result


def reduce_dims(dim: int | tuple | list | None, ndim: int) -> tuple[int, ...]:
    """The dims to reduce over, wrapped to be non-negative (None means all of them)."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = tuple(sorted(_wrap_dim(d, ndim) for d in dims))  # raises for a bad dim
    return wrapped if ndim else ()


def quiet(fn: Callable, *arrays: np.ndarray) -> np.ndarray:
    """Run fn without NumPy's divide-by-zero warnings: PyTorch returns inf or nan silently."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return fn(*arrays)
