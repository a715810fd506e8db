"""Tensor: a NumPy array plus what autograd needs to know about it.

    data          the values (a NumPy array inside; `.data` gives a detached tensor)
    requires_grad should backward compute a grad for this tensor?
    grad_fn       the Node that made it (None for a leaf: a tensor the user created)
    grad          where backward leaves the grad of a leaf
    _version      bumped by every in-place change, so saved tensors can be checked

The operations themselves live in smallgrad/ops/, one Function per operation;
the methods here are one-line doors into them.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import dtypes
from ._printing import tensor_repr
from ._warn import warn_once
from .autograd.grad_mode import _GradState
from .autograd.graph import HookDict, Node, RemovableHandle
from .fast_path import no_grad_elementwise

_made = [0]  # how many tensors have been made: the engine asks, to know which grads are new


class Size(tuple):
    """The shape of a tensor: a tuple that prints as smallgrad.Size([2, 3])."""

    def __repr__(self) -> str:
        return f"smallgrad.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


_T_DEPRECATED = (  # PyTorch's words for x.T on 0-d, and on other non-2-d tensors
    "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to "
    "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
    "reverse the dimensions of a tensor.")
_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)


class Tensor:
    __slots__ = (
        "_data", "_requires_grad", "_grad", "_grad_fn", "_output_nr", "_version_box",
        "_hooks", "_accumulator", "_retains_grad", "_base", "_view_version", "_creation_meta",
        "_is_scalar", "_tid", "__weakref__",
    )
    __array_ufunc__ = None  # numpy_array * tensor calls Tensor.__rmul__, not NumPy

    # --- making tensors -----------------------------------------------------------
    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap an array without copying it (the fast path every op uses)."""
        if type(data) is not np.ndarray:  # NumPy gives scalars for 0-d results: they can't
            data = np.asarray(data)       # be changed in place, so .grad.zero_() would not work
        t = object.__new__(cls)
        t._data = data
        t._requires_grad = requires_grad
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._version_box = [0]
        t._hooks = None
        t._accumulator = None
        t._retains_grad = False
        t._base = None
        t._is_scalar = False
        t._tid = _made[0]
        _made[0] += 1
        return t

    def __init__(self, *args: Any) -> None:
        """`Tensor(2, 3)` makes a 2x3 float tensor (zeros); `Tensor([1, 2])` a float one."""
        if len(args) == 1 and not isinstance(args[0], int):
            source = creation.tensor(args[0], dtype=dtypes.float32)
        else:
            source = Tensor._make(np.zeros(tuple(args), dtype=np.float32))
        for name in Tensor.__slots__[:-1]:
            if hasattr(source, name):
                object.__setattr__(self, name, getattr(source, name))

    # --- autograd attributes ----------------------------------------------------------
    @property
    def grad_fn(self) -> Node | None:
        """The node that made this tensor (None for a leaf). A view whose memory was changed
        in place since gets a new one first (PyTorch's VariableHooks::grad_fn)."""
        if self._base is not None and self._view_version != self._version_box[0]:
            refresh_view(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node: Node | None) -> None:
        self._grad_fn = node
        if self._base is not None:
            self._view_version = self._version_box[0]

    @property
    def output_nr(self) -> int:
        """Which output of its grad_fn this tensor is (0 for most ops)."""
        return self._output_nr

    @property
    def requires_grad(self) -> bool:
        # a view requires grad once its base does, even if made before (as in PyTorch)
        # (the stored grad_fn: reading requires_grad rebuilds nothing, as in PyTorch)
        return (self._requires_grad or self._grad_fn is not None
                or (self._base is not None and self._base.requires_grad))

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            message = "you can only change requires_grad flags of leaf variables."
            if not value:
                message += (" If you want to use a computed variable in a subgraph that doesn't "
                            "require differentiation use var_no_grad = var.detach().")
            raise RuntimeError(message)
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        # PyTorch's words differ a little from the setter's, and a non-leaf may be told True
        if requires_grad and self.grad_fn is not None:
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad:  # (no rebuild, as torch)
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None and value.shape != self.shape:
            raise RuntimeError(
                f"assigned grad has data of a different size: {list(value.shape)} "
                f"vs {list(self.shape)}")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep `.grad` for this non-leaf too (leaves keep theirs anyway)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        if self.grad_fn._retain_grad is None:
            self.grad_fn._retain_grad = {}
        self.grad_fn._retain_grad[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `hook(grad)` when this tensor's grad is computed; it may return a new grad."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = HookDict()
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
        """Compute the grads of the leaves this tensor came from, into their `.grad`."""
        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def _edge(self) -> tuple[Node, int]:
        """Where a grad for this tensor goes: its grad_fn, or its leaf's AccumulateGrad."""
        grad_fn = self._grad_fn if self._base is None else self.grad_fn  # (a view: rebuilt?)
        if grad_fn is not None:
            return grad_fn, self._output_nr
        if not self._requires_grad:
            return None, 0  # type: ignore[return-value]
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._accumulator = weakref.ref(acc)  # the graph holds it, not the leaf
        return acc, 0

    # --- plain data -----------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same values, detached, with a version counter of its own (so untracked)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def _version(self) -> int:
        return self._version_box[0]

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self._data.shape)
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._data.dtype)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def type(self) -> str:
        return f"smallgrad.{self.dtype.tensor_type}"

    @property
    def device(self) -> str:
        return "cpu"

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def detach(self) -> Tensor:
        """The same values, cut from the graph; shares data and version counter."""
        out = Tensor._make(self._data)
        out._version_box = self._version_box
        return out

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        node = self._grad_fn
        if node is not None and any(saved is self for saved in node._saved):
            # the node that made it saved it as its output: PyTorch's saved output keeps
            # that node as its grad_fn, whatever happens to the tensor later
            kept = Tensor._make(self._data)
            kept._version_box, kept._grad_fn, kept._output_nr = (
                self._version_box, node, self._output_nr)
            node._saved = tuple(kept if saved is self else saved for saved in node._saved)
        self.grad_fn = None
        self._requires_grad = False
        return self

    def _is_view(self) -> bool:
        return self._base is not None

    def _alias(self) -> Tensor:
        out = self.detach()
        out._base = self if self._base is None else self._base
        out._view_version = self._version
        out._creation_meta = "default"
        return out

    def _plus(self, other: Tensor) -> Tensor:
        """Untracked sum of two grads (the engine's buffer), with no graph overhead."""
        return Tensor._make(self._data + other._data)

    def _cast(self, np_dtype: np.dtype) -> Tensor:
        return F.to_dtype(self, dtypes.from_numpy(np_dtype))

    # --- printing -----------------------------------------------------------------
    def __repr__(self) -> str:
        suffixes = []
        if self.grad_fn is not None:
            # PyTorch prints the short name: grad_fn=<CopySlices>, not torch::autograd::...
            suffixes.append(f"grad_fn=<{self.grad_fn.name().rsplit('::', 1)[-1]}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        return tensor_repr(self._data, suffixes=suffixes)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    # --- Python protocols -----------------------------------------------------------
    __hash__ = object.__hash__  # tensors are dict keys by identity, as in PyTorch

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(F.unbind(self, 0))  # as PyTorch: one UnbindBackward0 for all the rows

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        if self.requires_grad:
            warn_once("Converting a tensor with requires_grad=True to a scalar may lead to "
                      "unexpected behavior.\nConsider using tensor.detach() first.")
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    # --- arithmetic: each a door into smallgrad.ops -------------------------------------
    def __add__(self, other): return _operator(F.add, self, other, np.add)
    def __radd__(self, other): return _operator(F.add, self, other, np.add)
    def __sub__(self, other): return _operator(F.sub, self, other, np.subtract)
    def __rsub__(self, other): return _operator(F.rsub, self, other)
    def __mul__(self, other): return _operator(F.mul, self, other, np.multiply)
    def __rmul__(self, other): return _operator(F.mul, self, other, np.multiply)
    def __truediv__(self, other): return _operator(F.div, self, other, np.true_divide)
    def __rtruediv__(self, other): return _operator(F.rdiv, self, other)
    def __pow__(self, other): return _operator(F.pow, self, other)
    def __rpow__(self, other): return _operator(F.rpow, self, other)
    def __matmul__(self, other): return F.matmul(self, other)
    def __rmatmul__(self, other): return F.matmul(other, self)
    def __neg__(self): return F.neg(self)
    def __pos__(self): return self
    def __abs__(self): return F.abs(self)
    def __getitem__(self, index): return F.getitem(self, index)
    def __setitem__(self, index, value): F.setitem(self, index, value)

    def __lt__(self, other): return F.compare(np.less, self, other)
    def __le__(self, other): return F.compare(np.less_equal, self, other)
    def __gt__(self, other): return F.compare(np.greater, self, other)
    def __ge__(self, other): return F.compare(np.greater_equal, self, other)
    def __eq__(self, other): return F.compare(np.equal, self, other)  # type: ignore[override]
    def __ne__(self, other): return F.compare(np.not_equal, self, other)  # type: ignore[override]
    # & | ^ ~ on bool (or integer) tensors, e.g. masks: (x > 0) & (x < 1)
    def __and__(self, other): return F.compare(np.bitwise_and, self, other)
    def __or__(self, other): return F.compare(np.bitwise_or, self, other)
    def __xor__(self, other): return F.compare(np.bitwise_xor, self, other)
    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__
    def __invert__(self): return Tensor._make(np.invert(self._data))

    def add(self, other, alpha=1): return F.add(self, other, alpha)
    def sub(self, other, alpha=1): return F.sub(self, other, alpha)
    def mul(self, other): return F.mul(self, other)
    def div(self, other): return F.div(self, other)
    def pow(self, exponent): return F.pow(self, exponent)
    def square(self): return F.pow(self, 2)
    def neg(self): return F.neg(self)
    def reciprocal(self): return F.reciprocal(self)
    def matmul(self, other): return F.matmul(self, other)
    def mm(self, other): return F.mm(self, other)
    def mv(self, other): return F.mv(self, other)
    def bmm(self, other): return F.bmm(self, other)
    def dot(self, other): return F.dot(self, other)

    def exp(self): return F.exp(self)
    def log(self): return F.log(self)
    def sqrt(self): return F.sqrt(self)
    def sin(self): return F.sin(self)
    def cos(self): return F.cos(self)
    def tanh(self): return F.tanh(self)
    def sigmoid(self): return F.sigmoid(self)
    def relu(self): return F.relu(self)
    def abs(self): return F.abs(self)
    def clamp(self, min=None, max=None): return F.clamp(self, min, max)
    clip = clamp

    def sum(self, dim=None, keepdim=False): return F.sum(self, dim, keepdim)
    def mean(self, dim=None, keepdim=False): return F.mean(self, dim, keepdim)
    def var(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        return F.var(self, dim, keepdim, 1 if correction is None and unbiased else
                     (correction or 0))
    def std(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        return F.std(self, dim, keepdim, 1 if correction is None and unbiased else
                     (correction or 0))
    def max(self, dim=None, keepdim=False): return F.max(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return F.min(self, dim, keepdim)
    def argmax(self, dim=None, keepdim=False): return F.argmax(self, dim, keepdim)
    def cumsum(self, dim): return F.cumsum(self, dim)
    def all(self, dim=None, keepdim=False): return F.logical_reduce(np.all, self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return F.logical_reduce(np.any, self, dim, keepdim)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return F.allclose(self, other, rtol, atol, equal_nan)
    def equal(self, other): return F.equal(self, other)
    def norm(self, p=2, dim=None, keepdim=False): return F.norm(self, p, dim, keepdim)
    def softmax(self, dim): return F.softmax(self, dim)
    def log_softmax(self, dim): return F.log_softmax(self, dim)

    def reshape(self, *shape): return F.reshape(self, _shape_args(shape))
    def view(self, *shape): return F.view(self, _shape_args(shape))
    def view_as(self, other): return F.view(self, other.shape)
    def expand(self, *shape): return F.expand(self, _shape_args(shape))
    def expand_as(self, other): return F.expand(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return F.flatten(self, start_dim, end_dim)
    def transpose(self, dim0, dim1): return F.transpose(self, dim0, dim1)
    def t(self): return F.t(self)
    def permute(self, *dims):
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        return F.permute(self, _shape_args(dims))
    def unsqueeze(self, dim): return F.unsqueeze(self, dim)
    def unbind(self, dim=0): return F.unbind(self, dim)
    def squeeze(self, dim=None): return F.squeeze(self, dim)

    @property
    def T(self):
        if self._data.ndim != 2:
            warn_once(_T_DEPRECATED[min(self._data.ndim, 1)])
        return F.permute(self, tuple(range(self._data.ndim))[::-1])

    def clone(self): return F.clone(self)
    def flip(self, *dims): return F.flip(self, _shape_args(dims))
    def is_contiguous(self): return bool(self._data.flags.c_contiguous)
    def contiguous(self): return self if self.is_contiguous() else F.contiguous(self)
    def to(self, dtype): return F.to_dtype(self, dtype)
    def float(self): return F.to_dtype(self, dtypes.float32)
    def double(self): return F.to_dtype(self, dtypes.float64)
    def long(self): return F.to_dtype(self, dtypes.int64)
    def int(self): return F.to_dtype(self, dtypes.int32)
    def bool(self): return F.to_dtype(self, dtypes.bool_)

    # --- in place: each bumps _version ------------------------------------------------
    def add_(self, other, alpha=1): return F.inplace(self, "add_", F.add, other, *_alpha(alpha))
    def sub_(self, other, alpha=1): return F.inplace(self, "sub_", F.sub, other, *_alpha(alpha))
    def mul_(self, other): return F.inplace(self, "mul_", F.mul, other)
    def div_(self, other): return F.inplace(self, "div_", F.div, other)
    def pow_(self, exponent): return F.inplace(self, "pow_", F.pow, exponent)
    def clamp_(self, min=None, max=None): return F.inplace(self, "clamp_", F.clamp, min, max)
    def zero_(self): return F.inplace(self, "zero_", F.zeros_like_op)
    def fill_(self, value): return F.inplace(self, "fill_", F.fill_like_op, value)
    def copy_(self, src): return F.inplace(self, "copy_", F.copy_op, src)
    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_


def _alpha(alpha) -> tuple:
    return () if alpha == 1 else (alpha,)


def _operator(op, tensor: Tensor, other, ufunc=None):
    """A Python operator: an operand that is no tensor or number gives NotImplemented,
    so Python raises its own TypeError, as it does for torch."""
    if ufunc is not None and not _GradState.enabled and other.__class__ is Tensor:
        out = no_grad_elementwise(ufunc, tensor._data, other._data)  # (see fast_path.py)
        if out is not None:
            return Tensor._make(out)
    try:
        return op(tensor, other)
    except F.NotATensorError:
        return NotImplemented


def _wrap_dim(dim: int, ndim: int) -> int:
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")
    return dim % max(ndim, 1)


def _shape_args(shape: tuple) -> tuple:
    """reshape(2, 3) and reshape((2, 3)) both mean (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


# (imported last: these modules need Tensor, defined above)
from . import autograd, creation  # noqa: E402
from . import ops as F  # noqa: E402
from .autograd.accumulate_grad import AccumulateGrad  # noqa: E402
from .ops.views import refresh_view  # noqa: E402
