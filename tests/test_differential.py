"""Random programs, run by smallgrad and by PyTorch, must agree.

Hypothesis writes a small Python program over one to three leaf tensors, for example

    v0 = t.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -2.0]], requires_grad=True)
    v1 = t.tensor([1.0, -0.5, 0.5], requires_grad=True)
    v2 = v0 * v1
    v3 = v2.exp()
    v4 = v3[:, [0, 0, 2]]
    v5 = v4.sum(1) + v2.max()

and runs the very same text once with `t = torch` and once with `t = smallgrad`.
Values are reused (fan-out), shapes broadcast, and the ops include indexing, reductions,
unary and binary functions, and a few in-place ops. Then, after `backward()`, the two
runs must agree on:

  * every value (allclose), its dtype, requires_grad, is_leaf, grad_fn name and whether
    it is contiguous in memory (that decides whether view() works);
  * the whole backward graph below the output (node names, and which slot each
    next_functions edge feeds);
  * the grads of the leaves, and of every intermediate (each one calls retain_grad());
  * the order in which hooks on all of them fire (the engine's order);
  * the error, when backward fails because a saved value was changed in place;
  * repr() of the output and of the grads, character for character.

Float32 results of exp, sin, ... can differ in the last bit between NumPy and PyTorch,
which can change a printed digit. So the general test compares reprs with the digits
masked, and a second test, restricted to operations whose float32 results are exact
(+, -, *, max, indexing, ... on small halves), demands identical bits and identical
reprs.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

import smallgrad

# SMALLGRAD_EXAMPLES=5000 for a longer hunt than the suite's default
SETTINGS = settings(max_examples=int(os.environ.get("SMALLGRAD_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

HALVES = [x / 2 for x in range(-4, 5)]  # -2.0, -1.5, ..., 2.0: exact in float32
LEAF_SHAPES = [(2, 3), (3,), (1, 3), (2, 1), (), (2, 2, 3), (3, 3)]


# --- the operations a program may use ----------------------------------------------------
# Each one turns the names of its inputs (and the shape of the first) into source text, or
# gives None when it does not apply. The text is run as it is, under torch and smallgrad.
def dim(draw, shape, extra=0):
    return draw(st.integers(-len(shape) - extra, len(shape) - 1 + extra))


def unary(template):
    return lambda draw, shape, a: template.format(a=a)


EXACT_UNARY = [
    unary("-{a}"),
    unary("{a}.relu()"),
    unary("t.abs({a})"),
    unary("{a}.clamp(-1, 1)"),
    unary("{a}.clamp(min=0)"),
    unary("{a} * 2"),
    unary("1 - {a}"),
    unary("{a} - 0.5"),
    unary("{a} / 2"),
    unary("{a} ** 2"),
    unary("{a}.clone()"),
    unary("{a}.contiguous()"),
    unary("{a}.sum()"),
    lambda draw, shape, a: f"{a}.sum({dim(draw, shape)}, keepdim={draw(st.booleans())})"
    if shape else None,
    unary("{a}.max()"),
    lambda draw, shape, a: f"{a}.max({dim(draw, shape)}, keepdim={draw(st.booleans())})[0]"
    if shape else None,
    lambda draw, shape, a: f"t.min({a}, dim={dim(draw, shape)}).values" if shape else None,
    # shapes and views
    unary("{a}.reshape(-1)"),
    lambda draw, shape, a: f"{a}.view({', '.join(map(str, shape[::-1]))})" if shape else None,
    lambda draw, shape, a: f"{a}.transpose(0, {dim(draw, shape)})" if shape else None,
    lambda draw, shape, a: f"{a}.t()" if len(shape) <= 2 else None,
    lambda draw, shape, a: f"{a}.T" if len(shape) == 2 else None,
    lambda draw, shape, a: f"{a}.permute({', '.join(map(str, range(len(shape))[::-1]))})"
    if shape else None,
    lambda draw, shape, a: f"{a}.unsqueeze({dim(draw, shape, extra=1)})",
    unary("{a}.squeeze()"),
    lambda draw, shape, a: f"{a}.squeeze({dim(draw, shape)})" if shape else None,
    lambda draw, shape, a: f"{a}.expand(2, {', '.join(map(str, shape))})",
    # indexing
    lambda draw, shape, a: f"{a}[{draw(st.integers(-shape[0], shape[0] - 1))}]"
    if shape and shape[0] else None,
    lambda draw, shape, a: f"{a}[1:]" if shape else None,
    lambda draw, shape, a: f"{a}[:, ::2]" if len(shape) >= 2 else None,
    unary("{a}[None]"),
    lambda draw, shape, a: f"{a}[..., {draw(st.integers(0, shape[-1] - 1))}]"
    if shape and shape[-1] else None,
    lambda draw, shape, a: f"{a}[{draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4))}]"  # noqa: E501
    if shape and shape[0] else None,  # a list index, often with repeats
    lambda draw, shape, a: f"{a}[:, {draw(st.lists(st.integers(0, shape[1] - 1), min_size=1, max_size=4))}]"  # noqa: E501
    if len(shape) >= 2 and shape[1] else None,
    unary("{a}[{a} > 0]"),  # a boolean mask
]

INEXACT_UNARY = [
    unary("{a}.exp()"),
    unary("t.exp({a} / 2)"),
    unary("{a}.sin()"),
    unary("t.cos({a})"),
    unary("{a}.tanh()"),
    unary("t.sigmoid({a})"),
    unary("({a}.abs() + 1).log()"),
    unary("t.sqrt({a} * {a} + 1)"),
    unary("{a}.pow(3)"),
    unary("2 ** {a}"),
    unary("1 / ({a}.abs() + 1)"),
    unary("{a}.mean()"),
    lambda draw, shape, a: f"{a}.mean({dim(draw, shape)})" if shape else None,
    lambda draw, shape, a: f"{a}.var({dim(draw, shape)})" if shape and min(shape) > 1 else None,
    unary("{a}.norm()"),
    lambda draw, shape, a: f"t.softmax({a}, {dim(draw, shape)})" if shape else None,
    lambda draw, shape, a: f"{a}.log_softmax({dim(draw, shape)})" if shape else None,
    unary("{a}.double()"),
    unary("{a}.float()"),
]

EXACT_BINARY = [
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} * {a}",  # fan-out: one tensor, two edges
    "t.where({a} > {b}, {a}, {b})",
    "{a} * ({b} > 0)",  # float * bool
    "t.cat([{a}, {b}])",
    "t.cat([{a}, {b}], -1)",
    "t.stack([{a}, {b}])",
]

# In place, on a value that is neither a view (smallgrad does not record in-place changes
# to views of tensors that require grad) nor has views (torch 2.13 crashes when a hook is
# put on such a view afterwards; test_differential_semantics checks that case without
# hooks). Changing a value that a node saved makes the backward fail: then both must
# fail alike.
INPLACE = [
    "{a}.mul_(2)",
    "{a}.add_({b})",
    "{a}.sub_(0.5)",
    "{a}.div_(2)",
    "{a}.zero_()",
]

INEXACT_BINARY = [
    "{a} / ({b} * {b} + 1)",
    "({a}.abs() + 1) ** {b}",
    "{a} @ {b}",
    "t.matmul({a}, {b}.t())",
]


# --- writing and running programs --------------------------------------------------------
def literal(array: np.ndarray) -> str:
    return repr(array.tolist())


def draw_program(draw, torch, exact: bool) -> list[str]:
    """Source lines of a random program; the last value is the output.

    Each candidate line is tried in torch as it is written: a line torch refuses (a
    shape mismatch, say) is left out, so that every program runs in torch.
    """
    unaries = EXACT_UNARY + ([] if exact else INEXACT_UNARY)
    binaries = EXACT_BINARY + ([] if exact else INEXACT_BINARY)
    lines, names = [], []
    namespace = {"t": torch}
    for i in range(draw(st.integers(1, 3))):
        shape = draw(st.sampled_from(LEAF_SHAPES))
        values = np.array(draw(st.lists(st.sampled_from(HALVES), min_size=int(np.prod(shape)),
                                        max_size=int(np.prod(shape))))).reshape(shape)
        requires_grad = i == 0 or draw(st.booleans())
        dtype = ", dtype=t.float64" if not exact and draw(st.integers(0, 5)) == 0 else ""
        line = f"v{i} = t.tensor({literal(values)}{dtype}, requires_grad={requires_grad})"
        exec(line, namespace)
        lines.append(line)
        names.append(f"v{i}")
    for _ in range(draw(st.integers(1, 6))):
        a = draw(st.sampled_from(names[-3:] + names))  # mostly recent values: deeper graphs
        value = namespace[a]
        if (draw(st.integers(0, 5)) == 0 and value._base is None
                and not any(namespace[n]._base is value for n in names)):
            expression = draw(st.sampled_from(INPLACE)).format(a=a, b=draw(st.sampled_from(names)))
        elif draw(st.booleans()):
            expression = draw(st.sampled_from(unaries))(draw, tuple(namespace[a].shape), a)
        else:
            b = draw(st.sampled_from(names))
            expression = draw(st.sampled_from(binaries)).format(a=a, b=b)
        if expression is None:
            continue
        line = f"v{len(names)} = {expression}"
        try:
            exec(line, namespace)
        except (RuntimeError, IndexError, ValueError):
            continue  # torch refuses it (the error tests check that smallgrad does too)
        if namespace[f"v{len(names)}"].dtype == torch.bool:
            continue
        lines.append(line)
        names.append(f"v{len(names)}")
    return lines


def run(lines: list[str], module, gradient: np.ndarray | None) -> dict:
    """Run the program with `t = module`, retain every grad, log the order in which the
    hooks of all values fire, and backward from the output."""
    namespace = {"t": module}
    exec("\n".join(lines), namespace)
    values = [namespace[f"v{i}"] for i in range(len(lines))]
    hook_order: list[str] = []
    for i, v in enumerate(values):
        if v.requires_grad:
            v.register_hook(lambda grad, name=f"v{i}": hook_order.append(name))
            if not v.is_leaf:
                v.retain_grad()
    out = values[-1]
    error = None
    if out.requires_grad:
        try:
            if gradient is None:
                out.backward()
            else:
                out.backward(module.tensor(gradient, dtype=out.dtype))
        except RuntimeError as failure:  # e.g. a saved value was changed in place
            error = as_smallgrad(str(failure)).partition(" Hint:")[0]  # the hints differ
    return {"values": values, "out": out, "hook_order": hook_order, "error": error}


# --- comparing the two runs ---------------------------------------------------------------
def as_smallgrad(text: str) -> str:
    return text.replace("torch::autograd::", "smallgrad::autograd::").replace(
        "torch.", "smallgrad.")


def node_name(node) -> str | None:
    return None if node is None else as_smallgrad(node.name())


def graph_of(tensor) -> list:
    """The backward graph below `tensor`: for each node, in the order a breadth-first walk
    meets them, its name and its edges as (number of the next node or None, slot)."""
    if tensor.grad_fn is None:
        return []
    number, order, graph = {tensor.grad_fn: 0}, [tensor.grad_fn], []
    for node in order:  # `order` grows while we walk it
        edges = []
        for child, slot in node.next_functions:
            if child is not None and child not in number:
                number[child] = len(order)
                order.append(child)
            edges.append((None if child is None else number[child], slot))
        graph.append((node_name(node), edges))
    return graph


NUMBER = re.compile(r"-?(nan|inf|\d+\.?\d*(e[+-]\d+)?)")


def masked(text: str) -> str:
    """A repr with every number replaced by '#' and no white space (it pads numbers)."""
    return re.sub(r"\s+", "", NUMBER.sub("#", text))


def array_of(tensor) -> np.ndarray:
    return tensor.detach().numpy()


def describe(tensor) -> tuple:
    # is_contiguous too: the memory layout decides whether view() works, and which node
    # reshape makes (ViewBackward0, ReshapeAliasBackward0, or a copy first)
    return (tuple(tensor.shape), as_smallgrad(str(tensor.dtype)), tensor.requires_grad,
            tensor.is_leaf, node_name(tensor.grad_fn), tensor.is_contiguous())


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to the last bit, so -0. differs from 0. (np.array_equal says they are equal)."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def compare_reprs(ours, theirs, exact: bool) -> None:
    """Identical values must print identically; otherwise (a last-bit difference after
    exp, or the sign of a zero that BLAS's matmul leaves) compare all but the digits."""
    mine, expected = repr(ours), as_smallgrad(repr(theirs))
    if exact or same_bits(array_of(ours), array_of(theirs)):
        assert mine == expected
    else:
        assert masked(mine) == masked(expected)


def compare_runs(ours: dict, theirs: dict, exact: bool) -> None:
    tolerances = {"rtol": 1e-4, "atol": 1e-5, "equal_nan": True}
    for i, (mine, expected) in enumerate(zip(ours["values"], theirs["values"])):
        assert describe(mine) == describe(expected), f"v{i}"
        if exact:
            assert same_bits(array_of(mine), array_of(expected)), f"v{i}"
        else:
            np.testing.assert_allclose(array_of(mine), array_of(expected), err_msg=f"v{i}",
                                       **tolerances)
        assert (mine.grad is None) == (expected.grad is None), f"v{i}.grad"
        if expected.grad is not None:
            assert describe(mine.grad) == describe(expected.grad), f"v{i}.grad"
            if exact:
                assert same_bits(array_of(mine.grad), array_of(expected.grad)), f"v{i}.grad"
            else:
                np.testing.assert_allclose(array_of(mine.grad), array_of(expected.grad),
                                           err_msg=f"v{i}.grad", **tolerances)
            compare_reprs(mine.grad, expected.grad, exact)
    assert ours["error"] == theirs["error"]
    assert graph_of(ours["out"]) == graph_of(theirs["out"])
    assert ours["hook_order"] == theirs["hook_order"]  # the engine's order is PyTorch's
    compare_reprs(ours["out"], theirs["out"], exact)


def few_bits(array: np.ndarray) -> bool:
    """Multiples of 1/256 below 4096: sums of a dozen of them are exact in float32."""
    scaled = array.astype(np.float64) * 256
    return bool(np.all(np.abs(array) <= 4096) and np.all(scaled == np.round(scaled)))


def check_program(torch, data, exact: bool) -> None:
    lines = draw_program(data.draw, torch, exact)
    namespace = {"t": torch}
    exec("\n".join(lines), namespace)
    out = namespace[f"v{len(lines) - 1}"]
    gradient = None
    if out.requires_grad and out.numel() != 1:
        gradient = np.array(data.draw(st.lists(st.sampled_from(HALVES), min_size=out.numel(),
                                               max_size=out.numel()), label="gradient"))
        gradient = gradient.reshape(tuple(out.shape))
    backward = "" if gradient is None else f"\nv{len(lines) - 1}.backward({gradient.tolist()})"
    note("\n".join(lines) + backward)
    theirs = run(lines, torch, gradient)
    checked = [array_of(v) for v in theirs["values"]]
    checked += [array_of(v.grad) for v in theirs["values"] if v.grad is not None]
    if exact:
        assume(all(few_bits(a) for a in checked))
    else:
        assume(all(np.all(np.abs(a) < 1e6) for a in checked))  # no overflow to inf
    ours = run(lines, smallgrad, gradient)
    # what the programs exercised (pytest --hypothesis-show-statistics shows the counts)
    event(f"{len(lines)} lines")
    if any("_(" in line for line in lines):
        event("has an in-place op")
    if theirs["error"]:
        event("backward failed (a saved value was changed in place)")
    compare_runs(ours, theirs, exact)


@SETTINGS
@given(data=st.data())
def test_random_programs_match_torch(torch, data):
    check_program(torch, data, exact=False)


@SETTINGS
@given(data=st.data())
def test_exact_programs_match_torch_bit_for_bit(torch, data):
    check_program(torch, data, exact=True)


@pytest.mark.parametrize("program", [
    # graphs worth having every time, whatever hypothesis picks
    ["v0 = t.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)",
     "v1 = t.tensor([2.0, -1.0], requires_grad=True)",
     "v2 = v0 * v1 + v1",
     "v3 = v2[[0, 0, 1]].exp() * v0.sum()",
     "v4 = v3.max(1).values.sum() + v2.norm()"],
    ["v0 = t.tensor([0.5, 1.5, -1.0], requires_grad=True)",
     "v1 = v0 * v0",
     "v2 = v1 * v0 - v1.sin()",
     "v3 = t.stack([v2, v1, v0]).softmax(0)[1:, ::2].sum()"],
])
def test_fixed_programs_match_torch(torch, program):
    compare_runs(run(program, smallgrad, None), run(program, torch, None), exact=False)
