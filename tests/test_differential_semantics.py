"""The rest of autograd's behaviour, compared with PyTorch scenario by scenario.

Each scenario is a function of the module `t`. It runs once with `t = torch` and once
with `t = smallgrad`, and what it returns (or the error it raises) must be the same:
reprs character for character (with "torch." read as "smallgrad."), error types and
messages. test_differential.py does the same for random programs.
"""

from __future__ import annotations

import warnings

import pytest

import smallgrad


# --- running a scenario under both ---------------------------------------------------------
def as_smallgrad(text: str) -> str:
    return text.replace("torch::autograd::", "smallgrad::autograd::").replace(
        "torch.", "smallgrad.")


def observe(value):
    """What we compare: tensors and nodes by repr/name, containers item by item."""
    if isinstance(value, (list, tuple)):
        return tuple(observe(v) for v in value)
    if isinstance(value, dict):
        return {k: observe(v) for k, v in value.items()}
    if hasattr(value, "next_functions"):  # a node
        return f"<node {as_smallgrad(value.name())}>"
    if hasattr(value, "grad_fn") or hasattr(value, "is_floating_point"):  # a tensor or dtype
        return as_smallgrad(repr(value))
    if isinstance(value, str):
        return as_smallgrad(value)
    return value


def outcome(scenario, module):
    """("value", observed result) or ("error", exception type, message)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ("value", observe(scenario(module)))
    except Exception as error:
        return ("error", type(error).__name__, as_smallgrad(str(error)))


def assert_same(scenario, torch):
    ours, theirs = outcome(scenario, smallgrad), outcome(scenario, torch)
    assert ours == theirs


def assert_same_error(scenario, torch, *, until: str | None = None, prefix: bool = False):
    """Both raise the same type with the same message. `until`: compare the messages up
    to and including this text. `prefix`: smallgrad may add to the end of torch's."""
    ours, theirs = outcome(scenario, smallgrad), outcome(scenario, torch)
    assert theirs[0] == "error", f"torch raised nothing: {theirs}"
    assert ours[0] == "error", f"smallgrad raised nothing: {ours}"
    assert ours[1] == theirs[1]
    mine, expected = ours[2], theirs[2]
    if until is not None:
        assert until in expected
        mine, expected = mine[:mine.find(until) + len(until)], expected[
            :expected.find(until) + len(until)]
    if prefix:
        assert mine.startswith(expected), f"{mine!r} does not start with {expected!r}"
    else:
        assert mine == expected
    return ours[2]


# --- the errors of issue 2 ------------------------------------------------------------------
def backward_twice(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def autograd_grad_twice(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    t.autograd.grad(y, x)
    t.autograd.grad(y, x)


def implicit_grad_of_a_vector(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward()


def inplace_on_a_leaf(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    x.add_(1)


def iadd_on_a_leaf(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    x += 1


def requires_grad_on_a_non_leaf(t):
    y = t.tensor([1.0, 2.0], requires_grad=True) * 2
    y.requires_grad = False


def requires_grad_false_on_a_non_leaf(t):
    y = t.tensor([1.0, 2.0], requires_grad=True) * 2
    y.requires_grad_(False)


def requires_grad_true_on_a_non_leaf(t):
    y = t.tensor([1.0, 2.0], requires_grad=True) * 2
    y.requires_grad = True


def integer_tensor_requires_grad(t):
    t.tensor([1, 2], requires_grad=True)


def integer_requires_grad_(t):
    t.tensor([1, 2]).requires_grad_()


def integer_requires_grad_attribute(t):
    x = t.tensor([1, 2])
    x.requires_grad = True


def hook_without_grad(t):
    t.tensor([1.0, 2.0]).register_hook(lambda grad: grad)


def numpy_of_requires_grad(t):
    t.tensor([1.0, 2.0], requires_grad=True).numpy()


def backward_without_grad(t):
    t.tensor([1.0, 2.0]).sum().backward()


def retain_grad_without_grad(t):
    t.tensor([1.0, 2.0]).retain_grad()


def wrong_gradient_shape(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(t.ones(3))


def grad_of_unused_input(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad((x * 2).sum(), [x, w])


def grad_of_input_without_grad(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.grad((x * 2).sum(), t.ones(2))


def view_of_wrong_size(t):
    t.ones(2, 3).view(4)


def view_of_non_contiguous(t):
    t.ones(2, 3).t().view(6)


def reshape_of_wrong_size(t):
    t.ones(2, 3).reshape(-1, 4)


def cat_of_different_sizes(t):
    t.cat([t.ones(2, 3), t.ones(3, 2)])


def cat_of_different_dims(t):
    t.cat([t.ones(2, 3), t.ones(3)])


def stack_of_different_sizes(t):
    t.stack([t.ones(2, 3), t.ones(3, 2)])


def dim_out_of_range(t):
    t.ones(2, 3).sum(2)


def index_out_of_range(t):
    t.ones(2, 3)[2]


def item_of_a_vector(t):
    t.ones(2).item()


def bool_of_a_vector(t):
    bool(t.ones(2) > 0)


EXACT_ERRORS = [
    backward_twice, autograd_grad_twice, implicit_grad_of_a_vector, inplace_on_a_leaf,
    iadd_on_a_leaf, requires_grad_on_a_non_leaf, requires_grad_false_on_a_non_leaf,
    requires_grad_true_on_a_non_leaf, integer_tensor_requires_grad,
    integer_requires_grad_, integer_requires_grad_attribute, hook_without_grad,
    numpy_of_requires_grad, backward_without_grad, retain_grad_without_grad,
    wrong_gradient_shape, grad_of_unused_input, grad_of_input_without_grad,
    view_of_wrong_size, view_of_non_contiguous, reshape_of_wrong_size, cat_of_different_sizes,
    cat_of_different_dims, stack_of_different_sizes, dim_out_of_range, index_out_of_range,
    item_of_a_vector, bool_of_a_vector,
]


@pytest.mark.parametrize("scenario", EXACT_ERRORS, ids=lambda f: f.__name__)
def test_error_matches_torch(torch, scenario):
    assert_same_error(scenario, torch)


def test_backward_twice_says_second_time(torch):
    message = assert_same_error(backward_twice, torch)
    assert message.startswith("Trying to backward through the graph a second time")
    assert "retain_graph=True" in message


# Shape mismatches: torch's message, word for word.
@pytest.mark.parametrize("expression", [
    "t.ones(2, 3) + t.ones(3, 2)",
    "t.ones(2, 3) - t.ones(4)",
    "t.ones(2, 3) * t.ones(2, 2)",
    "t.ones(3) / t.ones(2)",
    "t.ones(2, 3) @ t.ones(2, 3)",
    "t.ones(3) @ t.ones(4)",
    "t.ones(2, 3) @ t.ones(4)",
    "t.ones(4) @ t.ones(3, 2)",
    "t.ones(2, 3, 4) @ t.ones(5, 6)",
    "t.ones(2, 3, 4) @ t.ones(2, 5, 6)",
    "t.ones(2, 3, 4) @ t.ones(3, 4, 2)",
    "t.mv(t.ones(2, 3), t.ones(2, 3))",
    "t.bmm(t.ones(2, 3), t.ones(2, 3))",
    "t.cat([t.tensor(1.), t.tensor(2.)])",
])
def test_shape_mismatch_gives_torchs_message(torch, expression):
    assert_same_error(lambda t: eval(expression, {"t": t}), torch)


# A saved tensor changed in place: the message names the tensor, the op that made it,
# and the versions. smallgrad's hint (after "instead.") is its own: PyTorch's points at
# anomaly detection, which smallgrad does not have.
def saved_output_modified(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    y.add_(1)
    y.sum().backward()


def saved_input_modified(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y  # mul saves its inputs
    y.mul_(2)
    z.sum().backward()


def saved_leaf_modified_under_no_grad(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with t.no_grad():
        x.add_(1)
    y.backward()


def saved_tensor_modified_twice(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y += 1
    y *= 2
    y.sum().backward()


def saved_tensor_modified_through_a_view(t):
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()
    with t.no_grad():
        y[1:].mul_(2)
    y.sum().backward()


@pytest.mark.parametrize("scenario", [
    saved_output_modified, saved_input_modified, saved_leaf_modified_under_no_grad,
    saved_tensor_modified_twice, saved_tensor_modified_through_a_view,
], ids=lambda f: f.__name__)
def test_modified_saved_tensor(torch, scenario):
    message = assert_same_error(scenario, torch, until="instead.")
    assert "modified by an inplace operation" in message
    assert "is at version" in message and "expected version" in message


def test_modified_saved_tensor_names_the_op(torch):
    message = assert_same_error(saved_output_modified, torch, until="instead.")
    assert ", which is output 0 of Exp" in message
    assert "is at version 1; expected version 0 instead." in message


# --- hooks ----------------------------------------------------------------------------------
def hooks_in_registration_order(t):
    log = []
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: log.append(("first", g)))
    y.register_hook(lambda g: log.append(("second", g)))
    z = y * y
    z.register_hook(lambda g: log.append(("z", g)))
    x.register_hook(lambda g: log.append(("x", g)))
    z.sum().backward()
    return log, x.grad


def hook_replaces_the_grad(t):
    log = []
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.register_hook(lambda g: g * 10)
    y.register_hook(lambda g: log.append(g))  # sees the replaced grad
    y.sum().backward()
    return log, x.grad


def removed_hook_is_not_called(t):
    log = []
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    handle = y.register_hook(lambda g: log.append("removed"))
    y.register_hook(lambda g: log.append("kept"))
    handle.remove()
    y.sum().backward()
    return log, x.grad


def leaf_hook_sees_grad_before_accumulation(t):
    log = []
    x = t.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: log.append((g, x.grad)))  # x.grad: still the old one
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    return log, x.grad


def leaf_hook_replaces_what_is_accumulated(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g + 100)
    (x * 2).sum().backward()
    return x.grad


def retain_grad_and_hooks(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    y.register_hook(lambda g: g * 2)  # retain_grad keeps the grad after the hooks
    y.sum().backward()
    return y.grad, y.retains_grad, x.retains_grad, x.grad


def hook_on_a_tensor_used_twice(t):
    log = []
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x + 1
    y.register_hook(lambda g: log.append(g))  # once, with the sum of both uses
    (y * y + y).sum().backward()
    return log, x.grad


def seed_hook(t):
    # the seed's second way to see an intermediate grad
    log = []
    x = t.ones(3, requires_grad=True)
    w = t.tensor([0.5, 0.25, 2.0], requires_grad=True)
    y = x * w
    hook_handle = y.register_hook(lambda grad: log.append(grad))
    z = y.sum()
    z.backward()
    hook_handle.remove()
    return log, x.grad, w.grad


@pytest.mark.parametrize("scenario", [
    hooks_in_registration_order, hook_replaces_the_grad, removed_hook_is_not_called,
    leaf_hook_sees_grad_before_accumulation, leaf_hook_replaces_what_is_accumulated,
    retain_grad_and_hooks, hook_on_a_tensor_used_twice, seed_hook,
], ids=lambda f: f.__name__)
def test_hooks(torch, scenario):
    assert_same(scenario, torch)


def test_hook_scenarios_record_something(torch):
    # so that test_hooks cannot pass by both sides recording nothing
    log, _ = hooks_in_registration_order(smallgrad)
    assert [name for name, _ in log] == ["z", "first", "second", "x"]


# --- backward, grad, graphs -----------------------------------------------------------------
def grads_accumulate(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    first = x.grad.clone()
    (x * x).sum().backward()
    return first, x.grad


def grad_is_updated_in_place(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    g = x.grad
    version = g._version
    (x * 3).sum().backward()
    return g is x.grad, g, version, g._version


def retain_graph(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def zero_grad_between_calls(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad.zero_()
    (x * 3).sum().backward()
    return x.grad


def create_graph_double_backward(t):
    x = t.tensor([1.0, 2.0, -0.5], requires_grad=True)
    y = (x ** 3).sum()
    (dy,) = t.autograd.grad(y, x, create_graph=True)  # 3x²
    (d2y,) = t.autograd.grad(dy.sum(), x)  # 6x
    return dy, d2y


def create_graph_backward(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = (x.sin() * x).sum()
    y.backward(create_graph=True)
    first = x.grad
    x.grad = None
    first.sum().backward()
    return first, x.grad


def grad_allow_unused(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([3.0, 4.0], requires_grad=True)
    return t.autograd.grad((x * x).sum(), [x, w], allow_unused=True)


def grad_of_intermediate(t):
    # the seed's first way: autograd.grad reaches y without touching the leaves' .grad
    x = t.ones(3, requires_grad=True)
    w = t.tensor([0.5, 0.25, 2.0], requires_grad=True)
    y = x * w
    z = y.sum()
    return t.autograd.grad(z, y), t.autograd.grad(z, x), x.grad, w.grad


def grad_with_grad_outputs(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    return t.autograd.grad(y, x, grad_outputs=t.tensor([1.0, 0.5]))


def autograd_backward_of_two_outputs(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    t.autograd.backward([(x * 2).sum(), x * x], [None, t.tensor([1.0, -1.0])])
    return x.grad


def backward_with_gradient(t):
    x = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x ** 2 * t.exp(x * 0)
    y.backward(t.ones(y.size()))
    return x.grad, y


def graph_of_z_equals_wx_plus_b(t):
    w = t.tensor([0.5], requires_grad=True)
    x = t.tensor([2.0])
    b = t.tensor([1.0], requires_grad=True)
    y = w * x
    z = y + b
    mul, add = y.grad_fn, z.grad_fn
    return (z, add, add.next_functions, mul.next_functions, mul.next_functions[0][0].variable is w,
            w.is_leaf, x.is_leaf, y.is_leaf, w.grad_fn, y.requires_grad, x.requires_grad)


def fan_out_has_two_edges(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    (a, slot_a), (b, slot_b) = y.grad_fn.next_functions
    return a is b, slot_a, slot_b, y.grad_fn.next_functions


def names_of_common_nodes(t):
    x = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    results = [x + 1, x - 1, 1 - x, x * 2, x / 2, 2 / x, -x, x ** 2, 2 ** x, x ** x, x.exp(),
               x.log(), x.sqrt(), x.sin(), x.cos(), x.tanh(), x.sigmoid(), x.relu(), x.abs(),
               x.clamp(0, 1), x.sum(), x.sum(0), x.mean(), x.mean(1), x.var(), x.max(),
               x.max(0)[0], x.min(), x.norm(), x.softmax(0), x.log_softmax(1), x @ x,
               x[0] @ x, x @ x[0], x[0] @ x[1], x.reshape(4), x.view(4), x.t().reshape(4),
               x.transpose(0, 1), x.t(), x.T, x.permute(1, 0), x.unsqueeze(0), x.squeeze(),
               x[None].squeeze(0), x.expand(2, 2, 2), x[0], x[:, 1:], x[..., 0], x[[0, 0]],
               x[x > 2], t.cat([x, x]), t.stack([x, x]), t.where(x > 2, x, 0.0), x.clone(),
               x.double(), x.to(t.float64), x.float(), x[:]]
    return [r.grad_fn for r in results]


def requires_grad_three_ways(t):
    # the seed's three ways, and what PyTorch accepts without complaint
    a = t.randn(3, 4, requires_grad=True)
    b = t.randn(3, 4).requires_grad_()
    c = t.randn(3, 4)
    c.requires_grad = True
    d = (a * 2).requires_grad_(True)  # a non-leaf may be told True: it already is
    e = t.tensor([1, 2]).requires_grad_(False)
    return [(v.requires_grad, v.is_leaf, v.grad_fn) for v in (a, b, c, d, e)]


def to_same_dtype_is_the_same_tensor(t):
    x = t.tensor([1.0], requires_grad=True)
    return x.float() is x, x.to(t.float32) is x, x.double() is x


@pytest.mark.parametrize("scenario", [
    grads_accumulate, grad_is_updated_in_place, retain_graph, zero_grad_between_calls,
    create_graph_double_backward, create_graph_backward, grad_allow_unused,
    grad_of_intermediate, grad_with_grad_outputs, autograd_backward_of_two_outputs,
    backward_with_gradient, graph_of_z_equals_wx_plus_b, fan_out_has_two_edges,
    names_of_common_nodes, requires_grad_three_ways, to_same_dtype_is_the_same_tensor,
], ids=lambda f: f.__name__)
def test_backward_and_graphs(torch, scenario):
    assert_same(scenario, torch)


def test_double_backward_values():
    (dy, d2y) = create_graph_double_backward(smallgrad)
    assert dy.tolist() == [3.0, 12.0, 0.75]
    assert d2y.tolist() == [6.0, 12.0, -3.0]


# --- dtypes and type promotion --------------------------------------------------------------
@pytest.mark.parametrize("expression", [
    "t.tensor([1, 2]) + 2.5",
    "t.tensor([1, 2]) * 2",
    "t.tensor([1, 2], dtype=t.int32) + t.tensor(3)",
    "t.tensor([1, 2], dtype=t.int32) * 2.5",
    "t.ones(2) + t.tensor(1.0, dtype=t.float64)",
    "t.ones(2, dtype=t.float64) + t.tensor(1.0)",
    "t.ones(2) + t.ones(2, dtype=t.float64)",
    "t.tensor([1, 2]) / t.tensor([2, 2])",
    "t.tensor([3, 4]) / 2",
    "t.tensor([True, False]) + 1",
    "t.tensor([True, False]) + True",
    "t.tensor([True, False]) * 1.5",
    "t.tensor([1, 2]) + t.tensor([0.5, 0.5])",
    "t.tensor([1, 2]) + t.tensor(2.5, dtype=t.float64)",
    "t.tensor([1, 2], dtype=t.int32) + t.tensor([1.5], dtype=t.float16)",
    "t.tensor([1], dtype=t.uint8) + t.tensor([1], dtype=t.int8)",
    "t.tensor([1, 2]) > t.tensor([0.5, 2.5])",
    "t.cat([t.tensor([1, 2]), t.tensor([0.5])])",
    "t.where(t.tensor([True, False]), t.tensor([1, 2]), t.tensor([0.5, 1.5]))",
    "t.tensor(2) * t.tensor([1.5, 2.5])",
    "t.tensor(2.5) + t.tensor([1, 2])",
    "t.tensor([1.0, 2.0], requires_grad=True) * t.tensor([1, 2])",
    "t.tensor([1.0, 2.0], dtype=t.float64)",
    "t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True) * 2",
    "t.tensor([1.0, 2.0], dtype=t.float64).float()",
    "t.tensor([1, 2], dtype=t.int32)",
    "t.tensor([1.5, 2.5]).long()",
    "t.tensor([1.0, 0.0]).bool()",
    "(t.tensor([1.0, 2.0]) > 1.5, t.tensor([1, 2]) == 2)",
    "(t.float64, t.float32, t.int64, t.bool, str(t.float64), t.tensor([1.0]).dtype)",
    "t.tensor([1, 2]).exp()",
    "t.tensor([1, 2]).float().mean()",
    "t.arange(4).reshape(2, 2).sum(0)",
    "t.tensor(3.5).item()",
    "t.tensor([[1.0, 2.0]]).tolist()",
    "t.zeros(2, 3).size()",
    "t.zeros(2, 3).shape[1]",
])
def test_types_and_promotion(torch, expression):
    assert_same(lambda t: eval(expression, {"t": t}), torch)


# --- grad mode ------------------------------------------------------------------------------
def grad_modes(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.no_grad():
        a = x * 2
        with t.enable_grad():
            b = x * 2
        inside = t.is_grad_enabled()
    with t.set_grad_enabled(False):
        c = x * 2
    after = t.is_grad_enabled()
    return a, b, c, inside, after, a.requires_grad, b.requires_grad


def grad_modes_as_decorators(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)

    @t.no_grad()
    def without(v):
        return v * 2, t.is_grad_enabled()

    @t.enable_grad()
    def with_grad(v):
        return v * 2

    @t.set_grad_enabled(False)
    def switched_off(v):
        return v * 2

    with t.no_grad():
        inner = with_grad(x)
    return without(x), inner, switched_off(x), t.is_grad_enabled()


def set_grad_enabled_as_a_call(t):
    x = t.tensor([1.0], requires_grad=True)
    t.set_grad_enabled(False)
    try:
        y = x * 2
        off = t.is_grad_enabled()
    finally:
        t.set_grad_enabled(True)
    return y, off, t.is_grad_enabled()


def no_grad_allows_inplace_on_a_leaf(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    with t.no_grad():
        x.sub_(0.5)
        x *= 2
    return x, x._version, x.is_leaf, x.requires_grad


@pytest.mark.parametrize("scenario", [
    grad_modes, grad_modes_as_decorators, set_grad_enabled_as_a_call,
    no_grad_allows_inplace_on_a_leaf,
], ids=lambda f: f.__name__)
def test_grad_mode(torch, scenario):
    assert_same(scenario, torch)


# --- detach, .data, versions ----------------------------------------------------------------
def detach_shares_the_version_counter(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d.add_(1)
    return x, d, x._version, d._version, d.requires_grad, d.is_leaf, d.grad_fn


def data_has_its_own_version_counter(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    d.add_(1)
    return x, d, x._version, d._version, d.requires_grad


def detach_then_modify_breaks_backward(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.detach().zero_()
    y.sum().backward()


def data_then_modify_is_silent(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.data.zero_()
    y.sum().backward()
    return x.grad


def versions_of_views(t):
    x = t.ones(4)
    y = x[1:]
    z = x.view(2, 2)
    y.add_(1)
    versions = [x._version, y._version, z._version]
    z.mul_(2)
    return x, versions, [x._version, y._version, z._version]


def versions_after_inplace_ops(t):
    x = t.zeros(3)
    versions = [x._version]
    for op in (lambda: x.add_(1), lambda: x.sub_(1), lambda: x.mul_(2), lambda: x.div_(2),
               lambda: x.zero_()):
        op()
        versions.append(x._version)
    x += 1
    x -= 1
    x *= 2
    x /= 2
    versions.append(x._version)
    return versions, x


def inplace_on_a_non_leaf_is_recorded(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    y.mul_(3)
    y.sum().backward()
    return y, y._version, x.grad


def inplace_on_a_base_rebuilds_its_views(t):
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = x * 1
    views = [base[1:], base.view(3, 1).t(), base.reshape(-1), base[None]]
    base.mul_(t.tensor([2.0, 3.0, 4.0]))  # the views now show (and differentiate) this
    out = sum((v * t.tensor(10.0 ** i)).sum() for i, v in enumerate(views))
    out.backward()
    return views, [v.grad_fn.next_functions for v in views], x.grad


@pytest.mark.parametrize("scenario", [
    inplace_on_a_base_rebuilds_its_views, detach_shares_the_version_counter,
    data_has_its_own_version_counter, data_then_modify_is_silent, versions_of_views,
    versions_after_inplace_ops, inplace_on_a_non_leaf_is_recorded,
], ids=lambda f: f.__name__)
def test_detach_data_and_versions(torch, scenario):
    assert_same(scenario, torch)


def test_detach_then_modify_breaks_backward(torch):
    assert_same_error(detach_then_modify_breaks_backward, torch, until="instead.")


# --- max and min over a dim -----------------------------------------------------------------
@pytest.mark.parametrize("expression", [
    "t.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1)",
    "t.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True).max(1)",
    "t.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True).min(dim=0, keepdim=True)",
    "t.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1).values",
    "t.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1).indices",
    "t.max(t.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True), 0)[0]",
    "t.tensor([1.0, 3.0, 2.0]).max(0)",
    "tuple(t.tensor([[1, 5], [3, 2]]).min(1))",
    "t.tensor([[1.0, 5.0], [3.0, 2.0]]).max()",
])
def test_max_and_min_with_dim(torch, expression):
    assert_same(lambda t: eval(expression, {"t": t}), torch)


def max_dim_backward(t):
    x = t.tensor([[1.0, 5.0, 2.0], [3.0, 2.0, 4.0]], requires_grad=True)
    values, indices = x.max(1)
    (values * t.tensor([1.0, 10.0])).sum().backward()
    return values, indices, x.grad


def test_max_dim_backward(torch):
    assert_same(max_dim_backward, torch)


# --- the warning when a non-leaf's .grad is read ----------------------------------------------
def warnings_of(scenario, module) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario(module)
    # torch adds where in its C++ source it was raised
    return [as_smallgrad(str(w.message)).split(" (Triggered internally")[0] for w in caught]


def read_grad_of_non_leaf(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    return y.grad


def read_grad_of_retained_non_leaf(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.sum().backward()
    return y.grad, x.grad


def test_reading_the_grad_of_a_non_leaf_warns_as_torch(torch):
    ours = warnings_of(read_grad_of_non_leaf, smallgrad)
    assert len(ours) == 1 and ".retain_grad()" in ours[0]
    assert ours == warnings_of(read_grad_of_non_leaf, torch)
    assert warnings_of(read_grad_of_retained_non_leaf, smallgrad) == []
    assert warnings_of(read_grad_of_retained_non_leaf, torch) == []
    assert_same(read_grad_of_non_leaf, torch)  # and the value is None
