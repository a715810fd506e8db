"""gradcheck: compare backward's grads with finite differences, as PyTorch does."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from ..tensor import Tensor
from .backward import grad


class GradcheckError(RuntimeError):
    """gradcheck found analytical and numerical Jacobians that disagree."""


def _tuple(x) -> tuple:
    if isinstance(x, list):  # as in PyTorch, a list of inputs counts as a tuple
        return tuple(x)
    return x if isinstance(x, tuple) else (x,)


def gradcheck(fn: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True if fn's backward agrees with central differences for every input that
    requires grad. Use float64 inputs: float32 is too coarse for finite differences."""
    inputs = _tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if any(inputs[i]._data.dtype != np.float64 for i in wrt):
        warnings.warn("Input #0 requires gradient and is not a double precision floating point. "
                      "This check will likely fail if all the inputs are not of double precision "
                      "floating point.", UserWarning, stacklevel=2)
    outputs = _tuple(fn(*inputs))
    for out_index, out in enumerate(outputs):
        if not isinstance(out, Tensor) or not out.requires_grad:
            continue
        for in_index in wrt:
            numerical = _numerical(fn, inputs, in_index, out_index, eps)
            analytical = _analytical(grad, out, inputs[in_index])
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {out_index} with respect to input "
                    f"{in_index},\nnumerical:{Tensor._make(numerical)!r}\n"
                    f"analytical:{Tensor._make(analytical)!r}\n")
    return True


def _numerical(fn, inputs: Sequence, in_index: int, out_index: int, eps: float) -> np.ndarray:
    """Column j: (f(x + eps e_j) - f(x - eps e_j)) / 2eps, for each element j of the input."""
    # Not under no_grad: fn may itself call autograd.grad (a second-order check).
    x = inputs[in_index]._data
    size_out = _tuple(fn(*inputs))[out_index].numel()
    jacobian = np.zeros((x.size, size_out))
    for j, position in enumerate(np.ndindex(x.shape)):
        keep = x[position]
        x[position] = keep + eps  # nudge one element of the input, in place
        plus = _tuple(fn(*inputs))[out_index]._data.astype(np.float64).reshape(-1)
        x[position] = keep - eps
        minus = _tuple(fn(*inputs))[out_index]._data.astype(np.float64).reshape(-1)
        x[position] = keep
        jacobian[j] = (plus - minus) / (2 * eps)
    return jacobian


def _analytical(grad, out, x) -> np.ndarray:
    """Row i of the Jacobian by one backward pass with grad_output = e_i."""
    jacobian = np.zeros((x.numel(), out.numel()))
    for i in range(out.numel()):
        seed = np.zeros(out.numel(), dtype=out._data.dtype)
        seed[i] = 1
        (g,) = grad(out, x, Tensor._make(seed.reshape(out.shape)), retain_graph=True,
                    allow_unused=True)
        if g is not None:
            jacobian[:, i] = g._data.reshape(-1)
    return jacobian
