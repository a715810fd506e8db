"""What every checker shares: the three verdicts, numbers from any tensor, and the library.

The checkers accept smallgrad's and PyTorch's tensors, Functions and modules alike. They
never ask `isinstance(x, smallgrad.Tensor)`: they look at what an object can do, and when
they need to build tensors themselves they use the library the student's answer came from.

The checks every checker starts with (is it a function? a dict? did the student's code
raise, or leave a `...`?) are helpers here. A helper that finds a problem prints the verdict
and ends the check by raising `CheckOver`, which the `@checker` decorator catches. The
helpers that take a sentence of the checker's are listed in tests/test_zh_checkers.py
(SAYING), which finds every sentence so that each has a Chinese one.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np

from .messages import say

LIBRARIES = ("smallgrad", "torch")


# --- how the verdicts look -------------------------------------------------------------
def right(message: str) -> None:
    print(say("✓ Right! {}").format(say(message)))


def wrong(message: str, hint: str | None = None) -> None:
    print(say("✗ Not yet: {}").format(say(message))
          + (say("\n  Hint: {}").format(say(hint)) if hint else ""))


def unanswered() -> None:
    print(say("✎ Not answered yet: replace each ... with your answer, then run this cell again."))


def raised(what: str, error: Exception, hint: str | None = None) -> None:
    """The student's code raised: a leftover `...` placeholder, or a real mistake."""
    if "ellipsis" in str(error).lower():
        return unanswered()  # e.g. "'ellipsis' object has no attribute 'shape'"
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return wrong(f"{say(what)} raised {type(error).__name__}: {first_line}", hint)


def is_unanswered(value: Any) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, dict):
        return any(is_unanswered(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unanswered(v) for v in value)
    return False


# --- ending a check early ----------------------------------------------------------------
class CheckOver(BaseException):  # not an Exception: no `except Exception` may swallow it
    """A helper below has printed the verdict: the checker stops there."""


def checker(check: Callable[..., None]) -> Callable[..., None]:
    """Decorate a check_* function, so that a helper's verdict ends it (and returns None)."""
    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> None:
        with contextlib.suppress(CheckOver):
            check(*args, **kwargs)
    return run


def stop_unless_answered(answer: Any) -> None:
    if is_unanswered(answer):
        unanswered()
        raise CheckOver


def expect_dict(answers: Any, message: str) -> None:
    """Answers given as a dict, with no `...` left in it."""
    if not isinstance(answers, dict):
        wrong(message)
        raise CheckOver
    stop_unless_answered(answers)


@contextlib.contextmanager
def student_code(what: str, hint: str | None = None) -> Iterator[None]:
    """Run the block; if the student's code in it raises, say what raised, and stop."""
    try:
        yield
    except Exception as error:  # a student's code may fail in any way
        raised(what, error, hint)
        raise CheckOver from None


def answer_of(what: str, function: Callable, *args: Any, hint: str | None = None) -> Any:
    """What the student's function returns for `args`; stop if it raises or gives a `...`."""
    with student_code(what, hint):
        answer = function(*args)
    stop_unless_answered(answer)
    return answer


# --- tensors of either library -----------------------------------------------------------
def is_tensor(x: Any) -> bool:
    """A smallgrad or torch tensor (anything with a grad_fn, requires_grad and a shape)."""
    return all(hasattr(x, name) for name in ("requires_grad", "grad_fn", "shape", "detach"))


def values(x: Any) -> np.ndarray:
    """Numbers from a smallgrad or torch tensor, a list, or a number, as float64."""
    if hasattr(x, "detach"):
        x = x.detach().tolist()
    return np.asarray(x, dtype=np.float64)


def numbers(x: Any) -> np.ndarray | None:
    """values(x), or None when x holds no numbers (a string, an object, a ragged list)."""
    if x is None or isinstance(x, (str, bytes)):
        return None
    try:
        return values(x)
    except (TypeError, ValueError, RuntimeError):
        return None


def same(x: Any, expected: Any, tol: float = 1e-4) -> bool:
    got = numbers(x)
    if got is None:
        return False
    want = np.asarray(values(expected), dtype=np.float64)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=tol, atol=tol))


def fmt(x: Any) -> str:
    try:
        numbers = values(x)
    except (TypeError, ValueError, RuntimeError):
        return repr(x)
    return np.array2string(numbers, precision=4, separator=", ", suppress_small=True)


def short_name(name: str) -> str:
    return name.rsplit("::", 1)[-1]  # "torch::autograd::AccumulateGrad" -> "AccumulateGrad"


# --- which library the student used -----------------------------------------------------
def _root_library(module_name: str | None) -> ModuleType | None:
    root = (module_name or "").split(".")[0]
    return importlib.import_module(root) if root in LIBRARIES else None


def _library_from(obj: Any) -> ModuleType | None:
    if isinstance(obj, ModuleType):
        return _root_library(obj.__name__)
    if isinstance(obj, type):  # a Function or Module class: look at its bases
        for base in obj.__mro__:
            lib = _root_library(base.__module__)
            if lib is not None:
                return lib
        return None
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        for item in obj:
            lib = _library_from(item)
            if lib is not None:
                return lib
        return None
    if is_tensor(obj) or hasattr(obj, "parameters"):
        return _root_library(type(obj).__module__) or _library_from(type(obj))
    student_globals = getattr(obj, "__globals__", None)  # a function the student wrote
    if student_globals is not None and isinstance(student_globals.get("t"), ModuleType):
        return _root_library(student_globals["t"].__name__)
    return None


def library(*answers: Any) -> ModuleType:
    """smallgrad or torch: the library of the student's answer, else the notebook's `t`."""
    for answer in answers:
        lib = _library_from(answer)
        if lib is not None:
            return lib
    notebook_t = getattr(sys.modules.get("__main__"), "t", None)
    if isinstance(notebook_t, ModuleType):
        lib = _root_library(notebook_t.__name__)
        if lib is not None:
            return lib
    return importlib.import_module("smallgrad")


def is_function_class(cls: Any, lib: ModuleType) -> bool:
    return isinstance(cls, type) and issubclass(cls, lib.autograd.Function)


def library_of_function(answer: Any, call: str) -> ModuleType:
    """The library of a function the student passes in, e.g. call="check_descend(descend)"."""
    if not callable(answer):
        wrong(f"pass the function itself: {call}.")
        raise CheckOver
    return library(answer)


def library_of_function_class(answer: Any, message: str) -> ModuleType:
    """The library of an autograd.Function subclass the student passes in."""
    lib = library(answer)
    if not is_function_class(answer, lib):
        wrong(message)
        raise CheckOver
    return lib


def rng(seed: int) -> np.random.Generator:
    """The checkers' random inputs: seeded, so a verdict never changes from run to run."""
    return np.random.default_rng(seed)


def tensor(lib: ModuleType, array: Any, requires_grad: bool = False, dtype: str = "float64"):
    return lib.tensor(np.asarray(array).tolist(), dtype=getattr(lib, dtype),
                      requires_grad=requires_grad)
