"""What the widgets (and curious students) may read about a graph.

Plain functions of a Node (a `grad_fn`) or a Tensor. They read the core's private
fields so that nobody else has to: the widgets read only these and PyTorch's public API
(`.grad_fn`, `.next_functions`, `.name()`, `.output_nr`, `.detach().numpy()`, ...).
Nothing here changes a value or runs a check: saved tensors come back even if an
in-place op has changed them since (reading `ctx.saved_tensors` would raise then).

    sequence_nr(node)          creation order (PyTorch keeps it too: `_sequence_nr()`)
    input_metadata(node)       (shape, dtype) of each input, in next_functions order
    output_metadata(node)      (shape, dtype) of each output (n_outputs(node) of them)
    constant_inputs(node)      the inputs that need no grad: the 2 in 2 * x
    saved_tensors(node)        what forward saved; None once backward freed it
    hooks(node, slot)          the hooks registered on output `slot` of node
    retain_grad_target(node, slot)  the tensor whose .grad retain_grad() fills
    grad(tensor)               .grad, without PyTorch's warning for a non-leaf
    get_gradient_edge(tensor)  where a grad for tensor enters the graph (as PyTorch's)
    forward_class(node)        the autograd.Function whose apply made node
    input_positions(node)      which forward argument each input of node was
    is_user_function(node)     made by a student's own Function, not a built-in op
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .graph import Node

if TYPE_CHECKING:
    from ..tensor import Tensor

Meta = tuple[tuple[int, ...] | None, np.dtype | None]  # (shape, dtype); None for a non-tensor


def sequence_nr(node: Node) -> int:
    """Creation order: a node made later has a larger number (stable ids, unlike id())."""
    return node._seq


def input_metadata(node: Node) -> tuple[Meta, ...]:
    """(shape, NumPy dtype) of each tensor input, in the order of `next_functions`."""
    return tuple(_with_dtype(meta) for meta in getattr(node, "_input_meta", ()))


def output_metadata(node: Node) -> tuple[Meta, ...]:
    """(shape, NumPy dtype) of each output ((None, None) for one that is not a tensor)."""
    return tuple(_with_dtype(meta) for meta in getattr(node, "_output_meta", ()))


def _with_dtype(meta: tuple) -> Meta:
    shape, char = meta  # the core keeps dtype.char: a tuple holding a dtype is GC-tracked
    return shape, None if char is None else np.dtype(char)


def n_outputs(node: Node) -> int:
    """How many outputs the forward made (max(dim) makes 2; AccumulateGrad has 1)."""
    return node._n_outputs


def constant_inputs(node: Node) -> dict[int, Any]:
    """The inputs of `node` that need no grad (next_functions holds (None, 0) for them):
    input index -> the number the user typed (the 2 in `2 * x`), or the tensor itself
    while it is alive (the graph holds it only weakly). Others are left out."""
    found = {}
    for index, held in (getattr(node, "_constant_inputs", None) or {}).items():
        value = held() if callable(held) else held
        if value is not None:
            found[index] = value
    return found


def saved_tensors(node: Node) -> tuple | None:
    """What forward saved for backward (() if nothing), or None once backward freed it.
    No version check: unlike `ctx.saved_tensors`, this never raises."""
    return None if getattr(node, "_freed", False) else tuple(node._saved)


def hooks(node: Node, slot: int = 0) -> list[Callable]:
    """The hooks registered (register_hook) on output `slot` of `node`, in order; for an
    AccumulateGrad, those of its leaf. retain_grad is not among them: see below."""
    return node.tensor_hooks(slot)


def retain_grad_target(node: Node, slot: int = 0) -> Tensor | None:
    """The tensor at output `slot` of `node` whose .grad backward fills (retain_grad())."""
    return node.retain_grad_target(slot)


def grad(tensor: Tensor) -> Tensor | None:
    """`tensor.grad`, without the warning PyTorch gives when it is read on a non-leaf."""
    return tensor._grad


class GradientEdge(NamedTuple):
    """PyTorch's torch.autograd.graph.GradientEdge: a grad for a tensor enters `node` at
    its output `output_nr`."""

    node: Node
    output_nr: int
    ownership_token: object = None


def get_gradient_edge(tensor: Tensor) -> GradientEdge:
    """Where backward sends a grad for `tensor`: its grad_fn at its output_nr, or, for a
    leaf, its AccumulateGrad (the very node backward uses). As PyTorch's."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that "
                           "does not require gradients")
    return GradientEdge(*tensor._edge())


def forward_class(node: Node) -> type | None:
    """The autograd.Function subclass whose `apply` made `node` (None for AccumulateGrad)."""
    return getattr(node, "_forward_cls", None)


def input_positions(node: Node) -> tuple[int, ...]:
    """For each input of `node` (next_functions order), its place among the forward's
    arguments: Scale.apply(2.0, x) has one input, at position 1."""
    positions = getattr(node, "_tensor_positions", None)  # None: every argument a tensor
    return tuple(range(len(node.next_functions))) if positions is None else positions


def is_user_function(node: Node) -> bool:
    """Made by a student's own autograd.Function, not by one of smallgrad's ops."""
    return forward_class(node) is not None and not type(node).__module__.startswith(
        "smallgrad.ops")
