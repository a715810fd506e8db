"""Projector mode in a real JupyterLab: one-key stepping.

A teacher clicks "next ▶" once; from then on Space or Enter takes the next step. That is the
browser's own behaviour for a focused <button> (ipywidgets' Button is one, and it keeps the
focus after a click), so nothing in the widget does it: this test checks that JupyterLab does
not take those keys for itself (in command mode, Enter would open the cell's editor), even
when the notebook was in edit mode before the click, and that Tab / Shift+Tab move between the
buttons so that Space can step back too. It also checks projector mode's big buttons and
the tooltips that name the keys.
"""

from __future__ import annotations

import pytest

from .labkit import Stepper, open_notebook, run_all, tracebacks, write_notebook

pytestmark = pytest.mark.browser

CELLS = [
    "import smallgrad as t\n"
    "import widgets\n"
    "w = t.tensor(2.0, requires_grad=True)\n"
    "x = t.tensor(3.0, requires_grad=True)\n"
    "b = t.tensor(1.0, requires_grad=True)\n"
    "z = w * x + b\n"
    "projector = widgets.BackwardStepper(z, large=True)\n"
    "projector.widget.add_class('projector')\n"
    "projector",
    "print(projector.n_steps, 'steps')",
]

_FOCUSED_JS = "() => document.activeElement ? document.activeElement.textContent.trim() : ''"


def test_space_and_enter_step_once_the_button_is_clicked(page, lab, guard):
    name = write_notebook(lab, "projector.ipynb", CELLS)
    open_notebook(page, lab, name)
    run_all(page, lab)
    assert tracebacks(page) == []
    assert page.locator(".jp-OutputArea-output", has_text="4 steps").count() == 1

    stepper = Stepper(page, page.locator(".projector"))
    stepper.root.locator("svg g.edge").first.wait_for()
    stepper.wait_status(0)
    nxt = stepper.button("next ▶")
    assert nxt.evaluate("b => getComputedStyle(b).fontSize") == "20px"  # projector mode
    assert "Space or Enter" in nxt.get_attribute("title")
    assert "Space or Enter" in stepper.button("◀ back").get_attribute("title")

    # A teacher who was just editing: the last cell's editor has the focus (edit mode).
    editors = page.locator(".jp-Cell .cm-content")
    editors.last.click()
    page.locator(".jp-Notebook.jp-mod-editMode").wait_for()
    sources = editors.all_inner_texts()
    prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()

    seen: list[str] = []  # the highlighted edge at steps 1, 2, ...

    def at(position: int, edge_is_new: bool) -> None:
        stepper.wait_status(position)
        stepper.card.filter(has_text=f"Step {position} of").wait_for()
        edges = stepper.edges()
        assert len(edges["active"]) == 1, f"step {position}: {edges}"
        assert len(edges["done"]) == position - 1, f"step {position}: {edges}"
        active = edges["active"][0]
        if edge_is_new:
            assert active not in seen, f"step {position}: the highlight did not move ({seen})"
            seen.append(active)
        else:
            assert active == seen[position - 1], f"step {position}: not the recorded edge"

    nxt.click()  # the one click
    at(1, edge_is_new=True)
    for position, key in ((2, "Space"), (3, "Enter")):
        page.keyboard.press(key)
        at(position, edge_is_new=True)
    assert page.evaluate(_FOCUSED_JS) == "next ▶"

    # Shift+Tab: the focus goes to ◀ back, and Space steps back; Tab and Space go on again.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(_FOCUSED_JS) == "◀ back"
    page.keyboard.press("Space")
    at(2, edge_is_new=False)
    page.keyboard.press("Tab")
    assert page.evaluate(_FOCUSED_JS) == "next ▶"
    page.keyboard.press("Space")
    at(3, edge_is_new=False)
    page.keyboard.press("Enter")
    at(4, edge_is_new=True)
    assert nxt.is_disabled()  # the last step
    assert len(seen) == 4

    # JupyterLab took none of the keys: nothing typed into a cell, no cell run again.
    assert editors.all_inner_texts() == sources
    assert page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts() == prompts
    assert tracebacks(page) == []
    assert guard.blocked == [], f"requests that tried to leave 127.0.0.1: {guard.blocked}"
