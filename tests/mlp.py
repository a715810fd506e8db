"""The two-layer MLP the widget tests step through: `X @ W1 + b1 → relu → @ W2 + b2 → sum`.
One source, run here for the tests without a browser and sent to a kernel by the browser
tests (tests/browser/test_frontends.py), so both step the same graph."""

from __future__ import annotations

SOURCE = """\
import numpy as np
import smallgrad as t
import widgets

rng = np.random.default_rng(0)
X = t.tensor(rng.standard_normal((5, 3)).astype(np.float32))
W1 = t.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
b1 = t.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
W2 = t.tensor(rng.standard_normal((4, 2)).astype(np.float32), requires_grad=True)
b2 = t.tensor(rng.standard_normal(2).astype(np.float32), requires_grad=True)
h = (X @ W1 + b1).relu()
L = (h @ W2 + b2).sum()
"""
NAMES = ("X", "W1", "b1", "W2", "b2", "h", "L")
N_STEPS = 9  # the edges a gradient flows on


def mlp():
    """(L, {name: tensor}) built from SOURCE."""
    namespace: dict = {}
    exec(SOURCE, namespace)
    return namespace["L"], {name: namespace[name] for name in NAMES}


def saved_notebook_html(folder, position: int):
    """A notebook showing the MLP stepper at step `position`, run and saved the way the
    lessons are (no widget state stored), then converted by `jupyter nbconvert --to html`
    without executing. Returns the HTML file's path."""
    import subprocess
    import sys
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    folder = Path(folder)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(
        SOURCE + f"stepper = widgets.BackwardStepper(L)\nstepper.go({position})\nstepper")]
    root = Path(__file__).resolve().parents[1]  # the kernel imports this checkout's widgets
    NotebookClient(notebook, timeout=120, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(root)}}).execute()
    saved = folder / "saved.ipynb"
    nbformat.write(notebook, saved)
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(saved)],
                   check=True, capture_output=True, cwd=folder)
    return folder / "saved.html"
