"""Compare what torch showed with what smallgrad showed, and name each difference.

A Disagreement has an `aspect` (what differs: a value, a grad, the graph, the error, ...)
and a short `detail`; the two together are its `kind`, the class of bug it stands for.
The shrinker keeps a program only while it still disagrees in the same kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .observer import TORCH_WARNED, Failed, Outcome, Values
from .program import made_from_numbers

# What can differ, the worst first: silently different numbers, then flags, then wrong
# code accepted (or right code refused), then graphs, warnings and words. (Past a different
# exception everything differs, so then only the exception is reported.)
ASPECTS = (
    "value", "grad", "dtype", "shape", "grad dtype", "requires_grad", "is_leaf", "retains_grad",
    "grad requires_grad", "identity", "version", "only torch raises", "only smallgrad raises",
    "exception class", "graph", "grad graph", "warnings", "exception message",
)

CALL = re.compile(r"\.(\w+)\(")  # t.mm( a.sum( -> mm, sum
GRAD_MODES = ("no_grad", "enable_grad", "set_grad_enabled")
SETITEM = re.compile(r"\]\s*[-+*/]?= ")
TRIGGERED_INTERNALLY = re.compile(r" \(Triggered internally at [^)]*\)")

# (relative tolerance, scaled by the largest magnitude of torch's values) per dtype
TOLERANCE = {"float16": 1e-3, "float32": 1e-5, "float64": 1e-9}


@dataclass(frozen=True)
class Disagreement:
    aspect: str
    detail: str  # short and stable: with the aspect it is the class of bug
    where: str  # the name (or statement) it shows at
    torch: str
    smallgrad: str

    @property
    def kind(self) -> tuple[str, str]:
        return self.aspect, self.detail

    def __str__(self) -> str:
        return (f"{self.aspect} ({self.detail}) at {self.where}:\n"
                f"    torch:     {self.torch}\n    smallgrad: {self.smallgrad}")


def compare(statements: tuple[str, ...], torch: Outcome, smallgrad: Outcome) -> list[Disagreement]:
    errors = compare_errors(statements, torch, smallgrad)
    if errors:
        return errors  # past a different error, everything else differs too
    found = []
    differing: list[str] = []
    for key in dict.fromkeys([*torch.record, *smallgrad.record]):
        if any(key.startswith(parent + ".") for parent in differing):
            continue  # `a.grad` is a tensor on one side only: its dtype, ... say no more
        expected, actual = torch.record.get(key, "nothing"), smallgrad.record.get(key, "nothing")
        if not same_at(key, statements, torch.record, smallgrad.record):
            differing.append(key)
            aspect = aspect_of(key)
            found.append(Disagreement(aspect, detail_of(aspect, expected, actual), key,
                                      shown(expected), shown(actual)))
    if not same_warnings(torch, smallgrad):
        found.append(Disagreement("warnings", first_warning_difference(torch, smallgrad),
                                  "the program's warnings", str(torch.warnings),
                                  str(smallgrad.warnings)))
    return found


def compare_errors(statements, torch: Outcome, smallgrad: Outcome) -> list[Disagreement]:
    """The first statement at which one library raised and the other did not, or both
    raised differently."""
    never = (len(statements), None)
    (torch_index, torch_error), (our_index, our_error) = (torch.error or never,
                                                          smallgrad.error or never)
    if our_index < torch_index:
        detail = f"{our_error.error} in {ops_in(statements[our_index])}: {our_error.message[:50]}"
        return [Disagreement("only smallgrad raises", detail, statement(statements, our_index),
                             "no exception", str(our_error))]
    if torch_index < our_index:
        detail = f"{torch_error.error} in {ops_in(statements[torch_index])}"
        return [Disagreement("only torch raises", detail, statement(statements, torch_index),
                             str(torch_error), "no exception")]
    if torch_error is None:
        return []
    where, ops = statement(statements, torch_index), ops_in(statements[torch_index])
    if torch_error.error != our_error.error:
        return [Disagreement("exception class", f"{torch_error.error} / {our_error.error} in {ops}",
                             where, str(torch_error), str(our_error))]
    if not same_message(torch_error.message, our_error.message):
        return [Disagreement("exception message", f"{torch_error.error} in {ops}", where,
                             torch_error.message, our_error.message)]
    return []


def ops_in(statement: str) -> str:
    """What a statement calls, for naming a class: 'mv', 'sum/backward', '[] =', '@'."""
    calls = [call for call in CALL.findall(statement) if call not in GRAD_MODES]
    if SETITEM.search(statement):
        calls.append("[] =")
    calls += [symbol for symbol in ("+=", "-=", "*=", "/=", "@", "**") if symbol in statement]
    if not calls:
        calls = [symbol for symbol in ("+", "-", "*", "/", "[") if symbol in statement]
    return "/".join(dict.fromkeys(calls)) or "?"


def same_message(torch: str, smallgrad: str) -> bool:
    """Torch's words; smallgrad may add what the op and the shapes were, in parentheses
    (the project's rule for bad input), e.g. '... dimension 0 (add: shapes [3] and [5])'."""
    torch, smallgrad = neutral_text(torch), neutral_text(smallgrad)
    return smallgrad == torch or smallgrad.startswith(torch + " (")


def statement(statements, index: int) -> str:
    return f"statement {index + 1} `{statements[index]}`"


def same_warnings(torch: Outcome, smallgrad: Outcome) -> bool:
    """The same warnings (category and text, at the same statement), except that torch
    may stay silent about what it already said once in this process."""
    said_once = {neutral_text(message) for message in TORCH_WARNED}
    expected = [neutral(warning) for warning in torch.warnings]
    actual = [warning for warning in map(neutral, smallgrad.warnings)
              if warning in expected or warning[2] not in said_once]
    return expected == actual


def first_warning_difference(torch: Outcome, smallgrad: Outcome) -> str:
    expected, actual = list(map(neutral, torch.warnings)), list(map(neutral, smallgrad.warnings))
    only_torch = [f"only torch: {w[2][:50]}" for w in expected if w not in actual]
    only_smallgrad = [f"only smallgrad: {w[2][:50]}" for w in actual if w not in expected]
    return (only_torch + only_smallgrad + ["in another order"])[0]


def neutral(warning: tuple[int, str, str]) -> tuple[int, str, str]:
    index, category, message = warning
    return index, category, neutral_text(message)


def neutral_text(message: str) -> str:
    """Without the library's name, and without where in torch's C++ a warning came from."""
    return TRIGGERED_INTERNALLY.sub("", message).replace("torch", "smallgrad")


def aspect_of(key: str) -> str:
    """'a.grad.value' -> 'grad', 'a.value' -> 'value', 'a.grad.graph' -> 'grad graph'."""
    parts = key.rsplit(".", 2)
    last = parts[-1]
    if last.startswith("version change"):
        return "version"
    on_grad = len(parts) == 3 and parts[-2] == "grad"
    if last == "grad" or (on_grad and last == "value"):
        return "grad"
    if on_grad and last in ("dtype", "graph", "requires_grad"):
        return f"grad {last}"
    if last in ASPECTS:
        return last
    return "value" if not on_grad else "grad"


def detail_of(aspect: str, expected: Any, actual: Any) -> str:
    if isinstance(actual, Failed) and not isinstance(expected, Failed):
        return f"smallgrad cannot show it: {actual.error}"
    if aspect in ("value", "grad"):
        return expected.dtype if isinstance(expected, Values) else type(expected).__name__
    if aspect in ("graph", "grad graph"):
        return first_node_difference(expected, actual)
    if aspect in ("version", "identity"):
        return ""
    return f"torch {shown(expected)} / smallgrad {shown(actual)}"[:80]


def first_node_difference(expected: tuple | None, actual: tuple | None) -> str:
    """The first node whose name (or edges) differs, e.g. 'StdBackward0 / PowBackward0'."""
    if not isinstance(expected, tuple) or not isinstance(actual, tuple):
        return f"{names(expected)[:40]} / {names(actual)[:40]}"
    for ours, theirs in zip(expected, actual):
        if ours[0] != theirs[0]:
            return f"{ours[0]} / {theirs[0]}"
        if ours != theirs:
            return f"edges of {ours[0]}"
    return f"{len(expected)} nodes / {len(actual)} nodes"


def names(graph: Any) -> str:
    if isinstance(graph, tuple):
        return graph[0][0]
    return str(graph)


def shown(value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], tuple) and len(value[0]) == 3:
        return " ".join(f"{i}:{name}->{[e for e, _ in edges]}" + (f"[{target}]" if target else "")
                        for i, (name, edges, target) in enumerate(value))  # a graph
    return str(value)


def same_at(key: str, statements: tuple[str, ...], expected: dict[str, Any],
            actual: dict[str, Any]) -> bool:
    """Do two records of the program agree at `key` (`v3.value`, `a.grad.value`, ...)?"""
    # float32 results promoted to float64 carry float32's rounding (both libraries'
    # float32 sums may differ in the last bit); values made straight from numbers don't
    loose = mixes_precisions(expected) and key not in {
        f"{name}.value" for name in made_from_numbers(statements)}
    return same(expected.get(key, "nothing"), actual.get(key, "nothing"),
                "float32" if loose else None)


def mixes_precisions(record: dict[str, Any]) -> bool:
    dtypes = {value for key, value in record.items() if key.endswith(".dtype")}
    return {"float32", "float64"} <= dtypes


def same(expected: Any, actual: Any, tolerance_of: str | None = None) -> bool:
    """Equal, or for floats close, within the tolerance of their dtype (or of `tolerance_of`
    where that is looser)."""
    if isinstance(expected, Values) and isinstance(actual, Values):
        dtype = expected.dtype
        if tolerance_of and TOLERANCE.get(tolerance_of, 0) > TOLERANCE.get(dtype, 0):
            dtype = tolerance_of
        return expected.dtype == actual.dtype and close(expected.array, actual.array, dtype)
    if isinstance(expected, str) and isinstance(actual, str):
        return neutral_text(expected) == neutral_text(actual)  # 'torch.FloatTensor'
    if isinstance(expected, float) and isinstance(actual, float):
        return close(np.array(expected), np.array(actual), python_float_dtype(expected))
    if type(expected) is not type(actual) and not (
            isinstance(expected, (int, float)) and isinstance(actual, (int, float))
            and isinstance(expected, bool) == isinstance(actual, bool)):
        return False
    return expected == actual


def close(expected: np.ndarray, actual: np.ndarray, dtype: str) -> bool:
    if expected.shape != actual.shape:
        return False
    if dtype not in TOLERANCE:
        return bool(np.array_equal(expected, actual))
    expected, actual = expected.astype(np.float64), actual.astype(np.float64)
    finite = np.isfinite(expected)
    if not np.array_equal(finite, np.isfinite(actual)):
        return False
    if not np.array_equal(expected[~finite], actual[~finite], equal_nan=True):
        return False  # inf, -inf and nan in the same places
    if not finite.any():
        return True
    tolerance = TOLERANCE[dtype]
    scale = max(1.0, float(np.abs(expected[finite]).max()))
    return bool(np.allclose(actual[finite], expected[finite], rtol=tolerance,
                            atol=tolerance * scale))


def python_float_dtype(number: float) -> str:
    """A Python float from .item() or .tolist() has no dtype: if torch's is exact in float32
    it most likely came from a float32 tensor, and float32's tolerance applies."""
    return "float32" if float(np.float32(number)) == number else "float64"
