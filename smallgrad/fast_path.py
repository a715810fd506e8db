"""A seam for speed: + - * / with grad mode off and nothing to take care of.

Backward formulas (`grad * b`) run with grad mode off, where an op records nothing. When
both operands have the same dtype, are row-major and NumPy is silenced already (inside
backward), PyTorch's result is NumPy's, and the whole Function.apply path can be skipped.
It buys about 2 µs per op in backward (a third of tiny's backward). Anything else
(promotion, layouts, errors, recording) goes the long way, through smallgrad.ops.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._quiet import quiet_already


def no_grad_elementwise(ufunc: Callable, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """ufunc(x, y) if nothing about it needs care, else None."""
    if x.dtype is not y.dtype or x.dtype.kind != "f" or not quiet_already():
        return None
    if (x.ndim > 1 and not x.flags.c_contiguous) or (y.ndim > 1 and not y.flags.c_contiguous):
        return None  # PyTorch's output layout follows the operands' (see ops/_common.py)
    if x.shape != y.shape and y.ndim and x.ndim:
        return None  # broadcasting: let the op check the shapes and name them in its error
    return ufunc(x, y)
