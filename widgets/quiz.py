"""Predict, then reveal: the stepper's quiz, as a pure model (no widgets here).

Before an edge's gradient is shown, the student types what they think flows on it:

    text = question(edge)              # None for a step with nothing to ask
    verdict = check(edge, "[2, 3]")    # verdict.right, verdict.message (a hint if wrong)

`edge` is an engine record (smallgrad.autograd.engine.EdgeStep). The answer is compared
with the grad the engine really sent, within TOLERANCE. Nothing here is random.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from smallgrad import Tensor
from smallgrad.autograd import AccumulateGrad, EdgeStep
from smallgrad.autograd import inspect as graph_inspect

from . import explain, model
from .messages import text

RTOL, ATOL = 0.01, 1e-4  # an answer rounded to 2-3 significant digits counts as right


@dataclass(frozen=True)
class Verdict:
    """Whether the prediction was right, and what to tell the student."""

    right: bool
    message: str


def _asks_for_sum(edge) -> bool:
    """At a tensor's second (or later) part, ask for the sum so far: forgetting to add the
    parts at a fan-out is the mistake worth catching."""
    return edge.total is not edge.grad


def expected(edge) -> Tensor:
    """What the question asks for: the grad on the edge, or the sum so far at a later part."""
    return edge.total if _asks_for_sum(edge) else edge.grad


def target_name(edge, names: Mapping[str, Tensor] | None = None) -> str:
    """The user's name for the tensor the grad flows into (looked up by identity)."""
    lookup = model.Names(model.namespace_tensors() if names is None else names)
    if isinstance(edge.dst, AccumulateGrad):
        name = lookup.of(edge.dst.variable)
    else:
        found = lookup.results.get((edge.dst, edge.dst_slot))
        name = found[0] if found else None
    if name is None:
        several = graph_inspect.n_outputs(edge.dst) > 1
        name = (text("card.output_of", slot=edge.dst_slot, node=edge.dst.name()) if several
                else text("quiz.output", node=edge.dst.name()))
    return name


def question(step, names: Mapping[str, Tensor] | None = None,
             root: str | None = None) -> str | None:
    """The prompt for an engine step, or None if there is nothing to predict (only edges,
    where a gradient flows, are asked about). `names` as for the widgets (default: the
    caller's namespace); `root`, if given, names the tensor backward started from."""
    if not isinstance(step, EdgeStep):
        return None
    inp = target_name(step, names)
    if not _asks_for_sum(step):
        return text("quiz.ask", src=step.src.name(), inp=inp)
    grad = text("quiz.named_grad", root=root, inp=inp) if root else text("quiz.its_grad")
    return text("quiz.ask_sum", src=step.src.name(), inp=inp, grad=grad)


def parse(answer: str) -> np.ndarray | None:
    """A number or nested lists of numbers ("2", "-0.5", "[[1, 2], [3, 4]]",
    "tensor([1., 2.])") as an array; None if it is not one."""
    written = answer.strip()
    if written.startswith("tensor(") and written.endswith(")"):
        written = written[len("tensor("):-1]
    written = written.replace("−", "-")
    try:
        literal = ast.literal_eval(written)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not _all_numbers(literal):
        return None
    try:
        array = np.array(literal, dtype=np.float64)
    except ValueError:  # ragged lists
        return None
    return array


def _all_numbers(literal: object) -> bool:
    if isinstance(literal, (list, tuple)):
        return len(literal) > 0 and all(_all_numbers(item) for item in literal)
    return isinstance(literal, (int, float)) and not isinstance(literal, bool)


def _numbers(t: Tensor) -> np.ndarray:
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL,
                                                   equal_nan=True))


def check(step, answer: str, *, upstream: Tensor | None = None,
          names: Mapping[str, Tensor] | None = None) -> Verdict:
    """Compare the student's `answer` with the real grad of the edge `step`.

    `upstream` (the grad that came into the edge's node, if the caller knows it) lets the
    hint say "you forgot the local derivative"."""
    guess = parse(answer)
    if guess is None:
        return Verdict(False, text("quiz.unparsable"))
    right = _numbers(expected(step))
    if guess.size == 1 and right.size == 1:
        guess = guess.reshape(right.shape)  # 3 for tensor([3.]), or [3] for a scalar: fine
    if _close(guess, right):
        return Verdict(True, explain.block_text("quiz.right", value=explain.value(expected(step))))
    return Verdict(False, text("quiz.wrong", hint=_hint(step, guess, right, upstream, names)))


def _hint(edge, guess: np.ndarray, right: np.ndarray, upstream: Tensor | None,
          names) -> str:
    inp = target_name(edge, names)
    src = edge.src.name()
    if guess.shape != right.shape:
        used = _used_shape(edge)
        if used is not None and guess.shape == used:  # the shape before the broadcast sum
            dims = explain.broadcast_dims(right.shape, used)
            return text("quiz.hint_broadcast", inp=inp, src=src, big=explain.shape(used),
                        small=explain.shape(right.shape),
                        dims=", ".join(text("rule.dim", d=d, size=used[d]) for d in dims))
        return text("quiz.hint_shape", shape=explain.shape(right.shape))
    if _asks_for_sum(edge) and _close(guess, _numbers(edge.grad)):
        return text("quiz.hint_fan_in", inp=inp)
    if np.any(right != 0) and _close(-guess, right):
        return text("quiz.hint_sign")
    if upstream is not None and not _asks_for_sum(edge):
        g = _numbers(upstream)
        if _close(guess, g):
            return text("quiz.hint_upstream", src=src, inp=inp)
        if g.shape == right.shape and np.all(g != 0) and _close(guess, right / g):
            return text("quiz.hint_local", src=src)
    return text("quiz.hint_generic", src=src, inp=inp)


def _used_shape(edge) -> tuple | None:
    """The shape the edge's node worked at (its output's), when it broadcasts its inputs."""
    if edge.src.name() not in explain.BROADCASTING:
        return None
    meta = graph_inspect.output_metadata(edge.src)
    return tuple(meta[0][0]) if meta and meta[0][0] is not None else None

