"""as_strided: a view given by its geometry, and the backward PyTorch builds from it.

A tensor's geometry is (shape, strides, offset), the strides and offset counted in elements
from the start of its memory. PyTorch sends the grad of a view whose base changed in place
(AsStridedBackward0), and of a base written through a view (CopySlices), through these
geometries, not through indices: the grad is copied into a zero "storage" in the view's
geometry, and read back out in the base's. With create_graph=True those steps are the nodes
of the grad's graph, so smallgrad takes the same steps (as_strided_backward below).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor

Geometry = tuple[tuple[int, ...], tuple[int, ...], int]  # shape, strides, offset


def address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def lowest_address(a: np.ndarray) -> int:
    """Where a's memory starts: a negative stride reaches below a's first element."""
    return address(a) + sum((size - 1) * stride for size, stride in zip(a.shape, a.strides)
                            if stride < 0 and size > 0)


def geometry(a: np.ndarray, start: int) -> Geometry:
    """a's geometry in elements, its offset counted from the memory address `start`."""
    item = a.itemsize
    return a.shape, tuple(stride // item for stride in a.strides), (address(a) - start) // item


def geometries(base: np.ndarray, view: np.ndarray) -> tuple[Geometry, Geometry]:
    """The base's and the view's geometry, both counted from the start of the base's memory."""
    start = lowest_address(base)
    return geometry(base, start), geometry(view, start)


def storage_size(shape: tuple, strides: tuple, offset: int) -> int:
    """How many elements of memory a geometry reaches (PyTorch's _min_storage_size)."""
    if 0 in shape:
        return offset
    return offset + 1 + sum((size - 1) * stride for size, stride in zip(shape, strides))


def strided(data: np.ndarray, shape: tuple, strides: tuple, offset: int) -> np.ndarray:
    """The NumPy view of data's memory with this geometry."""
    first = data[tuple(slice(size - 1, size) if stride < 0 else slice(0, 1)
                       for size, stride in zip(data.shape, data.strides))] if data.ndim else data
    item = data.itemsize
    memory = np.lib.stride_tricks.as_strided(first, (offset + 1,), (item,), writeable=True)
    return np.lib.stride_tricks.as_strided(memory[offset:], shape,
                                           tuple(stride * item for stride in strides),
                                           writeable=True)


def empty_strided(geometry: Geometry, dtype: np.dtype) -> np.ndarray:
    """New memory, laid out with this geometry (PyTorch's new_empty_strided)."""
    shape, strides, offset = geometry
    return strided(np.empty(storage_size(shape, strides, offset), dtype), *geometry)


class AsStrided(Function):
    """x.as_strided(size, stride, storage_offset): self: as_strided_backward(grad,
    self's geometry, size, stride, storage_offset)"""

    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, shape, strides, offset):
        data = x._data
        ctx.input_geometry = geometry(data, lowest_address(data))
        ctx.geometry = shape, strides, offset
        return strided(data, shape, strides, offset)

    @staticmethod
    def backward(ctx, grad):
        return as_strided_backward(grad, ctx.input_geometry, ctx.geometry), None, None, None


def as_strided(x: Tensor, shape: tuple, strides: tuple, offset: int) -> Tensor:
    from .views import view_of

    return view_of(AsStrided.apply(x, tuple(shape), tuple(strides), offset), x)


def as_strided_backward(grad: Tensor, input_geometry: Geometry, output: Geometry) -> Tensor:
    """PyTorch's as_strided_backward (FunctionsManual.cpp), for the input geometry of the
    base and the output geometry of the view that `grad` is the grad of."""
    in_shape, in_strides, in_offset = input_geometry
    out_shape, out_strides, out_offset = output
    dtype = grad._data.dtype
    if 0 in out_shape or 0 in in_shape:
        return Tensor._make(np.zeros(in_shape, dtype))
    # the view's dims that need no storage: size 1 (squeezed away), stride 0 (summed)
    kept_shape, kept_strides = [], []
    for dim in reversed(range(len(out_shape))):
        if out_shape[dim] == 1:
            grad = grad.squeeze(dim)
        elif out_strides[dim] == 0:
            grad = grad.sum(dim)
        else:
            kept_shape.insert(0, out_shape[dim])
            kept_strides.insert(0, out_strides[dim])
    kept_in_shape = [size for size in in_shape if size != 1]
    kept_in_strides = [stride for size, stride in zip(in_shape, in_strides) if size != 1]
    shared = min(in_offset, out_offset)
    in_offset, out_offset = in_offset - shared, out_offset - shared
    size = max(storage_size(kept_in_shape, kept_in_strides, in_offset),
               storage_size(kept_shape, kept_strides, out_offset))
    storage = Tensor._make(np.zeros(size, dtype))
    if _may_overlap(kept_shape, kept_strides):
        raise RuntimeError("as_strided_backward: smallgrad makes no view whose elements "
                           f"share memory (shape {list(out_shape)}, strides "
                           f"{list(out_strides)})")
    as_strided(storage, kept_shape, kept_strides, out_offset).copy_(grad)
    if _may_overlap(kept_in_shape, kept_in_strides):
        # an element of the base seen n times gets 1/n of the grad at each place
        count = np.zeros(size, dtype)
        seen = strided(np.arange(size), kept_in_shape, kept_in_strides, in_offset)
        np.add.at(count, seen.ravel(), 1)
        storage.div_(Tensor._make(count))
    return as_strided(storage, in_shape, in_strides, in_offset)


def _may_overlap(shape: list, strides: list) -> bool:
    """PyTorch's _maybe_overlapping_memory: can two indices reach one element?"""
    reach = 0
    for stride, size in sorted(zip(strides, shape)):
        if stride <= reach:
            return True
        reach += stride * (size - 1)
    return False
