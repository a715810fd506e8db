"""The ops PyTorch's backward formulas are written in, where smallgrad had no op of its own.

PyTorch computes many grads with a fused kernel (tanh_backward, threshold_backward,
select_backward, ...) or multiplies by a C++ number (mul.Scalar). With create_graph=True
each of these is a node of the grad's graph, under its own name (TanhBackwardBackward0,
MulBackward1, ...), and its own backward makes the next order. Each class here is one of
them: forward and backward side by side, the docstring gives PyTorch's formula.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.zero_tensor import known_zeros
from ..tensor import Tensor
from ._common import as_tensor, elementwise, product_error, quiet


# --- a tensor and a C++ number (not a Python number: that is MulBackward0) --------------
class MulScalar(Function):
    """mul.Scalar: self: grad * other"""

    node_name = "MulBackward1"

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        # only 0 or ±inf can make inf * 0 (numpy would warn, PyTorch is silent)
        multiply = _quiet_multiply if c == 0 or not math.isfinite(c) else np.multiply
        return elementwise("mul", multiply, x, as_tensor(c, x))

    @staticmethod
    def backward(ctx, grad):
        return MulScalar.apply(grad, ctx.c), None


def _quiet_multiply(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return quiet(np.multiply, x, y)


class DivScalar(Function):
    """div.Scalar: self: grad / other"""

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        from .arithmetic import _true_divide

        return elementwise("div", _true_divide, x, as_tensor(c, x))

    @staticmethod
    def backward(ctx, grad):
        return DivScalar.apply(grad, ctx.c), None


class AddScalar(Function):
    """add.Scalar: self: grad"""

    node_name = "AddBackward1"

    @staticmethod
    def forward(ctx, x, c):
        return elementwise("add", np.add, x, as_tensor(c, x))

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class SubScalar(AddScalar):
    """sub.Scalar: self: grad"""

    node_name = "SubBackward1"

    @staticmethod
    def forward(ctx, x, c):
        return elementwise("sub", np.subtract, x, as_tensor(c, x))


# --- the fused kernels of elementwise backward ------------------------------------------
class TanhBackward(Function):
    """tanh_backward(grad_output, output) = grad_output * (1 - output²)"""

    node_name = "TanhBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, y):
        ctx.save_for_backward(grad, y)
        return grad._data * _one_minus_square(y._data)

    @staticmethod
    def backward(ctx, gg):
        """grad_output: tanh_backward(grad, output); output: grad * (-2 * output * grad_output)"""
        grad, y = ctx.saved_tensors
        need_grad, need_y = ctx.needs_input_grad
        grad_grad = TanhBackward.apply(gg, y) if need_grad else None
        return grad_grad, gg * (MulScalar.apply(y, -2) * grad) if need_y else None


def _one_minus_square(y: np.ndarray) -> np.ndarray:
    """1 - y², rounded once, as PyTorch's kernel computes it (a fused multiply-add).
    (Written out rather than fused_multiply_add(-y, y, 1): a nan keeps PyTorch's sign.)"""
    if y.dtype == np.float32:  # float64 holds y² exactly (one float64 array, worked in place)
        wide = y.astype(np.float64)
        np.multiply(wide, wide, out=wide)
        return np.subtract(1.0, wide, out=wide).astype(np.float32)
    if y.dtype != np.float64:
        return 1 - y * y
    square = y * y
    rest = 1 - square
    return rest + (((1 - rest) - square) - product_error(y, y, square))


class SigmoidBackward(Function):
    """sigmoid_backward(grad_output, output) = grad_output * (1 - output) * output"""

    node_name = "SigmoidBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, y):
        ctx.save_for_backward(grad, y)
        g, out = grad._data, y._data
        return g * (out.dtype.type(1) - out) * out

    @staticmethod
    def backward(ctx, gg):
        """grad_output: sigmoid_backward(grad, output);
        output: grad * grad_output * (-2 * output + 1)"""
        grad, y = ctx.saved_tensors
        need_grad, need_y = ctx.needs_input_grad
        grad_grad = SigmoidBackward.apply(gg, y) if need_grad else None
        grad_y = None
        if need_y:  # right operand first, as C++ evaluates it
            slope = AddScalar.apply(MulScalar.apply(y, -2), 1)
            grad_y = gg * grad * slope
        return grad_grad, grad_y


class ThresholdBackward(Function):
    """threshold_backward(grad_output, self, threshold) = self <= threshold ? 0 : grad_output"""

    node_name = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, x, threshold):
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        g = grad._data
        return np.where(x._data <= threshold, g.dtype.type(0), g)

    @staticmethod
    def backward(ctx, gg):
        """grad_output: threshold_backward(grad, self, threshold); self: zeros_like(grad)"""
        (x,) = ctx.saved_tensors
        need_grad, need_x = ctx.needs_input_grad[:2]
        return (ThresholdBackward.apply(gg, x, ctx.threshold) if need_grad else None,
                Tensor._make(np.zeros_like(gg._data)) if need_x else None, None)


class ZeroGrad:
    """For an op of one tensor whose output does not move with it: the grad is zeros.
    (A mixin, `class Op(ZeroGrad, Function)`: no op of its own.)"""

    @staticmethod
    def backward(ctx, grad):
        return Tensor._make(np.zeros_like(grad._data))


class Sgn(Function):
    """sgn(x), which abs's grad uses: its grad is zero (sgn_backward of a real x)"""

    node_name = "SgnBackward0"

    @staticmethod
    def forward(ctx, x):
        data = x._data  # PyTorch's (0 < x) - (x < 0): sgn(nan) is 0, sgn(-0.) is 0.
        result = Tensor._make(np.subtract(data > 0, data < 0, dtype=data.dtype))
        ctx.save_for_backward(x, result)  # as PyTorch, which checks both before its zeros
        return result

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - "modified by an inplace operation" if either changed
        return known_zeros(grad)  # PyTorch's _efficientzerotensor


class MaskedFill(Function):
    """masked_fill(self, mask, number): self: grad.masked_fill(mask, 0)  (no edge for mask)"""

    node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        data = x._data
        return np.where(mask, data.dtype.type(value), data)

    @staticmethod
    def backward(ctx, grad):
        return MaskedFill.apply(grad, ctx.mask, 0), None, None


class MaskedFillTensor(Function):
    """masked_fill(self, mask, value tensor): self: grad.masked_fill(mask, 0);
    value: grad.masked_select(mask).sum()"""

    node_name = "MaskedFillBackward1"

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        return np.where(mask, value._data, x._data)

    @staticmethod
    def backward(ctx, grad):
        need_x, _, need_value = ctx.needs_input_grad
        grad_value = MaskedSelect.apply(grad, ctx.mask).sum() if need_value else None
        return MaskedFill.apply(grad, ctx.mask, 0) if need_x else None, None, grad_value


class MaskedSelect(Function):
    """masked_select(self, mask): the elements where mask holds, in a 1-d tensor;
    self: zeros_like(self).masked_scatter_(mask, grad)"""

    node_name = "MaskedSelectBackward0"

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = np.broadcast_to(mask, x._data.shape)
        return x._data[ctx.mask]

    @staticmethod
    def backward(ctx, grad):
        zeros = Tensor._make(np.zeros(ctx.mask.shape, grad._data.dtype))
        return MaskedScatter.apply(zeros, ctx.mask, grad), None


class MaskedScatter(Function):
    """masked_scatter(self, mask, source): source's first elements go where mask holds;
    self: grad.masked_fill(mask, 0); source: masked_scatter_backward(grad, mask, sizes)
    (smallgrad: grad.masked_select(mask), where PyTorch has MaskedScatterBackwardBackward0)"""

    node_name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx, x, mask, source):
        ctx.mask = mask
        out = x._data.copy()
        out[mask] = source._data.reshape(-1)[:int(mask.sum())]
        return out

    @staticmethod
    def backward(ctx, grad):
        need_x, _, need_source = ctx.needs_input_grad
        grad_source = MaskedSelect.apply(grad, ctx.mask) if need_source else None
        return MaskedFill.apply(grad, ctx.mask, 0) if need_x else None, None, grad_source


# --- scatter and gather along a dim (max(dim)'s grad) -----------------------------------
def _along(index: np.ndarray, dim: int) -> tuple:
    """The NumPy index that reaches out[..., index[i], ...] along `dim`, as scatter does."""
    grids = list(np.indices(index.shape, sparse=True)) if index.ndim else []
    if not grids:
        return (index,) if index.ndim else ()
    grids[dim] = index
    return tuple(grids)


class Scatter(Function):
    """scatter(self, dim, index, src): self: grad.scatter(dim, index, 0);
    src: grad.gather(dim, index)"""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = x._data.copy()
        out[_along(index, dim)] = src._data
        return out

    @staticmethod
    def backward(ctx, grad):
        need_x, _, _, need_src = ctx.needs_input_grad
        grad_src = Gather.apply(grad, ctx.dim, ctx.index) if need_src else None
        grad_x = None
        if need_x:
            grad_x = MaskedFill.apply(grad, _scattered(grad._data.shape, ctx.index, ctx.dim), 0)
        return grad_x, None, None, grad_src


def _scattered(shape: tuple, index: np.ndarray, dim: int) -> np.ndarray:
    written = np.zeros(shape, dtype=bool)
    written[_along(index, dim)] = True
    return written


class Gather(Function):
    """gather(self, dim, index): self: zeros(self.sizes()).scatter_add_(dim, index, grad)"""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.shape = dim, index, x._data.shape
        return x._data[_along(index, dim)]

    @staticmethod
    def backward(ctx, grad):
        zeros = Tensor._make(np.zeros(ctx.shape, grad._data.dtype))
        return ScatterAdd.apply(zeros, ctx.dim, ctx.index, grad), None, None


class ScatterAdd(Function):
    """scatter_add(self, dim, index, src): self: grad; src: grad.gather(dim, index)"""

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = x._data.copy()
        np.add.at(out, _along(index, dim), src._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_x, _, _, need_src = ctx.needs_input_grad
        return (grad if need_x else None, None, None,
                Gather.apply(grad, ctx.dim, ctx.index) if need_src else None)


# --- the grads of views: zeros, with the grad written into the viewed part ---------------
class SelectBackward(Function):
    """select_backward(grad, sizes, dim, index): zeros of `sizes`, grad at `index`;
    grad_output: grad.select(dim, index)"""

    node_name = "SelectBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, index):
        ctx.index = index
        out = np.zeros(shape, dtype=grad._data.dtype)
        out[index] = grad._data
        return out

    @staticmethod
    def backward(ctx, gg):
        from .shape import Select

        return _view(Select, gg, ctx.index), None, None


class SliceBackward(SelectBackward):
    """slice_backward(grad, sizes, dim, start, end, step); grad_output: grad.slice(...)"""

    node_name = "SliceBackwardBackward0"

    @staticmethod
    def backward(ctx, gg):
        from .shape import Slice

        return _view(Slice, gg, ctx.index), None, None


def _view(op: type[Function], x: Tensor, index: tuple) -> Tensor:
    from .views import view_of

    return view_of(op.apply(x, index), x)


class IndexPutImpl(Function):
    """_index_put_impl_(zeros, indices, grad, accumulate=True), index's backward:
    values: grad.index(indices)  (repeated positions add up)"""

    node_name = "IndexPutImplBackward0"

    @staticmethod
    def forward(ctx, zeros, index, values):
        ctx.index = index
        out = zeros._data
        np.add.at(out, index, values._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .shape import Index

        return None, None, Index.apply(grad, ctx.index) if ctx.needs_input_grad[2] else None


# --- the softmax family ----------------------------------------------------------------
class SoftmaxBackwardData(Function):
    """_softmax_backward_data(grad_output, output, dim)
    = output * (grad_output - Σ grad_output·output)"""

    node_name = "SoftmaxBackwardDataBackward0"

    @staticmethod
    def forward(ctx, grad, s, dim):
        ctx.save_for_backward(grad, s)
        ctx.dim = dim
        g, out = grad._data, s._data
        return out * (g - np.sum(g * out, axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, gg):
        """grad_output: _softmax_backward_data(grad, output, dim);
        output: grad_output * grad - (output * grad_output).sum(dim, true) * grad
                - grad_output * (output * grad).sum(dim, true)"""
        grad, s = ctx.saved_tensors
        need_grad, need_s = ctx.needs_input_grad[:2]
        dim = ctx.dim
        grad_grad = SoftmaxBackwardData.apply(gg, s, dim) if need_grad else None
        grad_s = None
        if need_s:  # right operands first, as C++ evaluates them
            third = grad * (s * gg).sum(dim, keepdim=True)
            second = (s * grad).sum(dim, keepdim=True) * gg
            grad_s = grad * gg - second - third
        return grad_grad, grad_s, None


class LogSoftmaxBackwardData(Function):
    """_log_softmax_backward_data(grad_output, output, dim)
    = grad_output - exp(output) Σ grad_output"""

    node_name = "LogSoftmaxBackwardDataBackward0"

    @staticmethod
    def forward(ctx, grad, y, dim):
        ctx.save_for_backward(grad, y)
        ctx.dim = dim
        g = grad._data
        return g - np.exp(y._data) * np.sum(g, axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, gg):
        """grad_output: grad - (grad * output.exp()).sum(dim, true);
        output: -grad_output.sum(dim, true) * output.exp() * grad"""
        grad, y = ctx.saved_tensors
        need_grad, need_y = ctx.needs_input_grad[:2]
        dim = ctx.dim
        grad_grad = gg - (gg * y.exp()).sum(dim, keepdim=True) if need_grad else None
        grad_y = None
        if need_y:  # right operands first, as C++ evaluates them
            e = y.exp()
            grad_y = -grad.sum(dim, keepdim=True) * e * gg
        return grad_grad, grad_y, None
