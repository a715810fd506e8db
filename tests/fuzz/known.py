"""Disagreements with torch that are known and written down in the README ("Where smallgrad
still differs from PyTorch"). Each is a narrow test on one finding: the aspect that differs
and what the program does. test_fuzz.py reports these apart and fails on anything else,
so a new kind of disagreement can never hide among them. A value or grad that differs
is never forgiven here, except for the two cases whose cause is named below.

Remove an entry once smallgrad matches torch there: the test then keeps it matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .runner import Finding

GRAPH_ASPECTS = ("graph", "grad graph", "is_leaf", "grad requires_grad")
IN_PLACE = re.compile(r"\w_\(|[-+*/]= |\] = ")


def _text(finding: Finding) -> str:
    return "\n".join(finding.program.statements)


def _is(finding: Finding, *aspects: str) -> bool:
    return finding.disagreement.aspect in aspects


def second_order_through_in_place(finding: Finding) -> bool:
    """The graph of a gradient made with create_graph=True, in a program that changes a
    tensor in place: torch builds as_strided_backward / CopySlices / the saved clone of the
    old value into that second-order graph; smallgrad builds other nodes with the same
    values (the values are compared, and agree)."""
    text = _text(finding)
    return (_is(finding, *GRAPH_ASPECTS) and "create_graph=True" in text
            and IN_PLACE.search(text) is not None)


def clone_of_the_old_value(finding: Finding) -> bool:
    """x.mul_(y) (and div_, pow_, ...) needs x's old values for y's grad: torch saves
    x.clone() (a CloneBackward0 in the graph), smallgrad saves them with x's old history."""
    return (_is(finding, "graph", "grad graph") and "CloneBackward0" in finding.disagreement.detail
            and IN_PLACE.search(_text(finding)) is not None)


def unbind_views_after_in_place(finding: Finding) -> bool:
    """Rows of `list(x)` (unbind's views) after an in-place change to x: torch refuses to
    rebuild some of them where smallgrad rebuilds, or the other way round."""
    detail = finding.disagreement.detail
    return "Unbind" in detail and IN_PLACE.search(_text(finding)) is not None


def setitem_out_of_range(finding: Finding) -> bool:
    """x[[0, 5]] = v with an index out of range: both raise the same IndexError, but torch
    has written the rows before the bad index by then; smallgrad checks first."""
    return (_is(finding, "value") and "] = " in _text(finding)
            and "[[" in _text(finding))


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


def retained_grad_under_create_graph(finding: Finding) -> bool:
    """retain_grad() on a tensor, then autograd.grad(..., create_graph=True): whether the
    retained .grad is itself part of a graph differs."""
    text = _text(finding)
    return (_is(finding, "is_leaf", "grad requires_grad", "grad graph")
            and "retain_grad()" in text
            and "create_graph=True" in text and ".grad" in finding.disagreement.where)


def rare_torch_warnings(finding: Finding) -> bool:
    """Warnings torch gives in a few places smallgrad does not: masked_fill_ on an expanded
    tensor inside a backward formula, std's degrees-of-freedom warning from inside a
    backward formula, and anomaly mode's report for a hook failing in AccumulateGrad."""
    detail = finding.disagreement.detail
    return _is(finding, "warnings") and detail.startswith("only torch:") and any(
        words in detail for words in ("masked_fill_ on expanded", "degrees of freedom",
                                      "Error detected in smallgrad::autograd::AccumulateG"))


def other_words(finding: Finding) -> bool:
    """The same exception class at the same statement, in other words (the message)."""
    return _is(finding, "exception message")


KNOWN: tuple[Callable[[Finding], bool], ...] = (
    second_order_through_in_place, clone_of_the_old_value, unbind_views_after_in_place,
    setitem_out_of_range, reduction_ties, last_bit_through_a_cast,
    retained_grad_under_create_graph, rare_torch_warnings, other_words)


def known(finding: Finding) -> str | None:
    """The name of the README's entry that explains this finding, or None."""
    for rule in KNOWN:
        if rule(finding):
            return rule.__name__
    return None
