"""Every op's gradient, checked against finite differences.

`gradcheck(fn, inputs)` nudges each input element by ±eps and compares the change of
the output with what backward says. Hypothesis chooses the shapes (broadcasting
included), the dims and the values. Values stay away from the points where an op has
no derivative (0 for abs/relu, ties for max, the bounds of clamp, x <= 0 for log).

The second-order test runs gradcheck on a function that itself calls
`autograd.grad(..., create_graph=True)`: it checks that each backward is made of
differentiable operations, which is what `create_graph=True` relies on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from math import prod

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import smallgrad as t
from smallgrad.autograd import Function, GradcheckError, gradcheck

# SMALLGRAD_EXAMPLES=500 for a longer hunt than the suite's default
EXAMPLES = int(os.environ.get("SMALLGRAD_EXAMPLES", "20"))
FIRST_ORDER = settings(max_examples=EXAMPLES, deadline=None,
                       suppress_health_check=[HealthCheck.too_slow])
SECOND_ORDER = settings(max_examples=max(EXAMPLES // 3, 1), deadline=None,
                        suppress_health_check=[HealthCheck.too_slow])


# --- values -------------------------------------------------------------------------------
def shapes(min_dims=0, max_dims=3, min_side=1, max_side=3, max_size=12):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side).filter(lambda s: prod(s) <= max_size)


def values(shape, kind="any"):
    """float64 arrays of `shape`. kind:
    any       anything in [-2, 2]
    positive  in [0.3, 2]: for log, sqrt, x ** 0.5, a ** b
    nonzero   ±[0.3, 2]: for division
    distinct  all different, and never within 1/16 of a multiple of 1/8 (so never 0, never
              a clamp bound like ±0.5 or 1, never a tie): for abs, relu, clamp, max, min
    distinct_positive  the same, all positive (no ties in |x| either)
    """
    if kind in ("distinct", "distinct_positive"):
        grid = st.integers(0 if kind == "distinct_positive" else -16, 15).map(
            lambda k: (k + 0.5) / 8)
        return hnp.arrays(np.float64, shape, elements=grid, unique=True)
    elements = {
        "any": st.floats(-2, 2),
        "positive": st.floats(0.3, 2),
        "nonzero": st.floats(0.3, 2) | st.floats(-2, -0.3),
    }[kind]
    return hnp.arrays(np.float64, shape, elements=elements)


def broadcastable_shapes(num_shapes=2):
    """Shapes that broadcast together, e.g. (2, 3) and (3,), or (2, 1) and (1, 3)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=0, max_dims=3,
                                             max_side=3).filter(
        lambda s: prod(s.result_shape) <= 12).map(lambda s: s.input_shapes)


# --- the checks ---------------------------------------------------------------------------
def leaves(arrays):
    return [t.tensor(a, dtype=t.float64, requires_grad=True) for a in arrays]


def check_first_order(fn, arrays, **tolerances):
    inputs = leaves(arrays)
    out = fn(*inputs)
    assert out.requires_grad, "the result is not part of a graph: gradcheck would check nothing"
    assert out.dtype == t.float64
    assert gradcheck(fn, inputs, **tolerances)


def check_second_order(fn, arrays, **tolerances):
    """gradcheck of x, v -> autograd.grad(fn(x), x, grad_outputs=v, create_graph=True)."""
    inputs = leaves(arrays)
    out = fn(*inputs)
    v = t.tensor(np.linspace(-1, 1, out.numel()).reshape(out.shape), requires_grad=True)
    n = len(inputs)

    def grads_of_fn(*args):
        xs, grad_output = args[:n], args[n]
        return t.autograd.grad(fn(*xs), xs, grad_output, create_graph=True, allow_unused=True)

    grads = grads_of_fn(*inputs, v)
    assert any(g is not None and g.requires_grad for g in grads)
    assert gradcheck(grads_of_fn, (*inputs, v), **tolerances)


# --- the ops ------------------------------------------------------------------------------
@dataclass
class Case:
    """One op: a strategy that draws (fn, arrays), and gradcheck tolerances if special."""

    name: str
    draw: st.SearchStrategy
    tolerances: dict | None = None
    second_order: bool = True  # False where the grad is a constant: nothing to check

    def __repr__(self):
        return self.name


CASES: list[Case] = []


def case(name, second_order=True, **tolerances):
    """Decorator: register a composite strategy `draw -> (fn, [arrays])` as a Case."""
    def register(builder):
        CASES.append(Case(name, st.composite(builder)(), tolerances or None, second_order))
        return builder
    return register


def unary(name, fn, kind="any", shape=None, second_order=True):
    @case(name, second_order)
    def _(draw):
        return fn, [draw(values(draw(shapes() if shape is None else shape), kind))]


def binary(name, fn, kind_a="any", kind_b="any"):
    @case(name)
    def _(draw):
        shape_a, shape_b = draw(broadcastable_shapes())
        return fn, [draw(values(shape_a, kind_a)), draw(values(shape_b, kind_b))]


# arithmetic, with broadcasting
binary("add", lambda a, b: a + b)
binary("sub", lambda a, b: a - b)
binary("mul", lambda a, b: a * b)
binary("div", lambda a, b: a / b, kind_b="nonzero")
# b == 0 is excluded: there PyTorch's convention (grad 0 for a) makes a kink in b
binary("pow_tensor", lambda a, b: a ** b, kind_a="positive", kind_b="nonzero")
binary("fan_out", lambda a, b: a * b + a * a)  # a is used three times
unary("rsub", lambda x: 1.5 - x)
unary("rdiv", lambda x: 2 / x, "nonzero")
unary("neg", lambda x: -x)
unary("scalar_ops", lambda x: (x + 1) * 3 - 2 / 4)
unary("pow_2", lambda x: x ** 2)
unary("pow_3", lambda x: x.pow(3))
unary("pow_0", lambda x: x ** 0, second_order=False)  # its grad is zeros, with no graph
unary("pow_half", lambda x: x ** 0.5, "positive")
unary("pow_negative", lambda x: x ** -1.5, "positive")
unary("rpow", lambda x: 2 ** x)
unary("rpow_fraction", lambda x: 0.5 ** x)

# elementwise functions
unary("exp", t.exp)
unary("log", t.log, "positive")
unary("sqrt", t.sqrt, "positive")
unary("sin", t.sin)
unary("cos", lambda x: x.cos())
unary("tanh", t.tanh)
unary("sigmoid", t.sigmoid)
unary("relu", t.relu, "distinct")
unary("abs", t.abs, "distinct")
unary("clamp", lambda x: x.clamp(-0.5, 1), "distinct")
unary("clamp_min", lambda x: t.clamp(x, min=0), "distinct")
unary("clamp_max", lambda x: x.clamp(max=0.5), "distinct")


# reductions
def dim_and_keepdim(draw, ndim):
    return draw(st.integers(-ndim, ndim - 1)), draw(st.booleans())


unary("sum", t.sum)
unary("mean", lambda x: x.mean())
unary("var", lambda x: x.var(), shape=shapes(min_dims=1, min_side=2))
unary("max", lambda x: x.max(), "distinct")
unary("min", t.min, "distinct")
unary("norm", lambda x: x.norm(), "nonzero")
unary("norm_p1", lambda x: x.norm(p=1), "distinct")
unary("norm_p3", lambda x: x.norm(p=3), "nonzero")
unary("norm_inf", lambda x: x.norm(p=float("inf")), "distinct_positive")


@case("sum_dim")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
    keepdim = draw(st.booleans())
    return (lambda x: x.sum(tuple(dims) if len(dims) > 1 else dims[0], keepdim=keepdim),
            [draw(values(shape))])


@case("mean_dim")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dim, keepdim = dim_and_keepdim(draw, len(shape))
    return (lambda x: x.mean(dim, keepdim)), [draw(values(shape))]


@case("var_dim")
def _(draw):
    shape = draw(shapes(min_dims=1, min_side=2))
    dim, keepdim = dim_and_keepdim(draw, len(shape))
    return (lambda x: x.var(dim, keepdim=keepdim)), [draw(values(shape))]


@case("max_dim")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dim, keepdim = dim_and_keepdim(draw, len(shape))
    return (lambda x: x.max(dim, keepdim).values), [draw(values(shape, "distinct"))]


@case("min_dim")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dim, keepdim = dim_and_keepdim(draw, len(shape))
    return (lambda x: t.min(x, dim=dim, keepdim=keepdim)[0]), [draw(values(shape, "distinct"))]


@case("norm_dim")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dim, keepdim = dim_and_keepdim(draw, len(shape))
    return (lambda x: x.norm(dim=dim, keepdim=keepdim)), [draw(values(shape, "nonzero"))]


@case("softmax")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda x: t.softmax(x, dim)), [draw(values(shape))]


@case("log_softmax")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda x: x.log_softmax(dim)), [draw(values(shape))]


# matrix products: (shape of a, shape of b), with n, m, p, b sizes drawn
MATMUL_SHAPES = {
    "dot": lambda b, n, m, p: ((n,), (n,)),
    "mv": lambda b, n, m, p: ((m, n), (n,)),
    "vm": lambda b, n, m, p: ((n,), (n, p)),
    "mm": lambda b, n, m, p: ((m, n), (n, p)),
    "batched": lambda b, n, m, p: ((b, m, n), (b, n, p)),
    "batched_by_matrix": lambda b, n, m, p: ((b, m, n), (n, p)),
    "matrix_by_batched": lambda b, n, m, p: ((m, n), (b, n, p)),
    "vector_by_batched": lambda b, n, m, p: ((n,), (b, n, p)),
    "batched_by_vector": lambda b, n, m, p: ((b, m, n), (n,)),
    "broadcast_batch": lambda b, n, m, p: ((b, 1, m, n), (b, n, p)),
}
for kind, make_shapes in MATMUL_SHAPES.items():
    @case(f"matmul_{kind}")
    def _(draw, make_shapes=make_shapes):
        sizes = draw(st.tuples(*[st.integers(1, 3)] * 4))
        shape_a, shape_b = make_shapes(*sizes)
        return (lambda a, b: a @ b), [draw(values(shape_a)), draw(values(shape_b))]


@case("matmul_methods")
def _(draw):
    n, m, p = draw(st.tuples(*[st.integers(1, 3)] * 3))
    return ((lambda a, b, v: t.matmul(a.mm(b), v).dot(a.matmul(b.t().t() @ v))),
            [draw(values((m, n))), draw(values((n, p))), draw(values((p,)))])


# shapes and views
@case("reshape")
def _(draw):
    shape = draw(shapes())
    new_shape = draw(st.permutations(shape).map(tuple))
    return (lambda x: x.t().reshape(new_shape) if x.ndim == 2 else x.reshape(new_shape)), [
        draw(values(shape))]


@case("reshape_flat")
def _(draw):
    return (lambda x: x.reshape(-1)), [draw(values(draw(shapes())))]


@case("view")
def _(draw):
    shape = draw(shapes(min_dims=1))
    return (lambda x: x.view(1, -1).view(shape[::-1])), [draw(values(shape))]


@case("transpose")
def _(draw):
    shape = draw(shapes(min_dims=1))
    d0, d1 = draw(st.tuples(*[st.integers(-len(shape), len(shape) - 1)] * 2))
    return (lambda x: x.transpose(d0, d1)), [draw(values(shape))]


unary("t", lambda x: x.t(), shape=shapes(max_dims=2))
unary("T", lambda x: x.T, shape=shapes(min_dims=2, max_dims=2))


@case("permute")
def _(draw):
    shape = draw(shapes())
    order = draw(st.permutations(range(len(shape))))
    return (lambda x: x.permute(order)), [draw(values(shape))]


@case("unsqueeze")
def _(draw):
    shape = draw(shapes())
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    return (lambda x: x.unsqueeze(dim)), [draw(values(shape))]


unary("squeeze", lambda x: x.squeeze(), shape=shapes(max_side=2))


@case("squeeze_dim")
def _(draw):
    shape = draw(shapes(min_dims=1, max_side=2))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return (lambda x: t.squeeze(x, dim)), [draw(values(shape))]


@case("expand")
def _(draw):
    shape = draw(shapes(max_side=2))
    target = tuple(draw(st.sampled_from([1, 2])) if s == 1 else s for s in shape)
    target = (draw(st.integers(1, 2)), *target)
    return (lambda x: x.expand(*target) * 1), [draw(values(shape))]


# indexing (a repeated index must add up its grads)
def index_case(name, make_index, min_dims=1):
    @case(f"index_{name}")
    def _(draw):
        shape = draw(shapes(min_dims=min_dims))
        index = make_index(draw, shape)
        return (lambda x: x[index]), [draw(values(shape))]


index_case("int", lambda draw, s: draw(st.integers(-s[0], s[0] - 1)))
index_case("slice", lambda draw, s: slice(draw(st.integers(0, s[0] - 1)), None,
                                          draw(st.integers(1, 2))))
index_case("int_and_slice", lambda draw, s: (draw(st.integers(0, s[0] - 1)), slice(1, None)),
           min_dims=2)
index_case("none", lambda draw, s: (None, Ellipsis, None), min_dims=0)
index_case("ellipsis", lambda draw, s: (Ellipsis, draw(st.integers(0, s[-1] - 1))))
index_case("list_with_repeats",
           lambda draw, s: draw(st.lists(st.integers(0, s[0] - 1), min_size=1, max_size=5)))
index_case("list_in_second_dim",
           lambda draw, s: (slice(None), draw(st.lists(st.integers(0, s[1] - 1), min_size=1,
                                                       max_size=4))), min_dims=2)
index_case("tensor", lambda draw, s: t.tensor(draw(st.lists(st.integers(0, s[0] - 1),
                                                            min_size=1, max_size=5))))


@case("index_bool_mask")
def _(draw):
    shape = draw(shapes(min_dims=1))
    mask = draw(hnp.arrays(np.bool_, shape).filter(np.any))
    return (lambda x: x[t.tensor(mask)]), [draw(values(shape))]


# joining and choosing
@case("cat")
def _(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    other = list(shape)
    other[dim] = draw(st.integers(1, 2))
    return (lambda a, b: t.cat([a, b, a], dim)), [draw(values(shape)), draw(values(other))]


@case("stack")
def _(draw):
    shape = draw(shapes())
    dim = draw(st.integers(-len(shape) - 1, len(shape)))
    return (lambda a, b: t.stack((a, b), dim=dim)), [draw(values(shape)), draw(values(shape))]


@case("where")
def _(draw):
    shape_c, shape_a, shape_b = draw(broadcastable_shapes(3))
    condition = t.tensor(draw(hnp.arrays(np.bool_, shape_c)))
    return (lambda a, b: t.where(condition, a, b)), [draw(values(shape_a)),
                                                      draw(values(shape_b))]


@case("where_scalar")
def _(draw):
    shape = draw(shapes())
    return (lambda a: t.where(a > 0, a, 0.0)), [draw(values(shape, "distinct"))]


unary("clone", lambda x: x.clone())
unary("double", lambda x: x.double() * x.to(t.float64))
# Through float32 and back: finite differences need a larger eps there.
CASES.append(Case("float_then_double", st.builds(lambda x: (lambda x: x.float().double(), [x]),
                                                 values((2, 2))), {"eps": 1e-3, "atol": 1e-3}))


# --- the tests ----------------------------------------------------------------------------
@pytest.mark.parametrize("op", CASES, ids=repr)
@FIRST_ORDER
@given(data=st.data())
def test_gradient(op, data):
    fn, arrays = data.draw(op.draw, label="fn, arrays")
    check_first_order(fn, arrays, **(op.tolerances or {}))


@pytest.mark.parametrize("op", [c for c in CASES if c.second_order], ids=repr)
@SECOND_ORDER
@given(data=st.data())
def test_second_order_gradient(op, data):
    fn, arrays = data.draw(op.draw, label="fn, arrays")
    check_second_order(fn, arrays, **(op.tolerances or {}))


def test_every_op_the_issue_lists_has_a_case():
    names = {c.name for c in CASES}
    for wanted in ["add", "sub", "rsub", "mul", "div", "rdiv", "neg", "pow_2", "pow_tensor",
                   "rpow", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs",
                   "clamp", "sum", "sum_dim", "mean", "mean_dim", "var", "var_dim", "max",
                   "max_dim", "min", "min_dim", "norm", "softmax", "log_softmax", "matmul_dot",
                   "matmul_mv", "matmul_mm", "matmul_batched", "reshape", "view", "transpose",
                   "t", "T", "permute", "unsqueeze", "squeeze", "expand", "index_int",
                   "index_slice", "index_none", "index_ellipsis", "index_list_with_repeats",
                   "index_bool_mask", "cat", "stack", "where", "clone", "double"]:
        assert wanted in names


# --- gradcheck itself must be able to fail -------------------------------------------------
class WrongSquare(Function):
    """x² with a backward that forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


def test_gradcheck_catches_a_wrong_backward():
    x = t.tensor([0.5, -1.0, 2.0], dtype=t.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongSquare.apply, (x,))
    assert gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_second_order_check_catches_a_backward_that_is_not_differentiable():
    class DetachedSquare(Function):  # right first derivative, but backward leaves the graph
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x.detach()

    check_first_order(DetachedSquare.apply, [np.array([0.5, -1.0])])
    with pytest.raises(GradcheckError):
        check_second_order(DetachedSquare.apply, [np.array([0.5, -1.0])])
