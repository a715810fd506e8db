"""What kind of tensor a blank of a template needs (asked of torch's tensors)."""

from __future__ import annotations

from typing import Any


def floating(tensor: Any) -> bool:
    return tensor.is_floating_point()


def needs_grad(tensor: Any) -> bool:
    return tensor.requires_grad


def whole_numbers(tensor: Any) -> bool:
    return not tensor.is_floating_point() and str(tensor.dtype) != "torch.bool"


def boolean(tensor: Any) -> bool:
    return str(tensor.dtype) == "torch.bool"


def has_dims(tensor: Any) -> bool:
    return tensor.dim() > 0 and tensor.shape[0] > 0


def is_leaf_needing_grad(tensor: Any) -> bool:
    return tensor.is_leaf and tensor.requires_grad


def hookable(tensor: Any) -> bool:
    """A hook may go on it. Torch 2.13 crashes (segfault) on register_hook of a view whose
    base or itself was changed in place, so the generator never writes that."""
    return floating(tensor) and tensor.requires_grad and not (
        tensor._is_view() and tensor._version > 0)


def depends_on(output: Any, tensor: Any) -> bool:
    """Does `output`'s graph reach `tensor` (its grad_fn, or a leaf's AccumulateGrad)?"""
    if output is tensor:
        return True
    seen, stack = set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node is tensor.grad_fn or getattr(node, "variable", None) is tensor:
            return True
        stack.extend(child for child, _ in node.next_functions)
    return False
