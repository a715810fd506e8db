"""The stepping lesson in a real JupyterLab: Run All, then click the BackwardStepper.

- The highlighted edge moves with each click of "next ▶", one edge at a time, and it is the
  edge that the same stepper reports from Python (the browser shows what the kernel means).
- The chain-rule card changes with each step.
- A hook's printout (lesson 05's example, run in a copy of lesson 04) appears at the step
  where the hook runs, and not before.
(The README's picture is taken on the MLP graph: test_frontends.py.)

The lesson is copied to the server's temporary folder (with _check/ and solutions.md,
which it imports): the repository's notebook and its stored outputs are never modified.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil

import pytest

from .labkit import (
    REPO,
    Stepper,
    open_notebook,
    run_all,
    steppers,
    tracebacks,
)

pytestmark = pytest.mark.browser

LESSON = REPO / "lessons" / "04_stepping.ipynb"
HOOK_LESSON = REPO / "lessons" / "05_intermediate_grads.ipynb"  # its hook-stepping example


def _code_cells(notebook) -> list[str]:
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def _lesson_cell(sources: list[str], *needles: str) -> str:
    for source in sources:
        if all(n in source for n in needles):
            return source
    pytest.fail(f"{LESSON.name} has no code cell with {needles}: the test follows the lesson's "
                "stepper on z = w*x + b and its hook example; update the test with the lesson",
                pytrace=False)


def _python_active_edges(setup: str) -> tuple[list[str], list[str]]:
    """Step a stepper built by `setup` in this process: (active edge per step, card per step).
    Ids lose their per-widget prefix (sg<N>_), which differs between processes."""
    import smallgrad as t
    import widgets

    namespace = {"t": t, "widgets": widgets}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(setup, namespace)
        if not isinstance(namespace.get("z"), t.Tensor):
            pytest.fail(f"the lesson's graph cell no longer defines z:\n{setup}", pytrace=False)
        stepper = widgets.BackwardStepper(namespace["z"], names={
            k: v for k, v in namespace.items() if isinstance(v, t.Tensor)})
        active, cards = [], []
        for _ in range(stepper.n_steps):
            stepper.step()
            found = re.search(r'<g id="sg\d+_([^"]+)" class="active ', stepper.svg)
            active.append(found.group(1) if found else None)
            cards.append(stepper.card)
    return active, cards


def test_stepper_lesson_in_jupyterlab(page, lab, guard):
    if not LESSON.exists():
        pytest.fail(f"{LESSON} does not exist", pytrace=False)
    notebook = json.loads(LESSON.read_text())
    sources = _code_cells(notebook)
    graph_cell = _lesson_cell(sources, "w * x", "+ b")
    hook_cell = _lesson_cell(_code_cells(json.loads(HOOK_LESSON.read_text())),
                             "register_hook", "BackwardStepper(")
    printed = re.search(r'print\(\s*"([^"]+)"', hook_cell)
    assert printed, "the lesson's hook should print a literal string"
    printed = printed.group(1)

    # The copy: the lesson, plus one cell at the end that runs the lesson's own hook example
    # again, so that one stepper is left untouched by code for the browser to drive.
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                              "outputs": [], "source": hook_cell})
    for support in LESSON.parent.iterdir():  # what the lesson imports or reads (_check/, ...)
        if support.suffix in (".py", ".md", ".cfg"):
            shutil.copyfile(support, lab.notebook_dir / support.name)
        elif support.is_dir() and not support.name.startswith("."):
            shutil.copytree(support, lab.notebook_dir / support.name, dirs_exist_ok=True)
    name = LESSON.name
    (lab.notebook_dir / name).write_text(json.dumps(notebook))

    open_notebook(page, lab, name)
    run_all(page, lab)
    assert tracebacks(page) == [], "the lesson raised in JupyterLab"

    found = steppers(page)
    found.last.locator("svg g.edge").first.wait_for()
    assert found.count() >= 2, "expected the lesson's steppers to render"

    # --- 1. the first stepper (z = w*x + b): the highlighted edge and the card move ---------
    first = Stepper(page, found.first)
    first.card.wait_for()
    expected_active, _ = _python_active_edges(graph_cell.split("widgets.draw")[0])
    first.click("⏮", 0)  # the lesson's code cells left it part-way: start over
    assert first.edges()["active"] == []
    start_card = first.card.inner_text()
    seen_active, cards = first.step_forward(len(expected_active))
    seen_cards = [start_card, *cards]
    assert first.button("next ▶").is_disabled()
    stripped = [re.sub(r"^sg\d+_", "", i) for i in seen_active]
    assert stripped == expected_active, "the browser highlights other edges than Python says"
    assert len(set(seen_active)) == len(seen_active), f"the highlight did not move: {seen_active}"
    assert len(set(seen_cards)) == len(seen_cards), "the card did not change with each step"

    # ◀ goes back: the earlier edge and card come back.
    first.click("◀", len(seen_active) - 1)
    assert first.edges()["active"] == [seen_active[-2]]
    assert first.card.inner_text() == seen_cards[-2]

    # --- 2. the untouched hooked stepper (the appended cell): the printout waits its step ---
    hooked = Stepper(page, found.last)
    hooked.wait_status(0)
    assert printed not in hooked.panels()
    hook_step = None
    for position in range(1, 10):
        if hooked.button("next ▶").is_disabled():
            break
        hooked.click("next ▶", position)
        if printed in hooked.card.inner_text():
            hook_step = position
            break
        assert printed not in hooked.panels(), f"the printout shows at step {position}"
    assert hook_step is not None, f"the hook's printout {printed!r} never appeared"
    assert hook_step > 1, "the hook ran at the first step: before backward reached it"
    assert f"printed: {printed}" in hooked.panels()  # the log has it too
    # One step back shows the state before the hook again (nothing runs again).
    hooked.click("◀", hook_step - 1)
    assert printed not in hooked.panels()

    assert guard.blocked == [], f"requests that tried to leave 127.0.0.1: {guard.blocked}"
