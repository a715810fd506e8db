"""Fill a statement template's blanks from the program so far.

A template is one line of student code with blanks, e.g. "{new} = {x}.sum({d})". Each
blank is filled on first use: {x} with a name from the pool, {d} with a dim of {x}, and
so on (see `Blanks.make`). If the pool has nothing that fits, the template is skipped.
"""

from __future__ import annotations

import random
from typing import Any

from .kinds import (
    boolean,
    depends_on,
    floating,
    hookable,
    is_leaf_needing_grad,
    needs_grad,
    whole_numbers,
)
from .pool import Pool
from .program import made_from_numbers

# Python floats a student types; most are not exact in float32 (0.1, 1/3, ...)
FLOATS = ("0.1", "-0.2", "1/3", "-1/3", "0.7", "1.5", "-2.0", "2.5", "0.3", "-1.1", "2/3",
          "0.0", "1.0", "-0.5")
WHOLE = ("0", "1", "2", "-3", "5")
SHAPES = ((), (3,), (2, 3), (1, 3), (2, 1), (3, 3), (2, 2, 3), (4,), (3, 2))


class NothingFitsError(Exception):
    """The pool has nothing a blank needs: skip the template."""


def literal(rng: random.Random, shape: tuple, numbers=FLOATS) -> str:
    if not shape:
        return rng.choice(numbers)
    return "[" + ", ".join(literal(rng, shape[1:], numbers) for _ in range(shape[0])) + "]"


def broadcastable(a: tuple, b: tuple) -> bool:
    return all(x == y or 1 in (x, y) for x, y in zip(reversed(a), reversed(b)))


class Blanks(dict):
    def __init__(self, pool: Pool, x_where=floating) -> None:
        super().__init__()
        self.pool, self.rng, self.x_where = pool, pool.rng, x_where

    def __missing__(self, key: str) -> str:
        value = self.make(key)
        self[key] = value
        return value

    def choose(self, where) -> str:
        name = self.pool.pick(where)
        if name is None:
            raise NothingFitsError(where)
        return name

    def x(self) -> Any:
        return self.pool.tensor(self["x"])

    def make(self, key: str) -> str:
        rng = self.rng
        makers = {
            "x": lambda: self.choose(self.x_where),
            # {y}: a second tensor that broadcasts with {x} (often {x} itself: fan-out)
            "y": lambda: self.choose(lambda t: floating(t) and broadcastable(
                tuple(t.shape), tuple(self.x().shape))),
            "z": lambda: self.choose(floating),
            "k": lambda: self.choose(whole_numbers),
            "m": lambda: self.choose(boolean),
            "grad": lambda: self.choose(lambda t: floating(t) and needs_grad(t)),
            "leaf": lambda: self.choose(is_leaf_needing_grad),
            "hookable": lambda: self.choose(hookable),
            # {input}, {leaf_input}: what {grad} was computed from (for autograd.grad)
            "input": lambda: self.choose(lambda t: needs_grad(t) and self.feeds_grad(t)),
            "leaf_input": lambda: self.choose(
                lambda t: is_leaf_needing_grad(t) and self.feeds_grad(t)),
            # {exact}: a tensor made from numbers and not changed since (casting a computed
            # float to int would turn a last-bit difference into a difference of 1)
            "exact": lambda: self.choose(self.exact),
            "h": lambda: rng.choice(self.pool.handles() or [None]) or self.fail(),
            "new": self.pool.new_name,
            "name": self.pool.new_leaf_name,
            "d": lambda: str(rng.randrange(-max(self.x().dim(), 1), max(self.x().dim(), 1))),
            "d1": lambda: str(rng.randrange(-self.x().dim() - 1, self.x().dim() + 1)),
            "i": lambda: str(rng.randrange(-self.rows(), self.rows())),
            "shape": lambda: ", ".join(map(str, self.x().shape)),
            "rshape": lambda: ", ".join(map(str, reversed(self.x().shape))) or "()",
            "perm": lambda: ", ".join(map(str, reversed(range(self.x().dim())))),
            "f": lambda: rng.choice(FLOATS),
            "lit": lambda: literal(rng, rng.choice(SHAPES)),
            "lit3": lambda: literal(rng, (3,)),
            "ints": lambda: literal(rng, rng.choice(SHAPES[1:4]), WHOLE),
        }
        if key not in makers:
            raise KeyError(f"unknown blank {{{key}}} in a template")
        return makers[key]()

    def feeds_grad(self, tensor: Any) -> bool:
        return depends_on(self.pool.tensor(self["grad"]), tensor)

    def exact(self, tensor: Any) -> bool:
        names = made_from_numbers(self.pool.statements)
        return tensor._version == 0 and any(self.pool.namespace.get(name) is tensor
                                            for name in names)

    def rows(self) -> int:
        if self.x().dim() == 0 or self.x().shape[0] == 0:
            raise NothingFitsError("a 0-d tensor has no rows to index")
        return self.x().shape[0]

    def fail(self) -> str:
        raise NothingFitsError("no hook handle")


def fill(template: str, pool: Pool, x_where=floating) -> str | None:
    try:
        return template.format_map(Blanks(pool, x_where))
    except NothingFitsError:
        return None
