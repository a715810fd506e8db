"""AccumulateGrad: where a path of the graph ends, at a leaf that requires grad.

A grad that arrives here is added into the leaf's `.grad` (the only place backward()
writes anything the user holds).
"""

from __future__ import annotations

from ..tensor import Tensor
from .anomaly_mode import _AnomalyState, forward_stack
from .graph import HookDict, Node, _creation_counter
from .layout_contract import clone_obey_contract, obeys_layout_contract
from .zero_tensor import keep_known, refuse_writing


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

    def accumulate(self, grad: Tensor, *, owned: bool, create_graph: bool = False) -> None:
        """Add `grad` into `variable.grad`.

        As in PyTorch, a second grad is added in place: `g = x.grad` sees the sum too
        (and its _version goes up). `owned` says the engine made `grad` and nobody else
        holds it, so it can be kept without a copy; otherwise a copy keeps `x.grad` from
        aliasing another tensor. With `create_graph`, the sum is recorded instead.
        """
        var = self.variable
        old = var._grad
        if old is None:
            if grad.requires_grad or not obeys_layout_contract(grad._data, var._data):
                new = clone_obey_contract(grad, var)  # (recorded, with create_graph=True)
            elif owned:
                new = grad.detach()
                if not create_graph:  # PyTorch steals efficient zeros only then
                    keep_known(grad, new)
            else:
                new = Tensor._make(grad._data.copy())
            var._grad = new
        elif create_graph or not old._data.flags.writeable:
            var._grad = old + grad  # create_graph=True: out of place, so it is recorded
        else:  # in place, unrecorded, even if .grad has a history of its own (as PyTorch)
            refuse_writing(old)
            old._data += grad._data
            old._version_box[0] += 1
