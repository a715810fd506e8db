"""Warnings that point at the student's own line, past smallgrad's frames (as PyTorch's C++
warnings do: they are reported where the Python code called into torch)."""

from __future__ import annotations

import os
import sys
import warnings

_SMALLGRAD_DIR = os.path.dirname(os.path.abspath(__file__))


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    frame, level = sys._getframe(1), 2  # 1 would be this function
    while frame is not None and frame.f_code.co_filename.startswith(_SMALLGRAD_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


_warned_once: set[str] = set()


def warn_once(message: str) -> None:
    """PyTorch's TORCH_WARN_ONCE: the first time in the process, then never again."""
    if message not in _warned_once:
        _warned_once.add(message)
        warn(message)
