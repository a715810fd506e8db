"""The Chinese stepping lesson (lessons/zh/04_stepping.ipynb) in a real JupyterLab.

- Run All works: the zh lesson finds its checkers (lessons/zh/_check, which loads
  lessons/_check) and they answer in Chinese.
- The stepper speaks Chinese: its buttons, counter, card, legend and tooltips; clicking
  "下一步 ▶" moves it one edge, and "◀ 后退" back.
- The Chinese text is drawn with real glyphs: each character, drawn in the card's own font,
  must differ from the box Chromium draws for a character no font has (U+0378), and two
  different characters must differ from each other. Without a CJK font (fonts-noto-cjk)
  every Chinese character is that same box, and this test fails.

The lesson is copied to the server's temporary folder with the layout it imports from
(zh/ next to _check/): the repository's notebooks are never modified.
"""

from __future__ import annotations

import re
import shutil

import pytest

from .labkit import REPO, open_notebook, run_all, steppers, tracebacks

pytestmark = pytest.mark.browser

LESSONS = REPO / "lessons"
LESSON = "zh/04_stepping.ipynb"
HAN = re.compile(r"[\u4e00-\u9fff]")

# Each character drawn alone on a canvas in `family`: a hash of its pixels, and how many
# pixels are inked.
GLYPHS_JS = """([family, chars]) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const g = canvas.getContext("2d", {willReadFrequently: true});
  return chars.map((ch) => {
    g.clearRect(0, 0, 64, 64);
    g.font = `40px ${family}`;
    g.fillStyle = "black";
    g.fillText(ch, 4, 48);
    const alpha = Array.from(g.getImageData(0, 0, 64, 64).data).filter((_, i) => i % 4 === 3);
    let hash = 2166136261;  // FNV-1a over the alpha channel
    for (const a of alpha) hash = Math.imul(hash ^ a, 16777619) >>> 0;
    return {pixels: hash, ink: alpha.filter((a) => a > 0).length};
  });
}"""


def _copy_lesson(lab) -> None:
    shutil.copytree(LESSONS / "_check", lab.notebook_dir / "_check", dirs_exist_ok=True)
    zh = lab.notebook_dir / "zh"
    zh.mkdir(exist_ok=True)
    shutil.copytree(LESSONS / "zh" / "_check", zh / "_check", dirs_exist_ok=True)
    for name in ("04_stepping.ipynb", "solutions.md"):
        shutil.copyfile(LESSONS / "zh" / name, zh / name)


def _wait_step(stepper, position: int) -> None:
    stepper.locator(".sg-counter", has_text=re.compile(rf"^第 {position}/\d+ 步$")).wait_for()
    stepper.locator("pre.sg-card", has_text="反向传播之前" if position == 0
                    else f"第 {position} 步").wait_for()


def test_zh_lesson_steps_in_chinese_with_real_glyphs(page, lab, guard):
    _copy_lesson(lab)
    open_notebook(page, lab, LESSON)
    run_all(page, lab)
    assert tracebacks(page) == [], "the zh lesson raised in JupyterLab"
    assert page.get_by_text("还没作答").count() >= 1, "the checkers should answer in Chinese"

    found = steppers(page)
    found.first.locator("svg g.edge").first.wait_for()
    stepper = found.first.locator(".sg-root")
    button = lambda label: stepper.locator("button.sg-button", has_text=label)  # noqa: E731
    card = stepper.locator("pre.sg-card")

    # --- the words are Chinese; node names stay PyTorch's
    button("⏮ 开始").click()
    _wait_step(stepper, 0)
    assert card.inner_text().startswith("反向传播之前。z.backward()")
    assert HAN.search(stepper.locator(".sg-legend").inner_text())
    assert HAN.search(button("下一步 ▶").get_attribute("title"))
    button("下一步 ▶").click()
    _wait_step(stepper, 1)
    first = card.inner_text()
    assert first.startswith("第 1 步（共 4 步）") and "AddBackward0" in first
    button("下一步 ▶").click()
    _wait_step(stepper, 2)
    assert card.inner_text() != first, "the card did not change with the step"
    button("◀ 后退").click()
    _wait_step(stepper, 1)
    assert card.inner_text() == first

    # --- the glyphs are real: drawn in the card's font, they are not the missing-glyph box
    family = card.evaluate("(el) => getComputedStyle(el).fontFamily")
    drawn = page.evaluate(GLYPHS_JS, [family, ["梯", "度", "\u0378"]])
    grad, du, missing = drawn
    assert grad["ink"] > 0 and du["ink"] > 0, "Chinese characters drew nothing"
    assert grad["pixels"] != missing["pixels"], (
        f"梯 is drawn as the missing-glyph box in {family}: no CJK font (fonts-noto-cjk)")
    assert du["pixels"] != missing["pixels"], f"度 is drawn as the missing-glyph box in {family}"
    assert grad["pixels"] != du["pixels"], "two different characters drew the same box"
    # the card's Chinese is as wide as Chinese glyphs are: about one em per character
    em = card.evaluate("""(el) => {
      const probe = document.createElement("span");
      probe.textContent = "反向传播反向传播";  // eight characters
      el.appendChild(probe);
      const width = probe.getBoundingClientRect().width;
      const size = parseFloat(getComputedStyle(el).fontSize);
      probe.remove();
      return width / size / 8;
    }""")
    assert 0.8 < em < 1.3, f"a Chinese character is {em:.2f} em wide in the card"

    assert guard.blocked == [], f"requests that tried to leave 127.0.0.1: {guard.blocked}"
