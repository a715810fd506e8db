"""autograd.backward and autograd.grad: the engine's steps, run to the end unobserved."""

from __future__ import annotations

from collections.abc import Sequence

from .._quiet import restore, silence
from .._warn import warn_once
from ..tensor import Tensor
from .engine import backward_steps
from .errors import CREATE_GRAPH_LEAK


def backward(tensors: Tensor | Sequence[Tensor],
             grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
             retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Sequence[Tensor] | None = None) -> None:
    """Accumulate d(tensors)/d(leaf) into each leaf's `.grad`."""
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    steps = backward_steps(tensors, grad_tensors, retain_graph, create_graph,
                           accumulate_into=inputs, observe=False)
    if create_graph:
        warn_once(CREATE_GRAPH_LEAK)  # PyTorch's engine says this once per process
    run_to_end(steps)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs), returned rather than stored: no `.grad` is touched."""
    steps = backward_steps(outputs, grad_outputs, retain_graph, create_graph,
                           inputs=_as_tuple(inputs), observe=False)
    result = []
    for index, g in enumerate(run_to_end(steps)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {index} appears to not have been used in "
                "the graph. Set allow_unused=True if this is the desired behavior.")
        # the very tensor the engine computed (a hook may have seen it too), as PyTorch
        result.append(g if g is None or create_graph or not g.requires_grad else g.detach())
    return tuple(result)


def run_to_end(steps) -> object:
    """Take every step, with NumPy silenced (the engine's sums of grads may give inf and
    nan, silently, as in PyTorch); give back the generator's return value."""
    token = silence()
    try:
        while True:
            next(steps)
    except StopIteration as stop:
        return stop.value
    finally:
        restore(token)



def _as_tuple(tensors) -> tuple:
    return (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)
