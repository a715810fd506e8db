"""Making tensors: tensor(), zeros(), ones(), randn(), arange(), ... and the random seed.

Python floats become float32 (PyTorch's default dtype); NumPy arrays keep their dtype.
smallgrad's random numbers come from NumPy, so they differ from PyTorch's for the same
seed, but the same seed always gives the same numbers here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import dtypes
from .tensor import Tensor, _shape_args

_rng = np.random.default_rng(0)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed smallgrad's random numbers (randn, rand, randint, randperm)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def _finish(data: np.ndarray, dtype, requires_grad: bool) -> Tensor:
    if dtype is not None:
        data = data.astype(dtypes.to_numpy(dtype), copy=False)
    dtypes.from_numpy(data.dtype)  # raises for dtypes smallgrad has no name for
    out = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        out.requires_grad_()
    return out


def _infer(data: Any, dtype=None) -> np.ndarray:
    """The array torch.tensor(data, dtype) would make: floats -> float32, ints -> int64.
    Python numbers are read at full precision and cast once, to `dtype` when it is given
    (so tensor(0.1, dtype=float64) is exactly 0.1, not 0.1 rounded through float32)."""
    if isinstance(data, Tensor):
        return data._data.astype(dtypes.to_numpy(dtype) or data._data.dtype, copy=True)
    if isinstance(data, np.ndarray):
        return data.astype(dtypes.to_numpy(dtype) or data.dtype, copy=True)
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
        data = [d.item() if isinstance(d, Tensor) else d for d in data]
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if any(type(d) is int and not -2**63 <= d < 2**63 for d in _flat([data])):
        raise ValueError("Overflow when unpacking long long")  # NumPy would make floats
    try:
        array = np.array(data)
    except ValueError:  # ragged nested lists
        array = np.array(None)
    if array.dtype.kind in "US":
        raise ValueError(f"too many dimensions '{type(next(_flat([data]))).__name__}'")
    natural = {"f": np.float32, "i": np.int64, "u": np.int64, "b": np.bool_}.get(array.dtype.kind)
    if natural is None:
        raise _nesting_error(data) or TypeError(
            f"Could not infer dtype of {type(data).__name__}")
    with np.errstate(over="ignore"):  # 1e300 in float32 is inf, silently, as in PyTorch
        return array.astype(dtypes.to_numpy(dtype) or natural)


def _nesting_error(data: Any, dim: int = 0) -> Exception | None:
    """Why nested lists can't make a tensor, in PyTorch's words (None if they can)."""
    if not isinstance(data, (list, tuple)):
        if isinstance(data, (bool, int, float, np.number, np.bool_)):
            return None
        return RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    nested = bool(data) and isinstance(data[0], (list, tuple))
    for item in data:
        if isinstance(item, (list, tuple)) != nested:
            return TypeError("not a sequence")
        if nested and len(item) != len(data[0]):
            return ValueError(f"expected sequence of length {len(data[0])} at dim {dim + 1} "
                              f"(got {len(item)})")
        error = _nesting_error(item, dim + 1)
        if error is not None:
            return error
    return None


def _flat(data):
    for d in data:
        if isinstance(d, (list, tuple)):
            yield from _flat(d)
        else:
            yield d


def tensor(data: Any, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (a number, nested lists, or an array)."""
    return _finish(_infer(data, dtype), None, requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with `array`."""
    return _finish(array, None, False)


def _sized(fill, size: Sequence, dtype, requires_grad: bool) -> Tensor:
    shape = tuple(int(s) for s in _shape_args(tuple(size)))
    np_dtype = dtypes.to_numpy(dtype) or np.float32
    return _finish(fill(shape, np_dtype), None, requires_grad)


def zeros(*size: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _sized(np.zeros, size, dtype, requires_grad)


def ones(*size: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _sized(np.ones, size, dtype, requires_grad)


def empty(*size: int, dtype=None, requires_grad: bool = False) -> Tensor:
    return _sized(np.zeros, size, dtype, requires_grad)  # zeros: nothing random to print


def full(size: Sequence[int], fill_value: float, dtype=None, requires_grad=False) -> Tensor:
    if dtype is None:
        dtype = _infer(fill_value).dtype
    return _sized(lambda s, d: np.full(s, fill_value, d), size, dtype, requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _laid_out_like(t, zeros(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad))


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _laid_out_like(t, ones(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad))


def full_like(t: Tensor, fill_value: float, dtype=None, requires_grad=False) -> Tensor:
    return _laid_out_like(t, full(t.shape, fill_value, dtype=dtype or t.dtype,
                                  requires_grad=requires_grad))


def _laid_out_like(t: Tensor, new: Tensor) -> Tensor:
    """PyTorch's memory_format=preserve_format: a dense tensor's layout is kept (the ones
    of a transposed tensor are transposed too, which later ops' layouts follow)."""
    data = t._data
    if data.ndim > 1 and not data.flags.c_contiguous:
        from .ops._common import torch_layout
        from .ops.views import dense

        if dense(data):
            new._data = torch_layout(new._data, data)
    return new


def _floating_only(kernel: str, dtype) -> None:
    np_dtype = dtypes.to_numpy(dtype)
    if np_dtype is not None and np_dtype.kind != "f":
        name = dtypes.from_numpy(np_dtype).tensor_type[: -len("Tensor")]
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def randn(*size: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples, float32 unless `dtype` says otherwise."""
    _floating_only("normal_kernel_cpu", dtype)
    return _sized(lambda s, d: _rng.standard_normal(s).astype(d), size, dtype, requires_grad)


def rand(*size: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    _floating_only("check_uniform_bounds", dtype)
    return _sized(lambda s, d: _rng.random(s).astype(d), size, dtype, requires_grad)


def randn_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] = (), dtype=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return _finish(_rng.integers(low, high, size=tuple(size)), dtype or dtypes.int64, False)


def randperm(n: int, dtype=None) -> Tensor:
    return _finish(_rng.permutation(n), dtype or dtypes.int64, False)


def arange(start: float, end: float | None = None, step: float = 1, dtype=None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    natural = np.int64 if integral else np.float32
    data = np.arange(start, end, step, dtype=dtypes.to_numpy(dtype) or natural)
    return _finish(data, None, requires_grad)


def linspace(start: float, end: float, steps: int, dtype=None,
             requires_grad: bool = False) -> Tensor:
    # PyTorch's kernel: the first half counts up from start, the second down from end,
    # in the tensor's own dtype (so linspace(-1, 1, 4) is symmetric, unlike NumPy's)
    np_dtype = dtypes.to_numpy(dtype) or np.dtype(np.float32)
    start, end = np_dtype.type(start), np_dtype.type(end)
    step = (end - start) / np_dtype.type(steps - 1) if steps > 1 else np_dtype.type(0)
    i = np.arange(steps)
    data = np.where((i < steps // 2) | (steps == 1), start + step * i.astype(np_dtype),
                    end - step * (steps - i - 1).astype(np_dtype)).astype(np_dtype)
    return _finish(data, None, requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=np.float32), dtype, requires_grad)
