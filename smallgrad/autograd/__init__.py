"""smallgrad.autograd: the graph, the engine, and the Function API.

The reading path, from `z.backward()` to a leaf's `.grad` (about 505 lines, 330 of code):

    backward.py        backward() and grad(): run the engine's steps to the end
    engine.py          the loop: ready queue, input buffers, hooks, the node's backward,
                       free, edges, accumulate (PyTorch's engine.cpp in one generator)
    ready_queue.py     which ready node runs next, in PyTorch's order
    input_buffer.py    where grads wait and are summed; when .grad may keep a grad uncopied
    graph.py           Node: next_functions, apply, hooks registered on its outputs
    accumulate_grad.py AccumulateGrad: adds into a leaf's .grad

Behind named calls, each a piece of PyTorch on its own:

    checks.py          backward()'s arguments, validate_outputs, sum_to_shape
    grad_capture.py    GraphTask: what autograd.grad and backward(inputs=) run and capture
    hooks.py           tensor hooks and retain_grad, as the engine runs them
    layout_contract.py how a leaf's first .grad is laid out in memory
    zero_tensor.py     grads known to be zero (sgn's), which make 0 · nan give 0
    errors.py          PyTorch's long messages
    steps.py           the step records a watcher (the widgets' stepper) asks for
    anomaly_mode.py    detect_anomaly: which forward line made the node whose backward failed

And around them: function.py (Function, forward and backward side by side, and its ctx),
grad_mode.py (no_grad, enable_grad), gradcheck.py (finite differences against backward),
inspect.py (what the widgets may read about a graph).
"""

from ..tensor import Tensor  # first: the modules below import the Tensor class

# isort: split
from . import inspect as inspect  # what the widgets may read (inspect.py)
from .accumulate_grad import AccumulateGrad
from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .backward import backward, grad
from .engine import backward_steps
from .function import Function, FunctionCtx
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .graph import Node, RemovableHandle
from .steps import AccumulateStep, CallStep, EdgeStep, FreeStep, HookStep, RootStep, Step

__all__ = [
    "AccumulateGrad",
    "AccumulateStep",
    "CallStep",
    "EdgeStep",
    "FreeStep",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "HookStep",
    "Node",
    "RemovableHandle",
    "RootStep",
    "Step",
    "backward",
    "backward_steps",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]
