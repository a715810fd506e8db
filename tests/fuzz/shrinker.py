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
MAX_TRIES = 400  # programs run while shrinking one (each runs under torch and smallgrad)
MAX_NUMBERS_ONE_BY_ONE = 12  # numbers tried one at a time, if all at once changes the bug
KEYWORD = re.compile(r", (?:keepdim|alpha|retain_graph|allow_unused|dtype|requires_grad)=[\w.]+")


def shrink(program: Program, still_disagrees: Callable[[Program], bool]) -> Program:
    still_disagrees = within_budget(still_disagrees)
    program = delete_statements(program, still_disagrees)
    program = simplify_statements(program, still_disagrees)
    return delete_statements(program, still_disagrees)


def within_budget(still_disagrees: Callable[[Program], bool]) -> Callable[[Program], bool]:
    """After MAX_TRIES programs, give up shrinking: what is left is the answer."""
    tries = [0]

    def limited(program: Program) -> bool:
        tries[0] += 1
        return tries[0] <= MAX_TRIES and still_disagrees(program)
    return limited


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
        simplified = True
        while simplified:  # each step makes the statement strictly simpler, so this ends
            simplified = False
            for simpler in simplifications(program.statements[index]):
                candidate = program.replaced(index, simpler)
                if still_disagrees(candidate):
                    program, simplified = candidate, True
                    break
    return program


def plain(number: str) -> str:
    """1.0 for a float such as -0.2 or 1/3; whole numbers stay (they are sizes and dims)."""
    return "1.0" if "." in number or "/" in number else number


def simplifications(statement: str) -> list[str]:
    """Simpler versions of a statement, the boldest first."""
    found = []
    without_no_grad = statement.removeprefix("with t.no_grad():\n    ")
    if without_no_grad != statement and "\n" not in without_no_grad:
        found.append(without_no_grad)
    plain_numbers = NUMBER.sub(lambda m: plain(m.group()), statement)
    if plain_numbers != statement:
        found.append(plain_numbers)
        found += [statement[:m.start()] + plain(m.group()) + statement[m.end():]
                  for m in list(NUMBER.finditer(statement))[:MAX_NUMBERS_ONE_BY_ONE]
                  if plain(m.group()) != m.group()]
    found += [statement[:m.start()] + statement[m.end():] for m in KEYWORD.finditer(statement)]
    found += smaller_literals(statement)
    return found


def smaller_literals(statement: str) -> list[str]:
    """The statement with its first t.tensor([...]) literal cut down: to its first row
    (one dimension less), or to a list of just that row."""
    start = statement.find("t.tensor([")
    if start < 0:
        return []
    start += len("t.tensor(")
    end = matching_bracket(statement, start)
    rows = top_level_items(statement[start + 1:end])
    smaller = [rows[0]] + ([f"[{rows[0]}]"] if len(rows) > 1 else [])
    return [statement[:start] + literal + statement[end + 1:] for literal in smaller]


def matching_bracket(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        depth += {"[": 1, "]": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise ValueError(f"unbalanced brackets in {text!r}")


def top_level_items(text: str) -> list[str]:
    """'[1, 2], [3, 4]' -> ['[1, 2]', '[3, 4]']: split at the commas outside brackets."""
    items, depth, current = [], 0, ""
    for char in text:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [*items, current.strip()]
