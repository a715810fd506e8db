"""Issue 9, class by class: each minimal program must run as it does under PyTorch.

Every test runs its program twice, with `t = torch` and `t = smallgrad`, through the
fuzzer's observer (tests/fuzz/observer.py), which records values, dtypes, grads, flags,
every node of every graph, versions, warnings and the exception; the two records must
agree (tests/fuzz/compare.py says how). Nothing here is a hard-coded answer: torch is
asked each time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import smallgrad
from tests.fuzz.compare import compare, neutral_text
from tests.fuzz.observer import first_line, run
from tests.fuzz.program import Program
from tests.fuzz.statements import SQUARE


def assert_agrees(torch, source: str) -> None:
    program = Program.from_source(source)
    statements = program.statements
    differences = compare(statements, run(statements, torch), run(statements, smallgrad))
    if differences:
        pytest.fail("smallgrad and torch disagree:\n" + "\n".join(map(str, differences))
                    + "\nprogram:\n" + program.snippet(), pytrace=False)


# --- silently different numbers or grads ------------------------------------------------------
def test_float64_from_python_floats_is_not_rounded_through_float32(torch):
    assert_agrees(torch, """
a = t.tensor(0.1, dtype=t.float64)
value = a.item()
b = t.tensor([0.1, 1/3, 2/3], dtype=t.float64, requires_grad=True)
(b * b).sum().backward()
c = t.full((2,), 0.1, dtype=t.float64) + t.tensor(1/3, dtype=t.float64)
""")


@pytest.mark.parametrize("requires_grad", [False, True])
def test_integer_index_is_a_view_that_sees_its_base_change(torch, requires_grad):
    assert_agrees(torch, f"""
b = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad={requires_grad})
v = b[0]
w = v[1:]
with t.no_grad():
    b.add_(1)
""")


def test_in_place_on_a_view_of_a_view_sends_grads_to_the_right_elements(torch):
    assert_agrees(torch, """
a = t.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
b = a * 1
v = b[1]
w = v[1:]
w.mul_(2)
b.add_(b[0])
b.sum().backward()
""")


def test_a_view_gains_history_when_its_base_does_in_place(torch):
    assert_agrees(torch, """
a = t.tensor([1.0, 2.0], requires_grad=True)
c = t.ones(2, 2)
v = c[0]
c *= a
needs_grad = v.requires_grad
v.sum().backward()
""")


def test_retain_grad_then_in_place(torch):
    assert_agrees(torch, """
a = t.tensor([1.0, 2.0], requires_grad=True)
b = a * 2
b.retain_grad()
b.mul_(3)
b.sum().backward()
""")


@pytest.mark.parametrize("op", ["t.where(a > 1, a, 0.0)", "a[[0, 0, 1]]", "a[a > 1]",
                                "a.max(0)[0]", "a.max(dim=0).values", "a[0] * a", "a.exp()"])
def test_second_backward_without_retain_graph(torch, op):
    # only `op` saves anything: sum() does not
    assert_agrees(torch, f"""
a = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = {op}
loss = y.sum()
loss.backward()
loss.backward()
""")


def test_hook_on_an_input_of_autograd_grad(torch):
    assert_agrees(torch, """
x = t.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
h = y.register_hook(lambda g: g * 10)
grads = t.autograd.grad(y.sum(), [y, x])
""")


def test_flatten_of_a_1d_tensor_is_the_tensor_itself(torch):
    assert_agrees(torch, """
seen = []
x = t.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
f = y.flatten()
same_tensor = f is y
h = f.register_hook(lambda g: seen.append(g))
y.sum().backward()
""")


def test_std_of_a_constant_has_zero_grads(torch):
    assert_agrees(torch, """
x = t.ones(3, requires_grad=True)
x.std().backward()
""")


@pytest.mark.parametrize("reduction", ["var", "std"])
def test_var_and_std_of_one_element_give_nan_grads(torch, reduction):
    assert_agrees(torch, f"""
x = t.tensor([2.0], requires_grad=True)
y = x.{reduction}()
y.backward()
""")


def test_requires_grad_false_after_use(torch):
    assert_agrees(torch, """
x = t.tensor([1.0, 2.0], requires_grad=True)
y = (x * 2).sum()
x.requires_grad = False
y.backward()
""")


def test_leaf_hook_returning_float64_for_a_float32_leaf(torch):
    assert_agrees(torch, """
x = t.tensor([1.0, 2.0], requires_grad=True)
h = x.register_hook(lambda g: g.double())
(x * 2).sum().backward()
""")


@pytest.mark.parametrize("form", ["{op}.sum()", "({op} ** 2).sum()", "{op}.exp().sum()"])
@pytest.mark.parametrize("op", ["x.relu()", "x.abs()", "x[[0, 2]]", "x[1:]", "x[x > 0]",
                                "t.where(x > 0, x, 0.0)", "x.norm(p=1)", "x.clamp(-1, 2)"])
def test_double_backward(torch, op, form):
    assert_agrees(torch, f"""
x = t.tensor([-1.0, 2.0, 3.0], requires_grad=True)
y = {form.format(op=op)}
g, = t.autograd.grad(y, x, create_graph=True)
g.sum().backward()
""")


# --- accepted where torch refuses ---------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "y = x[::-1]", "y = x + [1.0]", "y = 1 - (x > 0)", "y = -(x > 0)",
    "x += x[1]", "y = t.tensor(2.0).sum(dim=1)", "y = t.tensor(2.0).softmax(1)",
    "y = t.tensor([1, 2**63])",
])
def test_refused_like_torch(torch, statement):
    assert_agrees(torch, f"""
x = t.tensor([1.0, -2.0, 3.0])
{statement}
""")


# --- missing features ------------------------------------------------------------------------
@pytest.mark.parametrize("product", [
    "t.mm(a, b)", "a.mm(b)", "t.mv(a, v)", "a.mv(v)", "t.dot(v, v)", "v.dot(v)",
    "t.bmm(a[None], b[None])", "t.t(a) @ a", "a.t() @ a",
])
def test_matrix_products(torch, product):
    assert_agrees(torch, f"""
a = t.tensor([[0.1, 1/3], [2.0, -1.0]], requires_grad=True)
b = t.tensor([[1.5, -0.5], [0.25, 2.0]], dtype=t.float32, requires_grad=True)
v = t.tensor([1/3, 0.7], requires_grad=True)
y = {product}
y.sum().backward()
""")


@pytest.mark.parametrize("assignment", [
    "x[0] = 5", "x[x > 0] = 0", "x[1:] = y[1:] * 2", "x[:, 0] = y[:, 1]", "x[[0, 1]] = 0.5",
    "x[...] = y",
])
def test_setitem_with_autograd_through_it(torch, assignment):
    assert_agrees(torch, f"""
a = t.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
b = t.tensor([[0.1, 1/3], [2.0, -1.0]], requires_grad=True)
x = a * 1
y = b * 2
{assignment}
(x * x).sum().backward()
""")


@pytest.mark.parametrize("change", ["v.mul_(2)", "v.add_(b[0])", "v.zero_()", "v += 1",
                                    "v.copy_(b[1])", "v.clamp_(min=1.0)"])
@pytest.mark.parametrize("view", ["x[0]", "x[:, 1]", "x.t()", "x.view(-1)", "x[None, 0:]",
                                  "x.unsqueeze(0)", "x.T[0]"])
def test_in_place_on_a_view_of_a_tensor_that_requires_grad(torch, view, change):
    assert_agrees(torch, f"""
a = t.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
b = t.tensor([[0.1, 1/3], [2.0, -1.0]], requires_grad=True)
x = a * 1
v = {view}
{change}
(x * x).sum().backward()
""")


def test_set_detect_anomaly(torch):
    assert_agrees(torch, """
t.autograd.set_detect_anomaly(True)
on = t.is_anomaly_enabled()
t.autograd.set_detect_anomaly(False)
off = t.is_anomaly_enabled()
""")


def test_detect_anomaly_names_the_node_that_returned_nan(torch):
    assert_agrees(torch, """
x = t.tensor([0.0, 1.0], requires_grad=True)
with t.autograd.detect_anomaly():
    (x.sqrt() * 0).sum().backward()
""")


def test_saved_tensors_when_nothing_was_saved(torch):
    assert_agrees(torch, """
seen = []
class Double(t.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2
    @staticmethod
    def backward(ctx, grad):
        seen.append(ctx.saved_tensors)
        return grad * 2
x = t.tensor([1.0, 2.0], requires_grad=True)
Double.apply(x).sum().backward()
""")


ANOMALY_LESSON = """\
import {library} as t

x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
with t.autograd.detect_anomaly():
    y = x.exp()          # ExpBackward0 saves its result, y
    z = y * 2
    y.add_(1)            # the guilty in-place op: it changes what ExpBackward0 saved
    z.sum().backward()
"""
GUILTY_LINE = 5  # `y = x.exp()`: the forward op that made the node whose backward fails


def anomaly_report(library: str, tmp_path) -> dict:
    """Run the lesson from a real file, as a student would, and say what the student sees."""
    path = tmp_path / f"lesson_{library}.py"
    path.write_text(ANOMALY_LESSON.format(library=library))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(path.read_text(), str(path), "exec"), {"__name__": "__main__"})
            error = None
        except Exception as exception:  # torch's words, without the library's name
            error = f"{type(exception).__name__}: {neutral_text(first_line(exception))}"
    traceback_warnings = [w for w in caught if "Traceback of forward call" in str(w.message)]
    text = str(traceback_warnings[0].message) if traceback_warnings else ""
    return {
        "error": error,
        "warning categories": sorted({w.category.__name__ for w in caught}),
        "forward tracebacks": len(traceback_warnings),
        "names the failing node": "Error detected in ExpBackward0" in text,
        "names the user's line": f'File "{path}", line {GUILTY_LINE}' in text,
        "shows the line's code": "y = x.exp()" in text,
    }


def test_detect_anomaly_shows_the_forward_line_of_the_failing_node(torch, tmp_path):
    expected = anomaly_report("torch", tmp_path)
    assert expected["names the user's line"], expected  # what torch 2.13 does
    assert anomaly_report("smallgrad", tmp_path) == expected


# --- node names and graph shapes ------------------------------------------------------------
@pytest.mark.parametrize("op", [
    "x.std()", "x.std(0)", "x.add(y, alpha=2)", "x.sub(y, alpha=0.5)", "t.add(x, y, alpha=3)",
    "x[None, 0:]", "x[None]", "x[:, None]", "x.tanh()", "x.sigmoid()", "x.relu()", "x.exp()",
    "x * y", "x / y", "x ** 2", "x.pow(y)", "x.sum(0)", "x.mean()", "x.var(1)", "x.norm()",
    "x.softmax(0)", "x.log_softmax(1)", "x.max(0)[0]", "x @ y.t()", "x[[0, 0]]", "x[x > 0]",
])
def test_graph_and_double_backward_node_names(torch, op):
    assert_agrees(torch, f"""
x = t.tensor([[0.1, -1/3], [2.0, 0.5]], requires_grad=True)
y = t.tensor([[1.5, 0.25], [-0.5, 2.0]], requires_grad=True)
out = {op}
grads = t.autograd.grad(out.sum(), [x], create_graph=True)
""")


def test_grad_accumulated_with_create_graph_is_named_like_torch(torch):
    assert_agrees(torch, """
b = t.ones(2, 3, requires_grad=True)
b.std().backward(create_graph=True)
again = b.grad * 1
b.grad.sum().backward()
""")


def test_copy_backwards_has_the_namespace_prefix(torch):
    assert_agrees(torch, """
x = t.tensor([1.0, 2.0], requires_grad=True)
y = x.double()
(y * y).sum().backward(create_graph=True)
""")


# --- exception classes ------------------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "y.backward([1.0, 1.0, 1.0])", "v = float(t.ones(2))", "v = t.tensor(2**70)",
    "v = t.tensor(['a', 'b'])", "y.backward()", "v = int(t.ones(3))", "x.add_(1)",
    "x[0] = 1.0", "e = x.exp()\ne.add_(1)\ne.sum().backward()",
    "y.sum().backward()\ny.sum().backward()", "v = x.long().requires_grad_()",
    "v = x + t.ones(2)", "v = x.view(2, 2)", "v = x @ t.ones(2)",
])
def test_exception_classes(torch, statement):
    assert_agrees(torch, f"""
x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
{statement}
""")


def test_calling_a_function_instance(torch):
    assert_agrees(torch, SQUARE + """
x = t.tensor([1.0, 2.0], requires_grad=True)
y = Square()(x)
""")


# --- found by the fuzzer (tests/fuzz), beyond the list -------------------------------
def test_a_training_loop_steps_like_torch(torch):
    assert_agrees(torch, """
a = t.tensor(1.0, requires_grad=True)
steps = []
for step in range(3):
    loss = (a * a).sum()
    loss.backward()
    with t.no_grad():
        a -= 1.0 * a.grad
    a.grad.zero_()
    steps.append(a.item())
""")


def test_double_backward_of_a_square_root_at_negative_zero(torch):
    assert_agrees(torch, """
c = t.tensor([0.0, 1.0], requires_grad=True)
v = t.pow(c * -0.2, 0.5)
grads = t.autograd.grad(v.sum(), [c], create_graph=True)
""")


@pytest.mark.parametrize("statement", [
    "v[[0, 1]] = 1.0", "w[[0, 5, 1]] = 9.0", "w[:, [1, 0, 5]] = 9.0", "w[[2, 5], [1, 1]] = 9.0",
    "w[[0, 5]] = t.tensor([1.0, 2.0, 3.0])", "u[[0, 1], :, [1, 7]] = 9.0"])
def test_setitem_with_an_index_out_of_range_writes_the_places_before_it(torch, statement):
    """Both raise IndexError; PyTorch's kernel checks each index as it meets it (row-major
    over the written places), so the places before the bad one are written already."""
    assert_agrees(torch, f"""
v = t.tensor([[1.0, 1.0, 1.0]], dtype=t.float64) + 1
w = t.zeros(3, 3)
u = t.zeros(2, 3, 4)
{statement}
""")


def test_std_of_a_constant_is_exactly_zero(torch):
    assert_agrees(torch, """
x = t.full((2, 3), 0.1, dtype=t.float64)
s = x.std(1)
positive = (s > 0).any()
""")


def test_backward_gives_no_numpy_warnings(torch):
    assert_agrees(torch, """
a = t.tensor([[1.0, 1.0], [0.0, 1.0]], requires_grad=True)
v = a ** (a / 3)
v.sum().backward()
""")


def test_a_saved_tensor_detached_in_place(torch):
    assert_agrees(torch, """
a = t.tensor(1.0, requires_grad=True)
v = a * 2
w = v.cos()
v.detach_()
w.backward()
""")


def test_a_leaf_changed_in_place_after_requires_grad_false(torch):
    assert_agrees(torch, """
b = t.tensor(1.0, requires_grad=True)
v = t.where(b > 0, b, 1.0)
b.requires_grad = False
b.sub_(v)
v.backward()
""")


def test_iterating_over_a_tensor_unbinds_it(torch):
    assert_agrees(torch, """
b = t.tensor([[0.1, 1/3, 2.0], [1.0, -1.0, 0.5]], requires_grad=True)
rows = [row * 2 for row in b]
total = t.stack([row.sum() for row in b])
total.sum().backward()
""")


# --- in-place ops in the graph, as PyTorch builds it --------------------------------------------
def test_in_place_op_saves_a_clone_of_the_old_value(torch):
    """x.mul_(y) needs x's old values for y's grad: PyTorch saves x.clone(), so the grad of
    y made with create_graph reaches x's old history through CloneBackward0."""
    assert_agrees(torch, """
a = t.tensor([0.5, 1/3], requires_grad=True)
y = t.tensor([2.0, 0.1], requires_grad=True)
x = a * 1
x.mul_(y)
z = a.exp()
z.div_(y)
w = a * 2
w.pow_(y)
grads = t.autograd.grad((x + z + w).sum(), [a, y], create_graph=True)
(grads[0].sum() + grads[1].sum()).backward()
""")


def test_second_order_through_a_view_rebuilt_after_in_place(torch):
    """The grad of a view whose base changed in place is as_strided_backward's: copied into
    zeros of the base's storage through an as_strided view, read out as the base."""
    assert_agrees(torch, """
a = t.tensor([[1.0, 2.0], [3.0, 1/3]], requires_grad=True)
b = a * 1
v = b[0]
col = b[:, 1:]
e = b.expand(2, 2, 2)
b.mul_(2)
g, = t.autograd.grad((v * v).sum() + (col * col).sum() + (e * e).sum(), [a], create_graph=True)
g.sum().backward()
""")


def test_second_order_through_copy_slices(torch):
    """x[1] = y makes x's grad_fn CopySlices; its backward with create_graph is PyTorch's:
    CopySlices -> CopyBackwards for the base, CloneBackward0 -> AsStridedBackward0 for y."""
    assert_agrees(torch, """
a = t.tensor([[1.0, 1.0, 1.0], [0.5, 2.0, 1/3]], requires_grad=True)
y = t.tensor([0.1, 0.2, 0.3], requires_grad=True)
x = a * 1
x[1] = y * y
x[:, 0] = 1.0
loss = x.exp().sum()
grads = t.autograd.grad(loss, [a, y, x], create_graph=True)
(grads[0].sum() + grads[1].sum()).backward()
""")


def test_retained_grad_under_create_graph_is_a_clone(torch):
    """retain_grad's hook stores grad.clone(): with create_graph, a CloneBackward0 node; a
    later backward without create_graph adds to it with no graph."""
    assert_agrees(torch, """
b = t.ones(2, 3, requires_grad=True)
v = b * 2
v.retain_grad()
w = v.t()
w.retain_grad()
loss = (v.exp() + w.t()).sum()
grads = t.autograd.grad(loss, [b, v], create_graph=True)
(grads[0] * grads[0]).sum().backward()
""")


def test_backward_inputs_checks_the_outputs_first(torch):
    assert_agrees(torch, """
a = t.tensor([[1.0, 1.0]])
v = t.sigmoid(a * a)
v.sum().backward(inputs=[a])
""")


@pytest.mark.parametrize("product", ["p.mv(q[0])", "p[0].dot(q[0])", "p ** q", "p.mm(q)"])
def test_saved_tensors_are_checked_in_torch_order(torch, product):
    """Both saved tensors changed in place: the error names the one PyTorch checks first."""
    assert_agrees(torch, f"""
a = t.ones(2, 2, requires_grad=True)
x = a * 2
p, q = x, x.t()
y = {product}
x.add_(1)
y.sum().backward()
""")


@pytest.mark.parametrize("change", ["rows[0].add_(1)", "b.add_(1)",
                                    "with t.no_grad():\n    b[0] = 5"])
def test_a_single_row_unbind_view_is_still_one_of_several_views(torch, change):
    """unbind's views may not be changed in place, however many rows there are."""
    assert_agrees(torch, f"""
a = t.tensor([[1.0, 1/3, 1.0]], requires_grad=True)
b = a * 1
rows = list(b)
{change}
""")


@pytest.mark.parametrize("program", [
    # unbind's rows of a tensor made in no_grad: no grad_fn, still one of several views
    "b = t.tensor([1.0], requires_grad=True)\nwith t.no_grad():\n    c = b + True\n"
    "rows = list(c)\nc[0] = b.square()[0]",
    "y = t.tensor(2.0, requires_grad=True)\nrows = list(t.zeros(2, 3))\nrows[0].add_(y)",
    # a view made in no_grad, changed in place by an op that is recorded for another input
    "y = t.tensor(2.0, requires_grad=True)\nb = t.zeros(2, 3)\nwith t.no_grad():\n"
    "    v = b[0]\nv.mul_(y)",
    # a view that was told requires_grad_() itself, whose base is a leaf
    "c = t.arange(6.0).reshape(2, 3)\nc.requires_grad_()\nc[0] = 1.0"])
def test_which_views_may_not_be_changed_in_place(torch, program):
    """PyTorch's check_inplace and handle_view_on_rebase: how the view was made (its
    CreationMeta) decides, whenever the in-place op is recorded."""
    assert_agrees(torch, program)


def test_setitem_with_a_0d_integer_tensor_is_a_select(torch):
    assert_agrees(torch, """
a = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
b = a * 1
b[t.tensor(1)] = 5.0
c = a * 1
c[t.tensor(0), t.tensor(1)] = t.tensor(7.0)
g, = t.autograd.grad(a.sum(), [a])
g[t.tensor(0)] = 1/3
(b * c).sum().backward()
""")


def test_indices_written_into_an_expanded_tensor(torch):
    """index_put_ writes only the indexed places, through memory the rows share; with one
    mask and one value it is PyTorch's masked_fill_, which warns too."""
    assert_agrees(torch, """
b = t.ones(3).expand(2, 3)
b[b > 0] = 2.0
c = t.ones(3).expand(2, 3)
c[[0, 1]] = 2.0
d = t.tensor([[1.0, 2.0]]).expand(3, 2)
d[[0, 2], [1, 0]] = t.tensor([5.0, 6.0])
a = t.tensor([[1.0], [1.0]], dtype=t.float64, requires_grad=True)
g, = t.autograd.grad(a.sum(), [a])
g[t.tensor([0])] = 1/3
""")


def test_var_and_std_with_no_output_warn_about_degrees_of_freedom(torch):
    assert_agrees(torch, """
a = t.ones(2, 0)
s = a.std(-2)
v = a.var(1)
""")


def test_error_messages_name_types_as_torch(torch):
    assert_agrees(torch, """
b = t.ones(3, 3)
c = b.mm(b.long())
""")
    assert_agrees(torch, """
d = t.ones(1, 3).bool().expand(3)
""")


def test_anomaly_mode_knows_where_a_leaf_s_accumulator_was_made(torch):
    assert_agrees(torch, """
a = t.tensor(1.0, requires_grad=True)
a.register_hook(lambda g: g.double())
with t.autograd.detect_anomaly():
    a.sum().backward()
""")


def test_cat_backward_slices_even_an_empty_piece(torch):
    """cat's grad is grad.slice(dim, a, b) for each input: SliceBackward0 with create_graph,
    even where the slice takes the whole (here empty) dim."""
    assert_agrees(torch, """
b = t.tensor([[1.0, 1/3, 1.0]], requires_grad=True)
e = b[1:]
v = t.cat([e, e], dim=0)
w = t.cat([b, b * 2], dim=1)
grads = t.autograd.grad(v.exp().sum() + w.exp().sum(), [b, v], create_graph=True)
""")


def test_copy_slices_is_spent_after_backward_even_if_its_op_saved_nothing(torch):
    assert_agrees(torch, """
b = t.ones(2, 3, requires_grad=True)
x = b + 1
row = x[:, 1:]
row[0] = 5.0
y = x.softmax(0)
z = row[..., -1].neg()
y.sum().backward()
grads = t.autograd.grad(z.sum(), [b], create_graph=True)
""")


def test_var_along_a_dim_of_infinities_is_nan(torch):
    assert_agrees(torch, """
c = t.full((2, 3), 1.0, dtype=t.float64)
v = (2.0 / (c - c)).var(-1)
w = t.full((2, 3), 0.1).var(0)
""")


def test_backward_of_a_view_whose_base_got_requires_grad_after_it(torch):
    assert_agrees(torch, """
c = t.tensor([1.0, 1/3])
v = c[..., -1]
c.requires_grad_()
v.backward(t.ones_like(v))
""")


def test_a_number_to_a_tensor_power_is_row_major(torch):
    assert_agrees(torch, """
a = t.tensor([[1.0, 0.5], [1/3, 2.0], [1.0, -1.0]])
v = (2 ** a.t()).view(3, 2)
""")


@pytest.mark.parametrize("statement", [
    "b[[0, 1]] = 1.0", "x[None, [0, 1], ..., [1, 2]] = 1.0", "x[0, [1, 2]] = 2.0",
    "x[1, :, [0, 3]] = t.tensor([3.0, 4.0])", "x[..., [0, 7]] = 5.0",
    "x[:, 0, [1, 2]] = t.tensor([[6.0, 7.0], [8.0, 9.0]])", "x[0, x[0, :, 0] == 0] = 2.0"])
def test_setitem_with_ints_none_and_ellipsis_beside_a_list(torch, statement):
    """ints select first (as PyTorch's indexing), None adds a dim, ... spans the rest; the
    dims are counted before the in-place checks."""
    assert_agrees(torch, f"""
b = t.tensor(1.0, requires_grad=True)
a = t.zeros(2, 3, 4, requires_grad=True)
x = a * 1
{statement}
x.sum().backward()
""")


def test_min_of_nothing_names_min(torch):
    assert_agrees(torch, """
v = t.ones(2, 0).min()
""")


@pytest.mark.parametrize("statement", [
    "y = x[:, [5]]", "y = x[[0], :, [7]]", "y = x[..., [0, 4]]", "y = t.zeros(0)[t.tensor([0])]",
    "e = t.zeros(2, 0)\ne[:, [0]] = 1.0", "y = t.where(x[0] > 0, t.ones(3, 1, 2), 1.0)",
    "y = t.where(x[0] > 0, t.ones(4), t.ones(2, 1, 3))", "y = t.ones(2, 3).expand(3, 4)",
    "v = t.ones(3, 1)\nv[1:] = v.t()[1:]"])
def test_index_and_broadcast_errors_in_torch_words(torch, statement):
    """An index out of range is counted among the indexed dims only; where() broadcasts
    condition, then a, then b, and names the pair that failed; expand checks the last dim
    first."""
    assert_agrees(torch, f"""
x = t.zeros(2, 3, 4)
{statement}
""")


def test_like_constructors_keep_a_dense_layout(torch):
    """ones_like & co. keep a transposed input's layout (preserve_format), so a product
    with them is transposed too and reshape has to copy (UnsafeViewBackward0)."""
    assert_agrees(torch, """
a = t.tensor([[1.0, 0.5], [1/3, 1.0], [2.0, 1.0]], requires_grad=True)
v = a.T.abs()
x = (t.ones_like(v) * v).reshape(-1)
y = (t.zeros_like(v) + v).reshape(-1)
z = (t.full_like(v, 2.0) * v).reshape(-1)
w = (t.ones_like(a[:, ::2].T) * 1).reshape(-1)
""")


def test_a_saved_output_detached_in_place_keeps_its_node(torch):
    """PyTorch's saved output unpacks with the node that made it as its grad_fn, so the
    double backward still reaches through it after .detach_()."""
    assert_agrees(torch, """
a = t.tensor([0.5, 1/3], requires_grad=True)
y = a.exp()
z = y * 2
y.detach_()
g, = t.autograd.grad(z.sum(), [a], create_graph=True)
g.sum().backward()
""")


# --- which saved tensor's error comes first ---------------------------------------------------
@pytest.mark.parametrize("case", [
    "y = x * x; x.add_(1); x.detach_()",  # one saved tensor, detached and changed
    "y = x * x; x.detach_(); x.add_(1)",
    "y = x * z; x.detach_(); z.add_(1)",  # mul saves (z, x): z's change is met first
    "y = x * z; z.detach_(); x.add_(1)",
])
def test_saved_tensors_are_checked_one_by_one_detached_first(torch, case):
    """PyTorch unpacks saved tensors in order and asks each first whether it was detached
    in place, then whether it was changed: the error a student sees is the first of those."""
    said = []
    for lib in (torch, smallgrad):
        scope = {"x": lib.ones(3, requires_grad=True) * 1, "z": lib.ones(3, requires_grad=True) * 1}
        exec(case, scope)
        with pytest.raises(RuntimeError) as error:
            scope["y"].sum().backward()
        said.append(str(error.value)[:40])
    assert said[0] == said[1]


def test_T_of_a_non_matrix_warns_once_in_a_process_as_torch(torch):
    """torch warns about x.T on 0-d and 1-d tensors with TORCH_WARN_ONCE: the first time in a
    process only (so a fresh process each, or an earlier test would have used it up)."""
    program = """
import warnings
warnings.simplefilter("always")
import {library} as t
for shape in [(), (3,), (2, 3, 4), (), (3,)]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shape_of_T = tuple(t.ones(shape).T.shape)
    print(shape_of_T, [str(w.message).split(" (Triggered")[0] for w in caught])
"""
    torch_said, smallgrad_said = (
        subprocess.run([sys.executable, "-c", program.format(library=library)], check=True,
                       capture_output=True, text=True).stdout for library in ("torch", "smallgrad"))
    assert "deprecated" in torch_said
    assert smallgrad_said == torch_said


def test_in_place_ops_that_read_their_own_memory_see_earlier_writes_as_torch(torch):
    """PyTorch can't judge overlap through views that are not dense ("too hard"), allows
    the op, and its kernel writes element by element: later elements read earlier writes."""
    assert_agrees(torch, """
b = t.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, -1/3]], dtype=t.float64)
v3 = b + t.tensor(1)
v3[...] = v3[..., -1]
x = t.arange(9.).reshape(3, 3)
x += x.t()[1]
y = t.arange(9.).reshape(3, 3).t()
y[:, 1:] = y[:, :-1]
""")
    assert_agrees(torch, """
a = t.tensor([[0.5, 1.5, 2.5], [1/3, 0.1, 2.0], [3.0, 0.7, 1.1]], requires_grad=True)
x = a * 2
x[:, 1:] = x[:, :-1]
x.add_(x.t()[0], alpha=2)
x.sum().backward()
""")


def test_a_student_comparing_with_the_mean_sees_torchs_answer(torch):
    """Sums add in torch's order (smallgrad/ops/cascade_sum.py): the last bit of a mean, a
    var of equal numbers, or the grad of std at a constant is torch's, and shows."""
    assert_agrees(torch, """
a = t.tensor([[-1/3, -1/3], [-0.5, -1/3], [0.7, -2.0]])
above = a.abs() >= a.abs().mean()
v = t.var(t.full_like(t.ones(3, 3), 1/3))
positive = (v > 0) & (v < 1)
b = t.full((12,), 0.1)
at_least = b >= b.mean()
c = t.full((3, 3), 0.1, dtype=t.float64, requires_grad=True)
t.std(c).backward()
""")


def _bits_agree(torch, make, dtype) -> None:
    """make(library, array) under both libraries gives the same bits (values and grads)."""
    rng = np.random.default_rng(0)
    for shape in [(1,), (5,), (7,), (12,), (3, 3), (4, 9), (17, 6), (2, 3, 5), (40, 33)]:
        array = (rng.standard_normal(shape) * 10 ** rng.uniform(-2, 2, shape)).astype(dtype)
        results = []
        for library in (torch, smallgrad):
            x = library.tensor(array, requires_grad=True)
            y = make(library, x)
            y.sum().backward()
            results.append((y.detach().numpy(), x.grad.numpy()))
        (torch_y, torch_grad), (our_y, our_grad) = results
        np.testing.assert_array_equal(our_y, torch_y, err_msg=str(shape))
        np.testing.assert_array_equal(our_grad, torch_grad, err_msg=str(shape))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", [
    lambda t, x: x.sum(), lambda t, x: x.sum(0), lambda t, x: x.sum(-1), lambda t, x: x.mean(),
    lambda t, x: x.mean(-1), lambda t, x: x.t().sum(0) if x.ndim == 2 else x.sum(),
    lambda t, x: x.var(), lambda t, x: x.std(0), lambda t, x: x.var(-1, keepdim=True),
    lambda t, x: t.add(x, x * 0.3, alpha=0.7), lambda t, x: t.sub(x * 0.3, x, alpha=-1 / 3),
], ids=["sum", "sum0", "sum-1", "mean", "mean-1", "sum_t", "var", "std0", "var-1", "add_alpha",
        "sub_alpha"])
def test_sums_and_fused_adds_agree_with_torch_to_the_last_bit(torch, make, dtype):
    """Sums and means in torch's cascade order, var/std in its two ways (a float64 sum over
    everything, Welford along dims), add/sub with alpha as one fused multiply-add."""
    _bits_agree(torch, make, dtype)


SIGMOID_CHECK = """
import numpy as np, torch, smallgrad
rng = np.random.default_rng(1)
for n in {sizes}:
    x = rng.uniform(-10, 10, n).astype(np.float32)
    np.testing.assert_array_equal(smallgrad.sigmoid(smallgrad.tensor(x)).numpy(),
                                  torch.sigmoid(torch.tensor(x)).numpy())
"""


def test_sigmoid_is_rounded_step_by_step_as_torch(torch):
    """torch: 1 / (1 + exp(-x)) in float32, each step rounded (so 1 in 4 results differed
    by an ulp when smallgrad computed it another way). Fewer than 16 elements take torch's
    scalar loop on every CPU and agree to the last bit here; longer ones take its vector
    loop, whose exp on AVX2 and AVX-512 is Sleef's (1 ulp off for some elements, a known
    difference in the README), so those are compared with torch's default build."""
    check = SIGMOID_CHECK.format(sizes=(1, 5, 15))
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    check = SIGMOID_CHECK.format(sizes=(16, 17, 100))
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          env={**os.environ, "ATEN_CPU_CAPABILITY": "default"})
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_number_too_big_for_float32_is_inf_without_a_warning(torch):
    assert_agrees(torch, """
a = t.tensor([1e300, -1e300, 1.0])
b = t.zeros(3)
c = t.sub(t.tensor(1.0, dtype=t.float64), (1 / b)[-1], alpha=2)
""")


def test_cumsum_and_flip_run_as_torch(torch):
    """Two ops ordinary PyTorch code uses: cumsum adds float32 in float64 (torch's kernel),
    its backward is flip-cumsum-flip (nothing when there is one element along dim), and
    flip copies in its input's layout."""
    assert_agrees(torch, """
a = t.tensor([[0.1, 1/3, 2.5], [0.7, -1.1, 1/3]], requires_grad=True)
c = a.cumsum(1) * a
g, = t.autograd.grad(c.sum(), a, create_graph=True)
g.sum().backward()
d = t.cumsum(a[:1], dim=0)
f = t.flip(a, (0, 1))
flat = f.flatten()
ft = a.t().flip(0)
n = t.tensor([True, False, True]).cumsum(0)
""")
    assert_agrees(torch, """
a = t.ones(2, 3)
b = t.flip(a, (0, 0))
""")
    assert_agrees(torch, """
a = t.ones(2, 3)
b = a.cumsum(2)
""")
    assert_agrees(torch, """
c = t.tensor([[1.0, 1/3, 1.0], [0.1, 1.0, 1.0]], requires_grad=True)
v4 = t.cumsum(c.T, dim=-1)
v8 = v4.reshape(-1)
v15 = v4[1:]
v15.sub_(v15)
i = t.tensor([[1, 2], [3, 4]]).t().cumsum(0).view(4)
""")


def test_sgn_checks_what_it_saved_before_giving_zeros(torch):
    """SgnBackward0 (in abs's and norm(p=1)'s grads) saves x and its result, as torch's,
    so a second backward after an in-place change raises, though its grad is zeros."""
    assert_agrees(torch, """
c = t.tensor([1.0], requires_grad=True)
v1 = t.t(c)
v11, = t.autograd.grad(v1.norm(p=1).sum(), [v1], create_graph=True)
with t.no_grad():
    c[-1] += 1
v13 = (v11 * 3).sum()
v13.backward()
""")


def test_index_put_saves_its_indices_and_grads_keep_the_layout_contract(torch):
    """x[index_tensor] = v saves the index (IndexPutBackward0): a second backward raises.
    A leaf that is not dense gets a row-major first .grad, through CloneBackward0 when
    recorded (a dense one keeps its own layout, through CopyBackwards)."""
    assert_agrees(torch, """
a = t.tensor([1.0], requires_grad=True)
v3 = a.add(a)
v3[t.tensor([0])] = 1.0
v14 = v3.neg() * 2
v14.sum().backward()
v14.sum().backward()
""")
    assert_agrees(torch, """
b = t.arange(6.0).reshape(2, 3)
v3 = b[:, 1:].detach().requires_grad_()
v3.sin().var(unbiased=False).backward(create_graph=True)
c = t.arange(6.0).reshape(2, 3).t().detach().requires_grad_()
c.sin().sum().backward(create_graph=True)
d = t.arange(6.0).reshape(2, 3)[:, 1:].detach().requires_grad_()
(d * 2).sum().backward()
flat = d.grad.view(-1)
""")


def test_sgn_gives_known_zeros_that_make_0_times_nan_0(torch):
    """sgn's backward gives torch's efficient zero tensor: the nodes it feeds give zeros
    too, so a double backward through abs of a sqrt that is nan stays 0, as in torch."""
    assert_agrees(torch, """
a = t.tensor([1.0, 1.0, -0.2], dtype=t.float64)
v4 = a.detach().requires_grad_()
v5 = t.pow(v4, 0.5)
v8, = t.autograd.grad(t.abs(v5).sum(), [v5], create_graph=True)
v8.sum().backward()
x = t.tensor([1.0, -0.2], dtype=t.float64, requires_grad=True)
p = x.pow(0.5)
g, = t.autograd.grad(p.abs().sum(), p, create_graph=True)
h, = t.autograd.grad(g.sum(), x, create_graph=True)
""")


def test_a_slice_takes_a_whole_dim_by_torchs_test(torch):
    """x[:, -5:] is a SliceBackward0 even where it clamps to the whole dim; x[:, :5] is not."""
    assert_agrees(torch, """
a = t.ones(2, 3, requires_grad=True) * 1
s1 = a[:, -5:]
s2 = a[:, :5]
s3 = a[:, :-1]
e = a[:, 3:]
s4 = e[:, 1:]
s5 = e[:, :0]
""")


def test_a_leaf_whose_grad_is_efficient_zeros_refuses_more_in_place(torch):
    """torch's leaf keeps sgn's zero tensor itself as .grad (without create_graph), and a
    later backward can't add into it in place; with create_graph it is a real copy."""
    assert_agrees(torch, """
a = t.tensor([1.0, -2.0], requires_grad=True)
g, = t.autograd.grad(a.abs().sum(), a, create_graph=True)
g.sum().backward()
(a * 2).sum().backward()
""")
    assert_agrees(torch, """
d = t.tensor([1.0, -2.0], requires_grad=True)
g, = t.autograd.grad(d.abs().sum(), d, create_graph=True)
g.sum().backward(create_graph=True)
(d * 2).sum().backward()
b = t.tensor([1.0, -2.0], requires_grad=True)
(b * 3).sum().backward()
h, = t.autograd.grad(b.abs().sum(), b, create_graph=True)
h.sum().backward()
""")


def test_std_and_norm_refuse_efficient_zeros_they_would_mask_in_place(torch):
    """torch's std_backward and norm_backward (1 < p, p not 2 or inf) call masked_fill_ on
    grad / ...; given sgn's zero tensor that raises 'ZeroTensors are immutable' (fuzz
    seed 4, program 4-975). Two such zeros summed in an input buffer are one too."""
    assert_agrees(torch, """
a = t.tensor([1.0, 2.0, 4.0], requires_grad=True)
s = a.std()
g, = t.autograd.grad(s.abs(), s, create_graph=True)
g.backward()
""")
    assert_agrees(torch, """
a = t.tensor([1.0, 2.0, 4.0], requires_grad=True)
n = a.norm(p=3)
g, = t.autograd.grad(n.abs(), n, create_graph=True)
h, = t.autograd.grad(g, a)
""")
    assert_agrees(torch, """
a = t.tensor([[1.0, 2.0, 4.0]], requires_grad=True)
n = a.norm(p=3, dim=1)
g, = t.autograd.grad(n.abs().sum(), n, create_graph=True)
h, = t.autograd.grad(g.sum(), a)
""")
    assert_agrees(torch, """
a = t.tensor([[1.0, 2.0, 4.0]], requires_grad=True)
s = a.std(1)
g, = t.autograd.grad((s.abs() + s.abs() * 3).sum(), s, create_graph=True)
h, = t.autograd.grad(g.sum(), a)
""")
    assert_agrees(torch, """
a = t.tensor([1.0, 2.0, 4.0], requires_grad=True)
n = a.norm(p=0.5)
g, = t.autograd.grad(n.abs(), n, create_graph=True)
h, = t.autograd.grad(g, a)
""")
