"""smallgrad.autograd: the graph, the engine, and the Function API.

    graph.py      Node, AccumulateGrad, hooks and their handles
    function.py   Function (forward/backward side by side) and its ctx
    engine.py     backward as a generator of steps (what the widgets step through)
    ready_queue.py  which ready node runs next, in PyTorch's order
    backward.py   backward() and grad(): the same steps, run to the end
    grad_mode.py  no_grad, enable_grad, set_grad_enabled
    anomaly_mode.py  detect_anomaly: which forward line made the node whose backward failed
    gradcheck.py  finite differences against backward
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
