"""Tensor hooks and retain_grad, as the engine runs them (PyTorch's tensor pre-hooks).

A hook sees the grad of the tensor it was registered on, before that grad is used,
and may return a new one. retain_grad() is a hook too: it keeps a copy in `.grad`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from ..tensor import Tensor
from .anomaly_mode import _AnomalyState, report_failure
from .grad_mode import set_grad_enabled
from .graph import Node
from .input_buffer import InputBuffers
from .steps import HookStep


def run_tensor_hooks(node: Node, grads: list, buffers: InputBuffers,
                  create_graph: bool) -> Generator[HookStep, None, None]:
    """Each output's hooks in the order they were registered, then retain_grad."""
    for slot, grad in enumerate(grads):
        if grad is None:
            continue
        for hook in node.tensor_hooks(slot):
            new = _call_hook(node, hook, grad, create_graph)
            yield HookStep(node, slot, hook, grad, grad if new is None else new)
            grad = grad if new is None else new
        target = node.retain_grad_target(slot)
        if target is not None:
            _retain(target, grad, create_graph)
            yield HookStep(node, slot, "retain_grad", grad, grad)
        grads[slot] = grad
        buffers.disown(node, slot)


def _call_hook(node: Node, hook: Callable, grad: Tensor, create_graph: bool) -> Tensor | None:
    try:
        with set_grad_enabled(create_graph):
            return _checked_result(hook, grad, hook(grad))
    except Exception:
        if _AnomalyState.enabled:
            report_failure(node)  # a hook fails inside its node, as far as PyTorch says
        raise


def _retain(target: Tensor, grad: Tensor, create_graph: bool) -> None:
    """PyTorch's retain_grad hook, under backward's grad mode (create_graph)."""
    with set_grad_enabled(create_graph):
        old = target._grad
        # the first grad: a row-major clone (with create_graph, a node); then old + new
        target._grad = old + grad if old is not None else (
            grad.clone() if grad.is_contiguous() else grad.contiguous())


def _checked_result(hook: Callable, grad: Tensor, new: object) -> Tensor | None:
    """A hook may return None (keep the grad) or a tensor of the same size and type."""
    if new is None:
        return None
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(hook, "__name__", repr(hook))
    if new.shape != grad.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if new._data.dtype != grad._data.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {grad.type()} "
                           f"got {new.type()})")
    return new
