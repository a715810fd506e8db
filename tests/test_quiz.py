"""Predict, then reveal (widgets/quiz.py): questions and verdicts on the real engine's records."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import smallgrad as t
from smallgrad.autograd import CallStep, EdgeStep, backward_steps
from widgets import quiz


def edges(root):
    """The engine's records for root.backward(), and the edge records among them."""
    records = list(backward_steps(root))
    return records, [r for r in records if isinstance(r, EdgeStep)]


def upstream_of(records, edge):
    return next(r.grad_outputs[0] for r in records
                if isinstance(r, CallStep) and r.node is edge.src)


def scalar_graph():
    x = t.tensor(3.0, requires_grad=True)
    w = t.tensor(2.0, requires_grad=True)
    y = w * x
    z = y * 5
    return {"x": x, "w": w, "y": y, "z": z}


def test_questions_are_asked_at_edges_only_and_name_the_nodes():
    names = scalar_graph()
    records, found = edges(names["z"])
    asked = [quiz.question(r, names) for r in records]
    assert [q is not None for q in asked] == [isinstance(r, EdgeStep) for r in records]
    into_x = next(e for e in found if e.dst is names["x"]._edge()[0])
    assert quiz.question(into_x, names) == (
        "What gradient flows from MulBackward0 into x? (a number, or a small tensor like "
        "[[1, 2], [3, 4]])")
    into_y = found[0]
    assert quiz.question(into_y, names).startswith("What gradient flows from MulBackward0 into y?")
    assert quiz.question(into_y, {}).startswith(
        "What gradient flows from MulBackward0 into the output of MulBackward0?")


def test_a_right_number_within_rounding_is_right():
    names = scalar_graph()
    _, found = edges(names["z"])
    into_x = next(e for e in found if e.dst is names["x"]._edge()[0])  # 5 · w = 10
    for answer in ("10", " 10.0 ", "10.04", "tensor(10.)", "[10]"):
        verdict = quiz.check(into_x, answer, names=names)
        assert verdict.right, answer
        assert verdict.message == "Right: 10."
    assert not quiz.check(into_x, "10.5", names=names).right


def test_wrong_answers_get_a_hint_that_names_the_idea():
    names = scalar_graph()
    records, found = edges(names["z"])
    into_x = next(e for e in found if e.dst is names["x"]._edge()[0])
    up = upstream_of(records, into_x)  # ∂z/∂y = 5
    sign = quiz.check(into_x, "-10", upstream=up, names=names)
    assert not sign.right and "Check the sign" in sign.message
    forgot_local = quiz.check(into_x, "5", upstream=up, names=names)
    assert "That is the gradient arriving at MulBackward0; multiply it by the local derivative" \
        in forgot_local.message
    forgot_upstream = quiz.check(into_x, "2", upstream=up, names=names)  # w alone
    assert "That is the local derivative alone" in forgot_upstream.message
    other = quiz.check(into_x, "7", upstream=up, names=names)
    assert other.message.startswith("Not quite. Use the chain rule")
    assert not any(v.right for v in (sign, forgot_local, forgot_upstream, other))


def test_tensor_answers_and_the_shape_hint():
    w = t.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    z = (w * w).sum()
    _, found = edges(z)
    into_w = found[-1]
    assert tuple(into_w.grad.shape) == (2, 3)
    right = quiz.check(into_w, "[[2, 4, 6], [8, 10, 12]]", names={"w": w})
    assert right.right and right.message.startswith("Right: [2, 3] tensor([[ 2.,  4.,  6.],")
    flat = quiz.check(into_w, "[2, 4, 6, 8, 10, 12]", names={"w": w})
    assert flat == quiz.Verdict(False, "Not quite. The gradient has the shape of the tensor "
                                       "it flows into: [2, 3].")


def test_a_forgotten_broadcast_sum_is_named_with_its_dims():
    a = t.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    b = t.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    z = (a * b).sum()
    names = {"a": a, "b": b}
    _, found = edges(z)
    into_b = next(e for e in found if e.dst is b._edge()[0])
    unsummed = "[[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]"  # ∂z/∂y ⊙ a before the sum
    verdict = quiz.check(into_b, unsummed, names=names)
    assert verdict.message == ("Not quite. b was broadcast to [3, 4] in MulBackward0: its "
                               "gradient is summed over dim 0 (size 3) back to [1, 4].")
    assert quiz.check(into_b, "[[6, 6, 6, 6]]", names=names).right
    into_a = next(e for e in found if e.dst is a._edge()[0])
    assert "summed over dim 1 (size 4) back to [3, 1]" in quiz.check(
        into_a, unsummed, names=names).message


def test_a_forgotten_sum_at_a_fan_out():
    x = t.tensor(3.0, requires_grad=True)
    y = x * x  # x reaches MulBackward0 twice: 3 + 3
    _, found = edges(y)
    first, second = found
    assert quiz.question(first, {"x": x}).startswith("What gradient flows from MulBackward0")
    assert quiz.question(second, {"x": x}).startswith(
        "x is used more than once. What is its gradient so far, once the part from "
        "MulBackward0 has arrived?")
    assert quiz.question(second, {"x": x}, root="y").startswith(
        "x is used more than once. What is ∂y/∂x so far, once the part from MulBackward0")
    only_the_part = quiz.check(second, "3", names={"x": x})
    assert not only_the_part.right
    assert "That is only this edge's part. x is used more than once" in only_the_part.message
    assert quiz.check(second, "6", names={"x": x}).right
    assert quiz.check(first, "3", names={"x": x}).right


@pytest.mark.parametrize("garbage", ["", "abc", "[1, [2]]", "True", "[]", "1 +", "[1; 2]",
                                     "__import__('os')", "{1: 2}", "3j"])
def test_garbage_says_how_to_type_an_answer(garbage):
    names = scalar_graph()
    _, found = edges(names["z"])
    verdict = quiz.check(found[0], garbage, names=names)
    assert verdict == quiz.Verdict(
        False, "Type a number like 2 or -0.5, or a tensor as nested lists like [1, 2] or "
               "[[1, 2], [3, 4]] (commas between numbers).")


def test_the_verdict_is_a_small_frozen_value_and_checking_is_deterministic():
    names = scalar_graph()
    _, found = edges(names["z"])
    one = quiz.check(found[0], "4", names=names)
    assert one == quiz.check(found[0], "4", names=names)
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.right = True  # type: ignore[misc]
    assert quiz.parse("[[1, 2], [3, 4]]").tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert quiz.parse("−0.5") == np.float64(-0.5)  # a typographic minus, as the cards print
