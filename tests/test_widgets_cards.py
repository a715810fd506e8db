"""The stepper's card text for tensors (widgets/explain.py), checked against the real engine.

Each test steps the real BackwardStepper (so the real engine runs) and reads the cards
that explain.Cards writes for its steps. Cards is built right after the stepper, before
backward runs, as the stepper builds it (it keeps what each node saved for the formulas).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import smallgrad as t
from smallgrad.autograd import Function
from tests.test_seed import CELLS, SMALLGRAD_IMPORT
from widgets import BackwardStepper, explain, messages, model


class Stepped:
    """A stepper and its cards; .to(name) steps until the grad flows into `name`."""

    def __init__(self, root, names):
        self.names = names
        self.stepper = BackwardStepper(root, names=names)
        self.cards = explain.Cards(self.stepper._graphs["forward"])

    @property
    def card(self) -> str:
        s = self.stepper
        return self.cards.card(s._steps, s.position, s.n_steps)

    def all_cards(self) -> list[str]:
        out = []
        while self.stepper.position < self.stepper.n_steps:
            self.stepper.step()
            out.append(self.card)
        return out

    def to(self, name: str, part: int = 1) -> str:
        """Step to the `part`-th edge whose grad flows into the tensor called `name`."""
        seen = 0
        while self.stepper.position < self.stepper.n_steps:
            self.stepper.step()
            edge = self.stepper.current
            if self.cards.var_label(edge.dst, edge.dst_slot) == name:
                seen += 1
                if seen == part:
                    return self.card
        raise AssertionError(f"no edge into {name}")


def shown_numbers(card: str, start: str) -> list[float]:
    """The numbers of the tensor whose first line starts with `start`, up to its `])`."""
    lines = card.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(i for i in range(first, len(lines)) if "])" in lines[i])
    block = " ".join(lines[first:last + 1]).split("tensor(", 1)[1]
    return [float(v) for v in re.findall(r"-?\d+\.\d*", block.split("])")[0])]


# --- numbers and shapes ---------------------------------------------------------------------

def test_a_scalar_has_a_plain_shape_name_and_a_short_number():
    assert explain.shape(t.tensor(3.0)) == "scalar"
    assert explain.shape(t.zeros(5, 4)) == "[5, 4]"
    assert explain.value(t.tensor(3.0)) == "3"
    assert explain.value(t.tensor(0.25)) == "0.25"
    # rounded to 1 it would make `1 − 1²` look like 0: more digits then
    assert explain.value(t.tensor(0.999983)) == "0.999983"


def test_a_big_tensor_prints_as_its_shape_and_an_aligned_preview():
    x = t.tensor(np.arange(20, dtype=np.float32).reshape(5, 4) * 0.25 - 1.5)
    text = explain.value(x)
    assert text == ("[5, 4] tensor([[-1.50, -1.25, -1.00, …],\n"
                    "               [-0.50, -0.25,  0.00, …],\n"
                    "               [ 0.50,  0.75,  1.00, …],\n"
                    "               …])")
    assert explain.value(t.arange(10.0)) == "[10] tensor([0., 1., 2., 3., …])"
    assert explain.value(t.tensor([1.0, 2.0, 3.0])) == "[1., 2., 3.]"
    assert explain.value(t.ones(2, 3, 4)).startswith("[2, 3, 4] tensor([[[1., 1., 1., …], …], …")


def test_continuation_rows_keep_their_column_wherever_the_value_is_placed():
    block = explain.value(t.ones(3, 2))
    lines = explain.placed("∂L/∂W = ", block)
    assert lines[0] == "∂L/∂W = [3, 2] tensor([[1., 1.],"
    assert all(line.startswith(" " * len("∂L/∂W = [3, 2] tensor([")) for line in lines[1:])
    record = explain.joined("W.grad None → ", block)
    assert record.split("\n")[1] == " " * len("W.grad None → [3, 2] tensor([") + "[1., 1.],"


# --- the MLP: X @ W1 + b1 → relu → @ W2 + b2 → sum ---------------------------------------------

def mlp():
    t.manual_seed(0)
    X = t.randn(5, 4)
    W1 = t.randn(4, 3, requires_grad=True)
    b1 = t.zeros(3, requires_grad=True)
    W2 = t.randn(3, 2, requires_grad=True)
    b2 = t.zeros(2, requires_grad=True)
    z1 = X @ W1
    a1 = z1 + b1
    h = a1.relu()
    z2 = h @ W2
    out = z2 + b2
    L = out.sum()
    return locals()


def test_mlp_matmul_cards_give_the_transposed_rule_and_its_shapes():
    names = mlp()
    run = Stepped(names["L"], names)
    into_w2 = run.to("W2")
    assert "∂L/∂W2 = hᵀ · ∂L/∂z2" in into_w2
    assert "shapes: [3,5]·[5,2] → [3,2]   (hᵀ · ∂L/∂z2 → ∂L/∂W2)" in into_w2
    # the value on the card is the engine's: h.T @ ones(5, 2)
    expected = names["h"]._data.T @ np.ones((5, 2), dtype=np.float32)
    shown = shown_numbers(into_w2, "       = [3, 2] tensor(")
    assert np.allclose(shown, expected.ravel(), atol=1e-4)
    names = mlp()  # the same numbers again (seeded): the first run freed the saved tensors
    run2 = Stepped(names["L"], names)
    into_h = run2.to("h")
    assert "∂L/∂h = ∂L/∂z2 · W2ᵀ" in into_h
    assert "shapes: [5,2]·[2,3] → [5,3]   (∂L/∂z2 · W2ᵀ → ∂L/∂h)" in into_h
    into_w1 = run2.to("W1")
    assert "∂L/∂W1 = Xᵀ · ∂L/∂z1" in into_w1
    assert "shapes: [4,5]·[5,3] → [4,3]   (Xᵀ · ∂L/∂z1 → ∂L/∂W1)" in into_w1
    assert run2.stepper.position == run2.stepper.n_steps  # W1's edge is the last: .grad is set
    line = next(x for x in into_w1.split("\n") if x.startswith("       = [4, 3] tensor([["))
    first_row = [float(v) for v in re.findall(r"-?\d+\.\d+", line)]
    assert np.allclose(first_row, names["W1"].grad._data[0], atol=1e-4)


def test_mlp_relu_and_bias_cards():
    names = mlp()
    run = Stepped(names["L"], names)
    into_b2 = run.to("b2")
    assert "= ∂L/∂out ⊙ 1, summed over dim 0 (size 5) = [5., 5.]" in into_b2
    assert ("broadcast: b2 has shape [2] but AddBackward0 used it as [5, 2], so its grad is "
            "summed over dim 0 (size 5): [5, 2] → [2]") in into_b2
    # the parts of the sum, one a line, the middle left out
    assert "∂L/∂b2 = [1., 1.]   ([0, :])\n       + [1., 1.]   ([1, :])" in into_b2
    assert "       + … (1 more)\n       + [1., 1.]   ([4, :])\n       = [5., 5.]" in into_b2
    into_a1 = run.to("a1")
    assert "∂L/∂a1 = ∂L/∂h · ∂h/∂a1\n       = ∂L/∂h ⊙ [a1 > 0]\n" in into_a1
    assert "[…] is 1 where it holds, 0 elsewhere" in into_a1
    # the preview: shape, 3 rows of 3, then "…" for the other 2 rows, aligned under the first
    rows = [line for line in into_a1.split("\n") if line.startswith("       ")]
    assert rows[1].startswith("       = [5, 3] tensor([[")
    column = len("       = [5, 3] tensor([")
    assert rows[2][column] == "[" and rows[2][:column].strip() == ""
    assert rows[4].strip() == "…])"
    mask = names["a1"]._data > 0
    grad_h = np.ones((5, 2), np.float32) @ names["W2"]._data.T
    assert np.allclose(shown_numbers(into_a1, "       = [5, 3] tensor("),
                       (grad_h * mask)[:3].ravel(), atol=0.006)  # 2 decimals in a preview
    into_b1 = run.to("b1")
    assert "summed over dim 0 (size 5)" in into_b1 and "… (1 more)" in into_b1


# --- broadcasting (3,1) * (1,4) ---------------------------------------------------------------

def test_broadcasting_cards_name_the_summed_dim_and_list_its_parts():
    a = t.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    b = t.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    y = a * b
    z = y.sum()
    run = Stepped(z, {"a": a, "b": b, "y": y, "z": z})
    into_a = run.to("a")
    assert "= ∂z/∂y ⊙ b, summed over dim 1 (size 4)" in into_a
    assert ("broadcast: a has shape [3, 1] but MulBackward0 used it as [3, 4], so its grad is "
            "summed over dim 1 (size 4): [3, 4] → [3, 1]") in into_a
    # four parts (one per column of ∂z/∂y ⊙ b: b's values 1, 2, 3, 4), then the total 10
    for k in range(4):
        assert f"([:, {k}])" in into_a
    assert shown_numbers(into_a, "∂z/∂a = [3, 1] tensor(") == [1.0, 1.0, 1.0]  # column 0
    assert "      = [3, 1] tensor([[10.],\n                       [10.]," in into_a
    into_b = run.to("b")
    assert ("∂z/∂b = [1, 4] tensor([[1., 1., 1., 1.]])   ([0, :])\n"
            "      + [1, 4] tensor([[2., 2., 2., 2.]])   ([1, :])\n"
            "      + [1, 4] tensor([[3., 3., 3., 3.]])   ([2, :])\n"
            "      = [1, 4] tensor([[6., 6., 6., 6.]])") in into_b
    assert np.array_equal(b.grad._data, [[6.0, 6.0, 6.0, 6.0]])


# --- a scalar chain: numbers in the formulas ----------------------------------------------------

def test_scalar_cards_substitute_the_numbers():
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    b = t.tensor(1.0, requires_grad=True)
    y = w * x
    z = y + b
    run = Stepped(z, {"w": w, "x": x, "b": b, "y": y, "z": z})
    into_w = run.to("w")
    assert "∂z/∂w = ∂z/∂y · ∂y/∂w\n      = 1 · x = 1 · 3 = 3\n" in into_w
    assert "shapes: ∂z/∂y scalar → ∂z/∂w scalar" in into_w
    assert "shape          scalar   dtype float32" in run.stepper.details  # not []


def test_scalar_chain_brackets_and_powers():
    x = t.tensor(0.5, requires_grad=True)
    u = x * 2
    v = u.tanh()
    q = v ** 2
    r = 1 - q
    names = {"x": x, "u": u, "v": v, "q": q, "r": r}
    cards = "\n".join(Stepped(r, names).all_cards())
    assert "∂r/∂q = ∂r/∂r · ∂r/∂q\n      = 1 · (−1) = -1" in cards
    assert "(-1) · 2·v = (-1) · 2·0.7616 = -1.523" in cards  # 2·v, never 2·v^1
    assert "(-1.523) · (1 − tanh²(u)) = (-1.523) · (1 − 0.7616²) = -0.6397" in cards
    assert "x^1" not in cards and "[]" not in cards
    # the last card's result is the engine's grad of x (the stepper ran backward)
    assert f"= {explain.value(x.grad)}" in cards.split("Step 4 of 4")[1]


# --- the seed's custom Mul Function -------------------------------------------------------------

def seed_mul():
    namespace: dict = {}
    exec(SMALLGRAD_IMPORT + CELLS["Mul"], namespace)
    return namespace["Mul"]


def test_a_custom_function_shows_its_class_name_and_its_own_backward():
    Mul = seed_mul()
    w = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = t.tensor([4.0, 5.0, 6.0], requires_grad=True)
    b = t.tensor([0.5, 0.5, 0.5], requires_grad=True)
    y = Mul.apply(w, x, b)
    z = (y * w).sum()  # the built-in * too, so both names are in one graph
    names = {"w": w, "x": x, "b": b, "y": y, "z": z}
    forward = [n.label for n in model.build(z, names).nodes.values() if n.kind == "op"]
    assert sorted(forward) == ["MUL", "Mul", "SUM"]
    autograd = [n.label for n in model.build(z, names, view="autograd").nodes.values()
                if n.kind == "function"]
    assert sorted(autograd) == ["MulBackward", "MulBackward0", "SumBackward0"]
    assert model.op_label("MulBackward") == "Mul" and model.op_label("MulBackward0") == "MUL"
    run = Stepped(z, names)
    into_x = run.to("x")
    assert into_x.startswith("Step ") and ": x ← Mul   (MulBackward → AccumulateGrad, input 1)" \
        in into_x
    # grad_output is ∂z/∂y = w (from y * w), and Mul.backward returned grad_output * w for x
    assert "∂z/∂x = Mul.backward(ctx, grad_output), with grad_output = ∂z/∂y = [1., 2., 3.]" \
        in into_x
    assert "      = [1., 4., 9.]" in into_x
    assert ("Mul.backward(ctx, grad_output) returned this for x (at index 1 of what it "
            "returned): your own backward ran") in into_x
    run.stepper.run_to_end()
    assert np.array_equal(x.grad._data, [1.0, 4.0, 9.0])


# --- a hook ----------------------------------------------------------------------------------

def test_a_hook_shows_what_it_returned_and_the_card_uses_that_grad():
    x = t.tensor([2.0, 3.0], requires_grad=True)
    y = x * x

    def double(grad):
        print("hook saw", grad)
        return grad * 2

    y.register_hook(double)
    z = (y * x).sum()
    run = Stepped(z, {"x": x, "y": y, "z": z})
    card = run.to("x", part=2)
    assert "• hook double on y saw [2., 3.], returned [4., 6.] (used instead)" in card
    assert "    printed: hook saw tensor([2., 3.])" in card
    # the doubled grad is what flows on: ∂z/∂y = [4., 6.], times x = [2., 3.]
    assert "∂z/∂x (part 1) = ∂z/∂y · ∂y/∂x\n" in card
    assert "= [4., 6.] ⊙ x = [4., 6.] ⊙ [2., 3.] = [8., 18.]" in card
    assert ("∂z/∂x so far = [4., 9.]   (part 3, from MulBackward0)\n"
            "             + [8., 18.]   (part 1, from MulBackward0)\n"
            "             = [12., 27.]") in card


# --- a 300-node graph ---------------------------------------------------------------------------

def test_a_big_fan_in_lists_a_few_parts_and_never_a_100_term_line():
    x = t.tensor(1.0, requires_grad=True)
    total = x * 1.0
    for _ in range(99):
        total = total + x * 1.0
    run = Stepped(total, {"x": x, "total": total})
    assert len(run.stepper._graphs["forward"].nodes) >= 300
    cards = run.all_cards()
    last = cards[-1]
    assert max(len(line) for line in last.split("\n")) < 100
    assert len(last.split("\n")) < 30
    assert "                 + … (96 more)\n" in last
    # the parts in the order they arrived: the last use of x first
    assert "∂total/∂x so far = 1   (part 100, from MulBackward0)\n" in last
    assert "                 + 1   (part 1, from MulBackward0)\n                 = 100" in last
    assert last.split("\n")[-1] == "• AccumulateGrad: x.grad None → 100"
    assert x.grad.item() == 100.0


# --- every built-in op has a rule, and its local derivative is the engine's --------------------

def op_graphs():
    """(name, root, leaves): one small graph per built-in op the lessons and students use."""
    t.manual_seed(1)
    A = t.randn(2, 3, requires_grad=True)
    B = t.randn(3, 2, requires_grad=True)
    P = t.rand(2, 3, requires_grad=True)  # positive: for log, sqrt, pow
    v = t.randn(3, requires_grad=True)
    batch = t.randn(2, 2, 3, requires_grad=True)
    other = t.randn(2, 3, 2, requires_grad=True)
    cases = {
        "add": A + P, "sub": A - P, "rsub": 1 - A, "mul": A * P, "div": A / (P + 1),
        "neg": -A, "reciprocal": 2 / (P + 1), "pow": P ** 3, "sqrt_pow": P ** 0.5,
        "pow_tensor": (P + 1) ** A, "rpow": 2 ** A, "exp": A.exp(), "log": (P + 1).log(),
        "sqrt": (P + 1).sqrt(), "sin": A.sin(), "cos": A.cos(), "tanh": A.tanh(),
        "sigmoid": A.sigmoid(), "relu": A.relu(), "abs": A.abs(), "clamp": A.clamp(-0.5, 0.5),
        "where": t.where(A > 0, A, P), "mm": A @ B, "mv": A @ v, "dot": v @ v,
        "bmm": batch @ other, "sum_dim": A.sum(dim=1), "mean": A.mean(), "mean_dim": A.mean(0),
        "var": A.var(), "max": A.max(), "max_dim": A.max(dim=1)[0], "norm": A.norm(),
        "view": A.view(3, 2), "reshape": A.reshape(6), "expand": v.expand(2, 3),
        "transpose": A.transpose(0, 1), "t": A.t(), "permute": batch.permute(2, 0, 1),
        "unsqueeze": v.unsqueeze(0), "squeeze": v.unsqueeze(0).squeeze(0), "clone": A.clone(),
        "to": A.double(), "select": A[0], "slice": A[:, 1:], "index": A[[0, 0, 1]],
        "cat": t.cat([A, P]), "stack": t.stack([A, P]), "softmax": A.softmax(dim=1),
        "log_softmax": A.log_softmax(dim=1),
    }
    weights = {}
    for name, result in cases.items():
        weights[name] = t.randn(*result.shape) if result.ndim else t.tensor(1.0)
    return [(name, (result * weights[name]).sum(), {"A": A, "B": B, "P": P, "v": v})
            for name, result in cases.items()]


# what some of the cards say (the others: each rule's own formula, checked by number below)
FORMULAS = {
    "sub": "∂t4/∂P = ∂t4/∂t1 · ∂t1/∂P\n       = ∂t4/∂t1 ⊙ (−1)",
    "div": "= ∂t5/∂t2 ⊙ 1/t1",
    "reciprocal": "= ∂t6/∂t2 ⊙ (−1/t1²)",
    "pow": "= ∂t4/∂t1 ⊙ 3·P²",
    "sqrt_pow": "= ∂t4/∂t1 ⊙ 0.5·P^(−0.5)",
    "tanh": "= ∂t4/∂t1 ⊙ (1 − tanh²(A))",
    "sigmoid": "= ∂t4/∂t1 ⊙ σ(A)·(1 − σ(A))",
    "mm": "∂t4/∂A = ∂t4/∂t1 · Bᵀ",
    "mv": "∂t4/∂v = Aᵀ · ∂t4/∂t1",
    "sum_dim": "∂t4/∂A = ∂t4/∂t1, copied along dim 1 of A",
    "mean": "∂t3/∂A = ∂t3/∂t1 / 6, copied to every element of A (6 elements)",
    "mean_dim": "∂t4/∂A = ∂t4/∂t1 / 2, copied along dim 0 of A",
    "view": "∂t4/∂A = ∂t4/∂t1 reshaped back to [2, 3]",
    "expand": "∂t4/∂v = ∂t4/∂t1 summed over the dims expand copied along, back to [3]",
    "transpose": "∂t4/∂A = ∂t4/∂t1 transposed back (dims 0 ↔ 1)",
    "t": "∂t4/∂A = (∂t4/∂t1)ᵀ",
    "permute": "∂t5/∂t1 = ∂t5/∂t2.permute(1, 2, 0), the inverse permutation",
    "index": "∂t4/∂A = zeros of shape [2, 3] with ∂t4/∂t1 added at the positions A[…] picked",
    "cat": "∂t4/∂P = the slice of ∂t4/∂t1 that came from P (along dim 0)",
    "stack": "∂t4/∂P = ∂t4/∂t1[1] along dim 0",
    "softmax": "∂t4/∂A = y ⊙ (∂t4/∂t1 − Σ(∂t4/∂t1 ⊙ y) over dim 1),  y = softmax(A)",
}


@pytest.mark.parametrize("name, root, leaves", op_graphs(), ids=lambda c: c
                         if isinstance(c, str) else "")
def test_every_op_has_a_rule_that_matches_the_engine(name, root, leaves):
    run = Stepped(root, leaves)
    cards = []
    while run.stepper.position < run.stepper.n_steps:
        run.stepper.step()
        card = run.card
        cards.append(card)
        edge = run.stepper.current
        assert "vector–Jacobian product" not in card, f"{edge.src.name()} has no rule"
        assert f"= {explain.value(edge.grad).split(chr(10))[0]}" in card  # the engine's grad
        upstream = explain.upstream(run.stepper._steps, edge.src)
        rule = explain.formula(edge.src, edge.index, run.cards.input_labels(edge.src), "G",
                               run.cards.saved.get(edge.src, ()))
        assert rule is not None
        if rule.kind == "local" and rule.array is not None:
            product = np.asarray(upstream._data, np.float64) * rule.array
            if product.shape == tuple(edge.grad.shape):  # (broadcast sums: their own test)
                assert np.allclose(product, edge.grad._data, rtol=1e-4, atol=1e-5), name
    assert run.stepper.position == run.stepper.n_steps > 0
    if name in FORMULAS:
        assert FORMULAS[name] in "\n".join(cards)


def test_the_rules_cover_every_op_that_smallgrad_defines():
    import smallgrad.ops as ops
    from smallgrad.autograd.function import Function as Base

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    defined = {cls._backward_cls._name for cls in subclasses(Base)
               if cls.__module__.startswith(ops.__name__)}
    assert defined, "no ops found"
    assert sorted(defined - set(explain.RULES)) == []


# --- the message table ---------------------------------------------------------------------------

def test_every_message_the_code_asks_for_is_in_the_english_table():
    from pathlib import Path

    from widgets import front, graphview, render, stepper_page

    sources = [p.read_text(encoding="utf-8") for p in Path(messages.__file__).parent.glob("*.py")
               if not p.name.startswith("messages")]
    keys = set(re.findall(r'"((?:card|rule|local|vjp|record|hook|details|quiz|shape|stepper|log'
                          r'|front|view|tip|legend|graph|kind)\.(?!css"|js")[a-z_]+)"',
                          "".join(sources)))
    assert len(keys) > 60
    assert sorted(keys - set(messages.EN)) == []
    kinds = {f"details.{kind}" for kind in ("leaf", "accumulate", "result", "const", "none")}
    built = ({f"tip.{name}" for name in stepper_page.TIPS} | {f"front.{name}" for name in
             front.WORDS + stepper_page.BUTTONS} | {f"view.stepper_{v}" for v in stepper_page.VIEWS}
             | set(graphview.VIEW_TIPS.values()) | {f"tip.kind_{k}" for k in render.KINDS}
             | {f"kind.{k}" for k in render.KINDS})
    assert sorted(built - set(messages.EN)) == []
    assert sorted(set(messages.EN) - keys - kinds - built) == []  # and no message is left unused
    with pytest.raises(ValueError, match="no message table for 'xx'"):
        messages.set_language("xx")
    assert messages.text("card.step", k=2, n=5) == "Step 2 of 5"


def test_a_new_language_is_one_more_table():
    messages.TABLES["test"] = {"card.step": "第 {k} 步，共 {n} 步"}
    try:
        messages.set_language("test")
        assert messages.text("card.step", k=2, n=5) == "第 2 步，共 5 步"
        assert messages.text("shape.scalar") == "scalar"  # missing: falls back to English
    finally:
        messages.set_language("en")
        del messages.TABLES["test"]


def test_a_function_the_student_names_like_a_builtin_still_shows_as_theirs():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    x = t.tensor(3.0, requires_grad=True)
    y = Square.apply(x)
    run = Stepped(y, {"x": x, "y": y})
    card = run.to("x")
    assert ": x ← Square   (SquareBackward → AccumulateGrad, input 0)" in card
    assert "∂y/∂x = Square.backward(ctx, grad_output), with grad_output = ∂y/∂y = 1\n" in card
    assert "      = 6\n" in card
