"""autograd.Function: write an operation's forward and backward side by side.

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x * x

    y = Cube.apply(x)

`ctx` and `y.grad_fn` are the same object, as in PyTorch: the node of the graph
is the place where forward left what backward needs. smallgrad's own operations
(smallgrad/ops/) are Functions too, with one difference: their forward computes on the
NumPy arrays inside the tensors (`x._data`) and returns an array, which apply wraps.
Their backward is written in tensor operations, like yours, so that it can itself be
differentiated (create_graph=True).
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any, ClassVar

import numpy as np

from .._quiet import quiet_already, restore, silence
from ..tensor import Tensor, _made
from .anomaly_mode import _AnomalyState, forward_stack
from .errors import DETACHED_IN_PLACE, FREED, modified_in_place
from .grad_mode import _GradState
from .graph import Node, _creation_counter


class BackwardNode(Node):
    """The ctx of one call of a Function, which is also the grad_fn of its outputs."""

    _forward_cls: ClassVar[type[Function]]
    _name: ClassVar[str]
    _freed = False
    _saved_versions: tuple = ()
    _saved_had_history: tuple = ()  # which saved inputs had a grad_fn (see .detach_())
    _non_differentiable: frozenset[int] = frozenset()
    _tensor_positions: tuple[int, ...] | None = None  # which arguments were tensors
    _n_args = 0

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        module = type(self).__module__
        prefix = "" if module.startswith("smallgrad.ops") else module + "."
        return f"<{prefix}{self._name.rsplit('::', 1)[-1]} object at {hex(id(self))}>"

    # --- what forward may call -------------------------------------------------
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep these tensors for backward. (apply notes their versions, so that a later
        in-place change to one of them is caught.)"""
        self._saved = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """These outputs (e.g. the indices of max) get no grad_fn and need no grad."""
        self._non_differentiable = frozenset(id(t) for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(FREED)
        # each saved tensor in turn, as PyTorch unpacks them: detached? changed in place?
        histories = self._saved_had_history or (False,) * len(self._saved)
        for tensor, version, had_history in zip(self._saved, self._saved_versions, histories):
            if had_history and tensor._grad_fn is None:
                raise RuntimeError(DETACHED_IN_PLACE)
            if tensor is not None and tensor._version_box[0] != version:
                # a saved output is "output k of" this node, even after an in-place op
                owner = self if tensor._tid >= self._first_tid else tensor.grad_fn
                raise RuntimeError(modified_in_place(tensor, owner, version))
        return self._saved

    # --- what the engine calls -------------------------------------------------
    def has_saved_tensors(self) -> bool:
        return bool(self._saved)

    def release_saved_tensors(self) -> None:
        self._saved = ()
        self._freed = True

    def apply(self, *grad_outputs):
        """Run backward; give one grad per tensor input (the order of next_functions)."""
        grads = self._forward_cls.backward(self, *grad_outputs)
        if type(grads) is not tuple:
            grads = (grads,)
        positions = self._tensor_positions  # None: every argument was a tensor
        n_args = len(self.next_functions) if positions is None else self._n_args
        if len(grads) == n_args and positions is None:
            return grads  # the usual case
        if len(grads) > n_args and all(g is None for g in grads[n_args:]):
            # as in PyTorch: extra trailing Nones are fine (e.g. for a defaulted argument)
            grads = grads[:n_args]
        if len(grads) != n_args:
            raise RuntimeError(
                f"function {self._name} returned an incorrect number of gradients "
                f"(expected {n_args}, got {len(grads)})"
            )
        if positions is None:
            return grads
        for i, g in enumerate(grads):
            if g is not None and i not in positions:
                raise RuntimeError(
                    f"function {self._name} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable"
                )
        return tuple(grads[i] for i in positions)


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`; call `apply`.

    backward returns one grad per forward argument (None for non-tensors, or for inputs
    that need no grad); extra trailing Nones are allowed, as in PyTorch.
    `node_name` sets the grad_fn's name (built-in ops use PyTorch's, e.g. MulBackward0);
    otherwise it is the class name + "Backward", as in PyTorch.
    """

    node_name: ClassVar[str | None] = None
    _backward_cls: ClassVar[type[BackwardNode]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward"
        module = cls.__module__ if cls.__module__.startswith("smallgrad.ops") else __name__
        cls._backward_cls = type(name, (BackwardNode,), {
            "_forward_cls": cls, "_name": name, "__module__": module,
            "_user_function": not cls.__module__.startswith("smallgrad.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, ...)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        ctx = cls._backward_cls()
        if _GradState.enabled:
            for a in args:  # does any input have a history? (the slots: ~0.1 µs per input)
                if isinstance(a, Tensor) and (a._requires_grad or a._grad_fn is not None
                                              or a._base is not None):
                    needs = tuple([isinstance(a, Tensor) and (
                        a._requires_grad or a._grad_fn is not None
                        or (a._base is not None and a.grad_fn is not None))  # (maybe rebuilt)
                        for a in args])
                    if True in needs or any(_needs_grad_through_base(a) for a in args):
                        return _record(ctx, args, needs)
                    break
        # nothing to record (e.g. inside backward): just the numbers
        ctx.needs_input_grad = (False,) * len(args)
        if quiet_already():  # inside backward or another op: NumPy is silenced already
            out = cls.forward(ctx, *args)
        else:
            token = silence()  # NumPy computes inf and nan silently, as PyTorch does
            try:
                out = cls.forward(ctx, *args)
            finally:
                restore(token)
        if type(out) is np.ndarray:
            return Tensor._make(out)
        if type(out) is tuple:
            return tuple([_as_tensor(o, args) for o in out])
        return _as_tensor(out, args)


def _needs_grad_through_base(a: Any) -> bool:
    """A view made under no_grad of a tensor that requires grad: it requires grad too, but
    its grad goes nowhere (PyTorch records the op anyway, with an empty edge)."""
    return isinstance(a, Tensor) and a._base is not None and a._base.requires_grad


def _as_tensor(value: Any, args: tuple) -> Any:
    """Forward may return NumPy arrays (built-in ops) or tensors (lessons); wrap them."""
    if type(value) is np.ndarray:
        return Tensor._make(value)
    if isinstance(value, Tensor):
        if any(value is a for a in args):  # returned an input as is: give a new alias
            return value._alias()
        return value
    if isinstance(value, np.generic):
        return Tensor._make(np.asarray(value))
    return value  # e.g. an int or None: passed through untouched


def _record(ctx: BackwardNode, args: tuple, needs: tuple) -> Any:
    """Run forward under no_grad, then make ctx the grad_fn of its outputs."""
    ctx.needs_input_grad = needs
    ctx._first_tid = _made[0]  # tensors made from here on are forward's own
    _GradState.enabled = False  # forward runs under no_grad, as in PyTorch
    token = None if quiet_already() else silence()  # (under create_graph it is: ~0.5 µs)
    try:
        out = ctx._forward_cls.forward(ctx, *args)
    finally:
        _GradState.enabled = True
        if token is not None:
            restore(token)
    is_tuple = type(out) is tuple
    if type(out) is np.ndarray:  # a built-in op's one array (the usual case: no call)
        outputs = (Tensor._make(out),)
    else:
        outputs = tuple([_as_tensor(o, args) for o in out]) if is_tuple else (
            _as_tensor(out, args),)

    ctx._seq = next(_creation_counter)
    if _AnomalyState.enabled:
        ctx._forward_stack = forward_stack()
    edges, meta, positions = [], [], []
    constants = None
    for position, a in enumerate(args):
        if isinstance(a, Tensor):
            positions.append(position)
            # a non-leaf, not a view: its edge is its grad_fn (Tensor._edge does the rest)
            edge = ((a._grad_fn, a._output_nr) if a._grad_fn is not None and a._base is None
                    else a._edge())
            if edge[0] is None:  # needs no grad: the widgets still draw it, greyed
                constants = constants or {}
                constants[len(edges)] = a._data.item() if a._is_scalar else weakref.ref(a)
            edges.append(edge)
            meta.append((a._data.shape, a._data.dtype.char))
    if len(edges) != len(args):  # some arguments are no tensors (e.g. a dim)
        ctx._tensor_positions = tuple(positions)
        ctx._n_args = len(args)
    ctx.next_functions = tuple(edges)
    ctx._input_meta = tuple(meta)  # the engine checks each grad against these
    if constants is not None:
        ctx._constant_inputs = constants  # the number typed (the 2 in `2 * x`), or the tensor
    # (shape, dtype) of each output; forward may also return non-tensors (passed through)
    ctx._output_meta = tuple([(o._data.shape, o._data.dtype.char) if isinstance(o, Tensor)
                              else (None, None) for o in outputs])
    if is_tuple:
        ctx._n_outputs = len(outputs)
    non_differentiable = ctx._non_differentiable
    for output_nr, o in enumerate(outputs):
        if (isinstance(o, Tensor) and o._data.dtype.kind == "f"
                and (not non_differentiable or id(o) not in non_differentiable)):
            o._grad_fn = ctx  # a new tensor, not yet a view: the slot itself
            o._output_nr = output_nr
    saved = ctx._saved
    if saved:  # note versions now, to catch a later in-place change
        ctx._saved_versions = tuple([t._version_box[0] if t is not None else 0 for t in saved])
        # an input (not an output) that had a history: .detach_() on it breaks backward
        first = ctx._first_tid
        ctx._saved_had_history = tuple([t is not None and t._grad_fn is not None
                                        and t._tid < first for t in saved])
    return outputs if is_tuple else outputs[0]


FunctionCtx = BackwardNode  # the name PyTorch gives the type of ctx
