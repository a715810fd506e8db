"""Every lesson runs with `import torch as t` and prints what it prints with smallgrad.

Lesson 01 promises that the lesson code and the exercise checkers run unchanged under
PyTorch. This test keeps the promise honest: it rewrites each lesson's `import smallgrad
as t` to `import torch as t`, executes the notebook in a fresh kernel, and compares each
code cell's text output with the smallgrad output stored in the notebook (which nbval
checks against a fresh smallgrad run).

What may differ, on purpose:
- cells tagged `smallgrad-only` (the widgets, a look at smallgrad's own source) are not
  run under torch; the lesson says so where they appear;
- cells tagged `random-values` print numbers drawn from the random generator, and the
  same seed gives other numbers in the two libraries: there the numbers are masked and
  everything else (shapes, dtypes, grad_fn names, error classes and messages) compared;
- cells tagged `nbval-ignore-output` are not compared (they time or compare libraries);
- the library's own name (`smallgrad::autograd::AccumulateGrad` is PyTorch's
  `torch::autograd::AccumulateGrad`), and the place in PyTorch's C++ sources that torch
  appends to its warnings ("(Triggered internally at /__w/pytorch/...)").
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest
from conftest import require_torch

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
ZH_NOTEBOOKS = sorted((LESSONS / "zh").glob("[0-9][0-9]_*.ipynb"))  # the Chinese edition
SMALLGRAD_IMPORT = "import smallgrad as t"
NOT_RUN_UNDER_TORCH = "smallgrad-only"
RANDOM_NUMBERS = "random-values"
NOT_COMPARED = {"nbval-ignore-output", "nbval-skip", NOT_RUN_UNDER_TORCH}
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TORCH_SOURCE_LOCATION = re.compile(r"\s*\(Triggered internally at [^)]*\)")


def sanitizers() -> list[tuple[re.Pattern, str]]:
    """The regex/replace pairs of lessons/sanitize.cfg, the ones nbval applies."""
    lines = (LESSONS / "sanitize.cfg").read_text(encoding="utf-8").splitlines()
    pairs = []
    for line, following in zip(lines, lines[1:] + [""]):
        if line.startswith("regex:"):
            pairs.append((re.compile(line[len("regex:"):].strip()),
                          following[len("replace:"):].strip()))
    return pairs


SANITIZERS = sanitizers()


def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def text_of(cell) -> str:
    """What a reader sees of a cell's output, as text (images and widgets left out)."""
    parts: list[tuple[str, str]] = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            if parts and parts[-1][0] == "stream":  # one print may come in several chunks
                parts[-1] = ("stream", parts[-1][1] + output["text"])
            else:
                parts.append(("stream", output["text"]))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "application/vnd.jupyter.widget-view+json" not in data:
                parts.append((kind, data.get("text/plain", "")))
        elif kind == "error":
            parts.append((kind, f"{output['ename']}: {output['evalue']}"))
    return "\n".join(text for _, text in parts)


def normalized(text: str, mask_numbers: bool) -> str:
    text = TORCH_SOURCE_LOCATION.sub("", ANSI.sub("", text))
    for pattern, replacement in SANITIZERS:
        text = pattern.sub(replacement, text)
    text = text.replace("smallgrad", "torch")
    if mask_numbers:
        text = NUMBER.sub("N", text)
        text = re.sub(r"\s+", "", text)  # padding follows the widths of the numbers
    return text.strip()


def torch_version(notebook):
    """The notebook with `import torch as t`, and the smallgrad-only cells emptied."""
    rewritten = copy.deepcopy(notebook)
    imports = [cell for cell in rewritten.cells
               if cell.cell_type == "code" and SMALLGRAD_IMPORT in cell.source]
    assert imports, f"the lesson has no `{SMALLGRAD_IMPORT}` line to rewrite"
    for cell in imports:
        cell.source = cell.source.replace(SMALLGRAD_IMPORT, "import torch as t")
    for cell in rewritten.cells:
        if cell.cell_type == "code":
            if NOT_RUN_UNDER_TORCH in tags(cell):
                cell.source = ""
            cell.outputs = []
    return rewritten


@pytest.mark.parametrize("path", NOTEBOOKS + ZH_NOTEBOOKS,
                         ids=[p.stem for p in NOTEBOOKS] + [f"zh-{p.stem}" for p in ZH_NOTEBOOKS])
def test_lesson_prints_the_same_under_torch(path):
    require_torch()
    from nbclient import NotebookClient

    stored = nbformat.read(path, as_version=4)
    under_torch = torch_version(stored)
    NotebookClient(under_torch, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    compared = 0
    for number, (mine, theirs) in enumerate(zip(stored.cells, under_torch.cells)):
        if mine.cell_type != "code" or tags(mine) & NOT_COMPARED:
            continue
        mask = RANDOM_NUMBERS in tags(mine)
        assert normalized(text_of(theirs), mask) == normalized(text_of(mine), mask), \
            f"{path.name}, cell {number}:\n{mine.source}"
        compared += 1
    assert compared >= 3, "too few cells compared for this to mean anything"


def test_every_lesson_is_covered():
    assert len(NOTEBOOKS) >= 12
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        assert any(SMALLGRAD_IMPORT in cell.source for cell in notebook.cells
                   if cell.cell_type == "code"), path.name
