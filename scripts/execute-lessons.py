"""Re-execute lesson notebooks in place, so their stored outputs are the current ones.

    python scripts/execute-lessons.py lessons/03_graph.ipynb lessons/04_stepping.ipynb

Like `jupyter nbconvert --execute --inplace`, run from lessons/ (the kernel's folder), with
one difference: no widget state is stored in the notebook (and an old one is dropped). With
stored widget state, nbconvert, nbviewer and GitHub try to load the widget renderer from a
CDN instead of showing each widget's saved picture and card (docs/frontends.md).
This checkout's smallgrad and widgets are imported (PYTHONPATH), whatever is installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            store_widget_state=False, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(notebook, path)
    print(f"executed {path}")


if __name__ == "__main__":
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                            os.environ.get("PYTHONPATH")]))
    for name in sys.argv[1:] or sorted(str(p) for p in (ROOT / "lessons").glob("*.ipynb")):
        execute(Path(name).resolve())
