"""autograd.backward and autograd.grad: run the engine's steps to the end."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING

from .._quiet import restore, silence
from .._warn import warn
from .engine import backward_steps

if TYPE_CHECKING:
    from ..tensor import Tensor


def run_to_end(steps: Generator) -> object:
    """Take every step; give back the generator's return value."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def _as_tuple(tensors) -> tuple:
    from ..tensor import Tensor

    return (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)


def backward(tensors: Tensor | Sequence[Tensor],
             grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Sequence[Tensor] | None = None) -> None:
    """Accumulate d(tensors)/d(leaf) into each leaf's `.grad`."""
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    steps = backward_steps(tensors, grad_tensors, retain_graph, create_graph, keep_before=False,
                           accumulate_into=inputs)
    if create_graph and not _warned_create_graph:
        _warn_create_graph()
    token = silence()  # the engine's own sums of grads: inf and nan, silently
    try:
        run_to_end(steps)
    finally:
        restore(token)


_warned_create_graph = False


def _warn_create_graph() -> None:
    """PyTorch's engine says this once per process."""
    global _warned_create_graph
    _warned_create_graph = True
    warn(
        "Using backward() with create_graph=True will create a reference cycle between the "
        "parameter and its gradient which can cause a memory leak. We recommend using "
        "autograd.grad when creating the graph to avoid this. If you have to use this "
        "function, make sure to reset the .grad fields of your parameters to None after use "
        "to break the cycle and avoid the leak.")


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs), returned rather than stored: no `.grad` is touched."""
    inputs = _as_tuple(inputs)
    steps = backward_steps(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs)
    token = silence()
    try:
        grads = run_to_end(steps)
    finally:
        restore(token)
    result = []
    for index, g in enumerate(grads):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {index} appears to not have been used in "
                "the graph. Set allow_unused=True if this is the desired behavior.")
        # the very tensor the engine computed (a hook may have seen it too), as PyTorch
        result.append(g if g is None or create_graph or not g.requires_grad else g.detach())
    return tuple(result)
