"""smallgrad: PyTorch's autograd, small enough to read.

    import smallgrad as t       # runs PyTorch lesson code unchanged

Where things are:
    tensor.py     the Tensor class           creation.py  tensor(), zeros(), randn(), ...
    ops/          every operation, as an autograd.Function with forward and backward
    autograd/     graph nodes, the step-by-step backward engine, Function, no_grad
    _printing.py  PyTorch's print format     dtypes.py    float32, int64, ...
"""

from . import autograd, dtypes
from ._printing import set_printoptions
from .autograd import (
    enable_grad,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import (
    arange,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import bool_ as bool
from .dtypes import (
    dtype,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from .ops import (
    abs,
    add,
    allclose,
    argmax,
    bmm,
    cat,
    clamp,
    clone,
    cos,
    cumsum,
    div,
    dot,
    equal,
    exp,
    flatten,
    flip,
    isclose,
    log,
    log_softmax,
    matmul,
    max,
    mean,
    min,
    mm,
    mul,
    mv,
    neg,
    norm,
    permute,
    pow,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    sqrt,
    squeeze,
    stack,
    std,
    sub,
    sum,
    t,
    tanh,
    transpose,
    unbind,
    unsqueeze,
    var,
    where,
)
from .tensor import Size, Tensor

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16

__version__ = "0.1.0"


def detach(input: Tensor) -> Tensor:
    return input.detach()


def square(input: Tensor) -> Tensor:
    return input.square()


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def get_default_dtype() -> dtype:
    return dtypes.default_float
