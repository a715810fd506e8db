"""Shrink a disagreeing program to a minimal readable one.

Greedy, like a student cutting down a bug report: delete runs of statements (long runs
first, then single ones), then make what is left simpler (plainer numbers, fewer keyword
arguments), keeping every change after which the program still disagrees the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .program import Program

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:/\d+)?(?![\w.])")
KEYWORD = re.compile(r", (?:keepdim|alpha|retain_graph|allow_unused|dtype)=[\w.]+")


def shrink(program: Program, still_disagrees: Callable[[Program], bool]) -> Program:
    program = delete_statements(program, still_disagrees)
    program = simplify_statements(program, still_disagrees)
    return delete_statements(program, still_disagrees)


def delete_statements(program: Program, still_disagrees) -> Program:
    size = max(len(program.statements) // 2, 1)
    while size >= 1:
        start = len(program.statements) - size
        while start >= 0:
            candidate = program.without(start, start + size)
            if candidate.statements and still_disagrees(candidate):
                program = candidate
            start -= size if size > 1 else 1
            start = min(start, len(program.statements) - size)
        size //= 2
    return program


def simplify_statements(program: Program, still_disagrees) -> Program:
    for index in range(len(program.statements)):
        for simpler in simplifications(program.statements[index]):
            candidate = program.replaced(index, simpler)
            if still_disagrees(candidate):
                program = candidate
                break
    return program


def simplifications(statement: str) -> list[str]:
    """Simpler versions of a statement, the boldest first."""
    found = []
    without_no_grad = statement.removeprefix("with t.no_grad():\n    ")
    if without_no_grad != statement and "\n" not in without_no_grad:
        found.append(without_no_grad)
    plain_numbers = NUMBER.sub(lambda m: "1.0" if "." in m.group() or "/" in m.group()
                               else m.group(), statement)
    if plain_numbers != statement:
        found.append(plain_numbers)
    found += [statement[:m.start()] + statement[m.end():] for m in KEYWORD.finditer(statement)]
    return found
