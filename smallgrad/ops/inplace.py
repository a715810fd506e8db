"""In-place operations: x.add_(y), x *= 2, x.zero_(), ...

They change the tensor's values where they are, and bump its version counter so that
a node which saved the old values can tell (the "modified by an inplace operation"
error). When the change itself must be recorded, the tensor becomes the output of a
new node, the way PyTorch rebases its history."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd.checks import sum_to_shape
from ..autograd.function import Function
from ..autograd.grad_mode import _GradState, set_grad_enabled
from ..dtypes import from_numpy
from ..tensor import Tensor
from ._common import as_tensor, broadcast_message, result_dtype
from .backward_ops import ZeroGrad
from .shape import clone, out_of_range
from .views import _same_elements, bump_version, check_inplace_target, rebase_history

# when nothing is recorded (e.g. an SGD step under no_grad), NumPy does the work in place
_UFUNCS = {"add_": np.add, "sub_": np.subtract, "mul_": np.multiply, "div_": np.true_divide}


def inplace(x: Tensor, name: str, op: Callable, *args) -> Tensor:
    records = _GradState.enabled and (
        x.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args))
    check_inplace_target(x, name, args, records)
    reads_itself = name != "index_put_" and _reads_own_memory(x, args)
    if not records and name in _UFUNCS and len(args) == 1 and not reads_itself:
        return _in_place_ufunc(x, name, as_tensor(args[0], x))
    if not records and name == "zero_":
        x._data.fill(0)
        bump_version(x)
        return x
    # the old value, as its own tensor in the same place of the graph: a node may save it
    old = x
    if records:
        old = Tensor._make(x._data.copy())
        old.grad_fn, old._output_nr, old._requires_grad = x.grad_fn, x._output_nr, x._requires_grad
        old._accumulator = x._accumulator
    result = op(old, *args)
    _check_cast(result._data.dtype, x)
    if result.shape != x.shape:
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                           f"shape {list(result.shape)}")
    if name == "index_put_":  # only the indexed places, as PyTorch's kernel writes them
        x._data[args[0]] = result._data[args[0]]  # (it matters where x's elements share memory)
    elif reads_itself:
        _write_element_by_element(x, op, args)
    else:
        np.copyto(x._data, result._data, casting="unsafe")
    rebase_history(x, result)
    if result.grad_fn is not None:
        # a node that saved its output should now see x, which holds those values; one that
        # saved x's old values keeps a clone of them, as PyTorch's generated code does
        # (original_self = self.clone()): their grads with create_graph go through it
        _swap_saved(result.grad_fn, result, x)
        if records and any(s is old for s in result.grad_fn._saved):
            _swap_saved(result.grad_fn, old, clone(old))
    return x


def _reads_own_memory(x: Tensor, args: tuple) -> bool:
    """Does an input read x's memory through another view of it (one that PyTorch's overlap
    check calls too hard to judge, and allows)? Inputs that are x's very elements are fine."""
    return any(isinstance(a, Tensor) and a._data.size and np.shares_memory(x._data, a._data)
               and not _same_elements(x._data, a._data) for a in args)


def _write_element_by_element(x: Tensor, op: Callable, args: tuple) -> None:
    """x = op(x, *args) as PyTorch's kernel runs it: one element at a time, in the order of
    x's memory, so an input that overlaps x sees the elements written before it (NumPy
    would read all of them first). As in x[:, 1:] = x[:, :-1], which repeats x[:, 0]."""
    data = x._data
    inputs = [np.broadcast_to(a._data, data.shape) if isinstance(a, Tensor) else a for a in args]
    outer_first = sorted(range(data.ndim), key=lambda d: -abs(data.strides[d]))
    with set_grad_enabled(False):
        for place in np.ndindex(*(data.shape[d] for d in outer_first)):
            index = tuple(place[outer_first.index(d)] for d in range(data.ndim))
            element = [Tensor._make(np.array(a[index])) if isinstance(a, np.ndarray) else a
                       for a in inputs]
            data[index] = op(Tensor._make(np.array(data[index])), *element)._data


def _check_cast(dtype: np.dtype, x: Tensor) -> None:
    if dtype.kind != x._data.dtype.kind and (dtype.kind == "f" or x._data.dtype.kind == "b"):
        raise RuntimeError(f"result type {from_numpy(dtype).tensor_type[:-6]} can't be cast to "
                           f"the desired output type {x.dtype.tensor_type[:-6]}")


def _in_place_ufunc(x: Tensor, name: str, other: Tensor) -> Tensor:
    dtype = result_dtype(x, other)
    if name == "div_" and dtype.kind != "f":
        dtype = np.dtype(np.float32)
    _check_cast(dtype, x)
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # as PyTorch
            _UFUNCS[name](x._data, other._data, out=x._data, dtype=dtype, casting="unsafe")
    except ValueError:
        try:
            shape = np.broadcast_shapes(x.shape, other.shape)
        except ValueError:
            raise RuntimeError(broadcast_message(name, x.shape, other.shape)) from None
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}") from None
    bump_version(x)
    return x


def _swap_saved(node, was: Tensor, now: Tensor) -> None:
    """The node saved `was`: it keeps `now` instead (with now's version)."""
    saved = node._saved
    if any(s is was for s in saved):
        node._saved = tuple(now if s is was else s for s in saved)
        node._saved_versions = tuple(
            now._version if s is now else v for s, v in zip(node._saved, node._saved_versions))


class Zero(ZeroGrad, Function):
    """x.zero_(): the old values are gone, so their grad is 0"""

    node_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.zeros_like(x._data)


class Fill(Function):
    """x.fill_(number)"""

    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        return np.full_like(x._data, value)

    @staticmethod
    def backward(ctx, grad):
        return Tensor._make(np.zeros_like(grad._data)), None


class FillWithTensor(Function):
    """x.fill_(a 0-d tensor): every element gets the value, so its grad is the sum"""

    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, x, value):
        return np.full_like(x._data, value._data)

    @staticmethod
    def backward(ctx, grad):
        grad_value = grad.sum() if ctx.needs_input_grad[1] else None
        return Tensor._make(np.zeros_like(grad._data)), grad_value


class Copy(Function):
    """x.copy_(src): x takes src's values (broadcast, in x's dtype); the grad goes to src"""

    node_name = "smallgrad::autograd::CopyBackwards"  # PyTorch: torch::autograd::CopyBackwards

    @staticmethod
    def forward(ctx, x, src):
        try:
            values = np.broadcast_to(src._data, x._data.shape)
        except ValueError:
            try:  # it broadcasts, but to a bigger shape than x's
                shape = np.broadcast_shapes(x._data.shape, src._data.shape)
            except ValueError:
                raise RuntimeError(broadcast_message("copy_", x.shape, src.shape)) from None
            raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast "
                               f"shape {list(shape)}") from None
        ctx.src_shape = src._data.shape
        return values.astype(x._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        grad_x = Tensor._make(np.zeros_like(grad._data)) if ctx.needs_input_grad[0] else None
        grad_src = sum_to_shape(grad, ctx.src_shape) if ctx.needs_input_grad[1] else None
        return grad_x, grad_src


def zeros_like_op(x: Tensor) -> Tensor:
    return Zero.apply(x)


def fill_like_op(x: Tensor, value: object) -> Tensor:
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        return FillWithTensor.apply(x, value)
    return Fill.apply(x, value)


def copy_op(x: Tensor, src: Tensor) -> Tensor:
    return Copy.apply(x, src)


# --- x[index] = value -----------------------------------------------------------------
class IndexPut(Function):
    """x[index] = value with lists, tensors or masks in the index (PyTorch's index_put_):
    the grad of x is zero where it was overwritten; value gets the grad of its places."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, index, value):
        ctx.index, ctx.value_shape = index, value._data.shape
        # the index arrays are saved tensors, as in PyTorch (a second backward raises)
        parts = index if isinstance(index, tuple) else (index,)
        ctx.save_for_backward(*[Tensor._make(p) for p in parts if isinstance(p, np.ndarray)])
        out = x._data.copy()
        try:
            out[index] = value._data
        except IndexError as error:
            raise IndexError(str(error).replace("axis", "dimension")) from None
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                f"broadcast to indexing result of shape {list(out[index].shape)}") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        """PyTorch: self: grad.index_put(indices, zeros_like(values));
        values: grad.index(indices)"""
        from .shape import Index

        ctx.saved_tensors  # noqa: B018 - freed after a backward without retain_graph
        grad_x = grad_value = None
        if ctx.needs_input_grad[2]:  # the last input's grad first, as PyTorch
            grad_value = sum_to_shape(Index.apply(grad, ctx.index), ctx.value_shape)
        if ctx.needs_input_grad[0]:
            zeros = Tensor._make(np.zeros(ctx.value_shape, grad._data.dtype))
            grad_x = IndexPut.apply(grad, ctx.index, zeros)
        return grad_x, None, grad_value


def setitem(x: Tensor, index: object, value: object) -> None:
    """x[index] = value, the way PyTorch does it: basic indexing writes through a view
    (x[0] = v is x[0].copy_(v), so a base gets CopySlices), a full `x[:]` or `x[...]`
    writes x itself, and lists, tensors or masks in the index make an index_put_."""
    from .shape import getitem, index_arrays, is_basic

    if index is False:
        return
    items = index if isinstance(index, tuple) else (index,)
    # a 0-d integer tensor is an int (x[t.tensor(1)] = v writes through a select, as PyTorch)
    items = tuple(index_arrays(i) if _is_int_tensor(i) else i for i in items)
    index = items if isinstance(index, tuple) else items[0]
    src = value if isinstance(value, Tensor) else _value_tensor(value, x)
    if all(is_basic(i) for i in items) and not isinstance(index, bool):
        whole = index is Ellipsis or index == slice(None)
        _copy_to(x if whole else getitem(x, index), src)
        return
    if len(items) == 1 and np.ndim(index_arrays(items[0])) == 0:  # a 0-d mask, or True
        mask = np.asarray(index_arrays(items[0]), dtype=bool).reshape(1)
        inplace(x.unsqueeze(0), "index_put_", IndexPut.apply, mask,
                _same_dtype(_value_view(value, src), x))
        return
    # PyTorch's indexing counts the dims before index_put_ checks anything
    used = sum(np.ndim(i) if isinstance(i, np.ndarray) and i.dtype == np.bool_ else 1
               for i in map(index_arrays, items) if i is not None and i is not Ellipsis)
    if used > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    basic = tuple(i if is_basic(i) else slice(None) for i in items)
    target = x if all(i == slice(None) or i is Ellipsis for i in basic) else getitem(x, basic)
    # what is left to index in target: the ints are gone (selected), None made a dim
    advanced = tuple(index_arrays(i) if not is_basic(i) else i if i is Ellipsis else slice(None)
                     for i in items if not _is_int(i))
    value = _same_dtype(_value_view(value, src), x)
    try:
        inplace(target, "index_put_", IndexPut.apply,
                advanced if isinstance(index, tuple) else advanced[0], value)
    except IndexError:
        message = _write_before_the_bad_index(target._data, advanced, value._data)
        if message is None:
            raise
        raise IndexError(message) from None


def _write_before_the_bad_index(data: np.ndarray, index: tuple, value: np.ndarray) -> str | None:
    """PyTorch's index_put_ kernel checks each index as it meets it, in row-major order of
    the indexed places, so the places before an index out of range are written already.
    Gives PyTorch's message for that index (None if no index is out of range)."""
    message = out_of_range(data.shape, index)
    if message is None:
        return None
    if Ellipsis in [i for i in index if not isinstance(i, np.ndarray)]:  # the dims it spans
        at = next(k for k, i in enumerate(index) if i is Ellipsis)
        index = index[:at] + (slice(None),) * (data.ndim - len(index) + 1) + index[at + 1:]
    index = index + (slice(None),) * (data.ndim - len(index))
    dims = [d for d, i in enumerate(index) if isinstance(i, np.ndarray)]
    arrays = np.broadcast_arrays(*(index[d] for d in dims))
    bad = np.zeros(arrays[0].shape, dtype=bool)
    for d, a in zip(dims, arrays):
        bad |= (a >= data.shape[d]) | (a < -data.shape[d])
    # where numpy (and PyTorch) put the indexed dims: in place if they are adjacent
    first = dims[0] if dims == list(range(dims[0], dims[-1] + 1)) else 0
    sliced = [d for d in range(data.ndim) if d not in dims]
    before, after = [d for d in sliced if d < first], [d for d in sliced if d >= first]
    shape = ([data.shape[d] for d in before] + list(bad.shape) + [data.shape[d] for d in after])
    lead, trail = len(before), len(after)

    def spread(a: np.ndarray) -> np.ndarray:  # an indexed-dims array, in the result's shape
        return np.broadcast_to(a.reshape((1,) * lead + a.shape + (1,) * trail), shape).ravel()

    def along(d: int, position: int) -> np.ndarray:  # a sliced dim's coordinates
        grid = np.arange(data.shape[d]).reshape([-1 if i == position else 1
                                                 for i in range(len(shape))])
        return np.broadcast_to(grid, shape).ravel()

    try:
        values = np.broadcast_to(value, shape).ravel()
    except ValueError:
        return None  # PyTorch says the shapes mismatch before it writes
    stop = int(np.argmax(spread(bad)))
    places = [None] * data.ndim
    for d, a in zip(dims, arrays):
        places[d] = spread(a)[:stop]
    for position, d in enumerate(before):
        places[d] = along(d, position)[:stop]
    for position, d in enumerate(after, start=lead + bad.ndim):
        places[d] = along(d, position)[:stop]
    data[tuple(places)] = values[:stop]
    return message


def _is_int(item: object) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, bool)


def _is_int_tensor(item: object) -> bool:
    return isinstance(item, Tensor) and item.ndim == 0 and item._data.dtype.kind in "iu"


def _value_view(value: object, src: Tensor) -> Tensor:
    """PyTorch's set_item views a value without its leading 1s (only if it has some)."""
    if isinstance(value, Tensor) and value.ndim and value.shape[0] == 1:
        return src.view(_without_leading_ones(src.shape))
    return src


def _same_dtype(src: Tensor, x: Tensor) -> Tensor:
    if src._data.dtype != x._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{x.dtype.tensor_type[:-6]} for the destination and "
            f"{src.dtype.tensor_type[:-6]} for the source.")
    return src


def _value_tensor(value: object, like: Tensor) -> Tensor:
    """A number written into a tensor becomes a 0-d tensor of the tensor's dtype."""
    if not isinstance(value, (bool, int, float, np.number)):
        raise TypeError(f"can't assign a {type(value).__name__} to a "
                        f"{like.type().replace('smallgrad.', '')}")
    return Tensor._make(np.asarray(value, dtype=like._data.dtype))


def _copy_to(dst: Tensor, src: Tensor) -> None:
    """PyTorch's copy_to: same shape copies, a 0-d value fills, else broadcast and copy."""
    if dst.shape == src.shape:
        dst.copy_(src)
    elif src.ndim == 0:
        dst.fill_(src)
    else:
        # leading 1s go first (always a view), then expand (if the shape still differs)
        src = src.view(_without_leading_ones(src.shape))
        dst.copy_(src if src.shape == dst.shape else src.expand(dst.shape))


def _without_leading_ones(shape: tuple) -> tuple:
    shape = list(shape)
    while shape and shape[0] == 1:
        shape.pop(0)
    return tuple(shape)
