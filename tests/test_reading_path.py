"""The README's reading-path table says what is true: the files exist and have the lines
it gives, and the path stays short (issue 10: about 350 lines of code in at most 6 files)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `(\w+\.py)` \| (\d+) \| (\d+) \|", re.M)


def _sloc():
    spec = importlib.util.spec_from_file_location("sloc", ROOT / "scripts" / "sloc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_table_gives_the_true_line_counts():
    section = (ROOT / "README.md").read_text().split("### Reading the core", 1)[1]
    rows = ROW.findall(section.split("\n## ", 1)[0])
    assert len(rows) <= 6, "the reading path is at most six files"
    counted = {name: _sloc().count(ROOT / "smallgrad" / "autograd" / name) for name, _, _ in rows}
    assert {name: (int(lines), int(code)) for name, lines, code in rows} == counted
    assert sum(code for _, code in counted.values()) <= 375  # "about 350"


def test_the_engine_loop_is_one_short_file():
    lines, _ = _sloc().count(ROOT / "smallgrad" / "autograd" / "engine.py")
    assert lines <= 160  # issue 10: "about 150 lines", docstring and all
