"""PyTorch's checks around the engine: the arguments of backward() (the roots) and each
grad a node returns (validate_outputs). Also the one home of sum_to_shape, which fits a
broadcast grad back to its input's shape."""

from __future__ import annotations

import numpy as np

from ..tensor import Size, Tensor
from .graph import Node


def root_grads(tensors, grad_tensors) -> list[tuple[Node, int, Tensor]]:
    """(node, slot, grad) where backward starts; PyTorch's errors, in PyTorch's order."""
    tensors = (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    else:
        grad_tensors = tuple(grad_tensors)  # a float raises "'float' object is not iterable"
    grads = []
    for i, (out, grad) in enumerate(zip(tensors, grad_tensors)):  # extra grads are ignored
        if isinstance(grad, Tensor):
            if grad.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(grad.shape)!r} "
                    f"and output[{i}] has a shape of {Size(out.shape)!r}.")
        elif grad is None:
            if out.requires_grad and out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = Tensor._make(np.ones_like(out._data))
        else:
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(grad).__name__}")
        grads.append(grad)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    roots = []
    for i, (out, grad) in enumerate(zip(tensors, grads)):
        node, slot = out._edge() if out.requires_grad else (None, 0)
        if node is None:  # (also a view whose base was told requires_grad_() after it)
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append((node, slot, grad))
    return roots


def validate_outputs(node: Node, grad_inputs: tuple) -> tuple:
    """Each grad must fit its input: reduce a broadcast grad, and cast to the input's dtype."""
    checked = None
    for index, (grad, (shape, char)) in enumerate(zip(grad_inputs, node._input_meta)):
        if grad is None or (grad.__class__ is Tensor and grad._data.shape == shape
                            and grad._data.dtype.char == char):
            continue  # the usual case: nothing to do
        if not isinstance(grad, Tensor):
            raise TypeError(f"function {node.name()} returned a gradient of type "
                            f"{type(grad).__name__} at index {index}; expected a Tensor")
        if grad._data.shape != shape:
            reduced = sum_to_shape(grad, shape)
            if reduced is None:
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {index} "
                    f"- got {list(grad.shape)} but expected shape compatible with "
                    f"{list(shape)}")
            grad = reduced
        if grad._data.dtype.char != char:
            grad = grad._cast(np.dtype(char))
        checked = checked or list(grad_inputs)
        checked[index] = grad
    return grad_inputs if checked is None else tuple(checked)


def sum_to_shape(grad: Tensor, shape: tuple) -> Tensor | None:
    """Sum a broadcast grad back down to `shape`, or None if it can't have come from it."""
    if grad._data.shape == tuple(shape):
        return grad  # the common case costs nothing
    lead = grad.ndim - len(shape)
    if lead < 0:
        return None
    if not shape:  # PyTorch's sum_to: a plain sum (SumBackward0)
        return grad.sum()
    dims = list(range(lead))
    for i, size in enumerate(shape):
        grad_size = grad._data.shape[lead + i]
        if size == 1 and grad_size != 1:
            dims.append(lead + i)
        elif size != grad_size:
            return None
    summed = grad.sum(tuple(dims), keepdim=True) if dims else grad
    return summed.reshape(tuple(shape)) if summed.shape != tuple(shape) else summed


def materialize(node: Node, grads: list) -> list:
    """A node with several outputs may get grads for only some: the rest are zeros."""
    if all(g is not None for g in grads):
        return grads
    return [g if g is not None or shape is None else Tensor._make(np.zeros(shape, char))
            for g, (shape, char) in zip(grads, node._output_meta)]
