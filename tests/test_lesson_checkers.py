"""The lesson exercises' checkers (lessons/_check.py): right, wrong and unanswered answers.

Every checker prints one line starting with ✓ (right), ✗ (not yet, with a hint) or
✎ (still a `...` placeholder). Each solution in lessons/solutions.md must pass its checker.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

import smallgrad as t

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


def _load_check():
    spec = importlib.util.spec_from_file_location("_check", LESSONS / "_check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["_check"] = module
    spec.loader.exec_module(module)
    return module


check = _load_check()


def verdict(capsys, fn, *args) -> str:
    """Run a checker; return '✓', '✗' or '✎' and make sure it printed exactly one verdict."""
    assert fn(*args) is None  # checkers print; a returned value would clutter the cell
    out = capsys.readouterr().out
    assert out.strip(), "the checker printed nothing"
    first = out.lstrip()[0]
    assert first in "✓✗✎", out
    return first


# --- lesson 01 -----------------------------------------------------------------------
def test_leaves(capsys):
    right = {"a": (True, True), "b": (False, True), "c": (True, False), "d": (False, True),
             "e": (True, False)}
    assert verdict(capsys, check.check_leaves, right) == "✓"
    assert verdict(capsys, check.check_leaves, {**right, "d": (False, False)}) == "✗"
    assert verdict(capsys, check.check_leaves, {**right, "c": (False, False)}) == "✗"
    assert verdict(capsys, check.check_leaves, {"a": (True, True)}) == "✗"
    assert verdict(capsys, check.check_leaves, {**right, "e": (..., ...)}) == "✎"


def test_leaves_answer_is_what_smallgrad_does():
    a = t.ones(2, requires_grad=True)
    b = t.ones(2)
    c = a * 2
    d = b * 2
    e = c.sum()
    for name, tensor in dict(a=a, b=b, c=c, d=d, e=e).items():
        assert (tensor.requires_grad, tensor.is_leaf) == check.LEAVES_ANSWER[name]


def test_watched_weights(capsys):
    assert verdict(capsys, check.check_watched_weights, t.zeros(2, 3, requires_grad=True)) == "✓"
    w = t.zeros(2, 3)
    w.requires_grad = True
    assert verdict(capsys, check.check_watched_weights, w) == "✓"
    assert verdict(capsys, check.check_watched_weights, t.zeros(2, 3)) == "✗"
    assert verdict(capsys, check.check_watched_weights, t.zeros(3, 2, requires_grad=True)) == "✗"
    assert verdict(capsys, check.check_watched_weights, t.ones(2, 3, requires_grad=True)) == "✗"
    not_leaf = t.zeros(2, 3, requires_grad=True) * 1
    assert verdict(capsys, check.check_watched_weights, not_leaf) == "✗"
    assert verdict(capsys, check.check_watched_weights, [[0, 0, 0], [0, 0, 0]]) == "✗"
    assert verdict(capsys, check.check_watched_weights, ...) == "✎"


# --- lesson 02 -----------------------------------------------------------------------
def test_derivative(capsys):
    def right(x):
        return 3 * x**2 * t.sin(x) + x**3 * t.cos(x)

    def half(x):
        return 3 * x**2 * t.sin(x)

    def broken(x):
        raise ValueError("oops")

    assert verdict(capsys, check.check_derivative, right) == "✓"
    fn = check.check_derivative
    fn(half)
    assert "one of the two terms" in capsys.readouterr().out
    assert verdict(capsys, check.check_derivative, lambda x: x) == "✗"
    assert verdict(capsys, check.check_derivative, broken) == "✗"
    assert verdict(capsys, check.check_derivative, "not a function") == "✗"
    assert verdict(capsys, check.check_derivative, lambda x: ...) == "✎"


def test_accumulated(capsys):
    assert verdict(capsys, check.check_accumulated, [15.0, 15.0]) == "✓"
    assert verdict(capsys, check.check_accumulated, t.tensor([15.0, 15.0])) == "✓"
    assert verdict(capsys, check.check_accumulated, [5.0, 5.0]) == "✗"
    assert verdict(capsys, check.check_accumulated, 15) == "✗"
    assert verdict(capsys, check.check_accumulated, "fifteen") == "✗"
    assert verdict(capsys, check.check_accumulated, ...) == "✎"


def test_accumulated_answer_is_what_smallgrad_does():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (5 * x).sum().backward()
    assert x.grad.tolist() == [15.0, 15.0]


def test_gradient_argument(capsys):
    assert verdict(capsys, check.check_gradient_argument, t.tensor([0.5, 5.0, 50.0])) == "✓"
    assert verdict(capsys, check.check_gradient_argument, [0.5, 5, 50]) == "✓"
    assert verdict(capsys, check.check_gradient_argument, [1.0, 10.0, 100.0]) == "✗"
    assert verdict(capsys, check.check_gradient_argument, [1.0, 1.0]) == "✗"
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


def test_path_to_w(capsys):
    right = ["AddBackward0", "MulBackward0", "smallgrad::autograd::AccumulateGrad"]
    assert verdict(capsys, check.check_path_to_w, right) == "✓"
    torch_names = ["AddBackward0", "MulBackward0", "torch::autograd::AccumulateGrad"]
    assert verdict(capsys, check.check_path_to_w, torch_names) == "✓"
    assert verdict(capsys, check.check_path_to_w, right[:2]) == "✗"
    assert verdict(capsys, check.check_path_to_w, ["MulBackward0", "AddBackward0"]) == "✗"
    assert verdict(capsys, check.check_path_to_w, [...]) == "✎"


def test_path_to_w_answer_is_what_smallgrad_does():
    w, x, b = (t.tensor(v, requires_grad=True) for v in (2.0, -1.5, 4.0))
    z = w * x + b
    node = z.grad_fn
    names = [node.name()]
    while node.next_functions:
        node = node.next_functions[0][0]
        names.append(node.name())
    assert node.variable is w
    assert [check._short(n) for n in names] == ["AddBackward0", "MulBackward0", "AccumulateGrad"]


# --- lesson 04 -----------------------------------------------------------------------
def test_edge_predictions(capsys):
    right = {"y": 1.0, "b": 1.0, "w": 3.0, "x": 2.0}
    assert verdict(capsys, check.check_edge_predictions, right) == "✓"
    assert verdict(capsys, check.check_edge_predictions, {**right, "w": 2.0, "x": 3.0}) == "✗"
    assert verdict(capsys, check.check_edge_predictions, {"y": 1.0}) == "✗"
    assert verdict(capsys, check.check_edge_predictions, {**right, "y": ...}) == "✎"


def test_edge_predictions_are_what_smallgrad_does():
    w, x, b = (t.tensor(v, requires_grad=True) for v in (2.0, 3.0, 1.0))
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
def test_intermediate_grad(capsys):
    assert verdict(capsys, check.check_intermediate_grad, t.tensor([6.0, 12.0, 18.0])) == "✓"
    assert verdict(capsys, check.check_intermediate_grad, [18.0, 36.0, 54.0]) == "✗"
    assert verdict(capsys, check.check_intermediate_grad, (t.tensor([6.0, 12.0, 18.0]),)) == "✗"
    assert verdict(capsys, check.check_intermediate_grad, None) == "✗"
    assert verdict(capsys, check.check_intermediate_grad, ...) == "✎"


def test_clip_hook(capsys):
    assert verdict(capsys, check.check_clip_hook, lambda g: g.clamp(-1, 1)) == "✓"
    assert verdict(capsys, check.check_clip_hook, lambda g: None) == "✗"
    assert verdict(capsys, check.check_clip_hook, lambda g: g * 0) == "✗"
    assert verdict(capsys, check.check_clip_hook, lambda g: g.clamp(0, 1)) == "✗"
    assert verdict(capsys, check.check_clip_hook, 3) == "✗"
    assert verdict(capsys, check.check_clip_hook, lambda g: ...) == "✎"


# --- lesson 06 -----------------------------------------------------------------------
def make_cube(forward_power=3, backward=None, unanswered=False):
    class Cube(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            if unanswered:
                return ...
            ctx.save_for_backward(x)
            return x**forward_power

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return backward(x, grad_output) if backward else grad_output * 3 * x**2

    return Cube


def test_cube(capsys):
    assert verdict(capsys, check.check_cube, make_cube()) == "✓"
    assert verdict(capsys, check.check_cube, make_cube(forward_power=2)) == "✗"
    assert verdict(capsys, check.check_cube, make_cube(backward=lambda x, g: 3 * x**2)) == "✗"
    assert verdict(capsys, check.check_cube, make_cube(backward=lambda x, g: g * x**2)) == "✗"
    assert verdict(capsys, check.check_cube, make_cube(backward=lambda x, g: ...)) == "✎"
    assert verdict(capsys, check.check_cube, make_cube(unanswered=True)) == "✎"
    assert verdict(capsys, check.check_cube, object) == "✗"


def make_sigmoid(fixed: bool):
    class Sigmoid(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            s = 1 / (1 + t.exp(-x))
            ctx.save_for_backward(s)
            return s

        @staticmethod
        def backward(ctx, grad_output):
            (s,) = ctx.saved_tensors
            return grad_output * s * (1 - s) if fixed else grad_output * s

    return Sigmoid


def test_sigmoid_fix(capsys):
    assert verdict(capsys, check.check_sigmoid_fix, make_sigmoid(fixed=True)) == "✓"
    assert verdict(capsys, check.check_sigmoid_fix, make_sigmoid(fixed=False)) == "✗"
    assert verdict(capsys, check.check_sigmoid_fix, lambda x: x) == "✗"


# --- lesson 07 -----------------------------------------------------------------------
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


def test_inplace_quiz_answer_is_what_smallgrad_does():
    def a():
        w = t.ones(3, requires_grad=True)
        w.mul_(2)

    def b():
        w = t.ones(3, requires_grad=True)
        with t.no_grad():
            w.mul_(2)

    def c():
        w = t.ones(3, requires_grad=True)
        y = w.exp()
        y.add_(1)
        y.sum().backward()

    def d():
        w = t.ones(3, requires_grad=True)
        y = w + 1
        y.add_(1)
        y.sum().backward()

    assert {k: _runs(f) for k, f in dict(A=a, B=b, C=c, D=d).items()} == check.INPLACE_ANSWER


def test_sgd_step(capsys):
    def right(params, lr):
        with t.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()

    def set_none(params, lr):
        with t.no_grad():
            for p in params:
                p.sub_(lr * p.grad)
                p.grad = None

    def no_zero(params, lr):
        with t.no_grad():
            for p in params:
                p -= lr * p.grad

    def no_no_grad(params, lr):
        for p in params:
            p -= lr * p.grad

    def rebinds(params, lr):
        for p in params:
            p = p - lr * p.grad  # the mistake under test

    def uphill(params, lr):
        with t.no_grad():
            for p in params:
                p += lr * p.grad
                p.grad.zero_()

    assert verdict(capsys, check.check_sgd_step, right) == "✓"
    assert verdict(capsys, check.check_sgd_step, set_none) == "✓"
    assert verdict(capsys, check.check_sgd_step, no_zero) == "✗"
    assert verdict(capsys, check.check_sgd_step, no_no_grad) == "✗"
    assert verdict(capsys, check.check_sgd_step, rebinds) == "✗"
    assert verdict(capsys, check.check_sgd_step, uphill) == "✗"
    assert verdict(capsys, check.check_sgd_step, lambda params, lr: ...) == "✎"


# --- lesson 08 -----------------------------------------------------------------------
def test_accuracy(capsys):
    def right(logits, labels):
        return (logits.argmax(dim=1) == labels).float().mean().item()

    def as_tensor(logits, labels):
        return (logits.argmax(dim=1) == labels).float().mean()

    def count(logits, labels):
        return (logits.argmax(dim=1) == labels).float().sum().item()

    assert verdict(capsys, check.check_accuracy, right) == "✓"
    assert verdict(capsys, check.check_accuracy, as_tensor) == "✗"
    assert verdict(capsys, check.check_accuracy, count) == "✗"
    assert verdict(capsys, check.check_accuracy, lambda logits, labels: 1.0) == "✗"
    assert verdict(capsys, check.check_accuracy, lambda logits, labels: ...) == "✎"


def test_forgot_zero(capsys):
    assert verdict(capsys, check.check_forgot_zero, "b") == "✓"
    assert verdict(capsys, check.check_forgot_zero, " B ") == "✓"
    assert verdict(capsys, check.check_forgot_zero, "a") == "✗"
    assert verdict(capsys, check.check_forgot_zero, ...) == "✎"


# --- the solutions file --------------------------------------------------------------
def solutions() -> dict[str, str]:
    text = (LESSONS / "solutions.md").read_text(encoding="utf-8")
    found = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        key = section.split()[0]
        found[key] = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    return found


def context(key: str) -> dict:
    """What the notebook has defined by the time the exercise comes (only 03.2 needs any)."""
    names = {"t": t, **{name: getattr(check, name) for name in check.__all__}}
    if key == "03.2":
        w, x, b = (t.tensor(v, requires_grad=True) for v in (2.0, -1.5, 4.0))
        names["z"] = w * x + b
    return names


SOLUTIONS = solutions()


def test_every_checker_has_a_solution():
    checkers = {name for name in check.__all__ if name.startswith("check_")}
    used = {m for code in SOLUTIONS.values() for m in re.findall(r"\b(check_\w+)\(", code)}
    assert used == checkers


@pytest.mark.parametrize("key", sorted(SOLUTIONS))
def test_solution_passes_its_checker(key, capsys):
    exec(SOLUTIONS[key], context(key))
    out = capsys.readouterr().out
    assert out.startswith("✓"), out


def test_show_solution(capsys):
    check.show_solution("07.2")
    out = capsys.readouterr().out
    assert out.startswith("Solution 07.2")
    assert "p.grad.zero_()" in out
    check.show_solution("99.9")
    assert "There is no exercise '99.9'" in capsys.readouterr().out
    check.show_solution("02")
    out = capsys.readouterr().out
    assert 'show_solution("02.1")  # A derivative by hand' in out
    assert "02.3" in out and "01.1" not in out
