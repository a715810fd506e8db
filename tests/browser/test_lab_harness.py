"""The harness itself, on plain ipywidgets: if this fails, the problem is the browser set-up
(server, Chromium, kernel, Run All), not smallgrad's widgets."""

from __future__ import annotations

import pytest

from .labkit import open_notebook, outputs, run_all, tracebacks, write_notebook

pytestmark = pytest.mark.browser

CELLS = [
    "import ipywidgets as W\n"
    "clicks = 0\n"
    "label = W.HTML('<b>clicks: 0</b>')\n"
    "log = W.Output()\n"
    "button = W.Button(description='more', tooltip='count one more click')\n"
    "button.add_class('harness-button')\n"
    "def on_click(_):\n"
    "    global clicks\n"
    "    clicks += 1\n"
    "    label.value = f'<b>clicks: {clicks}</b>'\n"
    "    with log:\n"
    "        print(f'printed at click {clicks}')\n"
    "button.on_click(on_click)\n"
    "W.VBox([button, label, log])",
    "print('second cell ran')",
]


def test_button_click_updates_html_and_output(page, lab, guard):
    name = write_notebook(lab, "harness.ipynb", CELLS)
    open_notebook(page, lab, name)
    run_all(page, lab)
    assert tracebacks(page) == []

    button = page.locator("button.widget-button.harness-button")
    button.wait_for()
    label = page.locator(".widget-html-content", has_text="clicks:")
    assert label.inner_text() == "clicks: 0"
    assert outputs(page).filter(has_text="second cell ran").count() == 1
    assert outputs(page).filter(has_text="printed at click").count() == 0

    for n in (1, 2, 3):
        button.click()
        page.locator(".widget-html-content", has_text=f"clicks: {n}").wait_for()
        outputs(page).filter(has_text=f"printed at click {n}").last.wait_for()
    assert button.get_attribute("title") == "count one more click"
    assert guard.blocked == [], f"requests that tried to leave 127.0.0.1: {guard.blocked}"
