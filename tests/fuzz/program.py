"""A program: the statements of a random student program, as source text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# `a = t.tensor(...)`, `b = t.full(...)`: values made straight from Python numbers
MADE_FROM_NUMBERS = re.compile(r"^(\w+) = t\.(?:tensor|full|zeros|ones|eye|linspace|arange)\(",
                               re.MULTILINE)


def made_from_numbers(statements) -> set[str]:
    """The names a program binds to tensors it makes straight from numbers."""
    return set(MADE_FROM_NUMBERS.findall("\n".join(statements)))


@dataclass(frozen=True)
class Program:
    statements: tuple[str, ...]
    seed: str = ""  # which generator seed wrote it, so `python -m tests.fuzz --only` re-runs it

    @classmethod
    def from_source(cls, text: str) -> Program:
        """Split source text into statements: an indented line belongs to the one above."""
        statements: list[str] = []
        for line in text.strip("\n").splitlines():
            if line.startswith(" ") and statements:
                statements[-1] += "\n" + line
            elif line.strip():
                statements.append(line)
        return cls(tuple(statements))

    def source(self) -> str:
        return "\n".join(self.statements)

    def snippet(self) -> str:
        """The program as a runnable script (swap the import to run it under smallgrad)."""
        return "import torch as t  # or: import smallgrad as t\n" + self.source()

    def without(self, start: int, stop: int) -> Program:
        return Program(self.statements[:start] + self.statements[stop:], self.seed)

    def replaced(self, index: int, statement: str) -> Program:
        statements = list(self.statements)
        statements[index] = statement
        return Program(tuple(statements), self.seed)
