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
        self.namespace = {"t": self.torch, "seen": []}
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
        return next(name for name in "abcdefgpqrsuw" if name not in taken)

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


def floating(tensor: Any) -> bool:
    return tensor.is_floating_point()


def needs_grad(tensor: Any) -> bool:
    return tensor.requires_grad


def whole_numbers(tensor: Any) -> bool:
    return not tensor.is_floating_point() and str(tensor.dtype) != "torch.bool"


def boolean(tensor: Any) -> bool:
    return str(tensor.dtype) == "torch.bool"


def has_dims(tensor: Any) -> bool:
    return tensor.dim() > 0 and tensor.shape[0] > 0


def is_leaf_needing_grad(tensor: Any) -> bool:
    return tensor.is_leaf and tensor.requires_grad


def hookable(tensor: Any) -> bool:
    """A hook may go on it. Torch 2.13 crashes (segfault) on register_hook of a view whose
    base or itself was changed in place, so the generator never writes that."""
    return floating(tensor) and tensor.requires_grad and not (
        tensor._is_view() and tensor._version > 0)
