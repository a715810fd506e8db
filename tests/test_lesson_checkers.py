"""The lesson exercises' checkers (lessons/_check/): right, wrong and unanswered answers.

Every checker prints one line starting with ✓ (right), ✗ (not yet, with a hint) or
✎ (still a `...` placeholder). Each is tried under smallgrad and under torch, the way a
student writes the answer in a notebook: the code runs with `t` bound to the library, so
the checker has to find the library from the answer. Right answers must pass; the wrong
answers students really give, and answers hard-coded to one case, must fail.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import require_torch

import smallgrad

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
sys.path.insert(0, str(LESSONS))
import _check as check  # noqa: E402  (lives in lessons/, next to the notebooks)


@pytest.fixture(params=["smallgrad", "torch"])
def lib(request):
    return smallgrad if request.param == "smallgrad" else require_torch()


def student(code: str, lib, **names) -> dict:
    """Run a student's answer cell with `t` as the library; return what it defined."""
    namespace = {"t": lib, **names}
    exec(textwrap.dedent(code), namespace)
    return namespace


def verdict(capsys, fn, *args) -> str:
    """Run a checker; return '✓', '✗' or '✎' and make sure it printed exactly one verdict."""
    assert fn(*args) is None  # checkers print; a returned value would clutter the cell
    out = capsys.readouterr().out
    assert out.strip(), "the checker printed nothing"
    assert sum(out.count(mark) for mark in "✓✗✎") == 1, out
    first = out.lstrip()[0]
    assert first in "✓✗✎", out
    return first


def output(capsys, fn, *args) -> str:
    fn(*args)
    return capsys.readouterr().out


def fn_of(code: str, lib, name: str, **names):
    return student(code, lib, **names)[name]


# --- lesson 01 -----------------------------------------------------------------------
def test_leaves(capsys):
    right = {"a": (True, True), "b": (False, True), "c": (True, False), "d": (False, True),
             "e": (True, False)}
    assert verdict(capsys, check.check_leaves, right) == "✓"
    assert verdict(capsys, check.check_leaves, {**right, "d": (False, False)}) == "✗"
    assert verdict(capsys, check.check_leaves, {**right, "c": (False, False)}) == "✗"
    assert verdict(capsys, check.check_leaves, {"a": (True, True)}) == "✗"
    assert verdict(capsys, check.check_leaves, {**right, "a": True}) == "✗"  # a bare bool
    assert verdict(capsys, check.check_leaves, {**right, "a": (1, 1)}) == "✗"
    assert verdict(capsys, check.check_leaves, True) == "✗"
    assert verdict(capsys, check.check_leaves, {**right, "e": (..., ...)}) == "✎"


def test_leaves_answer_is_what_the_library_does(lib):
    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2)
    c = a * 2
    d = b * 2
    e = c.sum()
    for name, tensor in dict(a=a, b=b, c=c, d=d, e=e).items():
        assert (tensor.requires_grad, tensor.is_leaf) == check.basics.LEAVES_ANSWER[name]


def test_watched_weights(capsys, lib):
    assert verdict(capsys, check.check_watched_weights, lib.zeros(2, 3, requires_grad=True)) \
        == "✓"
    w = lib.zeros(2, 3)
    w.requires_grad = True
    assert verdict(capsys, check.check_watched_weights, w) == "✓"
    assert verdict(capsys, check.check_watched_weights, lib.zeros(2, 3)) == "✗"
    assert verdict(capsys, check.check_watched_weights, lib.zeros(3, 2, requires_grad=True)) \
        == "✗"
    assert verdict(capsys, check.check_watched_weights, lib.ones(2, 3, requires_grad=True)) \
        == "✗"
    not_leaf = lib.zeros(2, 3, requires_grad=True) * 1
    assert verdict(capsys, check.check_watched_weights, not_leaf) == "✗"
    assert verdict(capsys, check.check_watched_weights, [[0, 0, 0], [0, 0, 0]]) == "✗"
    assert verdict(capsys, check.check_watched_weights, ...) == "✎"


# --- lesson 02 -----------------------------------------------------------------------
def test_derivative(capsys, lib):
    def grad_g(body: str):
        return fn_of(f"def grad_g(x):\n    return {body}\n", lib, "grad_g")

    assert verdict(capsys, check.check_derivative,
                   grad_g("3 * x**2 * t.sin(x) + x**3 * t.cos(x)")) == "✓"
    assert "one of the two terms" in output(capsys, check.check_derivative,
                                            grad_g("3 * x**2 * t.sin(x)"))
    assert verdict(capsys, check.check_derivative, grad_g("3 * x**2 * t.cos(x)")) == "✗"
    assert verdict(capsys, check.check_derivative, grad_g("x")) == "✗"
    assert verdict(capsys, check.check_derivative, grad_g("t.tensor(1.0)")) == "✗"
    assert verdict(capsys, check.check_derivative, grad_g("undefined_name")) == "✗"
    # no numbers at all: a verdict, not a crash inside the checker
    assert verdict(capsys, check.check_derivative, grad_g('["a"]')) == "✗"
    assert verdict(capsys, check.check_derivative, grad_g("object()")) == "✗"
    assert verdict(capsys, check.check_derivative, "not a function") == "✗"
    assert verdict(capsys, check.check_derivative, grad_g("...")) == "✎"


def test_accumulated(capsys, lib):
    assert verdict(capsys, check.check_accumulated, [15.0, 15.0]) == "✓"
    assert verdict(capsys, check.check_accumulated, lib.tensor([15.0, 15.0])) == "✓"
    assert verdict(capsys, check.check_accumulated, [5.0, 5.0]) == "✗"
    assert verdict(capsys, check.check_accumulated, 15) == "✗"
    assert verdict(capsys, check.check_accumulated, "fifteen") == "✗"
    assert verdict(capsys, check.check_accumulated, None) == "✗"
    assert verdict(capsys, check.check_accumulated, ...) == "✎"


def test_accumulated_answer_is_what_the_library_does(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (5 * x).sum().backward()
    assert x.grad.tolist() == [15.0, 15.0]


def test_gradient_argument(capsys, lib):
    assert verdict(capsys, check.check_gradient_argument, lib.tensor([0.5, 5.0, 50.0])) == "✓"
    assert verdict(capsys, check.check_gradient_argument, [0.5, 5, 50]) == "✓"
    assert verdict(capsys, check.check_gradient_argument, [1.0, 10.0, 100.0]) == "✗"
    assert verdict(capsys, check.check_gradient_argument, [1.0, 1.0]) == "✗"
    assert verdict(capsys, check.check_gradient_argument, lib.tensor([1.0, 1.0])) == "✗"
    assert verdict(capsys, check.check_gradient_argument, ...) == "✎"


# --- lesson 03 -----------------------------------------------------------------------
def test_chain_rule(capsys):
    right = {"dz/dw": -1.5, "dz/dx": 2.0, "dz/db": 1.0}
    assert verdict(capsys, check.check_chain_rule, right) == "✓"
    assert verdict(capsys, check.check_chain_rule, {**right, "dz/dw": 2.0}) == "✗"
    assert verdict(capsys, check.check_chain_rule, {**right, "dz/dx": -1.5}) == "✗"
    assert verdict(capsys, check.check_chain_rule, {**right, "dz/db": 0}) == "✗"
    assert verdict(capsys, check.check_chain_rule, {"dz/dw": -1.5}) == "✗"
    assert verdict(capsys, check.check_chain_rule, {**right, "dz/db": ...}) == "✎"


PATH_TO = """
def path_to(node, leaf):
    if getattr(node, "variable", None) is leaf:
        return [node]
    for child, _ in node.next_functions:
        if child is not None:
            rest = path_to(child, leaf)
            if rest:
                return [node] + rest
    return None
"""


def test_path_to(capsys, lib):
    assert verdict(capsys, check.check_path_to, fn_of(PATH_TO, lib, "path_to")) == "✓"
    first_edge_only = """
    def path_to(node, leaf):
        path = [node]
        while node.next_functions:
            node = node.next_functions[0][0]
            path.append(node)
        return path
    """
    by_hand = 'def path_to(node, leaf):\n    return ["AddBackward0", "MulBackward0", ' \
              '"AccumulateGrad"]\n'
    # the path the lesson's own z would give, hard-coded: wrong for every other graph
    w, x, b = (lib.tensor(v, requires_grad=True) for v in (2.0, -1.5, 4.0))
    z = w * x + b
    fixed = [z.grad_fn, z.grad_fn.next_functions[0][0],
             z.grad_fn.next_functions[0][0].next_functions[0][0]]
    for wrong in (fn_of(first_edge_only, lib, "path_to"), fn_of(by_hand, lib, "path_to"),
                  lambda node, leaf: fixed, lambda node, leaf: [node]):
        assert verdict(capsys, check.check_path_to, wrong) == "✗"
    looping = "def path_to(node, leaf):\n    return path_to(node, leaf)\n"
    assert verdict(capsys, check.check_path_to, fn_of(looping, lib, "path_to")) == "✗"
    assert verdict(capsys, check.check_path_to, lambda node, leaf: [...]) == "✎"
    assert verdict(capsys, check.check_path_to, ["AddBackward0"]) == "✗"


# --- lesson 04 -----------------------------------------------------------------------
def test_edge_predictions(capsys):
    right = {"y": 1.0, "b": 1.0, "w": 3.0, "x": 2.0}
    assert verdict(capsys, check.check_edge_predictions, right) == "✓"
    assert verdict(capsys, check.check_edge_predictions, {**right, "w": 2.0, "x": 3.0}) == "✗"
    assert verdict(capsys, check.check_edge_predictions, {"y": 1.0}) == "✗"
    assert verdict(capsys, check.check_edge_predictions, {**right, "y": ...}) == "✎"


def test_edge_predictions_are_what_the_library_does(lib):
    w, x, b = (lib.tensor(v, requires_grad=True) for v in (2.0, 3.0, 1.0))
    y = w * x
    y.retain_grad()
    z = y + b
    z.backward()
    got = {"y": y.grad, "b": b.grad, "w": w.grad, "x": x.grad}
    assert {k: v.item() for k, v in got.items()} == {"y": 1.0, "b": 1.0, "w": 3.0, "x": 2.0}


def test_fanout(capsys):
    right = {"x from ADD": 1.0, "x from MUL": 2.0, "x.grad": 3.0, "w.grad": 3.0}
    assert verdict(capsys, check.check_fanout, right) == "✓"
    assert verdict(capsys, check.check_fanout, {**right, "x.grad": 2.0}) == "✗"
    assert verdict(capsys, check.check_fanout, {**right, "x from MUL": 3.0}) == "✗"
    assert verdict(capsys, check.check_fanout, {"x.grad": 3.0}) == "✗"
    assert verdict(capsys, check.check_fanout, {**right, "w.grad": ...}) == "✎"


# --- lesson 05 -----------------------------------------------------------------------
def test_intermediate_grad(capsys, lib):
    with_grad = """
    def dz_dy(x):
        y = 3 * x
        z = (y**2).sum()
        return t.autograd.grad(z, y)[0]
    """
    with_retain = """
    def dz_dy(x):
        y = 3 * x
        y.retain_grad()
        z = (y**2).sum()
        z.backward()
        return y.grad
    """
    for code in (with_grad, with_retain):
        assert verdict(capsys, check.check_intermediate_grad, fn_of(code, lib, "dz_dy")) == "✓"
    forgot_retain = with_retain.replace("y.retain_grad()", "pass")
    out = output(capsys, check.check_intermediate_grad, fn_of(forgot_retain, lib, "dz_dy"))
    assert out.startswith("✗") and "retain_grad" in out and "nan" not in out
    tuple_answer = with_grad.replace("[0]", "")
    assert "tuple" in output(capsys, check.check_intermediate_grad,
                             fn_of(tuple_answer, lib, "dz_dy"))
    leaf_grad = """
    def dz_dy(x):
        z = ((3 * x)**2).sum()
        z.backward()
        return x.grad
    """
    hard_coded = "def dz_dy(x):\n    return t.tensor([6.0, 12.0, 18.0])\n"
    for wrong in (leaf_grad, hard_coded):
        assert verdict(capsys, check.check_intermediate_grad, fn_of(wrong, lib, "dz_dy")) == "✗"
    assert verdict(capsys, check.check_intermediate_grad, lib.tensor([6.0, 12.0, 18.0])) == "✗"
    assert verdict(capsys, check.check_intermediate_grad, lambda x: ...) == "✎"


def test_clip_hook(capsys, lib):
    def hook(body: str):
        return fn_of(f"def clip(grad):\n    return {body}\n", lib, "clip")

    assert verdict(capsys, check.check_clip_hook, hook("grad.clamp(-1, 1)")) == "✓"
    assert verdict(capsys, check.check_clip_hook, hook("t.clamp(grad, min=-1, max=1)")) == "✓"
    in_place = output(capsys, check.check_clip_hook, hook("grad.clamp_(-1, 1)"))
    assert in_place.startswith("✗") and "in place" in in_place
    hard_coded = hook("t.tensor([-1.0, 0.5, 1.0, 1.0, -1.0, 0.3])")
    for wrong in (hook("None"), hook("grad * 0"), hook("grad.clamp(0, 1)"), hard_coded,
                  hook("grad / grad.abs().max()")):
        assert verdict(capsys, check.check_clip_hook, wrong) == "✗"
    assert verdict(capsys, check.check_clip_hook, 3) == "✗"
    assert verdict(capsys, check.check_clip_hook, hook("...")) == "✎"


# --- lesson 06 -----------------------------------------------------------------------
FUNCTION = """
class {name}(t.autograd.Function):
    @staticmethod
    def forward(ctx, {args}):
        {forward}

    @staticmethod
    def backward(ctx, grad_output):
        {backward}
"""


def function(lib, name, args, forward, backward):
    return fn_of(FUNCTION.format(name=name, args=args, forward=forward, backward=backward),
                 lib, name)


def cube(lib, forward="ctx.save_for_backward(x); return x**3",
         backward="(x,) = ctx.saved_tensors; return grad_output * 3 * x**2"):
    return function(lib, "Cube", "x", forward, backward)


def test_cube(capsys, lib):
    assert verdict(capsys, check.check_cube, cube(lib)) == "✓"
    assert verdict(capsys, check.check_cube, cube(lib, forward="ctx.save_for_backward(x); "
                                                  "return x**2")) == "✗"
    for backward in ("(x,) = ctx.saved_tensors; return 3 * x**2",
                     "(x,) = ctx.saved_tensors; return grad_output * x**2",
                     "return grad_output * 3"):
        assert verdict(capsys, check.check_cube, cube(lib, backward=backward)) == "✗"
    assert verdict(capsys, check.check_cube, cube(lib, forward="return x**3")) == "✗"
    assert verdict(capsys, check.check_cube, cube(lib, backward="return ...")) == "✎"
    assert verdict(capsys, check.check_cube, cube(lib, forward="return ...")) == "✎"
    assert verdict(capsys, check.check_cube, object) == "✗"


def test_sigmoid_fix(capsys, lib):
    forward = "s = 1 / (1 + t.exp(-x)); ctx.save_for_backward(s); return s"
    fixed = function(lib, "Sigmoid", "x", forward,
                     "(s,) = ctx.saved_tensors; return grad_output * s * (1 - s)")
    broken = function(lib, "Sigmoid", "x", forward,
                      "(s,) = ctx.saved_tensors; return grad_output * s")
    assert verdict(capsys, check.check_sigmoid_fix, fixed) == "✓"
    assert verdict(capsys, check.check_sigmoid_fix, broken) == "✗"
    assert verdict(capsys, check.check_sigmoid_fix, lambda x: x) == "✗"


# --- lesson 07 -----------------------------------------------------------------------
UNBROADCAST = """
def unbroadcast(grad, shape):
    while grad.dim() > len(shape):
        grad = grad.sum(dim=0)
    for dim, size in enumerate(shape):
        if size == 1 and grad.shape[dim] != 1:
            grad = grad.sum(dim=dim, keepdim=True)
    return grad
"""


def test_unbroadcast(capsys, lib):
    assert verdict(capsys, check.check_unbroadcast, fn_of(UNBROADCAST, lib, "unbroadcast")) \
        == "✓"
    only_leading = """
    def unbroadcast(grad, shape):
        while grad.dim() > len(shape):
            grad = grad.sum(dim=0)
        return grad
    """
    mean_instead = UNBROADCAST.replace(".sum(", ".mean(")
    wrongs = [fn_of(only_leading, lib, "unbroadcast"), fn_of(mean_instead, lib, "unbroadcast"),
              lambda grad, shape: grad, lambda grad, shape: grad.sum(),
              lambda grad, shape: grad.reshape(shape) if grad.numel() == 1 else grad,
              lambda grad, shape: "abc", lambda grad, shape: object()]  # no numbers
    for wrong in wrongs:
        assert verdict(capsys, check.check_unbroadcast, wrong) == "✗"
    assert verdict(capsys, check.check_unbroadcast, lambda grad, shape: ...) == "✎"


def broadcast_mul(lib, grads="unbroadcast(grad_output * b, a.shape), "
                             "unbroadcast(grad_output * a, b.shape)", unbroadcast=UNBROADCAST):
    code = unbroadcast + FUNCTION.format(
        name="BroadcastMul", args="a, b", forward="ctx.save_for_backward(a, b); return a * b",
        backward=f"a, b = ctx.saved_tensors; return {grads}")
    return fn_of(code, lib, "BroadcastMul")


def test_unbroadcast_gradcheck(capsys, lib):
    assert verdict(capsys, check.check_unbroadcast_gradcheck, broadcast_mul(lib)) == "✓"
    # (A backward that returns the broadcast shape passes: torch's engine sums such a grad
    # down to the input's shape itself, and smallgrad does the same.)
    mean_instead = UNBROADCAST.replace(".sum(", ".mean(")
    assert verdict(capsys, check.check_unbroadcast_gradcheck,
                   broadcast_mul(lib, unbroadcast=mean_instead)) == "✗"
    assert verdict(capsys, check.check_unbroadcast_gradcheck,
                   broadcast_mul(lib, "unbroadcast(grad_output * a, a.shape), "
                                      "unbroadcast(grad_output * b, b.shape)")) == "✗"
    assert verdict(capsys, check.check_unbroadcast_gradcheck, lambda a, b: a * b) == "✗"


def matmul(lib, grads="grad_output @ b.T, a.T @ grad_output"):
    return function(lib, "MatMul", "a, b", "ctx.save_for_backward(a, b); return a @ b",
                    f"a, b = ctx.saved_tensors; return {grads}")


def test_matmul(capsys, lib):
    assert verdict(capsys, check.check_matmul, matmul(lib)) == "✓"
    assert verdict(capsys, check.check_matmul,
                   matmul(lib, "grad_output.mm(b.t()), a.t().mm(grad_output)")) == "✓"
    for grads in ("b.T @ grad_output, grad_output @ a.T",   # factors on the wrong side
                  "grad_output @ b, a @ grad_output",       # no transposes
                  "grad_output @ b.T, grad_output.T @ a",   # b's grad transposed
                  "grad_output @ b.T, None"):
        assert verdict(capsys, check.check_matmul, matmul(lib, grads)) == "✗"
    swapped = function(lib, "MatMul", "a, b", "ctx.save_for_backward(a, b); return b.T @ a.T",
                       "a, b = ctx.saved_tensors; return grad_output @ b.T, a.T @ grad_output")
    assert verdict(capsys, check.check_matmul, swapped) == "✗"
    assert verdict(capsys, check.check_matmul, matmul(lib, "..., ...")) == "✎"


# --- lesson 08 -----------------------------------------------------------------------
def test_inplace_quiz(capsys):
    right = {"A": "error", "B": "ok", "C": "error", "D": "ok"}
    assert verdict(capsys, check.check_inplace_quiz, right) == "✓"
    assert verdict(capsys, check.check_inplace_quiz, {k: v.upper() for k, v in right.items()}) \
        == "✓"
    assert verdict(capsys, check.check_inplace_quiz, {**right, "D": "error"}) == "✗"
    assert verdict(capsys, check.check_inplace_quiz, {**right, "B": "maybe"}) == "✗"
    assert verdict(capsys, check.check_inplace_quiz, {**right, "C": ...}) == "✎"


def _runs(snippet) -> str:
    try:
        snippet()
    except RuntimeError:
        return "error"
    return "ok"


def test_inplace_quiz_answer_is_what_the_library_does(lib):
    def a():
        w = lib.ones(3, requires_grad=True)
        w.mul_(2)

    def b():
        w = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            w.mul_(2)

    def c():
        w = lib.ones(3, requires_grad=True)
        y = w.exp()
        y.add_(1)
        y.sum().backward()

    def d():
        w = lib.ones(3, requires_grad=True)
        y = w + 1
        y.add_(1)
        y.sum().backward()

    answers = {k: _runs(f) for k, f in dict(A=a, B=b, C=c, D=d).items()}
    assert answers == check.training.INPLACE_ANSWER


SGD = """
def sgd_step(params, lr):
    with t.no_grad():
        for p in params:
            {update}
            {clear}
"""


def sgd(lib, update="p -= lr * p.grad", clear="p.grad.zero_()"):
    return fn_of(SGD.format(update=update, clear=clear), lib, "sgd_step")


def test_sgd_step(capsys, lib):
    assert verdict(capsys, check.check_sgd_step, sgd(lib)) == "✓"
    assert verdict(capsys, check.check_sgd_step, sgd(lib, "p.sub_(lr * p.grad)",
                                                      "p.grad = None")) == "✓"
    assert verdict(capsys, check.check_sgd_step, sgd(lib, clear="pass")) == "✗"
    assert verdict(capsys, check.check_sgd_step, sgd(lib, "p += lr * p.grad")) == "✗"
    assert verdict(capsys, check.check_sgd_step, sgd(lib, "p -= 0.1 * p.grad")) == "✗"
    zero_first = SGD.format(update="p.grad.zero_()", clear="p -= lr * p.grad")
    out = output(capsys, check.check_sgd_step, fn_of(zero_first, lib, "sgd_step"))
    assert out.startswith("✗") and "*after* using it" in out
    no_no_grad = "def sgd_step(params, lr):\n    for p in params:\n        p -= lr * p.grad\n"
    rebinds = "def sgd_step(params, lr):\n    for p in params:\n        p = p - lr * p.grad\n"
    replaces = ("def sgd_step(params, lr):\n    with t.no_grad():\n"
                "        params[:] = [(p - lr * p.grad).requires_grad_() for p in params]\n")
    for code in (no_no_grad, rebinds, replaces):
        assert verdict(capsys, check.check_sgd_step, fn_of(code, lib, "sgd_step")) == "✗"
    assert "rebinds" in output(capsys, check.check_sgd_step, fn_of(rebinds, lib, "sgd_step"))
    assert verdict(capsys, check.check_sgd_step, lambda params, lr: ...) == "✎"


# --- lesson 09 -----------------------------------------------------------------------
SECOND = """
def second_derivative(f, x):
    (dy_dx,) = t.autograd.grad(f(x), x, create_graph=True)
    (d2y_dx2,) = t.autograd.grad(dy_dx, x)
    return d2y_dx2
"""


def test_second_derivative(capsys, lib):
    assert verdict(capsys, check.check_second_derivative,
                   fn_of(SECOND, lib, "second_derivative")) == "✓"
    no_create_graph = SECOND.replace(", create_graph=True", "")
    first_only = ("def second_derivative(f, x):\n"
                  "    return t.autograd.grad(f(x), x)[0]\n")
    for code in (no_create_graph, first_only, "def second_derivative(f, x):\n    return 12.0\n",
                 "def second_derivative(f, x):\n    return 6 * x\n"):
        assert verdict(capsys, check.check_second_derivative,
                       fn_of(code, lib, "second_derivative")) == "✗"
    assert "create_graph" in output(capsys, check.check_second_derivative,
                                    fn_of(no_create_graph, lib, "second_derivative"))
    assert verdict(capsys, check.check_second_derivative, lambda f, x: ...) == "✎"


def test_second_derivative_of_the_lesson(lib):
    x = lib.tensor(2.0, requires_grad=True)
    (g,) = lib.autograd.grad(x**3, x, create_graph=True)
    (g2,) = lib.autograd.grad(g, x)
    assert (g.item(), g2.item()) == (12.0, 12.0)


def test_detached_target(capsys, lib):
    assert verdict(capsys, check.check_detached_target,
                   fn_of("def f(x):\n    y = x * x\n    return y.detach() * x\n", lib, "f")) == "✓"
    for body in ("y = x * x\n    return y * x", "return x**3", "return (x**3).detach()",
                 "return x.detach() ** 2 * x.detach()"):
        code = f"def f(x):\n    {body}\n"
        assert verdict(capsys, check.check_detached_target, fn_of(code, lib, "f")) == "✗"
    assert verdict(capsys, check.check_detached_target, lambda x: ...) == "✎"


# --- lesson 10 -----------------------------------------------------------------------
def test_diagnosis(capsys):
    right = dict(check.training.DIAGNOSIS_ANSWER)
    assert verdict(capsys, check.check_diagnosis, right) == "✓"
    assert verdict(capsys, check.check_diagnosis, {**right, "B": "saved-changed"}) == "✗"
    assert verdict(capsys, check.check_diagnosis, {**right, "A": "no idea"}) == "✗"
    assert verdict(capsys, check.check_diagnosis, {**right, "E": ...}) == "✎"


def test_diagnosis_answer_is_what_the_library_does(lib):
    """Each symptom of exercise 10.1, run: the error (or the None grad) it names."""
    x = lib.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        (x * 2).backward()                                     # A
    z = (x.exp()).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.backward()                                           # B
    y = x.exp()
    y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()                                     # C
    with pytest.raises(RuntimeError, match="detach"):
        (x * 2).numpy()                                        # D
    b = lib.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    assert b.grad is None                                      # E


FIXED = "def loss_fn(x, w):\n    y = (x * w).exp()\n    y = y + 1\n    return y.sum()\n"


def test_fixed_loss(capsys, lib):
    assert verdict(capsys, check.check_fixed_loss, fn_of(FIXED, lib, "loss_fn")) == "✓"
    still_inplace = FIXED.replace("y = y + 1", "y += 1")
    other_loss = FIXED.replace("y = y + 1", "y = y + 2")
    detached = FIXED.replace("(x * w).exp()", "(x * w).exp().detach().requires_grad_()")
    hard_coded = "def loss_fn(x, w):\n    return (w * 0).sum() + 7.0\n"
    for code in (still_inplace, other_loss, detached, hard_coded):
        assert verdict(capsys, check.check_fixed_loss, fn_of(code, lib, "loss_fn")) == "✗"
    assert "in place" in output(capsys, check.check_fixed_loss,
                                fn_of(still_inplace, lib, "loss_fn"))
    assert verdict(capsys, check.check_fixed_loss, lambda x, w: ...) == "✎"


# --- lesson 11 -----------------------------------------------------------------------
DESCEND = """
def descend(f, w, lr, steps):
    losses = []
    for _ in range(steps):
        loss = f(w)
        loss.backward()
        with t.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        losses.append({log})
    return losses
"""


def test_descend(capsys, lib):
    assert verdict(capsys, check.check_descend,
                   fn_of(DESCEND.format(log="loss.item()"), lib, "descend")) == "✓"
    keeps_graphs = output(capsys, check.check_descend,
                          fn_of(DESCEND.format(log="loss"), lib, "descend"))
    assert keeps_graphs.startswith("✗") and "graph" in keeps_graphs
    no_zero = DESCEND.format(log="loss.item()").replace("w.grad.zero_()", "pass")
    uphill = DESCEND.format(log="loss.item()").replace("w -= lr", "w += lr")
    fixed_lr = DESCEND.format(log="loss.item()").replace("w -= lr", "w -= 0.1")
    hard_coded = "def descend(f, w, lr, steps):\n    return [7.25, 5.0, 3.56, 2.6384, 2.0486]\n"
    for code in (no_zero, uphill, fixed_lr, DESCEND.format(log="float(loss.item() > 0)"),
                 hard_coded):
        assert verdict(capsys, check.check_descend, fn_of(code, lib, "descend")) == "✗"
    assert verdict(capsys, check.check_descend, lambda f, w, lr, steps: ...) == "✎"


def test_one_step_lr(capsys):
    assert verdict(capsys, check.check_one_step_lr, 0.5) == "✓"
    for wrong in (1.0, 0.1, 2, True, "0.5"):
        assert verdict(capsys, check.check_one_step_lr, wrong) == "✗"
    assert verdict(capsys, check.check_one_step_lr, ...) == "✎"


# --- lesson 12 -----------------------------------------------------------------------
def test_accuracy(capsys, lib):
    def accuracy(body: str):
        return fn_of(f"def accuracy(logits, labels):\n    return {body}\n", lib, "accuracy")

    assert verdict(capsys, check.check_accuracy,
                   accuracy("(logits.argmax(dim=1) == labels).float().mean().item()")) == "✓"
    assert verdict(capsys, check.check_accuracy,
                   accuracy("(logits.argmax(1) == labels).sum().item() / len(labels)")) == "✓"
    wrongs = [
        "labels.float().mean().item()",                               # ignores the model
        "(logits.argmax(dim=1) == 1).float().mean().item()",          # ignores the labels
        "0.6",                                                         # the old fixed case
        "(logits.argmax(dim=1) == labels).float().mean()",            # a tensor, not a float
        "(logits.argmax(dim=1) == labels).float().sum().item()",      # a count
        "(logits.argmax(dim=0)[:1] == labels[:1]).float().mean().item()",
        "1.0",
    ]
    for body in wrongs:
        assert verdict(capsys, check.check_accuracy, accuracy(body)) == "✗", body
    assert verdict(capsys, check.check_accuracy, accuracy("...")) == "✎"


def test_forgot_zero(capsys):
    assert verdict(capsys, check.check_forgot_zero, "b") == "✓"
    assert verdict(capsys, check.check_forgot_zero, " B ") == "✓"
    assert verdict(capsys, check.check_forgot_zero, "a") == "✗"
    assert verdict(capsys, check.check_forgot_zero, ...) == "✎"


# --- the library is found from the answer ----------------------------------------------
def test_the_library_comes_from_the_answer(lib):
    assert check._core.library(lib.ones(2)) is lib
    assert check._core.library(fn_of("def f(x):\n    return x\n", lib, "f")) is lib
    assert check._core.library(cube(lib)) is lib
    assert check._core.library({"a": [lib.ones(1)]}) is lib


# --- the solutions file --------------------------------------------------------------
def solutions() -> dict[str, str]:
    text = (LESSONS / "solutions.md").read_text(encoding="utf-8")
    found = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        key = section.split()[0]
        found[key] = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    return found


SOLUTIONS = solutions()


def test_every_checker_has_a_solution():
    checkers = {name for name in check.__all__ if name.startswith("check_")}
    used = {m for code in SOLUTIONS.values() for m in re.findall(r"\b(check_\w+)\(", code)}
    assert used == checkers


@pytest.mark.parametrize("key", sorted(SOLUTIONS))
def test_solution_passes_its_checker(key, capsys, lib):
    names = {name: getattr(check, name) for name in check.__all__}
    student(SOLUTIONS[key], lib, **names)
    out = capsys.readouterr().out
    assert out.startswith("✓"), out


def test_show_solution(capsys):
    check.show_solution("08.2")
    out = capsys.readouterr().out
    assert out.startswith("Solution 08.2")
    assert "p.grad.zero_()" in out
    check.show_solution("99.9")
    assert "There is no exercise '99.9'" in capsys.readouterr().out
