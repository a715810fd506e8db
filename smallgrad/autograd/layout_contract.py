"""PyTorch's gradient layout contract: a leaf's `.grad` is laid out in memory like the leaf
when the leaf is dense, and row-major when it is not (utils/grad_layout_contract.h). It
shows in which views of `.grad` work, and in the node a create_graph `.grad` starts with.
"""

from __future__ import annotations

import numpy as np

from ..ops.inplace import Copy
from ..ops.shape import Contiguous
from ..ops.views import dense
from ..tensor import Tensor


def obeys_layout_contract(grad: np.ndarray, variable: np.ndarray) -> bool:
    if dense(variable):  # the same strides, wherever a dim has more than one element
        return all(g == v for g, v, n in zip(grad.strides, variable.strides, variable.shape)
                   if n != 1)
    return grad.flags.c_contiguous


def clone_obey_contract(grad: Tensor, variable: Tensor) -> Tensor:
    """A copy of grad in the leaf's layout: empty_strided(...).copy_(grad) (CopyBackwards
    when recorded) for a dense leaf, clone(contiguous) (CloneBackward0) otherwise."""
    if dense(variable._data):
        empty = Tensor._make(np.empty_like(variable._data, dtype=grad._data.dtype))
        if grad.requires_grad:
            return Copy.apply(empty, grad)
        empty._data[...] = grad._data
        return empty
    if grad.requires_grad:
        return Contiguous.apply(grad)
    return Tensor._make(np.ascontiguousarray(grad._data))
