"""PyTorch's efficient zero tensors (`_efficientzerotensor`): a grad known to be zero, such
as the one sgn's backward gives for a real tensor. Arithmetic with one gives zeros
without looking at the other operand, so 0 · nan is 0 there, not nan: a node whose
incoming grads are all such zeros gives zeros (any graph it records is kept).
"""

from __future__ import annotations

import weakref

import numpy as np

from ..tensor import Tensor

_KNOWN_ZEROS: dict[int, weakref.ref] = {}  # by id (a tensor's == compares its elements)


def known_zeros(like: Tensor) -> Tensor:
    """Zeros shaped like `like`, that the engine knows are zeros."""
    zeros = Tensor._make(np.zeros_like(like._data))
    _remember(zeros)
    return zeros


def _remember(zeros: Tensor) -> None:
    key = id(zeros)
    _KNOWN_ZEROS[key] = weakref.ref(zeros, lambda _: _KNOWN_ZEROS.pop(key, None))


def _known(grad: Tensor) -> bool:
    ref = _KNOWN_ZEROS.get(id(grad))
    return ref is not None and ref() is grad


def zeros_in_zeros_out(grads: list, grad_inputs: tuple) -> tuple:
    """What a node gave, or zeros where it was given nothing but known zeros."""
    if not _KNOWN_ZEROS or not any(g is not None for g in grads):
        return grad_inputs  # the usual case: one look at an empty set
    if not all(g is None or _known(g) for g in grads):
        return grad_inputs
    given = []
    for grad in grad_inputs:
        if grad is not None and grad.requires_grad:  # recorded: keep the node, zero the values
            grad._data = np.zeros_like(grad._data)
            _remember(grad)
        elif grad is not None:
            grad = known_zeros(grad)
        given.append(grad)
    return tuple(given)


def keep_known(grad: Tensor, kept: Tensor) -> None:
    """`kept` (grad itself, detached) is known zeros if grad was: PyTorch's leaf then holds
    the zero tensor itself as its .grad."""
    if _KNOWN_ZEROS and _known(grad):
        _remember(kept)


def keep_known_sum(old: Tensor, grad: Tensor, total: Tensor) -> None:
    """Two known zeros summed in an input buffer are known zeros, as PyTorch's sum of two
    zero tensors is one."""
    if _KNOWN_ZEROS and _known(old) and _known(grad):
        _remember(total)


def refuse_writing(grad: Tensor) -> None:
    """PyTorch's zero tensors can't be written in place: adding into such a .grad fails,
    and so do backward formulas that work on the grad in place (std's, norm's)."""
    if _KNOWN_ZEROS and _known(grad):
        raise RuntimeError("ZeroTensors are immutable. Please use the materialized zero tensor "
                           "obtained using .clone() if you want a mutable tensor.")
