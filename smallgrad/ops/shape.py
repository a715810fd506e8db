"""Operations that move values around without changing them: reshape, view, expand,
transpose, permute, (un)squeeze, indexing, cat, stack, clone, dtype casts and where.

Most of them return a view that shares memory with the input (as NumPy and PyTorch
do); views.py makes it share the version counter too, and keeps its grad_fn right when
the memory is changed in place."""

from __future__ import annotations

import itertools

import numpy as np

from .. import dtypes
from ..autograd.checks import sum_to_shape
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from ._common import as_tensor, broadcast_message, copy_like_torch, promoted, torch_layout
from .backward_ops import IndexPutImpl, SelectBackward, SliceBackward
from .views import view_of as _view_of


def _infer_shape(shape: tuple, size: int) -> tuple:
    """Fill in one -1, and say what is wrong the way PyTorch does."""
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 in shape:
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


class View(Function):
    """reshape/view: the grad is reshaped back"""

    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        return np.reshape(x._data, shape, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class UnsafeView(View):
    """reshape of a tensor that needed a copy first (PyTorch: clone, then _unsafe_view)"""

    node_name = "UnsafeViewBackward0"


class ReshapeAlias(View):
    """reshape of a tensor that is not contiguous but can still be viewed (e.g. x[..., 0])"""

    node_name = "ReshapeAliasBackward0"


class Expand(Function):
    """expand: a broadcast input gets the grads of all its copies, summed"""

    node_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x._data.shape
        data = x._data
        lead = len(shape) - data.ndim
        strides = (0,) * lead + tuple(0 if size == 1 and want != 1 else stride for size, want,
                                      stride in zip(data.shape, shape[lead:], data.strides))
        # a writable view, as PyTorch's: x.expand(...).fill_(1) is allowed
        return np.lib.stride_tricks.as_strided(data, shape, strides, writeable=True)

    @staticmethod
    def backward(ctx, grad):
        return sum_to_shape(grad, ctx.shape), None


class Transpose(Function):
    """swap two dims; the grad swaps them back"""

    node_name = "TransposeBackward0"

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dims = dim0, dim1
        return x._data.view() if dim0 is None else np.swapaxes(x._data, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return (grad if ctx.dims[0] is None else grad.transpose(*ctx.dims)), None, None


class T(Function):
    """t(): transpose a matrix"""

    node_name = "TBackward0"

    @staticmethod
    def forward(ctx, x):
        return x._data.T

    @staticmethod
    def backward(ctx, grad):
        return grad.t()


class Permute(Function):
    """reorder dims; the grad is put back in the old order"""

    node_name = "PermuteBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x._data, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(tuple(np.argsort(ctx.dims).tolist())), None


class Unsqueeze(Function):
    """add a dim of size 1"""

    node_name = "UnsqueezeBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.expand_dims(x._data, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim), None


class Squeeze(Function):
    """drop all dims of size 1"""

    node_name = "SqueezeBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.shape, ctx.dims = x._data.shape, dims
        return np.squeeze(x._data, dims)

    @staticmethod
    def backward(ctx, grad):
        """PyTorch's unsqueeze_to: a dim of size 1 back at each squeezed place"""
        dims = (ctx.dims,) if isinstance(ctx.dims, int) else ctx.dims
        for d, size in enumerate(ctx.shape):
            if size == 1 and (dims is None or d in dims):
                grad = grad.unsqueeze(d)
        return grad, None


class SqueezeDim(Squeeze):
    """drop one dim, if its size is 1"""

    node_name = "SqueezeBackward1"


class Clone(Function):
    """a copy; the grad passes straight through. Like PyTorch's, it keeps the memory
    layout: the clone of a transposed tensor is still not contiguous."""

    node_name = "CloneBackward0"
    order = "K"  # NumPy's "keep the layout"

    @staticmethod
    def forward(ctx, x):
        if ctx._forward_cls.order == "K":
            return copy_like_torch(x._data)
        return np.copy(x._data, order="C")

    @staticmethod
    def backward(ctx, grad):
        return grad


class Contiguous(Clone):
    """x.contiguous() of a tensor that is not: a copy in row-major order"""

    node_name = "CloneBackward0"
    order = "C"


class ToCopy(Function):
    """a copy in another dtype; the grad is cast back"""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return copy_like_torch(x._data, dtype.numpy)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype), None


# --- indexing ---------------------------------------------------------------------------
class Select(Function):
    """x[i] along one dim; the grad goes back into that row, zeros elsewhere"""

    node_name = "SelectBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x._data.shape, index
        return x._data[index + (Ellipsis,)]  # the Ellipsis keeps a 0-d result a view

    @staticmethod
    def backward(ctx, grad):
        return SelectBackward.apply(grad, ctx.shape, ctx.index), None


class Slice(Select):
    """x[a:b:c] along one dim"""

    node_name = "SliceBackward0"

    @staticmethod
    def backward(ctx, grad):
        return SliceBackward.apply(grad, ctx.shape, ctx.index), None


class Index(Select):
    """x[[0, 0, 2]] or x[mask]: repeated positions add up their grads"""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape = x._data.shape
        # the index arrays are saved tensors, as in PyTorch (a second backward raises)
        parts = index if isinstance(index, tuple) else (index,)
        ctx.save_for_backward(*[Tensor._make(p) for p in parts if isinstance(p, np.ndarray)])
        ctx.layout = tuple(_ARRAY if isinstance(p, np.ndarray) else p for p in parts)
        ctx.is_tuple = isinstance(index, tuple)
        # a new array, row-major as PyTorch's (NumPy's may come out transposed)
        try:
            return np.asarray(x._data[index], order="C")
        except IndexError:
            message = out_of_range(x._data.shape, index)
            if message is None:
                raise
            raise IndexError(message) from None

    @staticmethod
    def backward(ctx, grad):
        arrays = iter(ctx.saved_tensors)
        index = tuple(next(arrays)._data if p is _ARRAY else p for p in ctx.layout)
        zeros = Tensor._make(np.zeros(ctx.shape, grad._data.dtype))
        return IndexPutImpl.apply(zeros, index if ctx.is_tuple else index[0], grad), None


_ARRAY = object()  # marks where an index array goes back into a saved index


class Alias(Function):
    """x[...] or x[:, :]: the same values, a new tensor"""

    node_name = "AliasBackward0"

    @staticmethod
    def forward(ctx, x):
        return x._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Unindex(Function):
    """The grad of indexing: zeros of the input's shape, with grad added at `index`."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, grad, shape, index):
        ctx.index = index
        out = np.zeros(shape, dtype=grad._data.dtype)
        if all(is_basic(i) for i in (index if isinstance(index, tuple) else (index,))):
            out[index] = grad._data  # ints and slices reach each element once: a copy
        else:
            np.add.at(out, index, grad._data)  # add.at, not =: a repeated index accumulates
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index], None, None


def out_of_range(shape: tuple, index: object) -> str | None:
    """PyTorch's words for the first index out of range, in row-major order of the index
    arrays (broadcast together): it counts only the dims that arrays index. None if no
    integer array index is out of range (or masks take part: NumPy's words then)."""
    items = index if isinstance(index, tuple) else (index,)
    if any(i is Ellipsis for i in items if not isinstance(i, np.ndarray)):  # the dims it spans
        at = next(k for k, i in enumerate(items) if i is Ellipsis)
        items = items[:at] + (slice(None),) * (len(shape) - len(items) + 1) + items[at + 1:]
    arrays = [(d, i) for d, i in enumerate(items) if isinstance(i, np.ndarray)]
    if not arrays or len(items) > len(shape) or any(i.dtype.kind not in "iu" for _, i in arrays):
        return None
    try:
        broadcast = np.broadcast_arrays(*(i for _, i in arrays))
    except ValueError:
        return None
    bad = np.zeros(broadcast[0].shape, dtype=bool)
    for (d, _), i in zip(arrays, broadcast):
        bad |= (i >= shape[d]) | (i < -shape[d])
    if not bad.any():
        return None
    first = int(np.argmax(bad.ravel()))
    for k, ((d, _), i) in enumerate(zip(arrays, broadcast)):
        wrong = int(i.ravel()[first])
        if shape[d] == 0:
            return "index is out of bounds for dimension with size 0"
        if not -shape[d] <= wrong < shape[d]:
            return f"index {wrong} is out of bounds for dimension {k} with size {shape[d]}"
    return None


def index_arrays(index: object) -> object:
    """Tensors and lists inside an index become NumPy arrays (a 0-d integer tensor is an
    int, as in PyTorch: x[t.tensor(1)] is a select)."""
    if isinstance(index, Tensor):
        if index._data.ndim == 0 and index._data.dtype.kind in "iu":
            return int(index._data)
        return index._data
    if isinstance(index, list):
        return np.asarray([index_arrays(i) for i in index])
    return index


def is_basic(item: object) -> bool:
    return item is None or item is Ellipsis or isinstance(item, (int, np.integer, slice))


def getitem(x: Tensor, index: object) -> Tensor:
    """x[index] the way PyTorch does it: ints, slices and None become a chain of views
    (Select/Slice/Unsqueeze nodes), one dim at a time; then lists, tensors or masks, if
    any, pick from the result in one IndexBackward0 node (a copy)."""
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(index_arrays(i) for i in items)
    for item in items:
        if isinstance(item, slice) and item.step is not None and item.step <= 0:
            raise ValueError("step must be greater than zero" if item.step else
                             "slice step cannot be zero")
    if len(items) == 1 and np.ndim(items[0]) == 0 and np.asarray(items[0]).dtype == bool:
        # x[True] or a 0-d mask: PyTorch adds a dim, then indexes it with a 1-element mask
        return Index.apply(unsqueeze(x, 0), np.asarray(items[0]).reshape(1))
    try:
        if isinstance(index, slice):  # a lone slice is always a Slice node, even x[:]
            if x.ndim == 0:
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
            return _view_of(Slice.apply(x, np.index_exp[index]), x)
        return _index(x, items)
    except IndexError as error:
        raise IndexError(str(error).replace("axis", "dimension")) from None


def _whole(item: slice, size: int) -> bool:
    """Does the slice take a whole dim, by PyTorch's test (no node then)? It is the slice as
    written that counts: from 0 (not -5), step 1, to the end or past it (not -1)."""
    start, stop, step = item.start, item.stop, item.step
    return (start in (None, 0) and step in (None, 1)
            and (stop is None or _as_int(stop) >= size))


def _as_int(bound: object) -> int:
    return int(bound.item()) if isinstance(bound, Tensor) else int(bound)


def _index(x: Tensor, items: tuple) -> Tensor:
    used = sum(np.ndim(i) if _is_mask(i) else 1 for i in items
               if i is not None and i is not Ellipsis)
    if (x.ndim == 0 and items and isinstance(items[0], (int, np.integer))
            and not isinstance(items[0], bool)):
        raise IndexError(_zero_dim_message(items[0]))
    if used > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    out, dim, made, picks = x, 0, False, []
    source = 0  # the dim of x that `item` indexes (for error messages)
    for item in items:
        if item is Ellipsis:
            dim += x.ndim - used
            source += x.ndim - used
        elif item is None:
            out, dim, made = unsqueeze(out, dim), dim + 1, True
        elif isinstance(item, slice):
            if not _whole(item, out.shape[dim]):
                out, made = _view_of(Slice.apply(out, (slice(None),) * dim + (item,)), x), True
            dim, source = dim + 1, source + 1
        elif is_basic(item):  # an int
            size = out.shape[dim]
            if not -size <= item < size:
                raise IndexError(
                    f"index {item} is out of bounds for dimension {source} with size {size}")
            out, made = _view_of(Select.apply(out, (slice(None),) * dim + (int(item),)), x), True
            source += 1
        else:  # an array: picked at the end, at the dim it stands for now
            width = np.ndim(item) if _is_mask(item) else 1
            if _is_mask(item) and item.shape != out.shape[dim:dim + width]:
                bad = next(k for k in range(width) if item.shape[k] != out.shape[dim + k])
                raise IndexError(
                    f"The shape of the mask {list(item.shape)} at index {bad} does not match "
                    f"the shape of the indexed tensor {list(out.shape)} at index {dim + bad}")
            picks.append((dim, item))
            dim, source = dim + width, source + width
    if picks:
        full = [slice(None)] * dim
        for at, array in reversed(picks):
            full[at:at + (np.ndim(array) if _is_mask(array) else 1)] = [array]
        return Index.apply(out, full[0] if len(full) == 1 and len(items) == 1 else tuple(full))
    return out if made else _view_of(Alias.apply(x), x)


def _zero_dim_message(item: object) -> str:
    if item == 0:
        return ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    return f"index {item} is out of bounds for dimension 0 with size 0"


def _is_mask(item: object) -> bool:
    return isinstance(item, np.ndarray) and item.dtype == bool


class Unbind(Function):
    """x.unbind(dim), and what `for row in x` uses: one view per index along dim; the
    grads of all of them are stacked back (zeros for the ones that got none)"""

    node_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(x._data[lead + (i, Ellipsis)] for i in range(x._data.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim), None


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    outputs = Unbind.apply(x, _wrap_dim(dim, x.ndim))
    return tuple(_view_of(o, x, one_of_several=True) for o in outputs)


# --- joining --------------------------------------------------------------------------
class Cat(Function):
    """join along a dim; each input gets its slice of the grad back"""

    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, *args):
        *tensors, dim = args
        ctx.dim, ctx.skipped = dim, _legacy_empty(tensors)
        arrays = [a for a, skip in zip(_same_dtype(tensors), ctx.skipped) if not skip]
        ctx.sizes = [a.shape[dim] for a in arrays]
        return np.asarray(np.concatenate(arrays, axis=dim), order="C")

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        bounds = np.cumsum([0, *ctx.sizes])
        # PyTorch's grad.slice(dim, a, b): a SliceBackward0 even where it takes it all
        pieces = iter([_view_of(Slice.apply(grad, lead + (slice(int(a), int(b)),)), grad)
                       for a, b in itertools.pairwise(bounds)])
        empty = Tensor._make(np.zeros(0, grad._data.dtype))
        return (*(empty if skip else next(pieces) for skip in ctx.skipped), None)


def _legacy_empty(tensors) -> list[bool]:
    """PyTorch's cat skips 1-d empty tensors (shape (0,)), whatever the other shapes."""
    skipped = [t._data.shape == (0,) for t in tensors]
    return [False] * len(tensors) if all(skipped) else skipped


class Stack(Function):
    """join along a new dim; each input gets its row of the grad back"""

    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, *args):
        *tensors, dim = args
        ctx.dim, ctx.count = dim, len(tensors)
        return np.asarray(np.stack(_same_dtype(tensors), axis=dim), order="C")

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        return (*(grad[lead + (i,)] for i in range(ctx.count)), None)


def _same_dtype(tensors) -> list:
    from ._common import result_dtype

    dtype = result_dtype(*tensors)
    return [t._data.astype(dtype, copy=False) for t in tensors]


class Where(Function):
    """where(cond, a, b): the grad goes to a where cond holds, to b elsewhere"""

    node_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(Tensor._make(condition))
        ctx.shapes = a._data.shape, b._data.shape
        x, y = promoted(a, b)
        try:
            result = np.where(condition, x, y)
        except ValueError:  # PyTorch broadcasts condition, a, b in turn: which one failed?
            shape = condition.shape
            for other in (x.shape, y.shape):
                try:
                    shape = np.broadcast_shapes(shape, other)
                except ValueError:
                    raise RuntimeError(broadcast_message("where", shape, other)) from None
            raise
        operands = (condition, a._data, b._data)
        if result.ndim > 1 and not all(o.flags.c_contiguous for o in operands):
            return torch_layout(result, *operands)
        return result

    @staticmethod
    def backward(ctx, grad):
        (keep,) = ctx.saved_tensors
        shape_a, shape_b = ctx.shapes
        # 0.0, not grad * 0: that would give -0. where grad < 0, and PyTorch gives 0.
        grad_b = sum_to_shape(where(keep, 0.0, grad), shape_b)  # the last one first, as PyTorch
        return None, sum_to_shape(where(keep, grad, 0.0), shape_a), grad_b


# --- the functions Tensor's methods call ----------------------------------------------
def reshape(x: Tensor, shape: tuple) -> Tensor:
    shape = _infer_shape(shape, x._data.size)
    try:
        np.reshape(x._data, shape, copy=False)
    except ValueError:  # not possible as a view: PyTorch copies first
        return UnsafeView.apply(Contiguous.apply(x), shape)
    node = View if x._data.flags.c_contiguous else ReshapeAlias
    return _view_of(node.apply(x, shape), x)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one; nothing to merge gives x itself, as in PyTorch."""
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = _wrap_dim(start_dim, x.ndim), _wrap_dim(end_dim, x.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return x
    shape = x.shape
    return reshape(x, (*shape[:start], int(np.prod(shape[start:end + 1])), *shape[end + 1:]))


def view(x: Tensor, shape: tuple) -> Tensor:
    shape = _infer_shape(shape, x._data.size)
    try:
        np.reshape(x._data, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return _view_of(View.apply(x, shape), x)


def expand(x: Tensor, shape: tuple) -> Tensor:
    shape = tuple(int(s) for s in shape)
    lead = len(shape) - x.ndim
    if lead < 0:
        name = "CPUBoolType" if x.dtype is dtypes.bool_ else x.type()  # as PyTorch's C++
        raise RuntimeError(
            f"expand({name}{{{list(x.shape)}}}, size={list(shape)}): the number of "
            "sizes provided (%d) must be greater or equal to the number of dimensions in the "
            "tensor (%d)" % (len(shape), x.ndim))
    target = list(shape)
    for i in reversed(range(x.ndim)):  # from the last dim, as PyTorch checks them
        size, wanted = x.shape[i], shape[lead + i]
        if wanted == -1:
            target[lead + i] = size
        elif size != 1 and size != wanted:
            raise RuntimeError(
                f"The expanded size of the tensor ({wanted}) must match the existing size "
                f"({size}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{list(shape)}.  Tensor sizes: {list(x.shape)}")
    return _view_of(Expand.apply(x, tuple(target)), x)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    ndim = max(x.ndim, 1)
    dim0, dim1 = _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)
    if x.ndim == 0:  # a 0-d tensor: transpose(0, -1) is allowed and changes nothing
        dim0 = dim1 = None
    return _view_of(Transpose.apply(x, dim0, dim1), x)


def t(x: Tensor) -> Tensor:
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return _view_of(T.apply(x), x)


def permute(x: Tensor, dims: tuple) -> Tensor:
    wrapped = tuple(_wrap_dim(d, x.ndim) for d in dims)
    if len(wrapped) != x.ndim or len(set(wrapped)) != len(wrapped):
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not "
            f"equal to len(dims) = {len(dims)}" if len(wrapped) != x.ndim else
            "permute(): duplicate dims are not allowed.")
    return _view_of(Permute.apply(x, wrapped), x)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    return _view_of(Unsqueeze.apply(x, _wrap_dim(dim, x.ndim + 1)), x)


def squeeze(x: Tensor, dim: int | None = None) -> Tensor:
    if dim is None:
        return _view_of(Squeeze.apply(x, None), x)
    d = _wrap_dim(dim, x.ndim)
    dims = (d,) if x.ndim and x.shape[d] == 1 else ()
    return _view_of(SqueezeDim.apply(x, dims), x)


def clone(x: Tensor) -> Tensor:
    return Clone.apply(x)


class Flip(Function):
    """x reversed along dims (a copy, in x's layout); the grad is flipped back"""

    node_name = "FlipBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        out = copy_like_torch(x._data)  # x's layout (a row-major x gives a row-major copy)
        out[...] = np.flip(x._data, dims)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None


def flip(x: Tensor, dims) -> Tensor:
    if not isinstance(dims, (tuple, list)):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    wrapped = tuple(_wrap_dim(d, x.ndim) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return Flip.apply(x, wrapped if x.ndim else ())


def contiguous(x: Tensor) -> Tensor:
    return Contiguous.apply(x)


def to_dtype(x: Tensor, dtype: dtypes.dtype) -> Tensor:
    if not isinstance(dtype, dtypes.dtype):
        raise TypeError(f"to() expects a smallgrad dtype, got {dtype!r}")
    if x.dtype is dtype:
        return x  # as in PyTorch: already that dtype, the same tensor comes back
    return ToCopy.apply(x, dtype)


def cat(tensors, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    numbered = [(n, x) for (n, x), skip in zip(enumerate(tensors), _legacy_empty(tensors))
                if not skip]
    for position, x in enumerate(tensors):
        if x.ndim == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {position}) cannot be concatenated")
    first = numbered[0][1]
    d = _wrap_dim(dim, first.ndim)
    for number, other in numbered[1:]:
        if other.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and "
                f"{other.ndim}")
        for axis, (a, b) in enumerate(zip(first.shape, other.shape)):
            if axis != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} "
                    f"but got size {b} for tensor number {number} in the list.")
    return Cat.apply(*tensors, d)


def stack(tensors, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for number, other in enumerate(tensors[1:], start=1):
        if other.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                f"at entry 0 and {list(other.shape)} at entry {number}")
    return Stack.apply(*tensors, _wrap_dim(dim, tensors[0].ndim + 1))


def where(condition: Tensor, a: object, b: object) -> Tensor:
    if not isinstance(a, Tensor):
        a = as_tensor(a, b if isinstance(b, Tensor) else Tensor._make(np.zeros((), np.float32)))
    b = as_tensor(b, a)
    return Where.apply(np.asarray(condition._data, dtype=bool), a, b)
