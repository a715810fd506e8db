"""Grad mode: one switch that says whether new operations are recorded in the graph."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


class _GradState:
    enabled = True  # a class attribute: the cheapest flag Python can read on every op


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded."""
    return _GradState.enabled


class set_grad_enabled:  # noqa: N801 - named as torch.set_grad_enabled
    """Turn recording on or off: as a function call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self.prev = _GradState.enabled
        self.mode = bool(mode)
        _GradState.enabled = self.mode  # a plain call takes effect at once, as in torch

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _GradState.enabled = self.prev

    def __call__(self, fn: F) -> F:
        _GradState.enabled = self.prev  # used as a decorator: undo the call in __init__
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _FixedMode:
    """Base of no_grad and enable_grad: a context manager and a decorator with a fixed mode."""

    mode = True

    def __enter__(self) -> None:
        self.prev = _GradState.enabled
        _GradState.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradState.enabled = self.prev

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_FixedMode):  # noqa: N801
    """Inside `with no_grad():` nothing is recorded: results have requires_grad=False."""

    mode = False


class enable_grad(_FixedMode):  # noqa: N801
    """Turn recording back on inside a no_grad block."""

    mode = True
