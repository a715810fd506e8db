"""PyTorch's long error messages, word for word, kept out of the code that raises them."""

from __future__ import annotations

import re

from .anomaly_mode import _AnomalyState

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)

DETACHED_IN_PLACE = (
    "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_().This "
    "is not supported, please use out-of-place `.detach()` instead")

LEAF_MOVED = "leaf variable has been moved into the graph interior"

CREATE_GRAPH_LEAK = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this "
    "function, make sure to reset the .grad fields of your parameters to None after use "
    "to break the cycle and avoid the leak.")


def modified_in_place(tensor, owner, expected: int) -> str:
    """A saved tensor changed in place since forward saved it. `owner` is the node whose
    output it is (PyTorch names it: "output 0 of Exp"), or None for a leaf."""
    which = ""
    if owner is not None:
        # PyTorch says "output 0 of Exp" for ExpBackward0, but "of Max1" for MaxBackward1
        op = re.sub(r"Backward0?$", "", re.sub(r"Backward([1-9]\d*)$", r"\1", owner.name()))
        which = f", which is output {tensor._output_nr} of {op},"
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{tensor.type()} {list(tensor.shape)}]{which} is at version "
        f"{tensor._version}; expected version {expected} instead. Hint: " + (
            "the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good "
            "luck!" if _AnomalyState.enabled else
            "enable anomaly detection to find the operation that failed to compute its "
            "gradient, with smallgrad.autograd.set_detect_anomaly(True, check_nan=False).")
    )
