"""Where grads wait for their node: PyTorch's InputBuffer, one per node not yet run.

A tensor used twice gets two partial grads; they are summed here, and the node runs
once the last one has arrived. The second job is ownership: a leaf's `.grad` may keep
the very tensor a node produced (no copy) when nobody else can hold it, as PyTorch's
AccumulateGrad steals a grad whose use_count shows it is alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..tensor import Tensor, _made
from .zero_tensor import keep_known_sum

if TYPE_CHECKING:
    from .graph import Node


class InputBuffers:
    __slots__ = ("slots", "owned", "mark")

    def __init__(self) -> None:
        self.slots: dict[Node, list] = {}  # node -> the grads summed so far, one per output
        self.owned: set[tuple[Node, int]] = set()  # slots holding a grad nobody else holds
        self.mark = 0  # tensors made after this were made by the node running now

    def add(self, node: Node, slot: int, grad: Tensor, owned: bool) -> Tensor:
        """Sum `grad` into node's slot; returns the new total."""
        slots = self.slots.get(node)
        if slots is None:
            slots = self.slots[node] = [None] * node._n_outputs
        old = slots[slot]
        if old is None:
            total = grad
            if owned:
                self.owned.add((node, slot))
        else:
            total = old + grad if (old.requires_grad or grad.requires_grad) else old._plus(grad)
            keep_known_sum(old, grad, total)
            self.owned.add((node, slot))  # a sum is a new tensor that nobody else holds
        slots[slot] = total
        return total

    def take(self, node: Node) -> list:
        """The grads for node's outputs (None where none arrived); its buffer is gone."""
        return self.slots.pop(node, None) or [None] * node._n_outputs

    def is_owned(self, node: Node, slot: int) -> bool:
        return (node, slot) in self.owned

    def disown(self, node: Node, slot: int) -> None:
        self.owned.discard((node, slot))  # a hook has seen it: the user may keep it

    def start_node(self) -> None:
        self.mark = _made[0]

    def made_by_node(self, grad: Tensor, grad_inputs: tuple) -> bool:
        """The running node made `grad` just now and sends it along one edge only (a view
        of its incoming grad counts: PyTorch steals such a grad too)."""
        if grad._tid < self.mark:
            return False
        sent = 0
        for g in grad_inputs:
            sent += g is grad
        return sent == 1
