"""Write one random program: leaves, then ops drawn from statements.py, then a finale."""

from __future__ import annotations

import random
from types import ModuleType

from .fill import fill
from .kinds import floating
from .pool import Pool
from .program import Program
from .statements import ERRORS, FINALES, GROUPS, LEAVES, PRELUDES

NO_GRAD = "with t.no_grad():\n    "
TRIES = 60  # templates tried per program before giving up on a longer one


def generate(torch: ModuleType, seed: str) -> Program:
    rng = random.Random(seed)
    pool = Pool(torch, rng)
    error_at = rng.randrange(3, 25) if rng.random() < 0.2 else None  # an error program
    length = rng.randrange(3, 23)
    add_leaf(pool, LEAVES[:2])  # the first leaf requires grad
    for _ in range(rng.randint(0, 2)):
        add_leaf(pool)
    for _ in range(TRIES):
        if pool.ended:
            return finished(pool, seed)
        if len(pool.statements) >= length:
            break
        if error_at is not None and len(pool.statements) >= error_at:
            if add_error(pool):
                return finished(pool, seed)
            error_at = None
        add_statement(pool)
    add_finale(pool)
    return finished(pool, seed)


def finished(pool: Pool, seed: str) -> Program:
    pool.finish()
    statements = tuple(pool.statements)
    text = "\n".join(statements)
    for name, definition in reversed(PRELUDES):  # later definitions may use earlier ones
        if name in text:
            text = definition + "\n" + text
            statements = (definition, *statements)
    return Program(statements, seed)


def add_leaf(pool: Pool, templates=LEAVES) -> None:
    for _ in range(10):
        statement = fill(pool.rng.choice(templates), pool)
        if statement and pool.attempt(statement) is None:
            return


def add_statement(pool: Pool) -> None:
    rng = pool.rng
    names = list(GROUPS)
    group = rng.choices(names, weights=[GROUPS[name][0] for name in names])[0]
    _, templates, x_where, may_be_no_grad = GROUPS[group]
    if group == "leaf":
        return add_leaf(pool)
    statement = fill(rng.choice(templates), pool, x_where)
    if statement is None:
        return
    if may_be_no_grad and rng.random() < 0.35:
        statement = NO_GRAD + statement.replace("\n", "\n    ")
    if pool.attempt(statement) is not None and rng.random() < 0.03:
        pool.keep_failing(statement)  # now and then a plain mistake ends the program


def add_error(pool: Pool) -> bool:
    """Add a statement torch likely refuses; True if it did (the program ends there)."""
    for statement in lines(fill(pool.rng.choice(ERRORS), pool) or ""):
        if pool.attempt(statement) is not None:
            pool.keep_failing(statement)
            return True
    return False


def add_finale(pool: Pool) -> None:
    text = fill(pool.rng.choice(FINALES), pool) or fill(FINALES[0], pool, floating)
    for statement in lines(text or ""):
        if pool.attempt(statement) is not None:
            pool.keep_failing(statement)  # e.g. the second backward, which torch refuses
            return


def lines(text: str) -> tuple[str, ...]:
    return Program.from_source(text).statements
