"""Disagreements with torch that are known and written down in the README ("Where smallgrad
still differs from PyTorch"). Each is a narrow test on one finding: the aspect that differs
and what the program does. test_fuzz.py reports these apart and fails on anything else,
so a new kind of disagreement can never hide among them. A value or grad that differs
is never forgiven here, unless smallgrad gives torch's answer when it is run on torch's
bits (rounding_made_big).

Remove an entry once smallgrad matches torch there: the test then keeps it matched.
"""

from __future__ import annotations

from collections.abc import Callable

from .compare import compare_errors, same_at
from .observer import run
from .replay import on_torchs_bits
from .runner import Finding


def _is(finding: Finding, *aspects: str) -> bool:
    return finding.disagreement.aspect in aspects


def rounding_made_big(finding: Finding) -> bool:
    """A value or grad that differs only because an earlier result differed in its last
    bits, which the program made whole (a cast to int, a comparison, a tie for the largest,
    var of equal numbers, a large power): run on torch's bits at every statement, smallgrad
    gives torch's answer (see replay.py). torch's float kernels round as NumPy's do not,
    and differently on different CPUs."""
    if not _is(finding, "value", "grad"):
        return False
    import torch

    import smallgrad

    statements = finding.program.statements
    torchs, replayed = run(statements, torch), on_torchs_bits(statements, torch, smallgrad)
    return not compare_errors(statements, torchs, replayed) and same_at(
        finding.disagreement.where, statements, torchs.record, replayed.record)


def other_words(finding: Finding) -> bool:
    """The same exception class at the same statement, in other words (the message)."""
    return _is(finding, "exception message")


KNOWN: tuple[Callable[[Finding], bool], ...] = (rounding_made_big, other_words)


def known(finding: Finding) -> str | None:
    """The name of the README's entry that explains this finding, or None."""
    for rule in KNOWN:
        if rule(finding):
            return rule.__name__
    return None
