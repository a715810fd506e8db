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
    reduced = [d in dims and data.shape[d] > 1 for d in range(data.ndim)]
    walk = [d for d in sorted(range(data.ndim), key=lambda d: -data.strides[d])
            if data.shape[d] > 1]  # PyTorch walks memory in order, the smallest stride inside
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
    sizes = [size for _, size in blocks]
    flat = in_memory_order.reshape(sizes or [1])
    zero = np.zeros((), data.dtype)
    if kinds in ((), (False,)):
        total = flat + zero  # nothing to add up
    elif kinds == (True,):
        total = _inner_sum(flat.reshape(1, -1))
    elif kinds == (False, True):
        total = _inner_sum(flat)
    elif kinds == (True, False):
        total = _outer_sum(flat[None])[0]
    elif kinds == (False, True, False):
        total = _outer_sum(flat)
    else:
        return None
    kept = [d for d in walk if not reduced[d]]  # the result's dims, in memory order
    if kept != sorted(kept):
        return None  # PyTorch orders these loops by the result's strides first
    shape = [1 if reduced[d] or d in dims else data.shape[d] for d in range(data.ndim)]
    return total.reshape(shape) + zero  # (PyTorch's output starts at 0, and adds the sum)


def _inner_sum(rows: np.ndarray) -> np.ndarray:
    """Each row's sum, the reduced numbers side by side in memory (vectorized_inner_sum)."""
    count, n = rows.shape
    lanes = VECTOR_BYTES // rows.itemsize
    if n < lanes:  # scalar_inner_sum
        return _row_sum(rows[:, :, None])[:, 0]
    vectors = n // lanes
    per_lane = _row_sum(rows[:, :vectors * lanes].reshape(count, vectors, lanes))
    tail = _sequential(rows[:, vectors * lanes:], np.zeros(count, rows.dtype))
    return _sequential(per_lane, tail)


def _outer_sum(slabs: np.ndarray) -> np.ndarray:
    """Sums down the columns of each slab (vectorized_outer_sum, scalar_outer_sum): four
    vectors of columns at a time take the cascade, the rest one row_sum each."""
    columns = slabs.shape[2]
    lanes = VECTOR_BYTES // slabs.itemsize
    group = 4 * lanes if columns >= lanes else 4
    cascaded = columns // group * group
    return np.concatenate([_multi_row_sum(slabs[:, :, :cascaded]),
                           _row_sum(slabs[:, :, cascaded:])], axis=1)


def _row_sum(x: np.ndarray) -> np.ndarray:
    """Sum axis 1 of x as row_sum does: four running sums side by side (ILP), the rest
    onto the first, then the four added up in order."""
    count, n = x.shape[:2]
    fours = n // 4
    partial = _multi_row_sum(x[:, :fours * 4].reshape(count, fours, 4, *x.shape[2:]))
    first = _sequential(np.moveaxis(x[:, fours * 4:], 1, -1), partial[:, 0])
    return _sequential(np.moveaxis(partial[:, 1:], 1, -1), first)


def _multi_row_sum(x: np.ndarray) -> np.ndarray:
    """Sum axis 1 of x as multi_row_sum does: runs of `step` numbers, each run's sum carried
    up four levels of partial sums, so that only numbers of a similar size meet."""
    size = x.shape[1]
    power = max(4, (int(size - 1).bit_length() if size > 1 else 0) // 4)
    step, mask = 1 << power, (1 << power) - 1
    zero = np.zeros((x.shape[0], *x.shape[2:]), x.dtype)
    levels = [zero] * 4
    i = 0
    while i + step <= size:
        levels[0] = _sequential(np.moveaxis(x[:, i:i + step], 1, -1), levels[0])
        i += step
        for j in range(1, 4):
            levels[j], levels[j - 1] = levels[j] + levels[j - 1], zero
            if i & (mask << (j * power)):
                break
    total = _sequential(np.moveaxis(x[:, i:], 1, -1), levels[0])
    for j in range(1, 4):
        total = total + levels[j]
    return total


def _sequential(numbers: np.ndarray, start: np.ndarray) -> np.ndarray:
    """start + numbers[..., 0] + numbers[..., 1] + ..., one at a time, in that order."""
    if not numbers.shape[-1]:
        return start
    return np.add.accumulate(np.concatenate([start[..., None], numbers], axis=-1), axis=-1)[..., -1]
