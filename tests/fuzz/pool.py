"""The program being written, run statement by statement by torch as it grows.

The generator asks torch what each name holds (shape, dtype, requires_grad), so it never
has to model shapes itself, and a statement torch refuses is either dropped or, in an
error program, kept as the statement the program ends at.
"""

from __future__ import annotations

import random
import warnings
from types import ModuleType
from typing import Any

from .observer import TORCH_WARNED, first_line, reset_global_state
from .statements import PRELUDES


class Pool:
    def __init__(self, torch: ModuleType, rng: random.Random) -> None:
        self.torch = torch
        self.rng = rng
        self.statements: list[str] = []
        self.namespace: dict[str, Any] = {}
        self.made = 0  # how many names it has made: the next is v{made + 1}
        self.ended = False  # it ends at a statement torch refuses
        self.rebuild()

    # --- growing the program ---------------------------------------------------------
    def rebuild(self) -> None:
        """Run the accepted statements again from scratch (after a refused one)."""
        reset_global_state(self.torch)
        self.namespace = {"t": self.torch}
        for _, definition in PRELUDES:
            self.execute(definition)
        for statement in self.statements:
            self.execute(statement)

    def execute(self, statement: str) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(statement, self.namespace)
            finally:  # what torch says only once may be said here, while writing
                TORCH_WARNED.update(first_line(warning.message) for warning in caught)

    def attempt(self, statement: str) -> Exception | None:
        """Run `statement` on top of the program; keep it if torch accepts it."""
        try:
            self.execute(statement)
        except Exception as error:
            self.rebuild()
            return error
        self.statements.append(statement)
        return None

    def keep_failing(self, statement: str) -> None:
        """Keep a statement torch refuses: the program ends there."""
        self.statements.append(statement)
        self.ended = True

    def finish(self) -> None:
        reset_global_state(self.torch)

    def new_leaf_name(self) -> str:
        taken = set(self.namespace)
        free = [name for name in "abcdefgpqrsuw" if name not in taken]
        return free[0] if free else f"leaf{len(taken)}"

    def new_name(self) -> str:
        self.made += 1
        return f"v{self.made}"

    # --- what the program has ----------------------------------------------------------
    def tensor(self, name: str) -> Any:
        return self.namespace[name]

    def names(self, where=lambda tensor: True) -> list[str]:
        return [name for name, value in self.namespace.items()
                if self.torch.is_tensor(value) and where(value)]

    def pick(self, where=lambda tensor: True) -> str | None:
        """A name holding a tensor that passes `where`, recent ones more likely (fan-out)."""
        names = self.names(where)
        if not names:
            return None
        return self.rng.choices(names, weights=range(1, len(names) + 1))[0]

    def handles(self) -> list[str]:
        return [name for name, value in self.namespace.items() if hasattr(value, "remove")
                and name.startswith("h")]
