"""The records of a backward pass, for whoever watches it step by step (the widgets).

The engine builds them only when it is asked to (`backward_steps(..., observe=True)`);
backward() and autograd.grad() don't ask, so they pay nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .graph import AccumulateGrad, Node


class RootStep(NamedTuple):
    """Backward starts: `grad` (often ones) enters `node` at output `slot`."""

    node: Node
    slot: int
    grad: Tensor


class HookStep(NamedTuple):
    """`hook` (a function, or "retain_grad") saw `grad_in` and passed on `grad_out`."""

    node: Node
    slot: int
    hook: Callable | str
    grad_in: Tensor
    grad_out: Tensor


class CallStep(NamedTuple):
    """`node`'s backward turned `grad_outputs` into `grad_inputs` (one per next_function)."""

    node: Node
    grad_outputs: tuple
    grad_inputs: tuple


class FreeStep(NamedTuple):
    """`node` released the tensors its forward saved."""

    node: Node


class EdgeStep(NamedTuple):
    """`grad` flowed from `src` (its input number `index`) into `dst` at `dst_slot`.

    `total` is what `dst` holds for that slot so far: when a tensor was used twice,
    the second edge shows the sum of both partial grads. `ready` says this was the last
    grad `dst` waited for, so it runs soon (an AccumulateGrad right after `src`'s edges).
    """

    src: Node
    index: int
    dst: Node
    dst_slot: int
    grad: Tensor
    total: Tensor
    ready: bool = False


class AccumulateStep(NamedTuple):
    """`grad` was added into the leaf `variable`'s `.grad` (read it there: it is the sum)."""

    node: AccumulateGrad
    variable: Tensor
    grad: Tensor


Step = RootStep | HookStep | CallStep | FreeStep | EdgeStep | AccumulateStep
