"""autograd.Function: write an operation's forward and backward side by side.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    y = Exp.apply(x)

`ctx` and `y.grad_fn` are the same object, as in PyTorch: the node of the graph
is the place where forward left what backward needs. smallgrad's own operations
(smallgrad/ops/) are written exactly like this.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np

from .grad_mode import _GradState
from .graph import AccumulateGrad, Node, _creation_counter

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class BackwardNode(Node):
    """The ctx of one call of a Function, which is also the grad_fn of its outputs."""

    _forward_cls: ClassVar[type[Function]]
    _name: ClassVar[str]
    _saved: tuple = ()
    _freed = False
    _non_differentiable: frozenset[int] = frozenset()

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        module = type(self).__module__
        prefix = "" if module.startswith("smallgrad.ops") else module + "."
        return f"<{prefix}{self._name} object at {hex(id(self))}>"

    # --- what forward may call -------------------------------------------------
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep these tensors for backward, with their versions, so a later change is caught."""
        self._saved = tensors
        self._saved_versions = tuple(t._version if t is not None else 0 for t in tensors)
        # whose output each one is, named in the error if it is modified in place later
        self._saved_owners = tuple(t.grad_fn if t is not None else None for t in tensors)

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """These outputs (e.g. the indices of max) get no grad_fn and need no grad."""
        self._non_differentiable = frozenset(id(t) for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_FREED)
        for tensor, version, owner in zip(self._saved, self._saved_versions, self._saved_owners):
            if tensor is not None and tensor._version != version:
                raise RuntimeError(_modified_message(tensor, version, owner))
        return self._saved

    # --- what the engine calls -------------------------------------------------
    def has_saved_tensors(self) -> bool:
        return bool(self._saved)

    def release_saved_tensors(self) -> None:
        if self._saved:
            self._saved = ()
            self._freed = True

    def apply(self, *grad_outputs):
        grads = self._forward_cls.backward(self, *grad_outputs)
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self._tensor_positions) and len(grads) != self._n_args:
            raise RuntimeError(
                f"function {self._name} returned an incorrect number of gradients "
                f"(expected {self._n_args}, got {len(grads)})"
            )
        if len(grads) == len(self._tensor_positions):
            return grads  # built-in ops return one grad per tensor input
        for i, g in enumerate(grads):
            if g is not None and i not in self._tensor_positions:
                raise RuntimeError(
                    f"function {self._name} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable"
                )
        return tuple(grads[i] for i in self._tensor_positions)


def _modified_message(tensor, expected: int, owner: Node | None) -> str:
    owner = owner or tensor.grad_fn
    which = ""
    if owner is not None and not isinstance(owner, AccumulateGrad):
        op = re.sub(r"Backward\d*$", "", owner.name())  # PyTorch says "output 0 of Exp"
        which = f", which is output {tensor._output_nr} of {op}"
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{tensor.type()} {list(tensor.shape)}]{which}, is at version "
        f"{tensor._version}; expected version {expected} instead. Hint: look for an in-place "
        "operation (add_, mul_, +=, ...) on it after it was used, and make it out-of-place."
    )


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`; call `apply`.

    backward returns one grad per forward argument (None for non-tensors, or for inputs
    that need no grad). Built-in ops may return one grad per tensor argument instead.
    `node_name` sets the grad_fn's name (built-in ops use PyTorch's, e.g. MulBackward0);
    otherwise it is the class name + "Backward", as in PyTorch.
    """

    node_name: ClassVar[str | None] = None
    _backward_cls: ClassVar[type[BackwardNode]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward"
        module = cls.__module__ if cls.__module__.startswith("smallgrad.ops") else __name__
        cls._backward_cls = type(name, (BackwardNode,), {"_forward_cls": cls, "_name": name,
                                                          "__module__": module})

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, ...)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        from ..tensor import Tensor

        ctx = cls._backward_cls()
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx.needs_input_grad = needs
        record = _GradState.enabled and any(needs)

        prev, _GradState.enabled = _GradState.enabled, False  # forward runs under no_grad
        try:
            out = cls.forward(ctx, *args)
        finally:
            _GradState.enabled = prev
        return _attach(ctx, args, out, record)


def _as_tensor(value: Any, args: tuple) -> Any:
    """Forward may return NumPy arrays (built-in ops) or tensors (lessons); wrap them."""
    from ..tensor import Tensor

    if isinstance(value, Tensor):
        if any(value is a for a in args):  # returned an input as is: give a new alias
            return value._alias()
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor._make(np.asarray(value))
    return value  # e.g. an int or None: passed through untouched


def _attach(ctx: BackwardNode, args: tuple, out: Any, record: bool) -> Any:
    """Wrap forward's outputs and, when recording, make ctx their grad_fn."""
    from ..tensor import Tensor

    outputs = tuple(_as_tensor(o, args) for o in out) if isinstance(out, tuple) else (
        _as_tensor(out, args),)
    if record:
        ctx._seq = next(_creation_counter)
        positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        ctx._tensor_positions = positions
        ctx._n_args = len(args)
        ctx.next_functions = tuple(args[i]._edge() for i in positions)
        ctx._input_meta = tuple((args[i]._data.shape, args[i]._data.dtype) for i in positions)
        for nr, o in enumerate(outputs):
            if (isinstance(o, Tensor) and id(o) not in ctx._non_differentiable
                    and o._data.dtype.kind == "f"):
                o.grad_fn = ctx
                o._output_nr = nr
                o._requires_grad = False
        if ctx._saved:  # a saved output is "output k of" this node, even after in-place ops
            ctx._saved_owners = tuple(
                ctx if any(s is o for o in outputs) else owner
                for s, owner in zip(ctx._saved, ctx._saved_owners)
            )
    return outputs if isinstance(out, tuple) else outputs[0]


FunctionCtx = BackwardNode  # the name PyTorch gives the type of ctx
