"""Give every lesson's first code cell the Colab install and the `widgets` check.

    python scripts/lesson-first-cell.py [NOTEBOOK ...]     (default: lessons/**/*.ipynb)

Idempotent: a cell that has them already is left as it is. Then re-execute the changed
notebooks (scripts/execute-lessons.py). tests/test_lessons_package.py checks every lesson.

- On Google Colab (and only there) the cell installs this course's package when it is
  missing, and puts the package's copy of `_check/` on sys.path: Colab opens a notebook alone,
  without the folder it came from.
- After `import widgets` it stops with a clear error when that `widgets` is another package.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "smallgrad-edu"
COLAB_MARK = '"google.colab" in sys.modules'
WIDGETS_MARK = "SMALLGRAD_WIDGETS"


def colab_block(edition: str) -> str:
    return f"""import sys
from importlib.util import find_spec

if {COLAB_MARK}:  # Google Colab only: install this course's package if missing
    if find_spec("smallgrad") is None:
        %pip install -q "{DISTRIBUTION}[widgets]"
    from smallgrad.lessons import use_bundled_support
    use_bundled_support("{edition}")  # Colab opens a notebook alone: use the package's _check/
"""


# An older form of the block, replaced by the current one.
OLD_BLOCK = re.compile(r'import sys\n(?:from importlib\.util import find_spec\n)?\n?'
                       r'if "google\.colab".*?use_bundled_support\("[^"]*"\)[^\n]*\n', re.S)


WIDGETS_CHECK = f"""import widgets

if not hasattr(widgets, "{WIDGETS_MARK}"):  # another package called `widgets` came first
    raise ImportError(f"`import widgets` found {{widgets.__file__}}, which is not smallgrad's "
                      "widgets: uninstall that package or use a fresh venv (see the README)")
"""


def first_cell(notebook):
    return next(c for c in notebook.cells
                if c.cell_type == "code" and "import smallgrad as t" in c.source)


def edited(source: str, edition: str) -> str:
    source = OLD_BLOCK.sub(lambda _: colab_block(edition), source, count=1)
    if COLAB_MARK not in source:
        head, newline, rest = source.partition("\n")
        if head.startswith("%xmode"):
            source = head + newline + colab_block(edition) + rest
        else:
            source = colab_block(edition) + source
    if "import widgets\n" in source + "\n" and WIDGETS_MARK not in source:
        source = (source + "\n").replace("import widgets\n", WIDGETS_CHECK, 1).rstrip("\n")
    return source


def main(paths: list[Path]) -> None:
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        cell = first_cell(notebook)
        edition = path.parent.name if path.parent != ROOT / "lessons" else ""
        new = edited(cell.source, edition)
        if new != cell.source:
            cell.source = new
            nbformat.write(notebook, path)
            print(f"edited {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main([Path(p).resolve() for p in sys.argv[1:]]
         or sorted((ROOT / "lessons").rglob("[0-9][0-9]_*.ipynb")))
