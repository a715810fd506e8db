"""Float sums added in PyTorch's order (its cascade_sum, aten/src/ATen/native/cpu/SumKernel.cpp).

Floating-point addition is not associative: the same numbers added in another order can
differ in the last bit, and a program can make that bit whole (`x >= x.mean()`, var of
equal numbers, a cast to int). NumPy adds pairwise; PyTorch adds in lanes as wide as the
CPU's vectors, four at a time, and carries partial sums up through levels of 16 or more.
So this module adds as PyTorch does on this CPU. Where it does not follow PyTorch
(a sum split between threads, views walked backwards, reductions over dims that are not
next to each other) it returns None and NumPy's sum serves.
"""

from __future__ import annotations

import numpy as np

GRAIN_SIZE = 32768  # past this many elements, PyTorch shares a sum out between threads


# PyTorch's sum kernel adds in vectors of 32 bytes on every CPU, AVX-512 ones too (it is
# not built for AVX-512), so its order, and so this one, is the same on every machine
VECTOR_BYTES = 32


def cascade_sum(data: np.ndarray, dims: tuple[int, ...]) -> np.ndarray | None:
    """data summed over dims (kept as size 1) in PyTorch's order, or None."""
    if data.dtype.kind != "f" or not 0 < data.size <= GRAIN_SIZE:
        return None
    if min(data.strides, default=0) < 0:
        return None
    total = _contiguous_sum(data, dims) if data.flags.c_contiguous else None
    if total is None:
        total = _walked_sum(data, dims)
        if total is None:
            return None
    shape = [1 if d in dims else n for d, n in enumerate(data.shape)]
    return total.reshape(shape) + data.dtype.type(0)  # PyTorch's output starts at 0, adds


def _walked_sum(data: np.ndarray, dims: tuple[int, ...]) -> np.ndarray | None:
    """Any other layout: its dims in memory order (as PyTorch walks them, the smallest
    stride inside), runs of reduced or kept dims merged, then an inner or outer sum."""
    reduced = [d in dims and data.shape[d] > 1 for d in range(data.ndim)]
    walk = [d for d in sorted(range(data.ndim), key=lambda d: -data.strides[d])
            if data.shape[d] > 1]
    kept = [d for d in walk if not reduced[d]]  # the result's dims, in memory order
    if kept != sorted(kept):
        return None  # PyTorch orders these loops by the result's strides first
    in_memory_order = np.transpose(data, walk + [d for d in range(data.ndim) if d not in walk])
    if not in_memory_order.flags.c_contiguous:
        return None  # a view with gaps: PyTorch walks it otherwise
    blocks: list[list] = []  # runs of dims that are all reduced or all kept: [reduced, size]
    for d in walk:
        if blocks and blocks[-1][0] == reduced[d]:
            blocks[-1][1] *= data.shape[d]
        else:
            blocks.append([reduced[d], data.shape[d]])
    kinds = tuple(kind for kind, _ in blocks)
    flat = in_memory_order.reshape([size for _, size in blocks] or [1])
    if kinds in ((), (False,)):
        return flat  # nothing to add up
    if kinds == (True,):
        return _inner_sum(flat.reshape(1, -1))
    if kinds == (False, True):
        return _inner_sum(flat)
    if kinds == (True, False):
        return _outer_sum(flat[None])[0]
    if kinds == (False, True, False):
        return _outer_sum(flat)
    return None


def _contiguous_sum(data: np.ndarray, dims: tuple[int, ...]) -> np.ndarray | None:
    """Row-major data summed over all its dims, its last ones or its first ones."""
    k = len(dims)
    if k == data.ndim:
        return _inner_sum(data.reshape(1, -1))
    reduced = _product(data.shape, dims)
    kept = data.size // reduced
    if reduced == 1 or kept == 1:
        return None  # (size-1 dims: the general way drops them)
    if dims == tuple(range(data.ndim - k, data.ndim)):
        return _inner_sum(data.reshape(kept, reduced))
    if dims == tuple(range(k)):
        return _outer_sum(data.reshape(1, reduced, kept))[0]
    return None


def _product(shape: tuple[int, ...], dims: tuple[int, ...]) -> int:
    size = 1
    for d in dims:
        size *= shape[d]
    return size


def _inner_sum(rows: np.ndarray) -> np.ndarray:
    """Each row's sum, the reduced numbers side by side in memory (vectorized_inner_sum)."""
    count, n = rows.shape
    lanes = VECTOR_BYTES // rows.itemsize
    if n < lanes:  # scalar_inner_sum
        return _row_sum(rows[:, :, None])[:, 0]
    vectors = n // lanes
    per_lane = _row_sum(rows[:, :vectors * lanes].reshape(count, vectors, lanes))
    return _sequential(per_lane, _sequential(rows[:, vectors * lanes:]))


def _outer_sum(slabs: np.ndarray) -> np.ndarray:
    """Sums down the columns of each slab (vectorized_outer_sum, scalar_outer_sum): four
    vectors of columns at a time take the cascade, the rest one row_sum each."""
    columns = slabs.shape[2]
    lanes = VECTOR_BYTES // slabs.itemsize
    group = 4 * lanes if columns >= lanes else 4
    cascaded = columns // group * group
    if cascaded == columns:
        return _multi_row_sum(slabs)
    if not cascaded:
        return _row_sum(slabs)
    return np.concatenate([_multi_row_sum(slabs[:, :, :cascaded]),
                           _row_sum(slabs[:, :, cascaded:])], axis=1)


def _row_sum(x: np.ndarray) -> np.ndarray:
    """Sum axis 1 of x as row_sum does: four running sums side by side (ILP), the rest
    onto the first, then the four added up in order."""
    count, n = x.shape[:2]
    fours = n // 4
    if not fours:  # four sums of nothing: the numbers go onto the first, in order
        return _sequential(x)
    partial = _multi_row_sum(x[:, :fours * 4].reshape(count, fours, 4, *x.shape[2:]))
    first = _sequential(x[:, fours * 4:], partial[:, 0])
    return _sequential(partial[:, 1:], first)


def _multi_row_sum(x: np.ndarray) -> np.ndarray:
    """Sum axis 1 of x as multi_row_sum does: runs of `step` numbers are added up, and their
    sums carried up through levels (16 runs make one sum a level up), so that only numbers
    of a similar size meet. The level that holds a partial group at the end keeps it."""
    size = x.shape[1]
    step = 1 << max(4, (int(size - 1).bit_length() if size > 1 else 0) // 4)
    whole = size // step * step
    if not whole:  # no run is complete: only the tail, added in order
        return _sequential(x)
    held = [_sequential(x[:, whole:])] if whole < size else []  # added up in this order
    sums = _run_sums(x[:, :whole], step)
    for _ in range(2):  # levels 1 and 2 keep fewer than `step` sums each, and pass the rest up
        full = sums.shape[1] // step * step
        if full < sums.shape[1]:
            held.append(_sequential(sums[:, full:]))
        if not full:
            break
        sums = _run_sums(sums[:, :full], step)
    else:
        held.append(_sequential(sums))
    total = held[0]
    for partial in held[1:]:  # (a level that holds nothing adds 0: left out, it changes no bit)
        total = total + partial
    return total


def _run_sums(x: np.ndarray, step: int) -> np.ndarray:
    """The sum of each run of `step` numbers along axis 1, each added in order."""
    runs = x.reshape(x.shape[0] * (x.shape[1] // step), step, *x.shape[2:])
    return _sequential(runs).reshape(x.shape[0], x.shape[1] // step, *x.shape[2:])


def _sequential(numbers: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """start + numbers[:, 0] + numbers[:, 1] + ..., one at a time, in that order (start is
    0 when not given)."""
    count, n = numbers.shape[:2]
    if start is None:
        if not n or not numbers.size:
            return np.zeros((count, *numbers.shape[2:]), numbers.dtype)
        if numbers[0, 0].size > 1:  # numbers side by side: NumPy adds the rows in order
            return np.add.reduce(numbers, axis=1)
        return np.add.accumulate(numbers, axis=1)[:, -1]  # (reduce would add pairwise)
    if count == 1 and numbers.ndim == 2:  # one sum of a few numbers: NumPy's scalars are quicker
        total = start[0]
        for number in numbers[0]:
            total = total + number
        return np.array([total])
    if n <= 4:
        for i in range(n):
            start = start + numbers[:, i]
        return start
    running = np.add.accumulate(np.concatenate([start[:, None], numbers], axis=1), axis=1)
    return running[:, -1]
