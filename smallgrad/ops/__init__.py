"""smallgrad's built-in operations, each an autograd.Function (see autograd/function.py).

    arithmetic  + - * / ** (and reflected forms)    unary   exp log sqrt sin cos tanh ...
    reduce      sum mean var max min norm           shape   reshape view transpose [] cat ...
    nn          matmul softmax log_softmax          inplace add_ mul_ zero_ += ...
"""

from .arithmetic import (
    add,
    compare,
    div,
    mul,
    neg,
    pow,
    rdiv,
    reciprocal,
    rpow,
    rsub,
    sub,
)
from .inplace import copy_op, fill_like_op, inplace, zeros_like_op
from .nn import log_softmax, matmul, softmax
from .reduce import argmax, max, mean, min, norm, sum, var
from .shape import (
    cat,
    clone,
    expand,
    getitem,
    permute,
    reshape,
    squeeze,
    stack,
    t,
    to_dtype,
    transpose,
    unsqueeze,
    view,
    where,
)
from .unary import abs, clamp, cos, exp, log, relu, sigmoid, sin, sqrt, tanh

__all__ = [
    "abs", "add", "argmax", "cat", "clamp", "clone", "compare", "copy_op", "cos", "div",
    "exp", "expand", "fill_like_op", "getitem", "inplace", "log", "log_softmax", "matmul",
    "max", "mean", "min", "mul", "neg", "norm", "permute", "pow", "rdiv", "reciprocal",
    "relu", "reshape", "rpow", "rsub", "sigmoid", "sin", "softmax", "sqrt", "squeeze",
    "stack", "sub", "sum", "t", "tanh", "to_dtype", "transpose", "unsqueeze", "var", "view",
    "where", "zeros_like_op",
]
