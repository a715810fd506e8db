"""Views and in-place changes: what PyTorch's view tracking and CopySlices do.

A view (x[0], x.view(...), x.t(), ...) shares its base's memory and version counter.
The version counter is a small list that every tensor of one memory shares:

    box[0]   the version, bumped by every in-place change
    box[1]   (once a view exists) weak references to the views of that memory

When the base or any view of it changes in place, each view's grad_fn is rebuilt as
AsStridedBackward0 of the base, so its grad flows through the base's newest history.
(PyTorch rebuilds it lazily, when grad_fn is next read; rebuilding at the change gives
the same graph.) A recorded in-place op on a view makes the base's grad_fn CopySlices:
it runs the op's backward on the view's part of the base's grad.
"""

from __future__ import annotations

import numpy as np

from .._warn import warn
from ..autograd.anomaly_mode import _AnomalyState, forward_stack
from ..autograd.checks import validate_outputs
from ..autograd.errors import FREED
from ..autograd.grad_mode import _GradState
from ..autograd.graph import Node, _creation_counter
from ..tensor import Tensor
from .as_strided import as_strided, as_strided_backward, empty_strided, geometries

# --- making views ---------------------------------------------------------------------
# How a view was made (PyTorch's CreationMeta): in no_grad mode, or as one of the views of
# a function that returns several (unbind), a view may not be changed in place later.
DEFAULT, NO_GRAD_MODE, MULTI_OUTPUT_NODE = "default", "no_grad_mode", "multi_output_node"


def view_of(out: Tensor, x: Tensor, one_of_several: bool = False) -> Tensor:
    """Make `out` (just computed from x's memory) a view of x's base."""
    out._version_box = x._version_box
    out._base = x._base if x._base is not None else x
    out._view_version = x._version_box[0]
    out._creation_meta = (NO_GRAD_MODE if not _GradState.enabled
                          else MULTI_OUTPUT_NODE if one_of_several else DEFAULT)
    return out


def bump_version(x: Tensor) -> None:
    """x changed in place: every tensor sharing its memory sees the new version (and the
    views among them get a new grad_fn when it is next read: see refresh_view)."""
    x._version_box[0] += 1


def refresh_view(view: Tensor) -> None:
    """The view's memory changed in place since its grad_fn was set: it is now read again
    from its base, so its grad flows through the base's newest history, as AsStridedBackward0.
    (Tensor.grad_fn calls this, as PyTorch does when grad_fn is read.)"""
    base = view._base
    if view._grad_fn is None and not base.requires_grad:
        return  # nothing to rebuild yet (once the base requires grad, there will be)
    if view._creation_meta != DEFAULT:
        raise RuntimeError(_view_error(
            view, "its base or another view of its base has been modified inplace"))
    view._view_version = view._version_box[0]
    node = AsStrided(base, view)
    move_retain_grad(view, node, 0)
    view._grad_fn, view._output_nr = node, 0


def _view_error(view: Tensor, what: str) -> str:
    """PyTorch's handle_view_on_rebase: why this view may not be changed in place."""
    node = view._grad_fn
    if node is not None:
        op = node.name().removesuffix("Backward0")
        head = f"Output {view._output_nr} of {op} is a view and {what}."
    else:
        head = f"A view was created in no_grad mode and {what} with grad mode enabled."
    if view._creation_meta == MULTI_OUTPUT_NODE:
        return head + (
            " This view is the output of a function that returns multiple views. Such "
            "functions do not allow the output views to be modified inplace. You should "
            "replace the inplace operation by an out-of-place one.")
    return head + (
        " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
        "clarify your code by moving both the view and the inplace either both inside the "
        "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
        "want the inplace to be tracked).")


def move_retain_grad(x: Tensor, node: Node, output_nr: int) -> None:
    """retain_grad() follows a tensor to its new grad_fn (its other hooks stay behind,
    on the old one: they see the grad of the values before the change)."""
    if not x._retains_grad or x._grad_fn is None:
        return
    old = x._grad_fn._retain_grad
    ref = old.pop(x._output_nr, None) if old else None
    if ref is not None:
        if node._retain_grad is None:
            node._retain_grad = {}
        node._retain_grad[output_nr] = ref


class AsStrided(Node):
    """The grad_fn of a view whose memory was changed in place: the view is read again
    from its base (PyTorch: base.as_strided(view's geometry)), so its grad goes to the
    elements of the base that it shows."""

    def __init__(self, base: Tensor, view: Tensor) -> None:
        self.base_geometry, self.view_geometry = geometries(base._data, view._data)
        self.next_functions = (base._edge(),)
        self._input_meta = ((base._data.shape, base._data.dtype.char),)
        self._output_meta = ((view._data.shape, view._data.dtype.char),)
        self._seq = next(_creation_counter)
        if _AnomalyState.enabled:
            self._forward_stack = forward_stack()

    def name(self) -> str:
        return "AsStridedBackward0"

    def apply(self, grad: Tensor) -> tuple:
        return (as_strided_backward(grad, self.base_geometry, self.view_geometry),)


# --- in-place ops on views ------------------------------------------------------------
class CopySlices(Node):
    """The base's grad_fn after an in-place op `fn` wrote into one of its views.

    Backward (PyTorch's CopySlices::apply): the base's grad is copied into a new tensor
    `result`; on the view's part of it, fn's backward turns the grad into the grad of the
    view's old values, which is written back there. Its edges are the base's old history,
    then fn's edges for its other inputs."""

    def __init__(self, base: Tensor, view: Tensor, fn: Node) -> None:
        self.fn = fn
        self.base_geometry, self.view_geometry = geometries(base._data, view._data)
        self.next_functions = (base._edge(),) + fn.next_functions[1:]
        self._input_meta = ((base._data.shape, base._data.dtype.char),) + fn._input_meta[1:]
        self._output_meta = ((base._data.shape, base._data.dtype.char),)
        self._seq = next(_creation_counter)

    def name(self) -> str:
        return "smallgrad::autograd::CopySlices"  # PyTorch: torch::autograd::CopySlices

    def __repr__(self) -> str:
        return f"<CopySlices object at {hex(id(self))}>"  # PyTorch: torch::autograd::CopySlices

    # as PyTorch's CopySlices (release_variables drops fn), it is spent after a backward
    # without retain_graph, even if fn saved nothing
    _user_function = True

    @property
    def _saved(self) -> tuple:  # what fn saved is freed with this node
        return fn._saved if (fn := self.fn) is not None else ()

    def release_saved_tensors(self) -> None:
        if self.fn is not None:
            self.fn.release_saved_tensors()
        self.fn = None

    def apply(self, grad: Tensor) -> tuple:
        from .shape import Contiguous

        if self.fn is None:
            raise RuntimeError(FREED)

        result = Tensor._make(empty_strided(self.base_geometry, grad._data.dtype))
        result.copy_(grad)
        grad_slice = as_strided(result, *self.view_geometry)
        # a copy of the slice, because fn may save its grad and the slice is written below
        grads = validate_outputs(self.fn, self.fn.apply(Contiguous.apply(grad_slice)))
        grad_base = None
        if grads[0] is not None:
            grad_slice.copy_(grads[0])
            grad_base = result
        return (grad_base,) + tuple(grads[1:])


def rebase_history(x: Tensor, result: Tensor) -> None:
    """x now holds `result`'s values (written in place): give it result's history.

    On a view, the history goes to the base, as CopySlices; then every view of that
    memory, x included, is rebuilt from the base (see bump_version)."""
    fn = result.grad_fn
    base = x._base
    if fn is not None and base is not None:
        copy_slices = CopySlices(base, x, fn)
        if _AnomalyState.enabled:
            copy_slices._forward_stack = forward_stack()
        move_retain_grad(base, copy_slices, 0)
        base.grad_fn, base._output_nr = copy_slices, 0
    elif fn is not None:
        move_retain_grad(x, fn, result._output_nr)
        x.grad_fn, x._output_nr = fn, result._output_nr
    bump_version(x)
    if fn is not None and base is not None:
        x.grad_fn  # noqa: B018 - the changed view gets its new grad_fn now, as in PyTorch


def check_inplace_target(x: Tensor, name: str, args: tuple, records: bool) -> None:
    """The errors PyTorch raises before an in-place op writes anything (check_inplace, when
    the op is recorded, then the checks of memory that overlaps)."""
    if records:
        base = x._base
        if base is not None and x._creation_meta != DEFAULT:
            raise RuntimeError(_view_error(x, "is being modified inplace"))
        if base is not None and x.requires_grad and base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                               "in an in-place operation.")
        if x.requires_grad and x.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation.")
    data = x._data
    if name == "copy_" and _same_elements(data, args[0]._data):
        return  # a copy onto itself changes nothing
    if data.size > 1 and 0 in data.strides and any(
            stride == 0 and size > 1 for stride, size in zip(data.strides, data.shape)):
        if name == "index_put_":
            warn("Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor "
                 "before performing this operation. This also applies to advanced indexing e.g. "
                 "tensor[indices] = tensor")
            if _fills_by_mask(*args):
                warn("Use of masked_fill_ on expanded tensors is deprecated. Please clone() the "
                     "tensor before performing this operation. This also applies to advanced "
                     "indexing e.g. tensor[mask] = scalar")
        # writing one number everywhere is fine even where elements share memory (expand)
        elif name != "zero_" and not (name == "fill_" and not isinstance(args[0], Tensor)):
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation.")
    if name == "fill_":
        return  # fill_ reads its value before it writes anything
    for a in args:
        if isinstance(a, Tensor) and a is not x and _partly_overlaps(data, a._data):
            raise RuntimeError(
                "unsupported operation: some elements of the input tensor and the written-to "
                "tensor refer to a single memory location. Please clone() the tensor before "
                "performing the operation.")


def _fills_by_mask(index: object, value: Tensor) -> bool:
    """PyTorch's index_put_ hands one mask and one value on to masked_fill_
    (canDispatchToMaskedFill), which warns again."""
    arrays = [i for i in (index if isinstance(index, tuple) else (index,))
              if isinstance(i, np.ndarray)]
    return value._data.size == 1 and len(arrays) == 1 and arrays[0].dtype == np.bool_


def _partly_overlaps(out: np.ndarray, other: np.ndarray) -> bool:
    """PyTorch's get_overlap_status: only two dense tensors can be told apart ("too hard"
    otherwise, and allowed); they overlap partly if their memory ranges meet but they are
    not the very same elements in the same order."""
    if not out.size or not other.size or not np.may_share_memory(out, other):
        return False
    if not (dense(out) and dense(other)):
        return False
    start_a, start_b = out.__array_interface__["data"][0], other.__array_interface__["data"][0]
    end_a, end_b = start_a + out.nbytes, start_b + other.nbytes
    if start_a == start_b and end_a == end_b:
        return _layout(out) != _layout(other)
    return start_a < end_b and start_b < end_a


def dense(a: np.ndarray) -> bool:
    """Do a's elements fill one block of memory, with no gaps and no repeats (in some
    order of its dims)? PyTorch's is_non_overlapping_and_dense."""
    dims = sorted((abs(stride), size) for size, stride in zip(a.shape, a.strides) if size != 1)
    expected = a.itemsize
    for stride, size in dims:
        if stride != expected:
            return False
        expected *= size
    return True


def _same_elements(a: np.ndarray, b: np.ndarray) -> bool:
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.shape == b.shape and _layout(a) == _layout(b))


def _layout(a: np.ndarray) -> tuple:
    """The strides that matter: a dim of size 1 is never stepped along."""
    return tuple(stride for size, stride in zip(a.shape, a.strides) if size != 1)
