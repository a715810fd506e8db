"""Count the lines of Python files, and the lines of code among them (no docstrings,
comments or blank lines). The README's reading-path table comes from:

    python scripts/sloc.py smallgrad/autograd/{backward,engine,ready_queue}.py \
        smallgrad/autograd/{input_buffer,graph,accumulate_grad}.py
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

_NOT_CODE = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
             tokenize.DEDENT, tokenize.ENDMARKER)
_HAS_DOCSTRING = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, _HAS_DOCSTRING) and ast.get_docstring(node) is not None:
            first = node.body[0]
            lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def count(path: Path) -> tuple[int, int]:
    """(lines, lines of code) of one file."""
    source = path.read_text()
    docs = docstring_lines(ast.parse(source))
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _NOT_CODE:
            code.update(n for n in range(token.start[0], token.end[0] + 1) if n not in docs)
    return len(source.splitlines()), len(code)


def main(paths: list[str]) -> None:
    total_lines = total_code = 0
    for name in paths:
        lines, code = count(Path(name))
        total_lines, total_code = total_lines + lines, total_code + code
        print(f"{name:40s} {lines:4d} lines {code:4d} code")
    print(f"{'total':40s} {total_lines:4d} lines {total_code:4d} code")


if __name__ == "__main__":
    main(sys.argv[1:])
