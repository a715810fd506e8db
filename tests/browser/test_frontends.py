"""The stepper on the MLP graph `X @ W1 + b1 → relu → @ W2 + b2 → sum`, in every front end
tested here: JupyterLab 4 (light, dark, projector mode), Notebook 7, marimo (`marimo run`,
mo.ui.anywidget), save_html's page from file://, and a notebook converted by
`jupyter nbconvert --to html` (no kernel) from file://.

In each live one: at every step the active edge's bounding box lies inside the visible part
of the widget's picture box (scaled to the cell, scrolled to the edge), and each click of
"next ▶" moves the highlight to a new edge (class `active` on its <g class="edge">). No
request leaves 127.0.0.1 (the route guard in conftest.py).
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap

import mlp
import pytest

from .labkit import REPO, Stepper, open_notebook, run_all, tracebacks, write_notebook

pytestmark = pytest.mark.browser

MLP = mlp.SOURCE
N_STEPS = mlp.N_STEPS
SHOT_STEP = 3  # the README's picture: the widget at this step


def screenshot(stepper: Stepper, path, docs_name: str) -> None:
    """A picture of the widget: always in pytest's tmp folder; into docs/ (the README's)
    only with SMALLGRAD_SCREENSHOT=1 (`make screenshot`), so CI never touches the repo."""
    stepper.root.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    if os.environ.get("SMALLGRAD_SCREENSHOT") == "1":
        target = REPO / "docs" / docs_name
        shutil.copyfile(path, target)
        print(f"wrote {target}")


def walk(stepper: Stepper, shoot=None) -> list[str]:
    """Click "next ▶" to the end; at each step the active edge is new and in view.
    `shoot()` is called at SHOT_STEP."""
    stepper.wait_status(0)
    assert stepper.edges()["active"] == []
    seen: list[str] = []
    details_x = set()
    for position in range(1, N_STEPS + 1):
        stepper.click("next ▶", position)
        details_x.add(round(stepper.root.locator("pre.sg-details").bounding_box()["x"]))
        edges = stepper.edges()
        assert len(edges["active"]) == 1, f"step {position}: {edges}"
        assert len(edges["done"]) == position - 1, f"step {position}: {edges}"
        assert edges["active"][0] not in seen, f"step {position}: the highlight did not move"
        seen.append(edges["active"][0])
        where = stepper.active_in_view()
        assert where["ok"], f"step {position}: the active edge is out of view: {where}"
        if shoot and position == SHOT_STEP:
            shoot()
    assert stepper.button("next ▶").is_disabled()
    assert len(details_x) == 1, f"the details panel moved sideways: {details_x}"
    log = stepper.root.locator("pre.sg-log")
    if log.is_visible():  # the log shows its newest lines (projector mode has no log)
        assert log.evaluate("e => e.scrollHeight - e.scrollTop - e.clientHeight < 8")
    stepper.click("◀ back", N_STEPS - 1)  # a seen step: shown from the page's own cache
    assert stepper.edges()["active"] == [seen[-2]]
    return seen


def run_mlp(page, server, name: str, cells: list[str]) -> Stepper:
    """Run a notebook whose first cell builds the MLP and shows `stepper` (class mlp)."""
    cells = [MLP + "stepper = widgets.BackwardStepper(L)\n"
             "stepper.widget.add_class('mlp')\nstepper", *cells]
    open_notebook(page, server, write_notebook(server, name, cells))
    run_all(page, server)
    assert tracebacks(page) == []
    stepper = Stepper(page, page.locator(".mlp"))
    stepper.root.locator("svg g.edge").first.wait_for()
    return stepper


def every_control_has_a_tooltip(stepper: Stepper) -> None:
    untitled = stepper.root.locator(".sg-root").evaluate(
        "root => [...root.querySelectorAll('button, select, input')]"
        ".filter(e => !(e.getAttribute('title') || '').trim()).map(e => e.outerHTML)")
    assert untitled == [], f"controls without a tooltip: {untitled}"


# --- JupyterLab 4 -----------------------------------------------------------------------

def test_mlp_in_jupyterlab(page, lab, guard, tmp_path):
    stepper = run_mlp(page, lab, "mlp.ipynb", [
        "big = widgets.BackwardStepper(L * 1, large=True)\n"
        "big.widget.add_class('mlp-large')\nbig",
        "quiz = widgets.BackwardStepper(L * 1, quiz=True)\n"
        "quiz.widget.add_class('mlp-quiz')\nquiz"])
    every_control_has_a_tooltip(stepper)
    walk(stepper, lambda: screenshot(stepper, tmp_path / "stepper.png", "stepper.png"))

    # hovering a node: its name, shape and grad, never an internal id
    titles = stepper.root.locator("svg g.node > title").all_text_contents()
    assert any(t.startswith("W1 (leaf)") and "shape [3, 4]" in t for t in titles), titles
    assert not [t for t in titles if re.fullmatch(r"[ncvs]\d+(_\d+)?", t.strip())]

    # "details of": the chosen node is outlined on the graph
    stepper.root.locator("select.sg-pick").select_option(label="b1 (leaf)")
    stepper.card.page.wait_for_function(
        "root => root.querySelectorAll('svg g.node.selected').length === 1",
        arg=stepper.root.locator(".sg-root").element_handle())
    assert "b1: a leaf" in stepper.root.locator("pre.sg-details").inner_text()

    # projector mode: everything bigger, and the card beside the graph on a wide cell
    page.set_viewport_size({"width": 1920, "height": 1080})  # a projector's screen
    big = Stepper(page, page.locator(".mlp-large"))
    big.root.locator("svg g.edge").first.wait_for()
    page.wait_for_timeout(300)  # the layout follows the new width
    sizes = big.root.locator(".sg-root").evaluate(
        "root => [...root.querySelectorAll('.sg-counter, button, select, pre.sg-card')]"
        ".map(e => getComputedStyle(e).fontSize)")
    assert set(sizes) == {"20px"}, sizes
    picture = big.root.locator(".sg-scroll").bounding_box()
    card = big.root.locator("pre.sg-card").bounding_box()
    assert card["x"] >= picture["x"] + picture["width"] - 1, (picture, card)
    page.set_viewport_size({"width": 1400, "height": 1000})

    # quiz mode: the prompt before the gradient, an answer, the verdict, then the value
    quiz = Stepper(page, page.locator(".mlp-quiz"))
    quiz.root.locator("svg g.edge").first.wait_for()
    quiz.click("next ▶", 1)
    prompt = quiz.root.locator(".sg-quiz-prompt")
    prompt.wait_for()
    assert "?" in prompt.inner_text() and quiz.button("next ▶").is_disabled()
    assert quiz.root.locator("svg g.edge.active text").first.text_content().endswith("= ?")
    quiz.root.locator("input.sg-quiz-input").fill("1")
    quiz.root.locator("input.sg-quiz-input").press("Enter")
    quiz.root.locator(".sg-quiz-verdict.sg-right, .sg-quiz-verdict.sg-wrong").wait_for()
    assert not quiz.button("next ▶").is_disabled()
    assert not quiz.root.locator("svg g.edge.active text").first.text_content().endswith("= ?")
    assert guard.blocked == []


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def contrast(fore: str, back: str) -> float:
    """WCAG contrast of a CSS colour (alpha blended) on an opaque background."""
    f, b = _rgba(fore), _rgba(back)
    blended = tuple(f[3] * f[i] + (1 - f[3]) * b[i] for i in range(3))
    lighter, darker = sorted((_luminance(blended), _luminance(b[:3])), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


COLOURS_JS = """
(root) => {
  let el = root.querySelector('.sg-scroll'), back = 'rgba(0, 0, 0, 0)';
  while (el && /rgba\\(0, 0, 0, 0\\)|transparent/.test(back)) {
    back = getComputedStyle(el).backgroundColor;
    el = el.parentElement;
  }
  const strokes = [...root.querySelectorAll('svg g.edge path')]
    .map(p => [p.closest('g.edge').getAttribute('class'), getComputedStyle(p).stroke]);
  const texts = [...root.querySelectorAll('svg g.node text')].map(t => getComputedStyle(t).fill);
  return {back, strokes, texts};
}
"""


def test_dark_theme_keeps_the_edges_visible(page, lab, guard, tmp_path):
    cells = [MLP + f"stepper = widgets.BackwardStepper(L)\nstepper.go({SHOT_STEP})\n"
             "stepper.widget.add_class('mlp-dark')\nstepper"]
    name = write_notebook(lab, "dark.ipynb", cells)
    open_notebook(page, lab, name)
    theme = page.locator("li.lm-Menu-item[data-command='apputils:change-theme']")
    try:
        page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
        page.locator("li.lm-Menu-item", has_text="Theme").first.hover()
        theme.filter(has_text="JupyterLab Dark").first.click()
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        run_all(page, lab)
        stepper = Stepper(page, page.locator(".mlp-dark"))
        stepper.root.locator("svg g.edge.active").first.wait_for()
        colours = stepper.root.locator(".sg-root").evaluate(COLOURS_JS)
        assert _luminance(_rgba(colours["back"])[:3]) < 0.05, colours["back"]  # a dark theme
        kinds = set()
        for classes, stroke in colours["strokes"]:
            ratio = contrast(stroke, colours["back"])
            assert ratio >= 3, f"an edge ({classes}) has contrast {ratio:.2f} on {colours['back']}"
            kinds.add(classes)
        assert any("active" in k for k in kinds) and any("done" in k for k in kinds)
        for fill in colours["texts"]:
            assert contrast(fill, colours["back"]) >= 3, f"node text {fill} vanishes"
        screenshot(stepper, tmp_path / "stepper-dark.png", "stepper-dark.png")
    finally:
        page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
        page.locator("li.lm-Menu-item", has_text="Theme").first.hover()
        theme.filter(has_text="JupyterLab Light").first.click()
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'")
    assert guard.blocked == []


# --- Notebook 7 ---------------------------------------------------------------------------

def test_mlp_in_notebook_7(tab, notebook7, guard):
    stepper = run_mlp(tab, notebook7, "mlp7.ipynb", ["print('last cell')"])
    walk(stepper)
    # the keys are the widget's, not the notebook's (data-lm-suppress-shortcuts)
    stepper.root.locator(".sg-scroll").click()
    cells_before = tab.locator(".jp-Notebook .jp-Cell").count()
    tab.keyboard.press("Home")
    stepper.wait_status(0)
    for position, key in ((1, "ArrowRight"), (2, "Space"), (3, "Enter"), (2, "ArrowLeft")):
        tab.keyboard.press(key)
        stepper.wait_status(position)
    tab.keyboard.press("b")  # a notebook shortcut (insert a cell below): not while here
    tab.keyboard.press("End")
    stepper.wait_status(N_STEPS)
    assert tab.locator(".jp-Notebook .jp-Cell").count() == cells_before
    for session in notebook7.sessions():
        notebook7.shutdown_kernel(session.get("path", ""))
    assert guard.blocked == []


# --- marimo -------------------------------------------------------------------------------

MARIMO_APP = '''\
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
{mlp}
    stepper = widgets.BackwardStepper(L, names=dict(X=X, W1=W1, b1=b1, W2=W2, b2=b2, h=h, L=L))
    shown = mo.ui.anywidget(stepper.widget)
    shown
    return


if __name__ == "__main__":
    app.run()
'''


def test_mlp_in_marimo(tab, marimo_app, guard):
    url = marimo_app(MARIMO_APP.format(mlp=textwrap.indent(MLP, "    ")))
    tab.goto(url)
    root = tab.locator(".sg-root.sg-stepper")  # in a shadow root: Playwright pierces it
    root.locator("svg g.edge").first.wait_for()
    stepper = Stepper(tab, root.locator(".."))
    every_control_has_a_tooltip(stepper)
    walk(stepper)
    assert guard.blocked == []


# --- no kernel: save_html's page, and nbconvert's HTML, from file:// ---------------------

def test_save_html_steps_from_file(tab, guard, tmp_path):
    import widgets

    L, names = mlp.mlp()
    path = widgets.BackwardStepper(L, names=names).save_html(tmp_path / "mlp.html")
    tab.goto(path.as_uri())
    stepper = Stepper(tab, tab.locator("#sg-widget"))
    stepper.root.locator("svg g.edge").first.wait_for()
    every_control_has_a_tooltip(stepper)
    walk(stepper)
    stepper.root.locator("button", has_text="autograd").click()  # the other view, precomputed
    stepper.root.locator("svg text", has_text="MmBackward0").first.wait_for()
    assert len(stepper.edges()["active"]) == 1
    assert guard.blocked == []


def test_nbconvert_html_shows_the_picture_and_the_card_offline(tab, guard, tmp_path):
    html_path = mlp.saved_notebook_html(tmp_path, 2)  # (its text: tests/test_widgets_saved.py)
    tab.goto(html_path.as_uri())
    image = tab.locator("img[src^='data:image/svg+xml;base64,']").first
    image.wait_for()
    assert image.evaluate("img => img.complete && img.naturalWidth > 100")
    assert tab.get_by_text("Step 2 of 9").first.is_visible()
    # nbconvert's own template asks a CDN for require.js and MathJax (blocked here, with no
    # effect on the picture); nothing else may be asked for
    template = {"/ajax/libs/require.js/", "/ajax/libs/mathjax/"}
    others = [url for url in guard.blocked if not any(part in url for part in template)]
    assert others == [], f"the converted page reached out: {others}"
    guard.reset()
