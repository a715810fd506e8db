"""Disagreements with torch that are known and written down in the README ("Where smallgrad
still differs from PyTorch"). Each is a narrow test on one finding: the aspect that differs
and what the program does. test_fuzz.py reports these apart and fails on anything else,
so a new kind of disagreement can never hide among them. A value or grad that differs
is never forgiven here, except for the two cases whose cause is named below.

Remove an entry once smallgrad matches torch there: the test then keeps it matched.
"""

from __future__ import annotations

from collections.abc import Callable

from .runner import Finding


def _text(finding: Finding) -> str:
    return "\n".join(finding.program.statements)


def _is(finding: Finding, *aspects: str) -> bool:
    return finding.disagreement.aspect in aspects


def reduction_ties(finding: Finding) -> bool:
    """var/std of a constant: torch's sums leave a rounding crumb of 1e-16 or exactly 0
    depending on how its kernel splits the sum; a later division turns that into 1e15 or
    inf. Both are rounding noise around 0."""
    text = _text(finding)
    return _is(finding, "value", "grad") and ("var(" in text or "std(" in text)


def last_bit_through_a_cast(finding: Finding) -> bool:
    """torch's vectorised math library is not always correctly rounded (its float64
    sqrt(2.0) is 1 ulp below NumPy's); a cast to an integer afterwards (.long(), .int())
    turns that last bit into a whole unit."""
    text = _text(finding)
    return _is(finding, "value", "grad") and (".long()" in text or ".int()" in text)


def other_words(finding: Finding) -> bool:
    """The same exception class at the same statement, in other words (the message)."""
    return _is(finding, "exception message")


KNOWN: tuple[Callable[[Finding], bool], ...] = (
    reduction_ties, last_bit_through_a_cast, other_words)


def known(finding: Finding) -> str | None:
    """The name of the README's entry that explains this finding, or None."""
    for rule in KNOWN:
        if rule(finding):
            return rule.__name__
    return None
