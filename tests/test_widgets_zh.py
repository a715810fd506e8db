"""The widgets in Chinese: the zh message table, set_language("zh") and lang="zh".

Every id of the English table (widgets/messages.py) has a Chinese template with the same
fields; a widget made with lang="zh" says everything in Chinese while the others stay
English; node names (MulBackward0) and PyTorch's own error messages stay as PyTorch
prints them; and Graphviz lays out Chinese variable names.
"""

from __future__ import annotations

import re
import string

import pytest

import smallgrad as t
import widgets
from widgets import messages
from widgets.messages_zh import ZH

HAN = re.compile(r"[\u4e00-\u9fff]")
# Words that stay as they are in Chinese too: API names, function names in formulas.
KEPT = {"exp", "cos", "sin", "tanh", "sign", "mean", "softmax", "log_softmax", "permute",
        "retain_grad", "grad", "shape", "dtype", "is_leaf", "requires_grad", "grad_fn",
        "None", "AccumulateGrad", "next_functions", "backward", "ctx", "grad_output", "ln",
        "condition", "root", "zoom"}


def fields(template: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name)


@pytest.mark.parametrize("key", sorted(messages.EN))
def test_every_english_message_has_a_chinese_one_with_the_same_fields(key):
    assert key in ZH, f"no zh message for {key!r}"
    assert fields(ZH[key]) == fields(messages.EN[key]), key


def test_the_zh_table_has_no_extra_ids():
    assert sorted(set(ZH) - set(messages.EN)) == []


@pytest.mark.parametrize("key", sorted(messages.EN))
def test_a_message_with_words_is_in_chinese(key):
    english = re.sub(r"\{[^}]*\}", "", messages.EN[key])
    words = {w for w in re.findall(r"[A-Za-z_]{3,}", english)} - KEPT
    if words:
        assert HAN.search(ZH[key]), f"{key}: {ZH[key]!r} has English words {sorted(words)}"


@pytest.fixture
def chinese():
    widgets.set_language("zh")
    yield
    widgets.set_language("en")


def fan_out():
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    z = w * x + x
    return z, {"w": w, "x": x, "z": z}


def test_set_language_switches_the_stepper(chinese):
    z, names = fan_out()
    stepper = widgets.BackwardStepper(z, names=names)
    assert stepper.card.startswith("反向传播之前。z.backward() 把 ∂z/∂z 送进 z")
    stepper.run_to_end()
    assert stepper.card.startswith(f"第 {stepper.n_steps} 步（共 {stepper.n_steps} 步）")
    assert "MulBackward0" in stepper.card  # node names stay PyTorch's
    assert "被使用了不止一次" in stepper.card  # x is used twice: the parts add up
    assert any("AccumulateGrad：x.grad" in line for line in stepper.log)
    assert "一个要求梯度的叶子节点" in stepper.details
    assert [b.description for b in stepper.buttons] == ["⏮ 开始", "◀ 后退", "下一步 ▶", "结束 ⏭"]
    setup = stepper.widget.setup
    assert setup["words"]["next"] == "下一步 ▶" and HAN.search(setup["legend"])
    assert all(HAN.search(tip) for tip in setup["tooltips"].values())
    assert all(HAN.search(tip) for _, tip in setup["views"])


def test_lang_on_one_stepper_leaves_the_others_english():
    z, names = fan_out()
    chinese = widgets.BackwardStepper(z, names=names, lang="zh")
    english = widgets.BackwardStepper(z, names=names, retain_graph=True)
    assert chinese.widget.setup["words"]["next"] == "下一步 ▶"
    assert english.widget.setup["words"]["next"] == "next ▶"
    chinese.step()
    english.step()
    assert chinese.card.startswith("第 1 步") and english.card.startswith("Step 1 of")
    assert messages.language() == "en"
    english.go(0)
    assert english.card.startswith("Before backward.")
    chinese.widget.request({"type": "go", "position": 2, "seq": 1})  # a click in the page
    assert chinese.widget.state["card"].startswith("第 2 步")
    assert chinese.position == 2 and messages.language() == "en"


def test_the_quiz_asks_in_chinese():
    z, names = fan_out()
    stepper = widgets.BackwardStepper(z, names=names, quiz=True, lang="zh")
    stepper.step()
    assert stepper.question.startswith("从 ") and "流进" in stepper.question
    verdict = stepper.answer("12345")
    assert verdict.right is False and HAN.search(verdict.message)
    assert "你的答案：12345" in stepper.card


def test_pytorchs_error_stays_english_in_a_chinese_card():
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    stepper = widgets.BackwardStepper(y.sum(), names={"x": x, "y": y}, lang="zh")
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        stepper.run_to_end()
    assert "反向传播因错误而停止：" in stepper.card
    assert "modified by an inplace operation" in stepper.card


def test_graphview_and_draw_in_chinese():
    z, names = fan_out()
    view = widgets.GraphView(z, names=names, lang="zh")
    assert HAN.search(view.widget.setup["legend"]) and "单步时" not in view.widget.setup["legend"]
    assert "起点" in view.details or "运算结果" in view.details
    english = widgets.GraphView(z, names=names)
    assert "bold blue ellipse" in english.widget.setup["legend"]
    assert "叶子节点" in str(view.widget.picture)  # hovering a node: its tooltip
    assert "叶子节点" not in str(english.widget.picture)
    z.backward()
    drawn = widgets.draw(z, names=names, view="autograd", saved=True, lang="zh")
    assert "已释放" in drawn.pipe(format="svg").decode()  # MulBackward0's saved tensors
    english_drawn = widgets.draw(z, names=names, view="autograd", saved=True)
    assert "freed" in english_drawn.pipe(format="svg").decode()


def node_half_widths(svg: str) -> dict[str, float]:
    """{label: rx of its ellipse} for the variable nodes of a drawn SVG."""
    found = {}
    for group in re.findall(r'<g id="[^"]*" class="node[^"]*">.*?</g>', svg, re.S):
        rx, label = re.search(r'rx="([\d.]+)"', group), re.search(r">([^<]+)</text>", group)
        if rx and label:
            found[label.group(1)] = float(rx.group(1))
    return found


def test_graphviz_lays_out_chinese_names():
    """Each Chinese character is one em wide: the ellipse must be measured for that (a
    layout that measured them like Latin letters would draw the name over its border)."""
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0, requires_grad=True)
    loss = w * x
    names = {"输入的权重矩阵": w, "abcdefg": x, "损失": loss}
    svg = widgets.draw(loss, names=names).pipe(format="svg").decode()
    widths = node_half_widths(svg)
    assert set(names) <= set(widths), widths
    font_size = float(re.search(r'font-size="([\d.]+)"', svg).group(1))
    assert widths["输入的权重矩阵"] >= 7 * font_size / 2  # seven glyphs, one em each
    assert widths["输入的权重矩阵"] > 1.4 * widths["abcdefg"]


def columns(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_a_card_with_chinese_names_keeps_its_equals_signs_aligned():
    w = t.tensor(2.0, requires_grad=True)
    x = t.tensor(3.0)
    loss = w * x
    stepper = widgets.BackwardStepper(loss, names={"权重": w, "输入": x, "损失": loss}, lang="zh")
    stepper.step()
    first, second = [line for line in stepper.card.splitlines() if " = " in line][:2]
    assert first.startswith("∂损失/∂权重 = ") and second.strip().startswith("= 1 · 输入")
    assert columns(first[:first.index(" = ")]) == columns(second[:second.index(" = ")])
