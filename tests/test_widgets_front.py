"""Widgets without a browser, part 3: what the page is sent, step by step (the pure model
behind front.js), the picture without a kernel, save_html, and quiz mode.

Graphs: the MLP `X @ W1 + b1 → relu → @ W2 + b2 → sum`, broadcasting (3,1) * (1,4), a hook,
a 300-node graph (one layout) and a 1,200-node graph (windows that follow the edge)."""

from __future__ import annotations

import base64
import json
import re
import shutil

import numpy as np
import pytest
from mlp import mlp
from pagekit import click, disabled

import smallgrad as t
from widgets import BackwardStepper, GraphView, explain, front, stepper_page
from widgets.quiz import Verdict

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed")
ACTIVE = re.compile(r'<g id="([^"]+)" class="[^"]*\bactive\b[^"]*"')


def broadcast():
    a = t.tensor([[1.0], [2.0], [3.0]], requires_grad=True)  # (3, 1)
    b = t.tensor([[1.0, 10.0, 100.0, 1000.0]], requires_grad=True)  # (1, 4)
    c = a * b
    z = c.sum()
    return z, {"a": a, "b": b, "c": c, "z": z}


def chain(n: int):
    a = t.ones(3, requires_grad=True)
    y = a
    for _ in range(n):
        y = y * 1.0001
    return y.sum(), {"a": a}


def walk(stepper):
    """Step to the end through the page's own messages; the state after each step."""
    states = []
    while not disabled(stepper, "next"):
        click(stepper, "next")
        states.append(stepper.widget.state)
    return states


# --- every step: one active edge, its value on its label, small -----------------------------

@pytest.mark.parametrize("make", [mlp, broadcast], ids=["mlp", "broadcast"])
def test_each_step_sends_one_active_edge_with_its_value_on_its_label(make):
    root, names = make()
    stepper = BackwardStepper(root, names=names)
    assert stepper.widget.state["marks"]["active"] == []
    assert stepper.widget.state["focus"] == stepper._graphs["forward"].root  # step 0: the root
    seen = []
    for k in range(1, stepper.n_steps + 1):
        click(stepper, "next")
        state, edge = stepper.widget.state, stepper.current
        eid = stepper._graphs["forward"].edge_id(edge.src, edge.index)
        assert state["position"] == k and state["marks"]["active"] == [eid]
        assert state["marks"]["done"] == seen  # the earlier edges, in order
        assert state["focus"] == eid  # the page scrolls its box to it
        value = (explain.value(edge.grad) if edge.grad.numel() <= 4
                 else explain.shape(edge.grad))
        assert state["label"] == {"id": eid, "text": f"{stepper._labels[eid]} = {value}"}
        assert state["card"] == stepper.card and state["details"] == stepper.details
        assert len(json.dumps(state)) < 8000
        if stepper.svg:
            assert [i.split("_", 1)[1] for i in ACTIVE.findall(stepper.svg)] == [eid]
            assert f"{stepper._labels[eid]} = " in stepper.svg  # the label, in Python's svg too
        seen.append(eid)
    assert len(seen) == stepper.n_steps == len(set(seen))


def test_the_mlp_steps_end_with_the_grads_of_backward():
    L, names = mlp()
    stepper = BackwardStepper(L, names=names)
    walk(stepper)
    L2, names2 = mlp()
    L2.backward()
    for leaf in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(names[leaf].grad.numpy(), names2[leaf].grad.numpy())
    assert stepper.widget.state["grads"]  # hovering a leaf shows its .grad now
    w1 = next(n.id for n in stepper._graphs["forward"].nodes.values() if n.name == "W1")
    assert stepper.widget.state["grads"][w1] == explain.value(names["W1"].grad)


def test_broadcasting_shows_the_reduced_shapes():
    z, names = broadcast()
    stepper = BackwardStepper(z, names=names)
    texts = [s["label"]["text"] for s in walk(stepper)]
    assert any(text.startswith("∂z/∂a = ") for text in texts)
    np.testing.assert_array_equal(names["a"].grad.numpy(), [[1111.0]] * 3)
    np.testing.assert_array_equal(names["b"].grad.numpy(), [[6.0, 6.0, 6.0, 6.0]])


def test_back_and_forward_over_seen_steps_reuse_the_records():
    L, names = mlp()
    stepper = BackwardStepper(L, names=names)
    first = [dict(s, seq=0) for s in walk(stepper)]
    pulled = len(stepper._steps)
    while not disabled(stepper, "back"):
        click(stepper, "back")
    again = [dict(s, seq=0) for s in walk(stepper)]
    assert again == first and len(stepper._steps) == pulled  # the page may cache them


# --- a hook runs when the page first reaches its step ----------------------------------------

def test_a_hook_runs_in_python_when_the_page_first_reaches_its_step(capsys):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(g.numpy().tolist()) or print("hook saw", g))
    z = (y * y).sum()
    stepper = BackwardStepper(z, names={"x": x, "y": y, "z": z})
    hooked_at = None
    while not disabled(stepper, "next"):
        click(stepper, "next")
        if calls and hooked_at is None:
            hooked_at = stepper.position
            assert any("printed: hook saw" in line for line in stepper.widget.state["log"])
    assert hooked_at is not None and hooked_at > 1 and calls == [[4.0, 8.0]]
    click(stepper, "start")
    walk(stepper)  # the page goes over the seen steps again: nothing runs again
    assert calls == [[4.0, 8.0]]
    assert "hook saw" not in capsys.readouterr().out  # it went to the card and the log


# --- big graphs -------------------------------------------------------------------------------

@needs_dot
def test_a_300_node_graph_is_laid_out_once_and_the_box_follows_the_edge():
    z, names = chain(100)
    stepper = BackwardStepper(z, names=names)
    full = stepper._graphs["forward"]
    assert 300 <= len(full.nodes) <= stepper_page.FULL_LAYOUT
    picture = stepper.widget.picture
    assert stepper.widget.state["focus"] == full.root and stepper.widget.state["note"] == ""
    for state in walk(stepper):
        assert stepper.widget.picture is picture  # never redrawn
        assert state["focus"] == state["marks"]["active"][0]
    assert len(stepper._page.pictures) == 1
    last = stepper.card
    assert last.count("\n") < 60  # a long sum is listed short, not 100 terms on a line


@needs_dot
def test_a_1200_node_graph_shows_the_root_first_and_a_window_that_follows():
    z, names = chain(400)
    stepper = BackwardStepper(z, names=names)
    full = stepper._graphs["forward"]
    assert len(full.nodes) > stepper_page.FULL_LAYOUT

    def drawn():
        return stepper._page.pictures[stepper.widget.state["layout"]][0]

    assert full.root in drawn().nodes and stepper.widget.state["focus"] == full.root
    note = stepper.widget.state["note"]
    assert note.count("too many to draw at once") == 1
    assert "too many" not in stepper.widget.picture["svg"]  # once: above the picture only
    for _ in range(60):
        click(stepper, "next")
        eid = stepper.widget.state["marks"]["active"][0]
        assert any(e.id == eid for e in drawn().edges), stepper.position
    assert len(stepper._page.pictures) <= 60 // 15  # a new window only every many steps
    click(stepper, "start")  # ⏮: the root is back in the picture
    assert full.root in drawn().nodes and stepper.widget.state["focus"] == full.root


# --- without a kernel ---------------------------------------------------------------------

def _img_svg(html_text: str) -> str:
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html_text).group(1)
    return base64.b64decode(data).decode("utf-8")


@needs_dot
def test_the_saved_output_carries_the_picture_at_its_step_and_the_card():
    L, names = mlp()
    stepper = BackwardStepper(L, names=names)
    stepper.go(3)
    bundle = stepper._repr_mimebundle_()
    assert bundle["text/plain"] == "BackwardStepper(L): step 3/9"
    assert bundle[front.VIEW_MIME]["model_id"] == stepper.widget.model_id
    html_text = bundle["text/html"]
    assert "<svg" not in html_text  # JupyterLab's sanitizer would strip inline SVG
    assert _img_svg(html_text) == stepper.svg and len(ACTIVE.findall(stepper.svg)) == 1
    assert explain.value(stepper.current.grad).split("\n")[0] in html_text.replace("&#x27;", "'")
    assert "Step 3 of 9" in html_text
    for text in bundle.values():
        assert not re.search(r"0x[0-9a-f]{6,}", json.dumps(text))  # no memory address
    view = GraphView(L, names=names)
    assert view._repr_mimebundle_()["text/plain"] == repr(view)
    assert _img_svg(view._repr_mimebundle_()["text/html"]) == view.svg


def test_ipywidgets_7_display_sends_the_same_bundle(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda data, raw=False, metadata=None: shown.append((data, raw)))
    L, names = mlp()
    stepper = BackwardStepper(L, names=names)
    stepper.widget._ipython_display_()  # what ipywidgets 7 calls
    assert shown == [(stepper.widget.bundle(), True)]
    assert "text/html" in shown[0][0] and front.VIEW_MIME in shown[0][0]


@needs_dot
def test_save_html_writes_one_offline_page_with_every_step(tmp_path):
    L, names = mlp()
    stepper = BackwardStepper(L, names=names)
    stepper.go(2)
    path = stepper.save_html(tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    assert stepper.position == 2  # saving runs backward, but the stepper stays where it was
    assert front.ESM in page and front.CSS in page
    data = json.loads(re.search(r'<script type="application/json" id="sg-data">(.*?)</script>',
                                page, re.S).group(1))
    assert set(data["states"]) == {f"{v}|{k}" for v in ("forward", "autograd")
                                   for k in range(stepper.n_steps + 1)}
    assert data["start"] == {"view": "forward", "position": 2}
    for state in data["states"].values():
        assert data["pictures"][state["layout"]]["svg"].startswith("<svg")
    assert data["states"]["forward|3"]["card"] == (stepper.go(3) or stepper.card)
    # offline: nothing is fetched (the SVG namespace URIs are names, not requests)
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:|url\(\s*["']?https?:|"""
                         r"""import\s*\(\s*["']https?:""", page)


# --- quiz mode ----------------------------------------------------------------------------

class Asks:
    """A quiz model with the API of widgets/quiz.py: asks about every edge."""

    def __init__(self):
        self.asked = []

    def question(self, step):
        self.asked.append(step)
        return f"what flows from {step.src.name()}?"

    def check(self, step, text):
        right = np.allclose(float(text), step.grad.numpy())
        return Verdict(bool(right), "yes" if right else "no")


def test_quiz_asks_before_showing_the_gradient_then_reveals():
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    z = w * x
    asks = Asks()
    stepper = BackwardStepper(z, names={"w": w, "x": x, "z": z}, quiz=asks)
    assert stepper.question is None  # step 0: nothing to ask
    click(stepper, "next")
    assert stepper.question == "what flows from MulBackward0?"
    state = stepper.widget.state
    assert state["quiz"] == {"prompt": stepper.question, "pending": True, "verdict": None}
    assert state["label"]["text"].endswith("= ?") and "= 3" not in state["card"]
    # nothing gives the answer away: not the log, the details (of w, or x) nor hovering
    assert state["log"] == [] and "grad so far" not in state["details"]
    assert ".grad          None" in state["details"]
    assert state["grads"] == {n: "None" for n in state["grads"]}
    assert disabled(stepper, "next")  # the page waits for an answer
    stepper.widget.request({"type": "answer", "text": "2"})  # the page's box
    assert stepper.widget.state["quiz"]["verdict"] == {"right": False, "message": "no"}
    assert stepper.question is None and stepper.widget.state["label"]["text"].endswith("= 3")
    assert "Your answer: 2" in stepper.card and "= 3" in stepper.card
    click(stepper, "next")
    verdict = stepper.answer("2")  # from Python
    assert verdict.right and stepper.widget.state["quiz"]["verdict"]["right"]
    assert len(asks.asked) == 2
    click(stepper, "back")
    click(stepper, "next")  # seen steps are not asked again
    assert len(asks.asked) == 2 and stepper.question is None
    with pytest.raises(RuntimeError, match="no question is waiting"):
        stepper.answer("1")


def test_quiz_from_python_step_moves_on_and_reveal_shows_without_answering():
    L, names = mlp()
    stepper = BackwardStepper(L, names=names, quiz=True)  # the real quiz model
    stepper.step()
    prompt = stepper.question
    assert prompt and "?" in prompt
    stepper.widget.request({"type": "reveal"})
    assert stepper.question is None and "(revealed without an answer)" in stepper.card
    stepper.step()
    assert stepper.question
    stepper.step()  # moving on from Python skips the open question
    assert stepper.position == 3 and stepper.question
    stepper.run_to_end()
    assert stepper.position == stepper.n_steps
    np.testing.assert_allclose(names["b2"].grad.numpy(), [5.0, 5.0])


def test_quiz_answer_checks_the_real_gradient():
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    z = w * x
    stepper = BackwardStepper(z, names={"w": w, "x": x, "z": z}, quiz=True)
    stepper.step()
    into = "w" if "into w" in stepper.question else "x"
    verdict = stepper.answer("3" if into == "w" else "2")
    assert verdict.right, verdict.message
    with pytest.raises(TypeError, match="quiz must be True or an object"):
        BackwardStepper(z * 1, quiz="yes")
