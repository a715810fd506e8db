"""smallgrad.autograd.inspect: what the widgets may read about a graph, and a scan that
keeps widgets/ from reading anything else of the core's."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import numpy as np
import pytest

import smallgrad as t
from smallgrad.autograd import AccumulateGrad, Function
from smallgrad.autograd import inspect as si

ROOT = Path(__file__).resolve().parent.parent


# --- the API ---------------------------------------------------------------------------------

def test_sequence_nr_is_creation_order():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = y.exp()
    w = z * y
    assert si.sequence_nr(y.grad_fn) < si.sequence_nr(z.grad_fn) < si.sequence_nr(w.grad_fn)
    acc = y.grad_fn.next_functions[0][0]
    assert isinstance(acc, AccumulateGrad) and isinstance(si.sequence_nr(acc), int)


def test_input_and_output_metadata():
    a = t.ones(2, 3, requires_grad=True)
    b = t.ones(3, 4, dtype=t.float64)
    node = (a.double() @ b).grad_fn
    assert si.input_metadata(node) == (((2, 3), np.dtype("float64")),
                                       ((3, 4), np.dtype("float64")))
    assert si.output_metadata(node) == (((2, 4), np.dtype("float64")),)
    values, _ = a.max(dim=1)
    assert si.n_outputs(values.grad_fn) == 2
    assert si.n_outputs(node) == 1


def test_constant_inputs_a_typed_number_and_a_tensor():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    c = t.tensor([5.0, 6.0])
    assert si.constant_inputs((2 * x).grad_fn) == {1: 2.0}
    node = (x + c).grad_fn
    assert list(si.constant_inputs(node)) == [1] and si.constant_inputs(node)[1] is c
    assert si.constant_inputs((x * x).grad_fn) == {}
    del c
    gc.collect()
    assert si.constant_inputs(node) == {}  # only weakly held: a dead tensor is left out


def test_saved_tensors_without_side_effects():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y.sum()
    node = y.grad_fn
    (saved,) = si.saved_tensors(node)
    assert saved is y  # exp saves its result
    y.add_(1)  # an in-place change: ctx.saved_tensors would raise now, inspect does not
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _ = node.saved_tensors
    assert si.saved_tensors(node) == (saved,)
    assert si.saved_tensors(z.grad_fn) == ()
    w = x.sin().sum()
    w.backward()
    assert si.saved_tensors(w.grad_fn.next_functions[0][0]) is None  # freed


def test_hooks_and_retain_grad_target():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    values, _ = (y * 1).max(dim=0)

    def double(g):
        return g * 2

    y.register_hook(double)
    y.retain_grad()
    x.register_hook(print)
    assert si.hooks(y.grad_fn, 0) == [double]
    assert si.retain_grad_target(y.grad_fn, 0) is y
    acc = si.get_gradient_edge(x).node
    assert si.hooks(acc, 0) == [print]  # a leaf's hooks live on the tensor
    assert si.retain_grad_target(acc, 0) is None
    assert si.hooks(values.grad_fn, 1) == [] and si.retain_grad_target(values.grad_fn, 1) is None


def test_grad_reads_a_non_leaf_without_the_warning(recwarn):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    assert si.grad(y) is None and len(recwarn) == 0
    assert si.grad(x) is x.grad and x.grad.tolist() == [2.0, 2.0]


def test_get_gradient_edge_matches_torch(torch):
    for lib in (t, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = (x * 2).unbind()
        edge = (lib.autograd.inspect if lib is t else torch.autograd.graph).get_gradient_edge(b)
        assert edge.node is b.grad_fn and edge.output_nr == 1 == b.output_nr
        leaf = (lib.autograd.inspect if lib is t else torch.autograd.graph).get_gradient_edge(x)
        assert leaf.node.name().endswith("::AccumulateGrad") and leaf.output_nr == 0
        assert leaf.node is a.grad_fn.next_functions[0][0].next_functions[0][0]
    with pytest.raises(RuntimeError, match="does not require gradients"):
        si.get_gradient_edge(t.ones(2))
    with pytest.raises(RuntimeError, match="does not require gradients"):
        torch.autograd.graph.get_gradient_edge(torch.ones(2))


class Scale(Function):
    @staticmethod
    def forward(ctx, factor, x):
        return x * factor

    @staticmethod
    def backward(ctx, grad):
        return None, grad * 2.0


def test_user_function_its_class_and_input_positions():
    x = t.tensor([1.0], requires_grad=True)
    node = Scale.apply(2.0, x).grad_fn
    assert si.is_user_function(node) and si.forward_class(node) is Scale
    assert si.input_positions(node) == (1,)
    built_in = (x * 2).grad_fn
    assert not si.is_user_function(built_in) and si.input_positions(built_in) == (0, 1)
    acc = si.get_gradient_edge(x).node
    assert si.forward_class(acc) is None and not si.is_user_function(acc)


# --- widgets/ reads no private attribute of the core ----------------------------------------

def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


_NAMED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _attribute_names(files: list[Path], on_self_only: bool) -> set[str]:
    """Private attribute names the code in `files` defines: methods and class attributes,
    and `self._x = ...` (with on_self_only=False: every private name it touches)."""
    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    targets = item.targets if isinstance(item, ast.Assign) else [
                        getattr(item, "target", None)]
                    if isinstance(item, _NAMED):
                        found.add(item.name)
                    found.update(n.id for n in targets if isinstance(n, ast.Name))
            elif isinstance(node, ast.Attribute):
                on_self = isinstance(node.value, ast.Name) and node.value.id == "self"
                if not on_self_only or (on_self and isinstance(node.ctx, ast.Store)):
                    found.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and not on_self_only and node.value.isidentifier():
                found.add(node.value)  # __slots__ entries, getattr(x, "_name")
    return {name for name in found if _private(name)}


def _widgets_module_names(tree: ast.Module) -> set[str]:
    """Names a widgets file binds at module level to its own modules, classes, functions."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, _NAMED):
            names.add(node.name)
    return names


def _owner_is_ours(owner: ast.expr, module_names: set[str]) -> bool:
    if isinstance(owner, ast.Name):
        return owner.id in ("self", "cls") or owner.id in module_names
    return (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name)
            and owner.func.id == "super")


def private_reads(widget_files: list[Path], core_files: list[Path]) -> list[str]:
    """Every place in `widget_files` that reads or writes a private attribute of something
    that may be a smallgrad object: `x._name` on anything but self, cls, super() or the
    widgets' own modules, and getattr/setattr/hasattr/delattr(x, "_name"). A widget may
    reach another widget's private attribute (a name the widgets set on self and the core
    never uses); any name the core uses is smallgrad's, wherever it is read."""
    core = _attribute_names(core_files, on_self_only=False)
    ours = _attribute_names(widget_files, on_self_only=True) - core
    found = []
    for path in widget_files:
        tree = ast.parse(path.read_text(), str(path))
        module_names = _widgets_module_names(tree)
        for node in ast.walk(tree):
            owner, name = None, None
            if isinstance(node, ast.Attribute) and _private(node.attr):
                owner, name = node.value, node.attr
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                  and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                  and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
                owner, name = node.args[0], node.args[1].value
            if name is None or name in ours or _owner_is_ours(owner, module_names):
                continue
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return sorted(found, key=lambda place: (place.split(":")[0], int(place.split(":")[1])))


def test_the_scan_finds_private_reads(tmp_path):
    core = tmp_path / "core.py"
    core.write_text("class Tensor:\n    __slots__ = ('_data',)\n    def _make(self): ...\n")
    widget = tmp_path / "w.py"
    widget.write_text(
        "from . import render\n"
        "class W:\n"
        "    def __init__(self, t):\n"
        "        self._data = t._data\n"  # 4: the core's name on a tensor
        "        self._mine = getattr(t, '_make', None)\n"  # 5: via getattr
        "        render._helper()\n"  # a widgets module: fine
        "        super()._repr_mimebundle_()\n"
        "    def other(self, w):\n"
        "        return w._mine, w.__class__, self._data\n"  # a widget's own: fine
        "    def strange(self, t):\n"
        "        return t._secret\n")  # 11: nobody's: flagged
    assert private_reads([widget], [core]) == [
        "w.py:4: t._data", "w.py:5: getattr(t, '_make', None)", "w.py:11: t._secret"]


def test_widgets_read_no_private_attribute_of_smallgrad():
    widget_files = sorted((ROOT / "widgets").glob("*.py"))
    core_files = sorted((ROOT / "smallgrad").rglob("*.py"))
    assert widget_files and core_files
    found = private_reads(widget_files, core_files)
    assert not found, ("widgets/ reads private attributes of smallgrad objects; use "
                       "smallgrad.autograd.inspect or the public API instead:\n"
                       + "\n".join(found))
