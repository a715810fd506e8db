"""Instant feedback for the lesson exercises.

Every exercise cell ends with a call such as `check_leaves(answers)`. The checker
prints one line that starts with

    ✓  right, with a sentence on why it is right
    ✗  not yet, with a hint that points at the idea (never at the answer)
    ✎  not answered yet: the cell still holds a `...` placeholder

and returns nothing, so the cell shows only that line. The solutions are in
`solutions.md`, next to this file; `show_solution("02.1")` prints one of them.

Teachers: each checker is short and standalone. Tests in
`tests/test_lesson_checkers.py` try each one with a right and a wrong answer, and
run every solution in `solutions.md` through its checker.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import smallgrad as t

__all__ = [
    "check_accumulated", "check_accuracy", "check_chain_rule", "check_clip_hook",
    "check_cube", "check_derivative", "check_edge_predictions", "check_fanout",
    "check_forgot_zero", "check_gradient_argument", "check_inplace_quiz",
    "check_intermediate_grad", "check_leaves", "check_path_to_w", "check_sgd_step",
    "check_sigmoid_fix", "check_watched_weights", "show_solution",
]

SOLUTIONS = Path(__file__).with_name("solutions.md")


# --- how the verdicts look -------------------------------------------------------------
def _right(message: str) -> None:
    print(f"✓ Right! {message}")


def _wrong(message: str, hint: str | None = None) -> None:
    print(f"✗ Not yet: {message}" + (f"\n  Hint: {hint}" if hint else ""))


def _unanswered() -> None:
    print("✎ Not answered yet: replace each ... with your answer, then run this cell again.")


def _raised(what: str, error: Exception, hint: str | None = None) -> None:
    """The student's code raised: a leftover `...` placeholder, or a real mistake."""
    if "ellipsis" in str(error).lower():
        return _unanswered()  # e.g. "'ellipsis' object has no attribute 'shape'"
    return _wrong(f"{what} raised {type(error).__name__}: {error}", hint)


def _is_unanswered(value: Any) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, dict):
        return any(_is_unanswered(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_is_unanswered(v) for v in value)
    return False


def _values(x: Any) -> np.ndarray:
    """Numbers from a smallgrad or torch tensor, a list, or a number, as float64."""
    if hasattr(x, "detach"):
        x = x.detach().tolist()
    return np.asarray(x, dtype=np.float64)


def _same(x: Any, expected: Any, tol: float = 1e-4) -> bool:
    try:
        got = _values(x)
    except (TypeError, ValueError):
        return False
    want = np.asarray(expected, dtype=np.float64)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=tol, atol=tol))


def _fmt(x: Any) -> str:
    try:
        values = _values(x)
    except (TypeError, ValueError):
        return repr(x)
    return np.array2string(values, precision=4, separator=", ", suppress_small=True)


def show_solution(exercise: str) -> None:
    """Print the worked solution of one exercise, e.g. show_solution("02.1").

    With a lesson number alone, e.g. show_solution("02"), list that lesson's exercises.
    """
    text = SOLUTIONS.read_text(encoding="utf-8")
    titles = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title, _, body = section.partition("\n")
        key = title.split()[0]
        titles[key] = title.strip()
        if key == exercise:
            print(f"Solution {title.strip()}\n\n{body.strip()}")
            return
    in_lesson = [title for key, title in titles.items() if key.split(".")[0] == exercise]
    if in_lesson:
        print("Worked solutions, for when you are stuck (try first!):")
        for title in in_lesson:
            key = title.split()[0]
            print(f'  show_solution("{key}")  # {title[len(key):].strip()}')
        return
    print(f"There is no exercise {exercise!r}. Known: {', '.join(titles)}")


# --- lesson 01 -------------------------------------------------------------------------
LEAVES_ANSWER = {
    "a": (True, True),    # made by you, asks for grads
    "b": (False, True),   # made by you
    "c": (True, False),   # made by an op from a, so it has a grad_fn
    "d": (False, True),   # an op, but nothing in it needs grads: no graph, so a leaf
    "e": (True, False),   # made from c
}


def check_leaves(answers: dict) -> None:
    """01.1: (requires_grad, is_leaf) for a, b, c, d, e."""
    if _is_unanswered(answers):
        return _unanswered()
    missing = sorted(set(LEAVES_ANSWER) - set(answers))
    if missing:
        return _wrong(f"give an answer for {', '.join(missing)} too.")
    for name, (wants_grad, leaf) in LEAVES_ANSWER.items():
        given = tuple(answers[name])
        if given == (wants_grad, leaf):
            continue
        if given[0] != wants_grad:
            hint = ("requires_grad spreads: a result needs grads if any input needs them."
                    if wants_grad else
                    "nothing that went into it asked for gradients.")
            return _wrong(f"requires_grad of {name}.", hint)
        hint = ("a tensor with no grad_fn is a leaf: that includes every tensor autograd "
                "does not track." if leaf else
                "it was made by an operation that autograd recorded, so it has a grad_fn.")
        return _wrong(f"is_leaf of {name}.", hint)
    _right("Leaves are the tensors with no grad_fn: the ones you made, and results that "
           "autograd did not record (d).")


def check_watched_weights(w: Any) -> None:
    """01.2: a 2x3 float tensor of zeros that autograd watches (a leaf)."""
    if _is_unanswered(w):
        return _unanswered()
    if not hasattr(w, "requires_grad"):
        return _wrong(f"w should be a tensor, but it is a {type(w).__name__}.",
                      "t.zeros(2, 3) makes a tensor.")
    if tuple(w.shape) != (2, 3):
        return _wrong(f"w has shape {list(w.shape)}; the exercise asks for 2 rows and 3 columns.")
    if not _same(w, np.zeros((2, 3))):
        return _wrong("w should be all zeros.")
    if not w.requires_grad:
        return _wrong("autograd does not watch w yet.",
                      "requires_grad=True when you create it, .requires_grad_() afterwards, "
                      "or set the attribute: any of the three works.")
    if not w.is_leaf:
        return _wrong("w is not a leaf: it came out of an operation.",
                      "create it directly, e.g. with t.zeros(...), and switch requires_grad on "
                      "that very tensor.")
    _right("w is a leaf that requires grad: backward will fill w.grad.")


# --- lesson 02 -------------------------------------------------------------------------
_DERIV_POINTS = [-2.0, -0.5, 0.0, 0.7, 1.5, 3.0]


def check_derivative(grad_g: Any) -> None:
    """02.1: dg/dx for g(x) = x³·sin(x), written by hand, against autograd."""
    if not callable(grad_g):
        return _wrong("pass the function itself: check_derivative(grad_g).")
    x = t.tensor(_DERIV_POINTS, dtype=t.float64)
    try:
        mine = grad_g(x)
    except Exception as error:  # a student's function may fail in any way
        return _raised("grad_g(x)", error)
    if _is_unanswered(mine):
        return _unanswered()
    xg = x.clone().requires_grad_()
    (xg**3 * t.sin(xg)).sum().backward()
    want = _values(xg.grad)
    if _same(mine, want):
        return _right("Your hand-written derivative matches autograd at every test point.")
    xs = np.asarray(_DERIV_POINTS)
    if _same(mine, 3 * xs**2 * np.sin(xs)) or _same(mine, xs**3 * np.cos(xs)):
        return _wrong("you have one of the two terms.",
                      "product rule: (u·v)' = u'·v + u·v', with u = x³ and v = sin(x).")
    _wrong(f"at x = {_DERIV_POINTS} autograd says {_fmt(want)}, yours gives {_fmt(mine)}.",
           "product rule: (u·v)' = u'·v + u·v'. What are u' and v' for u = x³, v = sin(x)?")


def check_accumulated(grad: Any) -> None:
    """02.2: x.grad after three backward passes of (5*x).sum() with no zero_()."""
    if _is_unanswered(grad):
        return _unanswered()
    if _same(grad, [15.0, 15.0]):
        return _right("Each backward adds 5 to every element: 5 + 5 + 5 = 15.")
    if _same(grad, 15.0):
        return _wrong("the number is right, but x.grad has the shape of x.",
                      "give one value per element of x.")
    if _same(grad, [5.0, 5.0]):
        return _wrong("that is the grad of one backward pass.",
                      "backward adds into .grad; it does not overwrite it.")
    _wrong(f"{_fmt(grad)} is not what x.grad holds.",
           "d(5x)/dx = 5 per element. What happens to .grad each time you call backward?")


def check_gradient_argument(gradient: Any) -> None:
    """02.3: pick `gradient` so that y = 2x, y.backward(gradient) leaves x.grad = [1, 10, 100]."""
    if _is_unanswered(gradient):
        return _unanswered()
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    g = gradient if isinstance(gradient, t.Tensor) else t.tensor(_values(gradient).tolist())
    try:
        y.backward(g)
    except RuntimeError as error:
        return _wrong(f"y.backward raised: {error}",
                      "the gradient must have the same shape as y: three numbers.")
    if _same(x.grad, [1.0, 10.0, 100.0]):
        return _right("x.grad = 2 · gradient, so the gradient is x.grad / 2.")
    if _same(g, [1.0, 10.0, 100.0]):
        return _wrong("with that gradient, x.grad becomes [2, 20, 200].",
                      "the chain rule multiplies your gradient by dy/dx = 2.")
    _wrong(f"with that gradient, x.grad becomes {_fmt(x.grad)}.",
           "x.grad[i] = gradient[i] · dy[i]/dx[i], and dy/dx = 2 here.")


# --- lesson 03 -------------------------------------------------------------------------
def check_chain_rule(answers: dict) -> None:
    """03.1: dz/dw, dz/dx, dz/db for z = w·x + b at w = 2, x = -1.5, b = 4."""
    if _is_unanswered(answers):
        return _unanswered()
    want = {"dz/dw": -1.5, "dz/dx": 2.0, "dz/db": 1.0}
    for key, value in want.items():
        if key not in answers:
            return _wrong(f"give an answer for {key!r}.")
        if not _same(answers[key], value):
            if key == "dz/dw" and _same(answers[key], 2.0):
                hint = "dz/dw = dz/dy · dy/dw, and dy/dw for y = w·x is x, not w."
            elif key == "dz/dx" and _same(answers[key], -1.5):
                hint = "dz/dx = dz/dy · dy/dx, and dy/dx for y = w·x is w."
            else:
                hint = "dz/dy = 1 (z = y + b), then multiply by the local derivative."
            return _wrong(f"{key}.", hint)
    _right("Each one is dz/dy = 1 times the local derivative of its own box.")


def _short(name: str) -> str:
    return name.rsplit("::", 1)[-1]  # "smallgrad::autograd::AccumulateGrad" -> "AccumulateGrad"


def check_path_to_w(names: Any) -> None:
    """03.2: the node names from z.grad_fn down to w's AccumulateGrad."""
    if _is_unanswered(names):
        return _unanswered()
    given = [_short(str(n)) for n in names]
    want = ["AddBackward0", "MulBackward0", "AccumulateGrad"]
    if given == want:
        return _right("z.grad_fn is AddBackward0; its first next function is MulBackward0; "
                      "that node's first next function is w's AccumulateGrad.")
    if given and given[0] != want[0]:
        return _wrong("start from z.grad_fn: which operation made z?")
    if given == want[:2]:
        return _wrong("one more step: where does the MulBackward0 node send w's grad?")
    _wrong(f"{given} is not the path.",
           "print(node.name(), node.next_functions) and follow the edge towards w each time.")


# --- lesson 04 -------------------------------------------------------------------------
def check_edge_predictions(predictions: dict) -> None:
    """04.1: the grad on each edge for z = w·x + b with w = 2, x = 3, b = 1."""
    if _is_unanswered(predictions):
        return _unanswered()
    want = {"y": 1.0, "b": 1.0, "w": 3.0, "x": 2.0}
    wrong = [k for k, v in want.items() if k not in predictions or not _same(predictions[k], v)]
    if not wrong:
        return _right("The add box passes its grad on unchanged; the mul box multiplies it by "
                      "the *other* input.")
    hints = {
        "y": "z = y + b: how much does z change when y grows by 1?",
        "b": "z = y + b: how much does z change when b grows by 1?",
        "w": "y = w·x: dy/dw is the other input. Which one, and what is its value?",
        "x": "y = w·x: dy/dx is the other input. Which one, and what is its value?",
    }
    _wrong(f"the edge into {wrong[0]}.", hints[wrong[0]])


def check_fanout(predictions: dict) -> None:
    """04.2: u = w·x, z = u + x at w = 2, x = 3: the two grads reaching x, and x.grad."""
    if _is_unanswered(predictions):
        return _unanswered()
    want = {"x from ADD": 1.0, "x from MUL": 2.0, "x.grad": 3.0, "w.grad": 3.0}
    for key, value in want.items():
        if key not in predictions:
            return _wrong(f"give an answer for {key!r}.")
        if not _same(predictions[key], value):
            hint = {
                "x from ADD": "z = u + x: the add box passes the incoming grad (1) on unchanged.",
                "x from MUL": "u = w·x, and dz/du = 1: the mul box multiplies 1 by w.",
                "x.grad": "x is used twice, so its grad is the sum of what arrives on both edges.",
                "w.grad": "u = w·x: the mul box multiplies dz/du = 1 by x.",
            }[key]
            return _wrong(f"{key}.", hint)
    _right("When a tensor is used twice, the grads from both uses are added up: 1 + 2 = 3.")


# --- lesson 05 -------------------------------------------------------------------------
def check_intermediate_grad(dz_dy: Any) -> None:
    """05.1: dz/dy for y = 3x, z = (y²).sum(), x = [1, 2, 3]."""
    if _is_unanswered(dz_dy):
        return _unanswered()
    if isinstance(dz_dy, tuple) and len(dz_dy) == 1:
        return _wrong("autograd.grad returns a tuple, one grad per input.",
                      "take the element out: t.autograd.grad(z, y)[0].")
    if _same(dz_dy, [6.0, 12.0, 18.0]):
        return _right("dz/dy = 2y = [6, 12, 18]. Autograd gave it without touching y.grad.")
    if _same(dz_dy, [18.0, 36.0, 54.0]):
        return _wrong("that is dz/dx, the grad of the leaf.",
                      "ask for the grad with respect to y: t.autograd.grad(z, y).")
    _wrong(f"{_fmt(dz_dy)} is not dz/dy.",
           "t.autograd.grad(z, y) gives it, or y.retain_grad() before z.backward().")


def check_clip_hook(hook: Any) -> None:
    """05.2: a hook that clips each grad element into [-1, 1]."""
    if not callable(hook):
        return _wrong("pass the function itself: check_clip_hook(clip).")
    x = t.tensor([1.0, 1.0, 1.0], requires_grad=True)
    k = t.tensor([-3.0, 0.5, 4.0])
    handle = x.register_hook(hook)
    try:
        (x * k).sum().backward()
    except Exception as error:  # a student's hook may fail in any way
        return _raised("backward", error)
    finally:
        handle.remove()
    if x.grad is not None and _is_unanswered(x.grad):
        return _unanswered()
    if _same(x.grad, [-1.0, 0.5, 1.0]):
        return _right("The hook saw [-3, 0.5, 4] and passed on [-1, 0.5, 1]: x.grad got the "
                      "clipped values.")
    if _same(x.grad, [-3.0, 0.5, 4.0]):
        return _wrong("the grad went through unchanged.",
                      "a hook changes the grad by *returning* the new one, e.g. "
                      "return grad.clamp(-1, 1).")
    _wrong(f"x.grad came out as {_fmt(x.grad)}; it should be [-1, 0.5, 1].",
           "grad.clamp(min, max) keeps every element between min and max.")


# --- lesson 06 -------------------------------------------------------------------------
def _is_function(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, t.autograd.Function)


def check_cube(cube: Any) -> None:
    """06.1: a Function Cube with forward x³ and backward 3x²·grad_output."""
    if not _is_function(cube):
        return _wrong("Cube should be a class that subclasses t.autograd.Function.")
    x = t.tensor([-1.5, 0.3, 2.0], dtype=t.float64, requires_grad=True)
    try:
        y = cube.apply(x)
    except Exception as error:  # a student's forward may fail in any way
        return _raised("Cube.apply(x)", error)
    if _is_unanswered(y):
        return _unanswered()
    if not _same(y, [(-1.5) ** 3, 0.3**3, 8.0]):
        return _wrong("forward does not give x³.", "return x ** 3 (or x * x * x).")
    try:
        t.autograd.grad(y, x, t.ones(3, dtype=t.float64))
    except Exception as error:  # a student's backward may fail in any way
        return _raised("backward", error,
                       "forward must ctx.save_for_backward(x); backward reads ctx.saved_tensors.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        passed = t.autograd.gradcheck(cube.apply, (x,), raise_exception=False)
    if passed:
        return _right("forward gives x³ and gradcheck agrees with your backward.")
    _wrong("gradcheck disagrees with your backward.",
           "d(x³)/dx = 3x², and the chain rule multiplies it by grad_output.")


def check_sigmoid_fix(sigmoid: Any) -> None:
    """06.2: the repaired Sigmoid passes gradcheck."""
    if not _is_function(sigmoid):
        return _wrong("pass the class: check_sigmoid_fix(Sigmoid).")
    x = t.tensor([-2.0, 0.0, 0.5, 3.0], dtype=t.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            passed = t.autograd.gradcheck(sigmoid.apply, (x,), raise_exception=False)
        except Exception as error:  # a student's code may fail in any way
            return _raised("running it", error)
    if passed:
        return _right("σ'(x) = σ(x)·(1 − σ(x)), and backward can use the saved output for it.")
    _wrong("gradcheck still disagrees.",
           "differentiate 1 / (1 + e⁻ˣ), then write the result with σ(x) itself: it becomes "
           "σ(x) times something simple. Backward has σ(x) already: the saved output.")


# --- lesson 07 -------------------------------------------------------------------------
INPLACE_ANSWER = {"A": "error", "B": "ok", "C": "error", "D": "ok"}
_INPLACE_HINTS = {
    "A": "w is a leaf that requires grad, and grad mode is on.",
    "B": "under t.no_grad() autograd records nothing, so nothing can go stale.",
    "C": "exp's backward uses exp's own output. What did add_ do to it?",
    "D": "the grad of y = w + 1 is 1 whatever the values are: add saves nothing.",
}


def check_inplace_quiz(answers: dict) -> None:
    """07.1: "ok" or "error" for snippets A-D."""
    if _is_unanswered(answers):
        return _unanswered()
    for key, want in INPLACE_ANSWER.items():
        given = str(answers.get(key, "")).strip().lower()
        if given not in ("ok", "error"):
            return _wrong(f"answer {key!r} with \"ok\" or \"error\".")
        if given != want:
            return _wrong(f"snippet {key}.", _INPLACE_HINTS[key])
    _right("In-place changes fail only where they would corrupt a grad: on a leaf that "
           "requires grad, or on a tensor some node saved for backward.")


def check_sgd_step(sgd_step: Any) -> None:
    """07.2: sgd_step(params, lr) updates each parameter in place and clears its grad."""
    if not callable(sgd_step):
        return _wrong("pass the function itself: check_sgd_step(sgd_step).")
    w = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor(0.5, requires_grad=True)
    loss = (w * t.tensor([3.0, -1.0])).sum() + 2 * b
    loss.backward()  # w.grad = [3, -1], b.grad = 2
    try:
        result = sgd_step([w, b], 0.1)
    except Exception as error:  # a student's function may fail in any way
        if "leaf Variable" in str(error):
            return _wrong(f"it raised: {error}",
                          "change parameters inside `with t.no_grad():`, where autograd "
                          "records nothing.")
        return _raised("sgd_step", error)
    if _is_unanswered(result):
        return _unanswered()
    if _same(w, [1.0, 2.0]) and _same(b, 0.5):
        return _wrong("the parameters did not change.",
                      "change each tensor in place: p -= lr * p.grad (or p.sub_(...)). Note that "
                      "p = p - lr * p.grad makes a new tensor and only rebinds the name p.")
    if not (_same(w, [0.7, 2.1]) and _same(b, 0.3)):
        return _wrong(f"after one step w = {_fmt(w)}, b = {_fmt(b)}; "
                      "expected w = [0.7, 2.1], b = 0.3.",
                      "a step goes against the gradient: p ← p − lr · p.grad.")
    if not (w.is_leaf and b.is_leaf and w.requires_grad and b.requires_grad):
        return _wrong("the parameters should stay leaves that require grad.")
    for p in (w, b):
        if p.grad is not None and not _same(p.grad, np.zeros(p.grad.shape)):
            return _wrong("the grads are still there: the next backward would add to them.",
                          "p.grad.zero_() after the update.")
    _right("An in-place update under no_grad, then zeroed grads: the loop of lesson 08.")


# --- lesson 08 -------------------------------------------------------------------------
def check_accuracy(accuracy: Any) -> None:
    """08.1: accuracy(logits, labels) -> a Python float, the fraction classified right."""
    if not callable(accuracy):
        return _wrong("pass the function itself: check_accuracy(accuracy).")
    logits = t.tensor([[2.0, -1.0], [0.1, 0.3], [-0.5, -0.4], [3.0, 2.0], [0.0, 1.0]])
    labels = t.tensor([0, 1, 0, 1, 1])  # argmax: 0, 1, 1, 0, 1 -> 3 of 5 right
    try:
        result = accuracy(logits, labels)
    except Exception as error:  # a student's function may fail in any way
        return _raised("accuracy", error,
                       "logits.argmax(dim=1) gives the predicted class of each row.")
    if _is_unanswered(result):
        return _unanswered()
    if not isinstance(result, float):
        return _wrong(f"return a Python float, not {type(result).__name__}.",
                      "a one-element tensor becomes a float with .item().")
    if abs(result - 0.6) < 1e-6:
        return _right("3 of these 5 rows are classified right: 0.6.")
    if abs(result - 3) < 1e-6:
        return _wrong("that is the number of right answers, not the fraction.",
                      "take the mean, not the sum.")
    _wrong(f"got {result}; 3 of the 5 test rows are right, so expect 0.6.",
           "(logits.argmax(dim=1) == labels) is a bool tensor; .float().mean().item().")


def check_forgot_zero(choice: Any) -> None:
    """08.2: what happens when the loop forgets .grad.zero_()?"""
    if _is_unanswered(choice):
        return _unanswered()
    if str(choice).strip().lower() == "b":
        return _right("Each .grad becomes the sum of all the grads so far, so the steps keep "
                      "growing, in directions that are out of date.")
    _wrong(f"{choice!r}.", "backward *adds* into .grad. What is in .grad after ten steps?")
