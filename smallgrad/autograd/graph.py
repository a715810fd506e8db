"""The nodes of the backward graph.

Every tensor made by an operation points at a Node (its `grad_fn`). A node knows
where the gradient goes next (`next_functions`) and how to compute it (`apply`).
Leaves that require grad end in an AccumulateGrad node, which adds into `.grad`.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .anomaly_mode import _AnomalyState, forward_stack

if TYPE_CHECKING:
    from ..tensor import Tensor

# Creation order of nodes. The engine breaks ties with it, and the widgets use it for
# stable ids: the same notebook gives the same numbers on every run, unlike id().
_creation_counter = itertools.count()

Edge = tuple["Node | None", int]  # (node that receives the grad, which of its inputs)


class HookDict(dict):
    """handle id -> hook, in registration order (a dict keeps insertion order)."""

    __slots__ = ("__weakref__",)


class RemovableHandle:
    """Returned by register_hook: call `.remove()` to take the hook off again."""

    __slots__ = ("_hooks_ref", "id")
    _ids = itertools.count()

    def __init__(self, hooks: HookDict) -> None:
        self._hooks_ref = weakref.ref(hooks)  # a handle must not keep a dead graph alive
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        hooks = self._hooks_ref()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Node:
    """A step of the backward graph: `apply` turns output grads into input grads."""

    # next_functions: one Edge per tensor input, (None, 0) for inputs that need no grad
    next_functions: tuple[Edge, ...] = ()
    _seq: int = -1  # creation order, set when the node joins a graph
    _n_outputs = 1  # how many tensors the forward made (max(dim) makes 2)
    _saved: tuple = ()  # the tensors forward saved for backward
    _user_function = False  # a student's own autograd.Function (PyTorch's PyNode)
    _tensor_hooks: dict[int, HookDict] | None = None  # output slot -> hooks of that tensor
    _retain_grad: dict[int, weakref.ref] | None = None  # output slot -> tensor to fill .grad

    def name(self) -> str:
        return type(self).__name__

    def apply(self, *grad_outputs: Tensor | None) -> tuple[Tensor | None, ...]:
        raise NotImplementedError

    def has_saved_tensors(self) -> bool:
        return False

    def release_saved_tensors(self) -> None:
        """Drop what forward saved. Called after backward unless retain_graph=True."""

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def register_tensor_hook(self, slot: int, hook: Callable) -> RemovableHandle:
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(slot, HookDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def tensor_hooks(self, slot: int) -> list[Callable]:
        if self._tensor_hooks is None or slot not in self._tensor_hooks:
            return []
        return list(self._tensor_hooks[slot].values())

    def retain_grad_target(self, slot: int) -> Tensor | None:
        if self._retain_grad is None or slot not in self._retain_grad:
            return None
        return self._retain_grad[slot]()


class AccumulateGrad(Node):
    """The end of a path: adds the incoming grad into the leaf's `.grad`."""

    next_functions = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self._seq = next(_creation_counter)
        if _AnomalyState.enabled:  # anomaly mode's report names where it was made
            self._forward_stack = forward_stack()

    def name(self) -> str:
        return "smallgrad::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    @property
    def _tensor_hooks(self) -> dict[int, HookDict] | None:
        hooks = self.variable._hooks  # a leaf keeps its hooks on the tensor itself
        return {0: hooks} if hooks else None

    def accumulate(self, grad: Tensor, *, fresh: bool, create_graph: bool = False,
                   keep_before: bool = True) -> tuple[Tensor | None, Tensor]:
        """Add `grad` into `variable.grad`; returns (before, after).

        As in PyTorch, a second grad is added in place: `g = x.grad` sees the sum too
        (and its _version goes up). `before` is then a copy of the old values, so that a
        stepper can still show them (None when `keep_before` is False). `fresh` says the
        engine made `grad` and nobody else
        holds it, so it can be kept without a copy; otherwise a copy keeps `x.grad` from
        aliasing another tensor. With `create_graph`, the sum is recorded instead.
        """
        from ..tensor import Tensor

        var = self.variable
        before = var._grad
        if before is None:
            if grad.requires_grad:  # create_graph=True: a recorded copy (CopyBackwards)
                from ..ops.inplace import Copy

                after = Copy.apply(Tensor._make(np.zeros_like(grad._data)), grad)
            elif grad._data.strides != var._data.strides and grad._data.size > 1:
                # PyTorch's layout contract: .grad is laid out in memory like the leaf
                after = Tensor._make(np.empty_like(var._data, dtype=grad._data.dtype))
                after._data[...] = grad._data
            else:
                after = grad.detach() if fresh else Tensor._make(grad._data.copy())
        elif create_graph or not before._data.flags.writeable:
            after = before + grad  # create_graph=True: out of place, so it is recorded
        else:  # in place, unrecorded, even if .grad has a history of its own (as PyTorch)
            after, before = before, Tensor._make(before._data.copy()) if keep_before else None
            after._data += grad._data
            after._version_box[0] += 1
        var._grad = after
        return before, after

