"""The Chinese edition (lessons/zh/) runs the English lessons' code, cell by cell.

Each zh notebook has the file name of its English twin and the same cells in the same
order: the same code, with only comments and string literals free to differ (they may be
Chinese), the same cell tags (nbval and the torch run read them), and its markdown in
Chinese. So the two editions cannot drift apart: change an English lesson's code and this
test names the zh cell to update.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
ZH = LESSONS / "zh"
ENGLISH = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
CHINESE = sorted(ZH.glob("[0-9][0-9]_*.ipynb"))
HAN = re.compile(r"[\u4e00-\u9fff]")
# What a translation may change: comments, and the text of strings (f-strings' too).
SET_ASIDE = {tokenize.COMMENT}
TEXT = {tokenize.STRING} | {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def code_shape(source: str) -> list[tuple[str, str]]:
    """The tokens of a code cell, with comments dropped and every string's text blanked.

    IPython's `%magic` lines tokenize as an operator and names, which is all we need.
    """
    tokens = tokenize.generate_tokens(io.StringIO(source + "\n").readline)
    shape = []
    for token in tokens:
        if token.type in SET_ASIDE:
            continue
        text = "<text>" if token.type in TEXT else token.string
        if token.type == tokenize.STRING and re.match(r"(?i)[rb]*f", token.string):
            text = f"<text with {fstring_values(token.string)}>"  # before Python 3.12
        shape.append((tokenize.tok_name[token.type], text))
    return shape


def fstring_values(literal: str) -> list[str]:
    """The code inside an f-string's braces: a translation changes its text, not these."""
    joined = ast.parse(literal, mode="eval").body
    return [ast.unparse(part.value) + f"!{part.conversion}" + ast.dump(part.format_spec)
            if part.format_spec else ast.unparse(part.value) + f"!{part.conversion}"
            for part in getattr(joined, "values", []) if isinstance(part, ast.FormattedValue)]


def test_every_english_lesson_has_a_zh_twin_and_no_more():
    assert ENGLISH, "no English lessons found"
    assert [p.name for p in CHINESE] == [p.name for p in ENGLISH]


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: p.stem)
def test_zh_twin_runs_the_same_code(english: Path):
    chinese = ZH / english.name
    en_cells = nbformat.read(english, as_version=4).cells
    zh_cells = nbformat.read(chinese, as_version=4).cells
    assert [c.cell_type for c in zh_cells] == [c.cell_type for c in en_cells], \
        "the zh twin must have the same cells, in the same order"
    for number, (en, zh) in enumerate(zip(en_cells, zh_cells)):
        where = f"{chinese.name}, cell {number}"
        if en.cell_type == "markdown":
            assert HAN.search(zh.source), f"{where}: the markdown is not in Chinese"
            continue
        assert zh.metadata.get("tags", []) == en.metadata.get("tags", []), \
            f"{where}: tags differ from the English cell"
        assert code_shape(zh.source) == code_shape(en.source), \
            f"{where}: the code differs from the English lesson (beyond comments and strings)"


def test_the_comparison_sees_code_but_not_comments_or_strings():
    base = 'x = t.ones(2)  # two ones\nprint("x is", x, f"{x.sum()} in all")\n'
    translated = 'x = t.ones(2)  # 两个 1\nprint("x 是", x, f"{x.sum()} 合计")\n'
    changed_code = 'x = t.ones(3)  # two ones\nprint("x is", x, f"{x.sum()} in all")\n'
    changed_fstring_code = 'x = t.ones(2)  # two ones\nprint("x is", x, f"{x.mean()} in all")\n'
    assert code_shape(base) == code_shape(translated)
    assert code_shape(base) != code_shape(changed_code)
    assert code_shape(base) != code_shape(changed_fstring_code)


def solutions(path: Path) -> dict[str, str]:
    """{exercise: its code block} of a solutions.md."""
    found = {}
    for section in re.split(r"^## ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        code = re.search(r"```python\n(.*?)```", body, re.S)
        found[title.split()[0]] = code.group(1) if code else ""
    return found


def test_zh_solutions_are_the_english_solutions():
    """show_solution() in a zh lesson prints lessons/zh/solutions.md: the same exercises,
    the same code (which tests/test_lesson_checkers.py runs through the checkers)."""
    english, chinese = solutions(LESSONS / "solutions.md"), solutions(ZH / "solutions.md")
    assert list(chinese) == list(english)
    for key, code in english.items():
        assert code_shape(chinese[key]) == code_shape(code), f"solution {key} differs"
