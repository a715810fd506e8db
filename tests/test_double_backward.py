"""Double backward, differentially against PyTorch, for every op smallgrad has.

For each op: the grads that autograd.grad(..., create_graph=True) gives must have torch's
requires_grad and is_leaf and torch's whole graph (node names and edges, next_functions
all the way down); the grads of those grads (second order) must have torch's values,
with None exactly where torch gives None; for smooth ops, the third order too.

The grad_outputs `v` require grad themselves, so each formula's dependence on the
incoming grad is part of the graph and of the second order, as in a real double backward.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import smallgrad


def _set_index(t, x, y):
    z = x * 1
    z[[0, 2]] = y
    return z


def _set_mask(t, x, y):
    z = x * 1
    z[x > 0] = y
    return z


def _set_basic(t, x, y):
    z = x * 1
    z[1] = y
    return z


def _in_place(method: str):
    """z = x * 1, then z.<method>(y): an in-place op on a tensor with a history."""
    def op(t, x, y):
        z = x * 1
        getattr(z, method)(y)
        return z
    return op


def _zero(t, x):
    z = x * 1
    z.zero_()
    return z * x


# name -> (the op, the shapes of its inputs, options). Options: "positive" for ops
# that need x > 0; "third" for smooth ops, whose third-order grads are compared too.
CASES = {
    "add": (lambda t, x, y: x + y, [(3,), (3,)], {}),
    "add broadcast": (lambda t, x, y: x + y, [(2, 3), (3,)], {}),
    "add alpha": (lambda t, x, y: t.add(x, y, alpha=2), [(3,), (3,)], {}),
    "sub": (lambda t, x, y: x - y, [(3,), (2, 3)], {}),
    "sub alpha": (lambda t, x, y: t.sub(x, y, alpha=0.5), [(3,), (3,)], {}),
    "rsub": (lambda t, x: 1 - x, [(3,)], {}),
    "mul": (lambda t, x, y: x * y, [(3,), (3,)], {"third": True}),
    "mul broadcast": (lambda t, x, y: x * y, [(2, 3), (3,)], {"third": True}),
    "mul number": (lambda t, x: x * 2, [(3,)], {}),
    "div": (lambda t, x, y: x / y, [(3,), (3,)], {"third": True}),
    "div broadcast": (lambda t, x, y: x / y, [(3,), (2, 3)], {"third": True}),
    "div number": (lambda t, x: x / 3, [(3,)], {}),
    "rdiv": (lambda t, x: 2 / x, [(3,)], {"third": True}),
    "neg": (lambda t, x: -x, [(3,)], {}),
    "reciprocal": (lambda t, x: x.reciprocal(), [(3,)], {"third": True}),
    "pow 3": (lambda t, x: x ** 3, [(3,)], {"third": True}),
    "pow 0.5": (lambda t, x: x ** 0.5, [(3,)], {"positive": True, "third": True}),
    "pow -1": (lambda t, x: x ** -1, [(3,)], {"third": True}),
    "pow 0": (lambda t, x: x ** 0, [(3,)], {}),
    "pow tensor": (lambda t, x, y: x ** y, [(3,), (3,)], {"positive": True, "third": True}),
    "rpow": (lambda t, x: 2 ** x, [(3,)], {"third": True}),
    "rpow 0": (lambda t, x: 0 ** x, [(3,)], {}),
    "exp": (lambda t, x: x.exp(), [(3,)], {"third": True}),
    "log": (lambda t, x: x.log(), [(3,)], {"positive": True, "third": True}),
    "sqrt": (lambda t, x: x.sqrt(), [(3,)], {"positive": True, "third": True}),
    "sin": (lambda t, x: x.sin(), [(3,)], {"third": True}),
    "cos": (lambda t, x: x.cos(), [(3,)], {"third": True}),
    "tanh": (lambda t, x: x.tanh(), [(3,)], {"third": True}),
    "sigmoid": (lambda t, x: x.sigmoid(), [(3,)], {"third": True}),
    "relu": (lambda t, x: x.relu(), [(4,)], {"third": True}),
    "abs": (lambda t, x: x.abs(), [(4,)], {"third": True}),
    "clamp": (lambda t, x: x.clamp(-0.5, 0.5), [(4,)], {}),
    "clamp min": (lambda t, x: x.clamp(min=-0.5), [(4,)], {}),
    "clamp max": (lambda t, x: x.clamp(max=0.1), [(4,)], {}),
    "sum": (lambda t, x: x.sum(), [(2, 3)], {}),
    "sum dim": (lambda t, x: x.sum(1), [(2, 3)], {}),
    "sum dims": (lambda t, x: x.sum((0, 2)), [(2, 3, 2)], {}),
    "sum keepdim": (lambda t, x: x.sum(1, keepdim=True), [(2, 3)], {}),
    "mean": (lambda t, x: x.mean(), [(2, 3)], {}),
    "mean dim": (lambda t, x: x.mean(1), [(2, 3)], {}),
    "mean dims": (lambda t, x: x.mean((0, 2)), [(2, 3, 2)], {}),
    "var": (lambda t, x: x.var(), [(2, 3)], {"third": True}),
    "var dim": (lambda t, x: x.var(1), [(2, 3)], {"third": True}),
    "std": (lambda t, x: x.std(), [(2, 3)], {"third": True}),
    "std dim": (lambda t, x: x.std(1, keepdim=True), [(2, 3)], {"third": True}),
    "max": (lambda t, x: x.max(), [(2, 3)], {"third": True}),
    "min": (lambda t, x: x.min(), [(2, 3)], {}),
    "max dim": (lambda t, x: x.max(1)[0], [(2, 3)], {"third": True}),
    "min dim keepdim": (lambda t, x: x.min(0, keepdim=True)[0], [(2, 3)], {"third": True}),
    "norm": (lambda t, x: x.norm(), [(2, 3)], {"third": True}),
    "norm dim": (lambda t, x: x.norm(dim=1), [(2, 3)], {"third": True}),
    "norm 1": (lambda t, x: x.norm(p=1), [(2, 3)], {"third": True}),
    "norm 3": (lambda t, x: x.norm(p=3, dim=0), [(2, 3)], {"third": True}),
    "norm 1.5": (lambda t, x: x.norm(p=1.5), [(2, 3)], {"third": True}),
    "norm 0.5": (lambda t, x: x.norm(p=0.5, dim=1, keepdim=True), [(2, 3)], {"third": True}),
    "norm inf": (lambda t, x: x.norm(p=float("inf")), [(2, 3)], {"third": True}),
    "view": (lambda t, x: x.view(3, 2), [(2, 3)], {}),
    "reshape copy": (lambda t, x: x.t().reshape(6), [(2, 3)], {}),
    "flatten": (lambda t, x: x.flatten(), [(2, 3)], {}),
    "expand": (lambda t, x: x.expand(2, 2, 3), [(1, 3)], {}),
    "transpose": (lambda t, x: x.transpose(0, 1), [(2, 3)], {}),
    "t": (lambda t, x: x.t(), [(2, 3)], {}),
    "permute": (lambda t, x: x.permute(2, 0, 1), [(2, 3, 4)], {}),
    "unsqueeze": (lambda t, x: x.unsqueeze(1), [(2, 3)], {}),
    "squeeze": (lambda t, x: x.squeeze(), [(2, 1, 3, 1)], {}),
    "squeeze dim": (lambda t, x: x.squeeze(1), [(2, 1, 3)], {}),
    "clone": (lambda t, x: x.clone(), [(2, 3)], {}),
    "contiguous": (lambda t, x: x.t().contiguous(), [(2, 3)], {}),
    "to float64": (lambda t, x: x.to(t.float64) * x.to(t.float64), [(3,)], {}),
    "select": (lambda t, x: x[1], [(2, 3)], {"third": True}),
    "select dim 1": (lambda t, x: x[:, 1], [(2, 3)], {"third": True}),
    "slice": (lambda t, x: x[0:1], [(2, 3)], {"third": True}),
    "slice dim 1": (lambda t, x: x[:, 1:3], [(2, 3)], {"third": True}),
    "index list": (lambda t, x: x[[0, 0, 1]], [(2, 3)], {"third": True}),
    "index mask": (lambda t, x: x[x > 0], [(2, 3)], {"third": True}),
    "alias": (lambda t, x: x[...], [(2, 3)], {}),
    "cat": (lambda t, x, y: t.cat([x, y]), [(2, 3), (1, 3)], {"third": True}),
    "cat dim 1": (lambda t, x, y: t.cat([x, y], 1), [(2, 3), (2, 1)], {}),
    "stack": (lambda t, x, y: t.stack([x, y]), [(2, 3), (2, 3)], {"third": True}),
    "where": (lambda t, x, y: t.where(x > 0, x, y), [(2, 3), (2, 3)], {}),
    "where broadcast": (lambda t, x, y: t.where(x > 0, x * y, y), [(2, 3), (3,)], {}),
    "mm": (lambda t, x, y: x.mm(y), [(2, 3), (3, 4)], {"third": True}),
    "mm column-major": (lambda t, x, y: x.t().mm(y.t()), [(3, 2), (4, 3)], {"third": True}),
    "mv": (lambda t, x, y: t.mv(x, y), [(2, 3), (3,)], {"third": True}),
    "dot": (lambda t, x, y: t.dot(x, y), [(3,), (3,)], {"third": True}),
    "bmm": (lambda t, x, y: t.bmm(x, y), [(2, 2, 3), (2, 3, 2)], {"third": True}),
    "matmul vector @ matrix": (lambda t, x, y: x @ y, [(3,), (3, 2)], {"third": True}),
    "matmul batch @ matrix": (lambda t, x, y: x @ y, [(2, 2, 3), (3, 2)], {"third": True}),
    "softmax": (lambda t, x: x.softmax(1), [(2, 3)], {"third": True}),
    "log_softmax": (lambda t, x: x.log_softmax(1), [(2, 3)], {"third": True}),
    "x[list] = y": (_set_index, [(3, 2), (2,)], {}),
    "x[mask] = y": (_set_mask, [(4,), ()], {}),
    "fill_ tensor": (_in_place("fill_"), [(3,), ()], {}),
    "copy_": (_in_place("copy_"), [(2, 3), (3,)], {}),
    "zero_": (_zero, [(3,)], {}),
    "x[1] = y": (_set_basic, [(3, 2), (2,)], {"third": True}),  # CopySlices
    "z.mul_(y)": (_in_place("mul_"), [(3,), (3,)], {"third": True}),  # saves a clone of old z
    "z.div_(y)": (_in_place("div_"), [(3,), (3,)], {"positive": True}),
}

def graph(root, leaves: list) -> list | None:
    """Every node reachable from root, numbered breadth-first: (name, edges), an edge being
    the number of the next node or None; AccumulateGrad is labelled with its leaf."""
    if root is None:
        return None
    numbers, order = {root: 0}, [root]
    for node in order:  # grows as it goes
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in numbers:
                numbers[nxt] = len(order)
                order.append(nxt)
    described = []
    for node in order:
        name = node.name()
        for prefix in ("torch::", "smallgrad::"):  # the namespace prefix is each library's own
            name = name.removeprefix(prefix)
        if hasattr(node, "variable"):
            name += f"[{next(i for i, leaf in enumerate(leaves) if leaf is node.variable)}]"
        described.append((name, [None if nxt is None else numbers[nxt]
                                 for nxt, _ in node.next_functions]))
    return described


def run(lib, case: str, spec: tuple, dtype: str) -> dict:
    """The op under `lib`, its create_graph grads, and their second and third orders."""
    fn, shapes, options = spec
    rng = np.random.default_rng(zlib.crc32(case.encode()))
    lib_dtype = getattr(lib, dtype)
    data = [rng.standard_normal(shape) for shape in shapes]
    if options.get("positive"):
        data = [np.abs(d) + 0.5 for d in data]
    xs = [lib.tensor(d, dtype=lib_dtype, requires_grad=True) for d in data]
    out = fn(lib, *xs)
    v = lib.tensor(rng.standard_normal(tuple(out.shape)), dtype=out.dtype, requires_grad=True)
    leaves = [*xs, v]
    grads = lib.autograd.grad(out, xs, v, create_graph=True, allow_unused=True)
    seen = {"first": [_describe(g, leaves) for g in grads]}
    for order in ("second", "third"):
        if order == "third" and not options.get("third"):
            break
        differentiable = [g for g in grads if g is not None and g.requires_grad]
        if not differentiable:
            break
        weights = [lib.tensor(rng.standard_normal(tuple(g.shape)), dtype=g.dtype)
                   for g in differentiable]
        total = sum((g * w).sum() for g, w in zip(differentiable, weights))
        grads = lib.autograd.grad(total, leaves, create_graph=True,
                                  allow_unused=True)
        seen[order] = [_describe(g, leaves, values=True) for g in grads]
    return seen


def _describe(g, leaves: list, values: bool = False) -> dict | None:
    if g is None:
        return None
    seen = {"requires_grad": g.requires_grad, "is_leaf": g.is_leaf,
            "graph": graph(g.grad_fn, leaves), "dtype": str(g.dtype).split(".")[-1]}
    if values:
        seen["values"] = _numbers(g)
    return seen


def _numbers(g) -> np.ndarray:
    """g's values. (Some of PyTorch's zero grads are a ZeroTensor, which has no .numpy().)"""
    if getattr(g, "_is_zerotensor", lambda: False)():
        return np.zeros(tuple(g.shape))
    return g.detach().numpy().astype(np.float64)


def assert_same(expected: dict, actual: dict, dtype: str) -> None:
    tolerance = {"float32": (2e-4, 1e-5), "float64": (1e-10, 1e-12)}[dtype]
    assert expected.keys() == actual.keys(), "orders that could be taken"
    for order, grads in expected.items():
        assert len(grads) == len(actual[order])
        for i, (want, got) in enumerate(zip(grads, actual[order])):
            where = f"{order}-order grad {i}"
            assert (want is None) == (got is None), f"{where}: torch {want}, smallgrad {got}"
            if want is None:
                continue
            for key in ("requires_grad", "is_leaf", "dtype", "graph"):
                assert want[key] == got[key], f"{where} {key}"
            if "values" in want:
                rtol, atol = tolerance
                np.testing.assert_allclose(got["values"], want["values"], rtol=rtol, atol=atol,
                                           err_msg=f"{where} values")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
def test_double_backward_matches_torch(torch, case: str, dtype: str) -> None:
    expected = run(torch, case, CASES[case], dtype)
    actual = run(smallgrad, case, CASES[case], dtype)
    assert_same(expected, actual, dtype)


def test_the_issue_programs_second_order_zeros(torch) -> None:
    """Issue 9's list: relu, abs, indexing, where, norm(p=1). A grad made with
    create_graph=True requires grad exactly when torch's does, and differentiating it
    again gives torch's zeros (or torch's error when it doesn't require grad)."""
    programs = {"relu": lambda x: x.relu(), "abs": lambda x: x.abs(),
                "index": lambda x: x[1], "where": lambda t, x: t.where(x > 0, x, x * 2),
                "norm1": lambda x: x.norm(p=1)}
    for name, program in programs.items():
        outcomes = []
        for lib in (torch, smallgrad):
            x = lib.tensor([1.5, -2.0, 3.0], requires_grad=True)
            y = program(lib, x) if name == "where" else program(x)
            (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
            if g.requires_grad:
                (g2,) = lib.autograd.grad(g.sum(), x)
                outcomes.append((True, _numbers(g2).tolist()))
            else:
                outcomes.append((False, g.is_leaf))
        assert outcomes[0] == outcomes[1], name


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_first_order_kernels_bit_for_bit(torch, dtype: str) -> None:
    """The fused kernels' first order, given the same inputs, is PyTorch's to the last bit:
    tanh_backward rounds 1 - y² once (an FMA), sigmoid_backward is (g * (1 - y)) * y,
    threshold_backward keeps nan's grad; sgn (abs's grad) is 0 at nan and at -0."""
    from smallgrad.ops.backward_ops import Sgn, SigmoidBackward, TanhBackward, ThresholdBackward

    rng = np.random.default_rng(7)
    y = np.tanh(rng.standard_normal(10007) * 2).astype(dtype)
    y[:3] = [np.nan, -0.0, 0.0]
    grad = rng.standard_normal(10007).astype(dtype)
    g, out = smallgrad.tensor(grad), smallgrad.tensor(y)
    tg, tout = torch.tensor(grad), torch.tensor(y)
    pairs = {
        "tanh_backward": (TanhBackward.apply(g, out), torch.ops.aten.tanh_backward(tg, tout)),
        "sigmoid_backward": (SigmoidBackward.apply(g, out),
                             torch.ops.aten.sigmoid_backward(tg, tout)),
        "threshold_backward": (ThresholdBackward.apply(g, out, 0),
                               torch.ops.aten.threshold_backward(tg, tout, 0)),
        "sgn": (Sgn.apply(out), tout.sgn()),
    }
    for name, (mine, theirs) in pairs.items():
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=name)
        assert np.array_equal(np.signbit(mine.numpy()), np.signbit(theirs.numpy())), name
